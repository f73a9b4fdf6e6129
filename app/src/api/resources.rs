//! One kind of resource across clusters: filtered, sorted and paged on the server, from the
//! console's caches.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows on one page of a resource view.
pub const PAGE_SIZE: usize = 50;

/// The kinds the console lists across clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceKind {
    /// Nodes.
    Nodes,
    /// Namespaces.
    Namespaces,
    /// Pods.
    Pods,
    /// Deployments.
    Deployments,
    /// Services.
    Services,
}

impl ResourceKind {
    /// Every kind, in navigation order.
    pub const ALL: [Self; 5] = [
        Self::Nodes,
        Self::Namespaces,
        Self::Pods,
        Self::Deployments,
        Self::Services,
    ];

    /// The plural name, as in the page's path (`pods`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Namespaces => "namespaces",
            Self::Pods => "pods",
            Self::Deployments => "deployments",
            Self::Services => "services",
        }
    }

    /// The page's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Nodes => "Nodes",
            Self::Namespaces => "Namespaces",
            Self::Pods => "Pods",
            Self::Deployments => "Deployments",
            Self::Services => "Services",
        }
    }

    /// Whether objects of the kind live in namespaces.
    pub fn namespaced(self) -> bool {
        !matches!(self, Self::Nodes | Self::Namespaces)
    }

    /// The heading of the second fact each row shows, if the kind has one.
    pub fn detail(self) -> Option<&'static str> {
        match self {
            Self::Nodes => Some("Kubelet"),
            Self::Namespaces => None,
            Self::Pods => Some("Node"),
            Self::Deployments => Some("Ready"),
            Self::Services => Some("Cluster IP"),
        }
    }

    /// A status to show as an example in the filter.
    pub fn example_status(self) -> &'static str {
        match self {
            Self::Nodes => "Ready",
            Self::Namespaces => "Active",
            Self::Pods => "Running",
            Self::Deployments => "Available",
            Self::Services => "ClusterIP",
        }
    }
}

/// What a resource view asks for; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceQuery {
    /// Only this cluster.
    pub cluster: String,
    /// Only this namespace.
    pub namespace: String,
    /// A label selector.
    pub labels: String,
    /// Only names containing this.
    pub name: String,
    /// Only this status.
    pub status: String,
    /// `name`, `cluster`, `namespace`, `status` or `age`.
    pub sort: String,
    /// Reverse the order.
    pub descending: bool,
    /// The page, from 1.
    pub page: usize,
}

/// One object in one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRow {
    /// Its cluster.
    pub cluster: String,
    /// Its namespace (empty for cluster-scoped kinds).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its state, as `kubectl get` shows it.
    pub status: String,
    /// The kind's second fact: a pod's node, a deployment's ready count, ….
    pub detail: String,
    /// When it was created.
    pub created: String,
}

/// One page of a resource view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePage {
    /// The objects on this page.
    pub rows: Vec<ResourceRow>,
    /// How many objects match over all pages.
    pub total: usize,
    /// Clusters left out, with why.
    pub failed: Vec<(String, String)>,
    /// Whether rows name their cluster (not on a member cluster's own console).
    pub multi_cluster: bool,
}

/// A page of `kind` across the clusters this console serves.
#[server(endpoint = "views/list")]
pub async fn list_resources(
    kind: ResourceKind,
    query: ResourceQuery,
) -> Result<ResourcePage, ServerFnError> {
    use orbital_federation::Kind;
    use orbital_federation::views::{self, Query, Sort, ViewError};

    let console = super::console_context()?;
    let caches = console.caches().ok_or_else(|| {
        ServerFnError::new("the console is still connecting to its clusters; try again shortly")
    })?;
    let text = |value: &str| (!value.trim().is_empty()).then(|| value.trim().to_owned());
    let sort = match query.sort.as_str() {
        "cluster" => Sort::Cluster,
        "namespace" => Sort::Namespace,
        "status" => Sort::Status,
        "age" => Sort::Age,
        _ => Sort::Name,
    };
    let request = Query {
        clusters: text(&query.cluster).into_iter().collect(),
        namespace: text(&query.namespace),
        labels: text(&query.labels),
        name_contains: text(&query.name),
        status: text(&query.status),
        sort,
        descending: query.descending,
        offset: query.page.saturating_sub(1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let kind = match kind {
        ResourceKind::Nodes => Kind::Nodes,
        ResourceKind::Namespaces => Kind::Namespaces,
        ResourceKind::Pods => Kind::Pods,
        ResourceKind::Deployments => Kind::Deployments,
        ResourceKind::Services => Kind::Services,
    };
    let page = views::cached(caches, kind, &request)
        .await
        .map_err(|error| match error {
            ViewError::Selector(_) => ServerFnError::new(error.to_string()),
            ViewError::Registry(_) => {
                tracing::warn!("{kind:?} view failed: {error}");
                ServerFnError::new("the cluster list cannot be read right now; try again shortly")
            }
        })?;
    Ok(ResourcePage {
        rows: page
            .rows
            .into_iter()
            .map(|row| ResourceRow {
                cluster: row.cluster,
                namespace: row.namespace,
                name: row.name,
                status: row.status,
                detail: row.detail,
                created: row.created,
            })
            .collect(),
        total: page.total,
        failed: page
            .failed
            .into_iter()
            .map(|f| (f.cluster, f.error))
            .collect(),
        multi_cluster: console.mode() == crate::ConsoleMode::Host,
    })
}
