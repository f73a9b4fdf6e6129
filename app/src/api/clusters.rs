//! The clusters this console serves: listing, one cluster's details, and joining a member.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A cluster as the console pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// The cluster's name.
    pub name: String,
    /// How the host reaches it (`Direct`; `Local` for a member console's own cluster).
    pub connection: String,
    /// Whether it answered the last probe.
    pub ready: bool,
    /// Why it is (not) ready, in one word.
    pub reason: String,
    /// What the last probe saw.
    pub message: String,
    /// Its Kubernetes version.
    pub version: String,
    /// How many nodes it has.
    pub nodes: u64,
    /// CPU capacity over all nodes, for people (`12 cores`).
    pub cpu: String,
    /// Memory capacity over all nodes, for people (`47.9 GiB`).
    pub memory: String,
    /// Allocatable CPU over all nodes, for people.
    pub cpu_allocatable: String,
    /// Allocatable memory over all nodes, for people.
    pub memory_allocatable: String,
    /// Its labels, `key=value`.
    pub labels: Vec<String>,
    /// Where it runs.
    pub provider: String,
    /// Free text.
    pub description: String,
    /// When it last answered.
    pub last_heartbeat: String,
}

/// CPU in millicores, for people.
#[cfg(feature = "ssr")]
fn cores(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        format!("{} cores", millis / 1000)
    } else {
        format!("{:.1} cores", millis as f64 / 1000.0)
    }
}

/// Bytes, for people.
#[cfg(feature = "ssr")]
fn gibibytes(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

#[cfg(feature = "ssr")]
impl From<orbital_federation::Cluster> for ClusterSummary {
    fn from(cluster: orbital_federation::Cluster) -> Self {
        let status = cluster.status;
        Self {
            name: cluster.name,
            connection: cluster.connection,
            ready: status.ready,
            reason: status.reason,
            message: status.message,
            version: status.kubernetes_version,
            nodes: status.node_count,
            cpu: cores(status.cpu_capacity_millis),
            memory: gibibytes(status.memory_capacity_bytes),
            cpu_allocatable: cores(status.cpu_allocatable_millis),
            memory_allocatable: gibibytes(status.memory_allocatable_bytes),
            labels: cluster
                .labels
                .into_iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect(),
            provider: cluster.provider,
            description: cluster.description,
            last_heartbeat: status.last_heartbeat_time,
        }
    }
}

#[cfg(feature = "ssr")]
fn scope() -> Result<orbital_federation::Scope, ServerFnError> {
    super::console_context()?.scope().cloned().ok_or_else(|| {
        ServerFnError::new("the console is still connecting to its clusters; try again shortly")
    })
}

/// Every cluster this console serves, by name.
#[server(endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<ClusterSummary>, ServerFnError> {
    let clusters = scope()?.clusters().await.map_err(|error| {
        tracing::warn!("cannot list clusters: {error}");
        ServerFnError::new("the cluster list cannot be read from the host cluster right now")
    })?;
    Ok(clusters.into_iter().map(ClusterSummary::from).collect())
}

/// One cluster, if this console serves it.
#[server(endpoint = "clusters/get")]
pub async fn get_cluster(name: String) -> Result<Option<ClusterSummary>, ServerFnError> {
    let cluster = scope()?.cluster(&name).await.map_err(|error| {
        tracing::warn!("cannot read cluster {name}: {error}");
        ServerFnError::new("the cluster cannot be read from the host cluster right now")
    })?;
    Ok(cluster.map(ClusterSummary::from))
}

/// Joins a member over a direct connection, from its kubeconfig.
#[server(endpoint = "clusters/join")]
pub async fn join_cluster(
    name: String,
    kubeconfig: String,
    provider: String,
    description: String,
) -> Result<ClusterSummary, ServerFnError> {
    let request = orbital_federation::JoinRequest {
        name,
        kubeconfig,
        provider: provider.trim().to_owned(),
        description: description.trim().to_owned(),
        ..Default::default()
    };
    match scope()?.join(request).await {
        Ok(cluster) => Ok(ClusterSummary::from(cluster)),
        Err(orbital_federation::JoinError::Registry(error)) => {
            tracing::warn!("joining a cluster failed on the host: {error}");
            Err(ServerFnError::new(
                "the host cluster failed to record the new member; try again",
            ))
        }
        Err(error) => Err(ServerFnError::new(error.to_string())),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn capacities_read_naturally() {
        assert_eq!(cores(12_000), "12 cores");
        assert_eq!(cores(3_500), "3.5 cores");
        assert_eq!(gibibytes(48 << 30), "48.0 GiB");
    }
}
