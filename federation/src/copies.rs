//! Keeping the members' copies of the host's users, grants and workspaces: every few seconds
//! each member is brought in line, on its own, so a slow or dead member delays nobody else.

use std::time::Duration;

use orbital_iam::copies::Copier;
use tokio::task::JoinHandle;

use crate::pool::ClientPool;
use crate::rounds::{every_member, is_host_cluster};

/// How often every member's copies are brought in line: a change on the host reaches a
/// reachable member within this and one pass.
pub const COPY_INTERVAL: Duration = Duration::from_secs(5);
/// How long one pass over one member may take.
const COPY_TIMEOUT: Duration = Duration::from_secs(20);

/// Copies to every registered member but the host cluster itself (whose `kube-system` UID is
/// `identity`), until aborted.
pub(crate) fn spawn(pool: ClientPool, identity: String, copier: Copier) -> JoinHandle<()> {
    let passes = pool.clone();
    every_member(pool, COPY_INTERVAL, "copies", move |member| {
        copy_once(
            passes.clone(),
            copier.clone(),
            member.name,
            identity.clone(),
        )
    })
}

/// One pass over the member `name`, unless it is the host cluster itself.
async fn copy_once(pool: ClientPool, copier: Copier, name: String, host_identity: String) {
    let pass = async {
        let client = pool.client(&name).await.map_err(|e| e.to_string())?;
        if is_host_cluster(&client, &host_identity)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(None);
        }
        copier
            .copy_to(&name, &client)
            .await
            .map(Some)
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(COPY_TIMEOUT, pass).await {
        Ok(Ok(Some(report))) if report.written + report.removed > 0 => {
            tracing::info!(cluster = %name, written = report.written, removed = report.removed, "brought the member's copies of users and grants in line");
        }
        Ok(Ok(_)) => {}
        Ok(Err(error)) => {
            tracing::debug!(cluster = %name, "cannot copy users and grants to the member: {error}");
        }
        Err(_) => {
            tracing::debug!(cluster = %name, "copying users and grants to the member timed out")
        }
    }
}
