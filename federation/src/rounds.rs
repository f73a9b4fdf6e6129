//! Work done for every member in rounds, each member on its own, so that a slow or dead member
//! delays nobody else.

use std::collections::HashMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use orbital_types::Cluster;
use tokio::task::JoinHandle;

use crate::pool::ClientPool;

/// Every `interval`, starts `pass` for each registered member whose last pass has finished;
/// a member removed meanwhile has its pass stopped. Runs until aborted.
pub(crate) fn every_member<F, Fut>(
    pool: ClientPool,
    interval: Duration,
    what: &'static str,
    pass: F,
) -> JoinHandle<()>
where
    F: Fn(Cluster) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut running: HashMap<String, JoinHandle<()>> = HashMap::new();
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let members = match pool.registry().list().await {
                Ok(members) => members,
                Err(error) => {
                    tracing::warn!("cannot list member clusters for {what}: {error}");
                    continue;
                }
            };
            running.retain(|name, task| {
                let known = members.iter().any(|m| &m.name == name);
                if !known {
                    task.abort();
                }
                known && !task.is_finished()
            });
            for member in members {
                // A pass still running is a slow member; it does not run twice at once.
                if running.contains_key(&member.name) {
                    continue;
                }
                let name = member.name.clone();
                running.insert(name, tokio::spawn(pass(member)));
            }
        }
    })
}

/// Whether `member` reaches the host cluster itself (whose `kube-system` UID is `identity`),
/// registered as one of its members: the host keeps no copies of its own things there.
pub(crate) async fn is_host_cluster(
    member: &kube::Client,
    identity: &str,
) -> Result<bool, kube::Error> {
    let namespace = Api::<Namespace>::all(member.clone())
        .get("kube-system")
        .await?;
    Ok(namespace.metadata.uid.as_deref() == Some(identity))
}
