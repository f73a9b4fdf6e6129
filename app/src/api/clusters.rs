//! The clusters this console serves: listing, one cluster's details, and joining a member.
//! Changing and removing members is in `cluster_admin`.

use std::fmt;

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
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

/// Why a request about one cluster failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClusterError {
    /// This console serves no cluster by that name: the same answer whether or not one exists
    /// elsewhere, and without echoing the name.
    NotFound,
    /// The request was refused; the text says why and what to do.
    Refused(String),
    /// The console could not carry it out now; the text says what failed.
    Failed(String),
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("this console serves no cluster by that name"),
            Self::Refused(text) | Self::Failed(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ClusterError {}

impl FromServerFnError for ClusterError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Failed(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl ClusterError {
    /// The error, with the HTTP status of the answer set to match it when a script asked.
    /// Pages set their own status, and a plain form post is sent back to its page, which a
    /// status here would undo.
    pub(super) fn answer(self) -> Self {
        use http::{StatusCode, header::ACCEPT};
        let status = match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Failed(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        let from_script = use_context::<http::request::Parts>().is_some_and(|request| {
            request
                .headers
                .get(ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_none_or(|accept| !accept.contains("text/html"))
        });
        if from_script && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
        self
    }

    /// The labels typed into a form (`key=value` terms separated by commas or new lines), or
    /// which one is wrong.
    pub(super) fn check_labels(
        text: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, Self> {
        orbital_syntax::parse_label_set(text)
            .map_err(|error| Self::Refused(error.to_string()).answer())
    }

    /// What to tell the browser about a failed join, change or removal.
    pub(super) fn from_join(error: orbital_federation::JoinError) -> Self {
        use orbital_federation::JoinError;
        match error {
            JoinError::Unknown(_) => Self::NotFound,
            JoinError::Registry(error) => {
                tracing::warn!("a change to the cluster registry failed on the host: {error}");
                Self::Failed("the host cluster failed to record the change; try again".into())
            }
            other => Self::Refused(other.to_string()),
        }
        .answer()
    }
}

/// The clusters this console serves, or why they cannot be reached yet.
#[cfg(feature = "ssr")]
pub(super) fn scope() -> Result<orbital_federation::Scope, ClusterError> {
    super::console_context()
        .ok()
        .and_then(|console| console.scope().cloned())
        .ok_or_else(|| {
            ClusterError::Failed(
                "the console is still connecting to its clusters; try again shortly".into(),
            )
            .answer()
        })
}

/// Every cluster this console serves, by name.
#[server(endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<ClusterSummary>, ClusterError> {
    let clusters = scope()?.clusters().await.map_err(|error| {
        tracing::warn!("cannot list clusters: {error}");
        ClusterError::Failed(
            "the cluster list cannot be read from the host cluster right now".into(),
        )
        .answer()
    })?;
    Ok(clusters.into_iter().map(ClusterSummary::from).collect())
}

/// One cluster; `NotFound` (a 404) when this console does not serve it.
#[server(endpoint = "clusters/get")]
pub async fn get_cluster(name: String) -> Result<ClusterSummary, ClusterError> {
    let cluster = scope()?.cluster(&name).await.map_err(|error| {
        tracing::warn!("cannot read cluster {name}: {error}");
        ClusterError::Failed("the cluster cannot be read from the host cluster right now".into())
            .answer()
    })?;
    cluster
        .map(ClusterSummary::from)
        .ok_or_else(|| ClusterError::NotFound.answer())
}

/// Joins a member over a direct connection, from its kubeconfig; `labels` are `key=value`
/// terms separated by commas or new lines.
#[server(endpoint = "clusters/join")]
pub async fn join_cluster(
    name: String,
    kubeconfig: String,
    labels: String,
    provider: String,
    description: String,
) -> Result<ClusterSummary, ClusterError> {
    let labels = ClusterError::check_labels(&labels)?;
    let request = orbital_federation::JoinRequest {
        name,
        kubeconfig,
        labels,
        provider: provider.trim().to_owned(),
        description: description.trim().to_owned(),
        ..Default::default()
    };
    scope()?
        .join(request)
        .await
        .map(ClusterSummary::from)
        .map_err(ClusterError::from_join)
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
