//! Cross-cluster views: one kind listed over all (or chosen) clusters, filtered, sorted and
//! paged on the server. Each row names its cluster; clusters that could not answer are listed
//! beside the partial result with their error.

use std::sync::Arc;

use futures::future::join_all;
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use orbital_syntax::{LabelSelector, SelectorError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache::{Caches, Kind};
use crate::cluster::Cluster;
use crate::scope::Scope;

/// The most rows one page holds.
pub const MAX_PAGE: usize = 500;

/// What to sort rows by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// Name, then cluster and namespace.
    #[default]
    Name,
    /// Cluster, then namespace and name.
    Cluster,
    /// Namespace, then name and cluster.
    Namespace,
    /// Status, then name.
    Status,
    /// Creation time, oldest first.
    Age,
}

/// Which rows, in which order, which page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Only these clusters; every one in scope when empty.
    pub clusters: Vec<String>,
    /// Only this namespace.
    pub namespace: Option<String>,
    /// A label selector (`app=web,tier in (front)`).
    pub labels: Option<String>,
    /// Only names containing this text.
    pub name_contains: Option<String>,
    /// Only this status (`Running`, `CrashLoopBackOff`, `Ready`, …).
    pub status: Option<String>,
    /// The order.
    pub sort: Sort,
    /// Reverse the order.
    pub descending: bool,
    /// Rows to skip.
    pub offset: usize,
    /// Rows to return, at most [`MAX_PAGE`].
    pub limit: usize,
}

/// One object in one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The cluster it is in.
    pub cluster: String,
    /// Its namespace (empty for cluster-scoped kinds).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its state as `kubectl get` shows it.
    pub status: String,
    /// A second fact: a pod's node, a deployment's ready/desired, a service's type and IP.
    pub detail: String,
    /// When it was created (RFC 3339).
    pub created: String,
}

/// A cluster left out of a result, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The cluster.
    pub cluster: String,
    /// What went wrong.
    pub error: String,
}

/// One page of a view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The rows of this page.
    pub rows: Vec<Row>,
    /// How many rows match, over all pages.
    pub total: usize,
    /// Clusters that could not answer.
    pub failed: Vec<Failure>,
}

/// Why a view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The label selector is malformed.
    #[error("the label selector is not valid: {0}")]
    Selector(#[from] SelectorError),
    /// The cluster list could not be read.
    #[error("the cluster list cannot be read: {0}")]
    Registry(#[from] crate::registry::RegistryError),
}

/// The clusters a query covers, with why the unready ones are skipped.
async fn targets(scope: &Scope, query: &Query) -> Result<(Vec<String>, Vec<Failure>), ViewError> {
    let clusters: Vec<Cluster> = scope.clusters().await?;
    let mut ready = Vec::new();
    let mut failed = Vec::new();
    for cluster in clusters {
        if !query.clusters.is_empty() && !query.clusters.contains(&cluster.name) {
            continue;
        }
        // A cluster known to be down is not waited for: it is reported at once.
        if cluster.status.ready {
            ready.push(cluster.name);
        } else {
            failed.push(Failure {
                cluster: cluster.name,
                error: format!("the cluster is not ready: {}", cluster.status.message),
            });
        }
    }
    Ok((ready, failed))
}

/// A page of `kind` over the clusters `query` names, read from the caches.
pub async fn cached(caches: &Caches, kind: Kind, query: &Query) -> Result<Page, ViewError> {
    let selector = LabelSelector::parse(query.labels.as_deref().unwrap_or_default())?;
    let (clusters, failed) = targets(caches.scope(), query).await?;
    let answers = join_all(clusters.iter().map(|cluster| caches.objects(cluster, kind))).await;
    let gathered = clusters
        .into_iter()
        .zip(answers)
        .map(|(cluster, answer)| (cluster, answer.map_err(|e| e.to_string())))
        .collect();
    Ok(assemble(kind, gathered, failed, &selector, query))
}

/// The same page, assembled by listing every cluster now (what the caches save).
pub async fn live(scope: &Scope, kind: Kind, query: &Query) -> Result<Page, ViewError> {
    let selector = LabelSelector::parse(query.labels.as_deref().unwrap_or_default())?;
    let (clusters, failed) = targets(scope, query).await?;
    let answers = join_all(clusters.iter().map(|cluster| async move {
        let client = scope.client(cluster).await.map_err(|e| e.to_string())?;
        let api: Api<DynamicObject> = Api::all_with(client, &kind.resource());
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(list.items.into_iter().map(Arc::new).collect::<Vec<_>>())
    }))
    .await;
    let gathered = clusters.into_iter().zip(answers).collect();
    Ok(assemble(kind, gathered, failed, &selector, query))
}

type Gathered = Vec<(String, Result<Vec<Arc<DynamicObject>>, String>)>;

fn assemble(
    kind: Kind,
    gathered: Gathered,
    mut failed: Vec<Failure>,
    selector: &LabelSelector,
    query: &Query,
) -> Page {
    let mut rows = Vec::new();
    for (cluster, answer) in gathered {
        let objects = match answer {
            Ok(objects) => objects,
            Err(error) => {
                failed.push(Failure { cluster, error });
                continue;
            }
        };
        for object in objects {
            let metadata = &object.metadata;
            let name = metadata.name.as_deref().unwrap_or_default();
            let namespace = metadata.namespace.as_deref().unwrap_or_default();
            if query.namespace.as_deref().is_some_and(|ns| ns != namespace)
                || query
                    .name_contains
                    .as_deref()
                    .is_some_and(|text| !name.contains(text))
            {
                continue;
            }
            let labels = metadata.labels.as_ref();
            if !selector.matches_by(|key| labels.and_then(|l| l.get(key)).map(String::as_str)) {
                continue;
            }
            let (status, detail) = describe(kind, &object);
            if query
                .status
                .as_deref()
                .is_some_and(|wanted| wanted != status)
            {
                continue;
            }
            rows.push(Row {
                cluster: cluster.clone(),
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                status,
                detail,
                created: metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0.to_string())
                    .unwrap_or_default(),
            });
        }
    }
    sort(&mut rows, query.sort);
    if query.descending {
        rows.reverse();
    }
    failed.sort_by(|a, b| a.cluster.cmp(&b.cluster));
    let total = rows.len();
    let limit = query.limit.clamp(1, MAX_PAGE);
    let rows = rows.into_iter().skip(query.offset).take(limit).collect();
    Page {
        rows,
        total,
        failed,
    }
}

