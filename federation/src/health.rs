//! Keeping every member's status true: a probe per member every few seconds, each on its own,
//! so a slow or dead member delays nobody else.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use orbital_syntax::{bytes, millicores};
use tokio::task::JoinHandle;

use crate::cluster::ClusterStatus;
use crate::pool::{ClientPool, PoolError};

/// How often every member is probed.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(5);
/// How long one probe may take before the member counts as unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Probes every registered member until aborted.
pub fn spawn(pool: ClientPool) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut probes: HashMap<String, JoinHandle<()>> = HashMap::new();
        let mut ticker = tokio::time::interval(PROBE_INTERVAL);
        loop {
            ticker.tick().await;
            let members = match pool.registry().list().await {
                Ok(members) => members,
                Err(error) => {
                    tracing::warn!("cannot list member clusters: {error}");
                    continue;
                }
            };
            probes.retain(|name, probe| {
                let known = members.iter().any(|m| &m.name == name);
                if !known {
                    probe.abort();
                }
                known && !probe.is_finished()
            });
            for member in members {
                // A probe still running is a slow member; it is not probed twice at once.
                if probes.contains_key(&member.name) {
                    continue;
                }
                let pool = pool.clone();
                let name = member.name.clone();
                let previous = member.status;
                probes.insert(
                    member.name,
                    tokio::spawn(async move {
                        let status = probe(&pool, &name).await;
                        if status != previous
                            && let Err(error) = pool.registry().set_status(&name, &status).await
                        {
                            tracing::warn!(cluster = %name, "cannot record the cluster's status: {error}");
                        }
                    }),
                );
            }
        }
    })
}

fn unready(reason: &str, message: String) -> ClusterStatus {
    ClusterStatus {
        ready: false,
        reason: reason.to_owned(),
        message,
        ..ClusterStatus::default()
    }
}

/// What the member `name` looks like now.
pub async fn probe(pool: &ClientPool, name: &str) -> ClusterStatus {
    match pool.client(name).await {
        Ok(client) => probe_client(&client).await,
        Err(PoolError::Kubeconfig { reason, .. }) => unready("InvalidKubeconfig", reason),
        Err(error) => unready("Unknown", error.to_string()),
    }
}

/// What the cluster `client` reaches looks like now.
pub async fn probe_client(client: &kube::Client) -> ClusterStatus {
    let started = Instant::now();
    let answer = tokio::time::timeout(PROBE_TIMEOUT, async {
        let version = client.apiserver_version().await?;
        let nodes = Api::<Node>::all(client.clone())
            .list(&ListParams::default())
            .await?;
        Ok::<_, kube::Error>((version, nodes.items))
    })
    .await;
    let (version, nodes) = match answer {
        Err(_) => {
            return unready(
                "Timeout",
                format!(
                    "the API server did not answer within {} s",
                    PROBE_TIMEOUT.as_secs()
                ),
            );
        }
        Ok(Err(kube::Error::Api(status))) if matches!(status.code, 401 | 403) => {
            return unready(
                "Unauthorized",
                format!("the credentials were refused: {}", status.message),
            );
        }
        Ok(Err(error)) => {
            return unready(
                "Unreachable",
                format!("the API server cannot be reached: {error}"),
            );
        }
        Ok(Ok(answer)) => answer,
    };
    let mut status = ClusterStatus {
        ready: true,
        reason: "Reachable".into(),
        message: format!(
            "the API server answered in {} ms",
            started.elapsed().as_millis()
        ),
        kubernetes_version: version.git_version,
        node_count: nodes.len() as u64,
        last_heartbeat_time: crate::cluster::now(),
        ..ClusterStatus::default()
    };
    for node in &nodes {
        let Some(node_status) = &node.status else {
            continue;
        };
        let read = |map: &Option<
            std::collections::BTreeMap<
                String,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity,
            >,
        >,
                    key: &str| {
            map.as_ref()
                .and_then(|m| m.get(key))
                .map(|q| q.0.clone())
                .unwrap_or_default()
        };
        status.cpu_capacity_millis += millicores(&read(&node_status.capacity, "cpu"));
        status.memory_capacity_bytes += bytes(&read(&node_status.capacity, "memory"));
        status.cpu_allocatable_millis += millicores(&read(&node_status.allocatable, "cpu"));
        status.memory_allocatable_bytes += bytes(&read(&node_status.allocatable, "memory"));
    }
    status
}
