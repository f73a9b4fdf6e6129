//! Keeping every member's status true: a probe per member every few seconds, each on its own,
//! so a slow or dead member delays nobody else.

use std::time::Duration;

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use orbital_syntax::{bytes, millicores};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::task::AbortOnDropHandle;

use jiff::Timestamp;
use orbital_types::{AgentAvailability, Cluster, ClusterStatus, Connection, Reason};

use crate::pool::{ClientPool, PoolError};
use crate::rounds::every_member;

/// How often every member is probed.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(5);
/// How long one probe may take before the member counts as unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the heartbeat of a member that stays ready is written when nothing else changed.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(60);

/// Probes every registered member until aborted, writing a status only when it changed; a
/// member reached through an agent is probed again as soon as its agent connects or goes.
pub(crate) fn spawn(pool: ClientPool) -> JoinHandle<()> {
    let probes = pool.clone();
    let periodic = every_member(pool.clone(), PROBE_INTERVAL, "probes", move |member| {
        let pool = probes.clone();
        async move { probe_and_record(&pool, &member).await }
    });
    let mut changes = pool.tunnels().changes();
    tokio::spawn(async move {
        let _periodic = AbortOnDropHandle::new(periodic);
        loop {
            let name = match changes.recv().await {
                Ok(name) => name,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            match pool.registry().get(&name).await {
                Ok(Some(member)) => probe_and_record(&pool, &member).await,
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(cluster = %name, "cannot read the cluster to probe it: {error}")
                }
            }
        }
    })
}

/// Probes `member` and records what changed since its recorded status.
async fn probe_and_record(pool: &ClientPool, member: &Cluster) {
    let observed = probe(pool, member).await;
    let Some(status) = to_record(&member.status, observed, Timestamp::now()) else {
        return;
    };
    match pool.registry().set_status(&member.name, &status).await {
        Ok(()) => tracing::debug!(cluster = %member.name, "recorded the cluster's status"),
        Err(error) => {
            tracing::warn!(cluster = %member.name, "cannot record the cluster's status: {error}")
        }
    }
}

/// What to write after a probe saw `observed` where `previous` is recorded, at `now`; `None`
/// when nothing but a recent heartbeat would change.
fn to_record(
    previous: &ClusterStatus,
    mut observed: ClusterStatus,
    now: Timestamp,
) -> Option<ClusterStatus> {
    observed.last_transition_time =
        if previous.ready == observed.ready && !previous.last_transition_time.is_empty() {
            previous.last_transition_time.clone()
        } else {
            crate::cluster::whole_seconds(now)
        };
    if let Some(agent) = &mut observed.agent {
        agent.last_transition_time = match &previous.agent {
            Some(before) if before.connected == agent.connected => {
                before.last_transition_time.clone()
            }
            _ => crate::cluster::whole_seconds(now),
        };
    }
    if !observed.ready {
        // The heartbeat says when it last answered.
        observed
            .last_heartbeat_time
            .clone_from(&previous.last_heartbeat_time);
    }
    let changed = ClusterStatus {
        last_heartbeat_time: previous.last_heartbeat_time.clone(),
        ..observed.clone()
    } != *previous;
    let heartbeat_due = observed.ready
        && previous
            .last_heartbeat_time
            .parse::<Timestamp>()
            .map_or(true, |beat| {
                now.duration_since(beat).unsigned_abs() >= HEARTBEAT_INTERVAL
            });
    (changed || heartbeat_due).then_some(observed)
}

/// A status that is not ready (the default), for `reason`.
fn unready(reason: Reason, message: String) -> ClusterStatus {
    ClusterStatus {
        reason,
        message,
        ..ClusterStatus::default()
    }
}

/// What `member` looks like now; one reached through an agent that is not connected is not
/// asked, and says so.
pub(crate) async fn probe(pool: &ClientPool, member: &Cluster) -> ClusterStatus {
    if member.connection != Connection::Agent {
        return probe_named(pool, &member.name).await;
    }
    // Connected here, or to another replica that relays its requests.
    let tunnels = pool.tunnels();
    let connected =
        tunnels.connected(&member.name) || tunnels.relay_target(&member.name).await.is_some();
    let mut status = if connected {
        probe_named(pool, &member.name).await
    } else {
        unready(
            Reason::AgentDisconnected,
            "no agent of the cluster is connected to the host".into(),
        )
    };
    status.agent = Some(AgentAvailability {
        connected,
        last_transition_time: String::new(),
    });
    status
}

/// What the member `name` looks like now, through its client.
async fn probe_named(pool: &ClientPool, name: &str) -> ClusterStatus {
    match pool.client(name).await {
        Ok(client) => probe_client(&client).await,
        Err(PoolError::Kubeconfig { reason, .. }) => {
            tracing::warn!(cluster = %name, "the stored kubeconfig cannot be used: {reason}");
            unready(
                Reason::InvalidKubeconfig,
                "the stored kubeconfig cannot be used: replace it".into(),
            )
        }
        Err(error) => {
            tracing::warn!(cluster = %name, "cannot probe the cluster: {error}");
            unready(
                Reason::Unknown,
                "the console cannot read what it needs to reach the cluster".into(),
            )
        }
    }
}