fn sort(rows: &mut [Row], by: Sort) {
    match by {
        Sort::Name => rows.sort_by(|a, b| {
            (&a.name, &a.cluster, &a.namespace).cmp(&(&b.name, &b.cluster, &b.namespace))
        }),
        Sort::Cluster => rows.sort_by(|a, b| {
            (&a.cluster, &a.namespace, &a.name).cmp(&(&b.cluster, &b.namespace, &b.name))
        }),
        Sort::Namespace => rows.sort_by(|a, b| {
            (&a.namespace, &a.name, &a.cluster).cmp(&(&b.namespace, &b.name, &b.cluster))
        }),
        Sort::Status => rows.sort_by(|a, b| (&a.status, &a.name).cmp(&(&b.status, &b.name))),
        Sort::Age => rows.sort_by(|a, b| (&a.created, &a.name).cmp(&(&b.created, &b.name))),
    }
}

/// An object's status and second fact, as `kubectl get` shows them.
fn describe(kind: Kind, object: &DynamicObject) -> (String, String) {
    let data = &object.data;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    match kind {
        Kind::Pods => {
            let mut status = text(&data["status"]["phase"]);
            for container in data["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let state = &container["state"];
                if let Some(reason) = state["waiting"]["reason"]
                    .as_str()
                    .or_else(|| state["terminated"]["reason"].as_str())
                {
                    status = reason.to_owned();
                }
            }
            if object.metadata.deletion_timestamp.is_some() {
                status = "Terminating".to_owned();
            }
            (status, text(&data["spec"]["nodeName"]))
        }
        Kind::Nodes => {
            let ready = data["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            let status = if ready { "Ready" } else { "NotReady" };
            (
                status.to_owned(),
                text(&data["status"]["nodeInfo"]["kubeletVersion"]),
            )
        }
        Kind::Namespaces => (text(&data["status"]["phase"]), String::new()),
        Kind::Deployments => {
            let desired = data["spec"]["replicas"].as_i64().unwrap_or(1);
            let available = data["status"]["availableReplicas"].as_i64().unwrap_or(0);
            let status = if available >= desired {
                "Available"
            } else {
                "Progressing"
            };
            (
                status.to_owned(),
                format!(
                    "{}/{desired} ready",
                    data["status"]["readyReplicas"].as_i64().unwrap_or(0)
                ),
            )
        }
        Kind::Services => (
            text(&data["spec"]["type"]),
            text(&data["spec"]["clusterIP"]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(
        name: &str,
        namespace: &str,
        app: &str,
        phase: &str,
        created: &str,
    ) -> Arc<DynamicObject> {
        Arc::new(
            serde_json::from_value(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, "labels": {"app": app},
                             "creationTimestamp": created},
                "spec": {"nodeName": "node-1"},
                "status": {"phase": phase},
            }))
            .unwrap(),
        )
    }

    #[test]
    fn rows_are_filtered_sorted_and_paged_across_clusters() {
        let gathered: Gathered = vec![
            (
                "b".into(),
                Ok(vec![
                    pod("web-1", "demo", "web", "Running", "2026-01-02T00:00:00Z"),
                    pod("db-0", "demo", "db", "Running", "2026-01-01T00:00:00Z"),
                ]),
            ),
            (
                "a".into(),
                Ok(vec![
                    pod("web-2", "demo", "web", "Pending", "2026-01-03T00:00:00Z"),
                    pod("web-3", "other", "web", "Running", "2026-01-04T00:00:00Z"),
                ]),
            ),
            ("c".into(), Err("connection refused".into())),
        ];
        let query = Query {
            namespace: Some("demo".into()),
            labels: Some("app=web".into()),
            sort: Sort::Cluster,
            limit: 10,
            ..Query::default()
        };
        let selector = LabelSelector::parse("app=web").unwrap();
        let page = assemble(Kind::Pods, gathered.clone(), Vec::new(), &selector, &query);
        let names: Vec<(&str, &str)> = page
            .rows
            .iter()
            .map(|r| (r.cluster.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(names, [("a", "web-2"), ("b", "web-1")]);
        assert_eq!(page.total, 2);
        assert_eq!(
            page.failed,
            [Failure {
                cluster: "c".into(),
                error: "connection refused".into()
            }]
        );

        let everything = LabelSelector::parse("").unwrap();
        let by_age = Query {
            sort: Sort::Age,
            descending: true,
            offset: 1,
            limit: 2,
            ..Query::default()
        };
        let page = assemble(
            Kind::Pods,
            gathered.clone(),
            Vec::new(),
            &everything,
            &by_age,
        );
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-2", "web-1"]);
        assert_eq!(page.total, 4);

        let running = Query {
            status: Some("Running".into()),
            name_contains: Some("web".into()),
            limit: 10,
            ..Query::default()
        };
        let page = assemble(Kind::Pods, gathered, Vec::new(), &everything, &running);
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-1", "web-3"]);
        assert_eq!(page.rows[0].detail, "node-1");
    }
}
