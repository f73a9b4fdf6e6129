//! Pods across clusters: filtered, sorted and paged on the server, from the console's caches.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows on one page of the Pods view.
pub const PAGE_SIZE: usize = 50;

/// What the Pods view asks for; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodQuery {
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

/// One pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRow {
    /// Its cluster.
    pub cluster: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its state, as `kubectl get pods` shows it.
    pub status: String,
    /// The node it runs on.
    pub node: String,
    /// When it was created.
    pub created: String,
}

/// One page of pods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodPage {
    /// The pods on this page.
    pub rows: Vec<PodRow>,
    /// How many pods match over all pages.
    pub total: usize,
    /// Clusters left out, with why.
    pub failed: Vec<(String, String)>,
    /// Whether rows name their cluster (not on a member cluster's own console).
    pub multi_cluster: bool,
}

/// A page of pods across the clusters this console serves.
#[server(endpoint = "views/pods")]
pub async fn list_pods(query: PodQuery) -> Result<PodPage, ServerFnError> {
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
    let page = views::cached(caches, orbital_federation::Kind::Pods, &request)
        .await
        .map_err(|error| match error {
            ViewError::Selector(_) => ServerFnError::new(error.to_string()),
            ViewError::Registry(_) => {
                tracing::warn!("pods view failed: {error}");
                ServerFnError::new("the cluster list cannot be read right now; try again shortly")
            }
        })?;
    Ok(PodPage {
        rows: page
            .rows
            .into_iter()
            .map(|row| PodRow {
                cluster: row.cluster,
                namespace: row.namespace,
                name: row.name,
                status: row.status,
                node: row.detail,
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