/// What the cluster `client` reaches looks like now.
pub(crate) async fn probe_client(client: &kube::Client) -> ClusterStatus {
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
                Reason::Timeout,
                format!(
                    "the API server did not answer within {} s",
                    PROBE_TIMEOUT.as_secs()
                ),
            );
        }
        Ok(Err(kube::Error::Api(status))) if matches!(status.code, 401 | 403) => {
            return unready(
                Reason::Unauthorized,
                format!(
                    "the API server refused the stored credentials ({} {}): replace the kubeconfig",
                    status.code, status.reason
                ),
            );
        }
        Ok(Err(error)) => {
            tracing::info!("a cluster's API server cannot be reached: {error}");
            return unready(
                Reason::Unreachable,
                "the API server cannot be reached from the console".into(),
            );
        }
        Ok(Ok(answer)) => answer,
    };
    let mut status = ClusterStatus {
        ready: true,
        reason: Reason::Reachable,
        message: "the API server answers".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn ready(heartbeat: &str) -> ClusterStatus {
        ClusterStatus {
            ready: true,
            reason: Reason::Reachable,
            message: "the API server answers".into(),
            kubernetes_version: "v1.32.0".into(),
            node_count: 3,
            last_heartbeat_time: heartbeat.into(),
            last_transition_time: "2026-12-01T09:00:00Z".into(),
            ..ClusterStatus::default()
        }
    }

    #[test]
    fn an_unchanged_ready_member_writes_its_heartbeat_once_a_minute() {
        let previous = ready("2026-12-01T10:00:00Z");
        let observed = ready("2026-12-01T10:00:30Z");
        assert_eq!(
            to_record(&previous, observed.clone(), at("2026-12-01T10:00:30Z")),
            None
        );
        let observed = ready("2026-12-01T10:01:00Z");
        let written = to_record(&previous, observed, at("2026-12-01T10:01:00Z")).unwrap();
        assert_eq!(written.last_heartbeat_time, "2026-12-01T10:01:00Z");
        assert_eq!(written.last_transition_time, previous.last_transition_time);
    }

    #[test]
    fn any_other_change_is_written_at_once() {
        let previous = ready("2026-12-01T10:00:00Z");
        let grown = ClusterStatus {
            node_count: 4,
            ..ready("2026-12-01T10:00:05Z")
        };
        let written = to_record(&previous, grown, at("2026-12-01T10:00:05Z")).unwrap();
        assert_eq!(written.node_count, 4);
        assert_eq!(written.last_transition_time, previous.last_transition_time);

        let down = unready(Reason::Unreachable, "gone".into());
        let written = to_record(&previous, down.clone(), at("2026-12-01T10:00:05Z")).unwrap();
        assert!(!written.ready);
        assert_eq!(written.last_heartbeat_time, "2026-12-01T10:00:00Z");
        assert_eq!(written.last_transition_time, "2026-12-01T10:00:05Z");

        // Still down, as recorded: nothing to write, however long ago it last answered.
        assert_eq!(to_record(&written, down, at("2026-12-01T11:00:00Z")), None);
    }

    #[test]
    fn a_first_probe_is_written() {
        let written = to_record(
            &ClusterStatus::default(),
            ready("2026-12-01T10:00:00Z"),
            at("2026-12-01T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(written.last_transition_time, "2026-12-01T10:00:00Z");
    }

    #[test]
    fn an_agent_coming_and_going_is_written_with_the_time_it_did() {
        let through_agent = |connected: bool| ClusterStatus {
            agent: Some(AgentAvailability {
                connected,
                last_transition_time: String::new(),
            }),
            ..if connected {
                ready("2026-12-01T10:00:00Z")
            } else {
                unready(Reason::AgentDisconnected, "no agent".into())
            }
        };
        let connected = to_record(
            &ClusterStatus::default(),
            through_agent(true),
            at("2026-12-01T10:00:00Z"),
        )
        .unwrap();
        let agent = connected.agent.clone().unwrap();
        assert_eq!(agent.last_transition_time, "2026-12-01T10:00:00Z");
        let lost = to_record(&connected, through_agent(false), at("2026-12-01T10:00:07Z")).unwrap();
        let agent = lost.agent.clone().unwrap();
        assert!(!agent.connected && !lost.ready);
        assert_eq!(agent.last_transition_time, "2026-12-01T10:00:07Z");
        assert_eq!(lost.reason, Reason::AgentDisconnected);
        // Still gone: nothing to write, and the time it went is kept.
        assert_eq!(
            to_record(&lost, through_agent(false), at("2026-12-01T10:05:00Z")),
            None
        );
    }
}
