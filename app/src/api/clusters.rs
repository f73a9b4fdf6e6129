//! The clusters this console serves: listing, one cluster's details, and joining a member.
//! Changing and removing members is in `cluster_admin`.

use std::fmt;

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use orbital_types::Cluster;
use serde::{Deserialize, Serialize};

/// Why a request about one cluster failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClusterError {
    /// This console serves no cluster by that name: the same answer whether or not one exists
    /// elsewhere, and without echoing the name.
    NotFound,
    /// What was asked for is not on any cluster in scope; the text says what is missing.
    Missing(String),
    /// The request itself is malformed (a label selector, say); the text says what is wrong.
    BadRequest(String),
    /// The request was refused; the text says why and what to do.
    Refused(String),
    /// The caller may see the cluster but not do this; the text names the missing permission.
    Forbidden(String),
    /// The console could not carry it out now; the text says what failed.
    Failed(String),
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("this console serves no cluster by that name"),
            Self::Missing(text)
            | Self::BadRequest(text)
            | Self::Refused(text)
            | Self::Forbidden(text)
            | Self::Failed(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ClusterError {}

impl FromServerFnError for ClusterError {
    type Encoder = JsonEncoding;

    /// Arguments the server cannot read (a kind's address that names no kind, say) are the
    /// caller's mistake, so they answer 400 with what is wrong rather than a failure.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(text) => Self::BadRequest(text).answer(),
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Args(text) => Self::BadRequest(text),
            other => Self::Failed(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl ClusterError {
    /// The error, with the HTTP status of the answer set to match it when a script asked.
    pub(super) fn answer(self) -> Self {
        use http::StatusCode;
        let status = match self {
            Self::NotFound | Self::Missing(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Failed(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        super::set_status(status);
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

    /// What to tell the browser about a cross-cluster view (`what` names it for the log) that
    /// could not be built.
    pub(super) fn from_view(error: orbital_federation::ViewError, what: &str) -> Self {
        use orbital_federation::ViewError;
        match error {
            ViewError::Selector(_) => Self::BadRequest(error.to_string()),
            ViewError::NotServed(_) => Self::Missing(error.to_string()),
            ViewError::Registry(_) => {
                tracing::warn!("{what} failed: {error}");
                Self::Failed("the cluster list cannot be read right now; try again shortly".into())
            }
        }
        .answer()
    }

    /// What to tell the browser about a failed join, change or removal.
    pub(super) fn from_join(error: orbital_federation::JoinError) -> Self {
        use orbital_federation::JoinError;
        match error {
            JoinError::Unknown(_) => Self::NotFound,
            JoinError::Forbidden => Self::Forbidden(error.to_string()),
            JoinError::Registry(error) => {
                tracing::warn!("a change to the cluster registry failed on the host: {error}");
                Self::Failed("the host cluster failed to record the change; try again".into())
            }
            other => Self::Refused(other.to_string()),
        }
        .answer()
    }
}

/// The clusters this request may reach (the scope the server built for it), or why they cannot
/// be reached yet.
#[cfg(feature = "ssr")]
pub(super) fn scope() -> Result<orbital_federation::Scope, ClusterError> {
    use_context::<orbital_federation::Scope>().ok_or_else(|| {
        ClusterError::Failed(
            "the console is still connecting to its clusters; try again shortly".into(),
        )
        .answer()
    })
}

/// Every cluster this console serves, by name.
#[server(endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<Cluster>, ClusterError> {
    let clusters = scope()?.clusters().await.map_err(|error| {
        tracing::warn!("cannot list clusters: {error}");
        ClusterError::Failed(
            "the cluster list cannot be read from the host cluster right now".into(),
        )
        .answer()
    })?;
    Ok(clusters)
}

/// One cluster; `NotFound` (a 404) when this console does not serve it.
#[server(endpoint = "clusters/get")]
pub async fn get_cluster(name: String) -> Result<Cluster, ClusterError> {
    let cluster = scope()?.cluster(&name).await.map_err(|error| {
        tracing::warn!("cannot read cluster {name}: {error}");
        ClusterError::Failed("the cluster cannot be read from the host cluster right now".into())
            .answer()
    })?;
    cluster.ok_or_else(|| ClusterError::NotFound.answer())
}

/// Joins a member over a direct connection, from its kubeconfig; `labels` are `key=value`
/// terms separated by commas or new lines. `take_over` (a checkbox: present or not) takes the
/// cluster from another host console that manages it.
#[server(endpoint = "clusters/join")]
pub async fn join_cluster(
    name: String,
    kubeconfig: String,
    labels: String,
    provider: String,
    description: String,
    #[server(default)] take_over: Option<String>,
) -> Result<Cluster, ClusterError> {
    let labels = ClusterError::check_labels(&labels)?;
    let request = orbital_federation::JoinRequest {
        name,
        kubeconfig,
        labels,
        provider: provider.trim().to_owned(),
        description: description.trim().to_owned(),
        take_over: take_over.is_some(),
        ..Default::default()
    };
    scope()?
        .join(request)
        .await
        .map_err(ClusterError::from_join)
}
