//! Cross-cluster views: one kind listed over all (or chosen) clusters, filtered, sorted and
//! paged on the server. Each row names its cluster; clusters that could not answer are listed
//! beside the partial result with their error.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::join_all;
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use orbital_iam::{Access, Decision, ResourceAccess, Verb};
use orbital_syntax::{LabelSelector, SelectorError};
use orbital_types::{Failure, Kind, PAGE_SIZE, Page, Query, Row, Sort};
use serde_json::Value;

use crate::cache::{self, CacheError};
use crate::principal::ClusterProjects;
use crate::request_id::RequestId;
use crate::scope::{Reach, Scope};

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
    let clusters = scope.clusters().await?;
    let mut ready = Vec::new();
    let mut failed = Vec::new();
    for cluster in clusters {
        if query
            .cluster
            .as_ref()
            .is_some_and(|only| *only != cluster.name)
        {
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

/// What to tell the browser about a cluster that could not answer: causes that say what to
/// do as they are, anything else by a request id that finds the detail in the log.
fn failure_text(cluster: &str, error: &CacheError) -> String {
    match error {
        CacheError::Failing(cause) => cause.clone(),
        CacheError::NotSynced => error.to_string(),
        CacheError::Pool(detail) => {
            let id = RequestId::new();
            tracing::warn!(request_id = %id, cluster, "a cluster's objects could not be had: {detail}");
            format!("the console cannot reach the cluster now (request id {id})")
        }
    }
}

/// A page of `kind` over the clusters `query` names, with each cluster's objects from `fetch`,
/// keeping only those the caller may list.
async fn page<F, Fut>(scope: &Scope, kind: Kind, query: &Query, fetch: F) -> Result<Page, ViewError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Vec<Arc<DynamicObject>>, String>>,
{
    let selector = LabelSelector::parse(query.labels.as_deref().unwrap_or_default())?;
    let (clusters, failed) = targets(scope, query).await?;
    let fetch = &fetch;
    let answers = join_all(clusters.iter().cloned().map(|cluster| async move {
        let objects = fetch(cluster.clone()).await?;
        Ok((objects, Shown::new(scope, &cluster, kind).await))
    }))
    .await;
    let gathered = clusters.into_iter().zip(answers).collect();
    Ok(assemble(
        kind,
        gathered,
        failed,
        &selector,
        query,
        is_host(scope.reach()),
    ))
}

/// Which objects of one cluster the caller may see: all of them for one who may list the kind
/// across the cluster; for anyone else each namespace is decided once, and only for objects
/// that passed the query's filters.
struct Shown<'a> {
    scope: &'a Scope,
    cluster: String,
    kind: Kind,
    /// `None` when everything may be shown.
    projects: Option<ClusterProjects>,
    /// Namespace (or, for namespaces, name) → whether it is shown.
    decided: HashMap<String, bool>,
}

impl<'a> Shown<'a> {
    async fn new(scope: &'a Scope, cluster: &str, kind: Kind) -> Self {
        let projects = scope.projects(cluster).await;
        let everywhere = Access::Resource(ResourceAccess::new(
            Verb::List,
            None,
            kind.group(),
            kind.plural(),
        ));
        let all = scope.principal().decide(cluster, &everywhere, &projects) == Decision::Allow;
        Self {
            scope,
            cluster: cluster.to_owned(),
            kind,
            projects: (!all).then_some(projects),
            decided: HashMap::new(),
        }
    }
}

impl Shows for Shown<'_> {
    fn shows(&mut self, object: &DynamicObject) -> bool {
        let Some(projects) = &self.projects else {
            return true;
        };
        let place = match self.kind {
            Kind::Namespaces => object.metadata.name.as_deref(),
            _ => object.metadata.namespace.as_deref(),
        }
        .unwrap_or_default();
        if let Some(shown) = self.decided.get(place) {
            return *shown;
        }
        let access = listing(self.kind, object);
        let shown = self
            .scope
            .principal()
            .decide(&self.cluster, &access, projects)
            == Decision::Allow;
        self.decided.insert(place.to_owned(), shown);
        shown
    }
}

/// What showing `object` in a list of `kind` asks: listing its kind where it lives, or, for a
/// namespace, reading that namespace (which a project's users may).
fn listing(kind: Kind, object: &DynamicObject) -> Access {
    let name = object.metadata.name.as_deref();
    let access = match kind {
        Kind::Namespaces => {
            let mut access = ResourceAccess::new(Verb::Get, name, "", kind.plural());
            access.name = name.map(str::to_owned);
            access
        }
        _ => ResourceAccess::new(
            Verb::List,
            object.metadata.namespace.as_deref(),
            kind.group(),
            kind.plural(),
        ),
    };
    Access::Resource(access)
}

/// A page of `kind` over the clusters `query` names, read from the caches.
pub(crate) async fn cached(scope: &Scope, kind: Kind, query: &Query) -> Result<Page, ViewError> {
    page(scope, kind, query, |cluster| async move {
        scope
            .caches()
            .objects(&cluster, kind, scope.reach().client(&cluster))
            .await
            .map_err(|error| failure_text(&cluster, &error))
    })
    .await
}

/// The same page, assembled by listing every cluster now (what the caches save).
pub(crate) async fn live(scope: &Scope, kind: Kind, query: &Query) -> Result<Page, ViewError> {
    let reach = scope.reach();
    page(scope, kind, query, |cluster| async move {
        let client = reach
            .client(&cluster)
            .await
            .map_err(|error| failure_text(&cluster, &CacheError::Pool(error)))?;
        let api: Api<DynamicObject> = Api::all_with(client, &cache::resource(kind));
        let list = api.list(&ListParams::default()).await.map_err(|error| {
            let id = RequestId::new();
            tracing::warn!(request_id = %id, cluster, "listing a cluster failed: {error}");
            format!(
                "the cluster failed to list {} (request id {id})",
                kind.plural()
            )
        })?;
        Ok(list.items.into_iter().map(Arc::new).collect())
    })
    .await
}

fn is_host(reach: &Reach) -> bool {
    matches!(reach, Reach::Host(_))
}

/// Says whether an object that passed a query's filters is shown to the caller.
trait Shows {
    /// Whether `object` is shown.
    fn shows(&mut self, object: &DynamicObject) -> bool;
}

impl<F: FnMut(&DynamicObject) -> bool> Shows for F {
    fn shows(&mut self, object: &DynamicObject) -> bool {
        self(object)
    }
}

/// Each cluster's objects with what of them is shown, or why it could not answer.
type Gathered<S> = Vec<(String, Result<(Vec<Arc<DynamicObject>>, S), String>)>;

fn assemble<S: Shows>(
    kind: Kind,
    gathered: Gathered<S>,
    mut failed: Vec<Failure>,
    selector: &LabelSelector,
    query: &Query,
    multi_cluster: bool,
) -> Page {
    let mut rows = Vec::new();
    for (cluster, answer) in gathered {
        let (objects, mut shown) = match answer {
            Ok(answer) => answer,
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
                    .name
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
                || !shown.shows(&object)
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
    let rows = rows
        .into_iter()
        .skip(query.offset())
        .take(PAGE_SIZE)
        .collect();
    Page {
        rows,
        total,
        failed,
        multi_cluster,
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
        let all = |_: &DynamicObject| true;
        let gathered: Gathered<_> = vec![
            (
                "b".into(),
                Ok((
                    vec![
                        pod("web-1", "demo", "web", "Running", "2026-01-02T00:00:00Z"),
                        pod("db-0", "demo", "db", "Running", "2026-01-01T00:00:00Z"),
                    ],
                    all,
                )),
            ),
            (
                "a".into(),
                Ok((
                    vec![
                        pod("web-2", "demo", "web", "Pending", "2026-01-03T00:00:00Z"),
                        pod("web-3", "other", "web", "Running", "2026-01-04T00:00:00Z"),
                    ],
                    all,
                )),
            ),
            ("c".into(), Err("connection refused".into())),
        ];
        let query = Query {
            namespace: Some("demo".into()),
            labels: Some("app=web".into()),
            sort: Sort::Cluster,
            ..Query::default()
        };
        let selector = LabelSelector::parse("app=web").unwrap();
        let page = assemble(
            Kind::Pods,
            gathered.clone(),
            Vec::new(),
            &selector,
            &query,
            true,
        );
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
            ..Query::default()
        };
        let page = assemble(
            Kind::Pods,
            gathered.clone(),
            Vec::new(),
            &everything,
            &by_age,
            true,
        );
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-3", "web-2", "web-1", "db-0"]);
        assert_eq!(page.total, 4);

        let second_page = Query {
            page: 2,
            ..Query::default()
        };
        let page = assemble(
            Kind::Pods,
            gathered.clone(),
            Vec::new(),
            &everything,
            &second_page,
            false,
        );
        assert!(page.rows.is_empty() && page.total == 4 && !page.multi_cluster);

        let running = Query {
            status: Some("Running".into()),
            name: Some("web".into()),
            ..Query::default()
        };
        let page = assemble(
            Kind::Pods,
            gathered,
            Vec::new(),
            &everything,
            &running,
            true,
        );
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-1", "web-3"]);
        assert_eq!(page.rows[0].detail, "node-1");
    }

    #[test]
    fn rows_the_caller_may_not_see_are_neither_shown_nor_counted() {
        let in_demo = |object: &DynamicObject| object.metadata.namespace.as_deref() == Some("demo");
        let gathered: Gathered<_> = vec![(
            "a".into(),
            Ok((
                vec![
                    pod("web-1", "demo", "web", "Running", "2026-01-02T00:00:00Z"),
                    pod("web-2", "other", "web", "Running", "2026-01-03T00:00:00Z"),
                ],
                in_demo,
            )),
        )];
        let everything = LabelSelector::parse("").unwrap();
        let page = assemble(
            Kind::Pods,
            gathered,
            Vec::new(),
            &everything,
            &Query::default(),
            true,
        );
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-1"]);
        assert_eq!(page.total, 1);
    }
}
