//! Cross-cluster views: one kind listed over all (or chosen) clusters, filtered, sorted and
//! paged on the server. Each row names its cluster; clusters that could not answer are listed
//! beside the partial result with their error.

use std::cmp::Ordering;
use std::collections::HashMap;

use futures::future::join_all;
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use orbital_iam::{Access, Decision, ResourceAccess, Verb};
use orbital_syntax::{LabelSelector, SelectorError};
use orbital_types::{Failure, Kind, PAGE_SIZE, Page, Query, Row, Sort};

use crate::cache::{self, CacheError, Held};
use crate::principal::{ClusterProjects, Principal};
use crate::request_id::RequestId;
use crate::scope::{Reach, Scope};
use crate::summary::{ObjectKey, Objects, PrinterColumn, Summary};

/// Why a view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The label selector is malformed.
    #[error("the label selector is not valid: {0}")]
    Selector(#[from] SelectorError),
    /// The cluster list could not be read.
    #[error("the cluster list cannot be read: {0}")]
    Registry(#[from] crate::registry::RegistryError),
    /// No cluster in scope serves the kind.
    #[error("no cluster serves {0}: check the name, or define the kind first")]
    NotServed(Kind),
}

/// The clusters a query covers, with why the unready ones are skipped.
pub(crate) async fn targets(
    scope: &Scope,
    query: &Query,
) -> Result<(Vec<String>, Vec<Failure>), ViewError> {
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
pub(crate) fn failure_text(cluster: &str, error: &CacheError) -> String {
    match error {
        CacheError::Failing(cause) | CacheError::Discovery(cause) => cause.clone(),
        CacheError::NotSynced | CacheError::NotServed => error.to_string(),
        CacheError::Pool(detail) => {
            let id = RequestId::new();
            tracing::warn!(request_id = %id, cluster, "a cluster's objects could not be had: {detail}");
            format!("the console cannot reach the cluster now (request id {id})")
        }
    }
}

/// A page of `kind` over the clusters `query` names, with each cluster's objects from `fetch`
/// (`None` from a cluster that does not serve the kind), keeping only those the caller may
/// list. A kind that no cluster was known to serve is asked for again, so one defined a moment
/// ago is found.
async fn page<F, Fut>(
    scope: &Scope,
    kind: &Kind,
    query: &Query,
    fetch: F,
) -> Result<Page, ViewError>
where
    F: Fn(String, bool) -> Fut,
    Fut: Future<Output = Result<Option<Held>, String>>,
{
    let selector = LabelSelector::parse(query.labels.as_deref().unwrap_or_default())?;
    let (clusters, failed) = targets(scope, query).await?;
    let fetch = &fetch;
    let gather = |again| join_all(clusters.iter().map(|cluster| fetch(cluster.clone(), again)));
    let mut answers = gather(false).await;
    let served_nowhere = |answers: &[Result<Option<Held>, String>]| {
        !answers.is_empty() && answers.iter().all(|answer| matches!(answer, Ok(None)))
    };
    if served_nowhere(&answers) {
        answers = gather(true).await;
        if served_nowhere(&answers) {
            return Err(ViewError::NotServed(kind.clone()));
        }
    }
    let mut gathered = Vec::new();
    for (cluster, answer) in clusters.into_iter().zip(answers) {
        let answer = match answer {
            Ok(Some(objects)) => Ok((objects, Shown::new(scope, &cluster, kind).await)),
            Ok(None) => continue,
            Err(error) => Err(error),
        };
        gathered.push((cluster, answer));
    }
    Ok(assemble(
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
pub(crate) struct Shown {
    principal: Principal,
    cluster: String,
    kind: Kind,
    /// `None` when everything may be shown.
    projects: Option<ClusterProjects>,
    /// Namespace (or, for namespaces, name) → whether it is shown.
    decided: HashMap<String, bool>,
}

impl Shown {
    /// What of `kind` on `cluster` the caller of `scope` may see, as of now.
    pub(crate) async fn new(scope: &Scope, cluster: &str, kind: &Kind) -> Self {
        let projects = scope.projects(cluster).await;
        let everywhere = Access::Resource(ResourceAccess::new(
            Verb::List,
            None,
            kind.group(),
            kind.plural(),
        ));
        let all = scope.principal().decide(cluster, &everywhere, &projects) == Decision::Allow;
        Self {
            principal: scope.principal().clone(),
            cluster: cluster.to_owned(),
            kind: kind.clone(),
            projects: (!all).then_some(projects),
            decided: HashMap::new(),
        }
    }
}

impl Shown {
    /// Whether the caller may list the kind across the cluster, so every object is shown.
    pub(crate) fn everything(&self) -> bool {
        self.projects.is_none()
    }
}

impl Shows for Shown {
    fn shows(&mut self, object: &ObjectKey) -> bool {
        let Some(projects) = &self.projects else {
            return true;
        };
        let place = if self.kind == Kind::NAMESPACES {
            &object.name
        } else {
            &object.namespace
        };
        if let Some(shown) = self.decided.get(&**place) {
            return *shown;
        }
        let access = listing(&self.kind, object);
        let shown = self.principal.decide(&self.cluster, &access, projects) == Decision::Allow;
        self.decided.insert(place.to_string(), shown);
        shown
    }
}

/// What showing `object` in a list of `kind` asks: listing its kind where it lives, or, for a
/// namespace, reading that namespace (which a project's users may).
fn listing(kind: &Kind, object: &ObjectKey) -> Access {
    let name = Some(&*object.name).filter(|name| !name.is_empty());
    let namespace = Some(&*object.namespace).filter(|namespace| !namespace.is_empty());
    let access = if *kind == Kind::NAMESPACES {
        let mut access = ResourceAccess::new(Verb::Get, name, "", kind.plural());
        access.name = name.map(str::to_owned);
        access
    } else {
        ResourceAccess::new(Verb::List, namespace, kind.group(), kind.plural())
    };
    Access::Resource(access)
}

/// A page of `kind` over the clusters `query` names, read from the caches.
pub(crate) async fn cached(scope: &Scope, kind: &Kind, query: &Query) -> Result<Page, ViewError> {
    page(scope, kind, query, |cluster, again| async move {
        match scope.objects(&cluster, kind, again).await {
            Ok(objects) => Ok(Some(objects)),
            Err(CacheError::NotServed) => Ok(None),
            Err(error) => Err(failure_text(&cluster, &error)),
        }
    })
    .await
}

/// The same page, assembled by listing every cluster now (what the caches save).
pub(crate) async fn live(scope: &Scope, kind: &Kind, query: &Query) -> Result<Page, ViewError> {
    page(scope, kind, query, |cluster, again| async move {
        let (client, served) = match scope.serving(&cluster, kind, again).await {
            Ok(serving) => serving,
            Err(CacheError::NotServed) => return Ok(None),
            Err(error) => return Err(failure_text(&cluster, &error)),
        };
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &cache::api_resource(&served));
        let list = api.list(&ListParams::default()).await.map_err(|error| {
            let id = RequestId::new();
            tracing::warn!(request_id = %id, cluster, "listing a cluster failed: {error}");
            format!("the cluster failed to list {kind} (request id {id})")
        })?;
        let columns = cache::printer_columns(&client, &served).await;
        Ok(Some(Held::listed(
            served,
            Objects::of(kind, columns, &list.items),
        )))
    })
    .await
}

fn is_host(reach: &Reach) -> bool {
    matches!(reach, Reach::Host(_))
}

/// Says whether an object that passed a query's filters is shown to the caller.
pub(crate) trait Shows {
    /// Whether the object at `object` is shown.
    fn shows(&mut self, object: &ObjectKey) -> bool;
}

impl<F: FnMut(&ObjectKey) -> bool> Shows for F {
    fn shows(&mut self, object: &ObjectKey) -> bool {
        self(object)
    }
}

/// Each cluster's objects with what of them is shown, or why it could not answer.
type Gathered<S> = Vec<(String, Result<(Held, S), String>)>;

/// An object that passed a query's filters, as it is held in its cache.
struct Match<'a> {
    cluster: &'a str,
    key: &'a ObjectKey,
    summary: &'a Summary,
    /// The printer columns of its cluster's cache, which its summary's cells follow.
    columns: &'a [PrinterColumn],
}

impl Match<'_> {
    fn name(&self) -> &str {
        &self.key.name
    }

    fn namespace(&self) -> &str {
        &self.key.namespace
    }

    /// Its cluster and namespace.
    fn place(&self) -> (&str, &str) {
        (self.cluster, self.namespace())
    }

    /// Its row, with a cell for each of `headings` (a page's printer columns, which may be
    /// another cluster's): its own under the same heading, else an empty one.
    fn row(&self, headings: &[String]) -> Row {
        let mut row = self.summary.row(self.cluster, self.key);
        let same = headings
            .iter()
            .map(String::as_str)
            .eq(self.columns.iter().map(|column| &*column.name));
        if !same {
            row.cells = headings
                .iter()
                .map(|heading| {
                    self.columns
                        .iter()
                        .position(|column| *column.name == **heading)
                        .map(|at| row.cells[at].clone())
                        .unwrap_or_default()
                })
                .collect();
        }
        row
    }
}

/// The order of a sort, total (ties are broken by where the objects are), so a page is the
/// same however the clusters answered.
fn order(by: Sort, descending: bool) -> impl Fn(&Match<'_>, &Match<'_>) -> Ordering {
    move |a, b| {
        let ordering = match by {
            Sort::Name => a
                .name()
                .cmp(b.name())
                .then_with(|| a.place().cmp(&b.place())),
            Sort::Cluster => a
                .place()
                .cmp(&b.place())
                .then_with(|| a.name().cmp(b.name())),
            Sort::Namespace => {
                (a.namespace(), a.name(), a.cluster).cmp(&(b.namespace(), b.name(), b.cluster))
            }
            Sort::Status => (&a.summary.status, a.name())
                .cmp(&(&b.summary.status, b.name()))
                .then_with(|| a.place().cmp(&b.place())),
            Sort::Age => (&a.summary.created, a.name())
                .cmp(&(&b.summary.created, b.name()))
                .then_with(|| a.place().cmp(&b.place())),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// The page `query` asks for out of what the clusters answered. The objects that can match
/// (by the index, under the query's namespace or rarest required label) are tested against the
/// filters without copying anything; of those that pass, only the rows up to the page's end
/// are put in order, and only the page's rows are copied out.
fn assemble<S: Shows>(
    gathered: Gathered<S>,
    mut failed: Vec<Failure>,
    selector: &LabelSelector,
    query: &Query,
    multi_cluster: bool,
) -> Page {
    let mut clusters = Vec::new();
    let mut held = Vec::new();
    let mut shown = Vec::new();
    for (cluster, answer) in gathered {
        match answer {
            Ok((objects, shows)) => {
                clusters.push(cluster);
                held.push(objects);
                shown.push(shows);
            }
            Err(error) => failed.push(Failure { cluster, error }),
        }
    }
    // A kind is namespaced on every cluster or none; one that could not be asked is taken as
    // namespaced, so no column is lost.
    let namespaced = held.iter().all(|objects| objects.served().namespaced);
    let kind = held
        .first()
        .map(|objects| objects.served().kind.clone())
        .unwrap_or_default();
    let read: Vec<_> = held.iter().map(Held::read).collect();
    let columns: Vec<String> = read
        .iter()
        .map(|objects| objects.columns())
        .find(|columns| !columns.is_empty())
        .map(|columns| {
            columns
                .iter()
                .map(|column| column.name.to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut matches = Vec::new();
    for ((cluster, objects), shows) in clusters.iter().zip(&read).zip(&mut shown) {
        matches.extend(
            objects
                .candidates(query.namespace.as_deref(), selector.equalities())
                .filter(|(key, summary)| {
                    query
                        .namespace
                        .as_deref()
                        .is_none_or(|namespace| namespace == &*key.namespace)
                        && query
                            .name
                            .as_deref()
                            .is_none_or(|text| key.name.contains(text))
                        && selector.matches_by(|label| summary.label(label))
                        && query
                            .status
                            .as_deref()
                            .is_none_or(|status| status == &*summary.status)
                        && shows.shows(key)
                })
                .map(|(key, summary)| Match {
                    cluster,
                    key,
                    summary,
                    columns: objects.columns(),
                }),
        );
    }
    let total = matches.len();
    let start = query.offset().min(total);
    let end = (start + PAGE_SIZE).min(total);
    let order = order(query.sort, query.descending);
    if end < total {
        matches.select_nth_unstable_by(end, &order);
        matches.truncate(end);
    }
    matches.sort_unstable_by(&order);
    let rows = matches[start..end]
        .iter()
        .map(|found| found.row(&columns))
        .collect();
    failed.sort_by(|a, b| a.cluster.cmp(&b.cluster));
    Page {
        rows,
        total,
        failed,
        multi_cluster,
        namespaced,
        kind,
        columns,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(name: &str, namespace: &str, app: &str, phase: &str, created: &str) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": app},
                         "creationTimestamp": created},
            "spec": {"nodeName": "node-1"},
            "status": {"phase": phase},
        }))
        .unwrap()
    }

    fn held(pods: &[DynamicObject]) -> Held {
        Held::listed(
            crate::cache::tests::pods(),
            Objects::of(&Kind::PODS, Default::default(), pods),
        )
    }

    #[test]
    fn printer_columns_follow_the_first_cluster_and_cells_keep_their_headings() {
        let widgets = Kind::parse("widgets.example.com").unwrap();
        let column = |name: &str, path: &str| PrinterColumn {
            name: name.into(),
            path: path.into(),
        };
        let widget = |name: &str| -> DynamicObject {
            serde_json::from_value(json!({
                "apiVersion": "example.com/v1", "kind": "Widget",
                "metadata": {"name": name, "namespace": "demo"},
                "spec": {"size": 3, "colour": "red"},
            }))
            .unwrap()
        };
        let on = |columns: Vec<PrinterColumn>, name: &str| {
            Held::listed(
                crate::cache::tests::pods(),
                Objects::of(&widgets, columns.into(), &[widget(name)]),
            )
        };
        let all = |_: &ObjectKey| true;
        let gathered: Gathered<_> = vec![
            (
                "a".into(),
                Ok((on(vec![column("Size", ".spec.size")], "w-a"), all)),
            ),
            (
                "b".into(),
                Ok((
                    on(
                        vec![
                            column("Colour", ".spec.colour"),
                            column("Size", ".spec.size"),
                        ],
                        "w-b",
                    ),
                    all,
                )),
            ),
            ("c".into(), Ok((on(Vec::new(), "w-c"), all))),
        ];
        let everything = LabelSelector::parse("").unwrap();
        let page = assemble(gathered, Vec::new(), &everything, &Query::default(), true);
        assert_eq!(page.columns, ["Size"]);
        let cells: Vec<(&str, Vec<&str>)> = page
            .rows
            .iter()
            .map(|row| {
                let cells = row.cells.iter().map(String::as_str).collect();
                (row.name.as_str(), cells)
            })
            .collect();
        assert_eq!(
            cells,
            [("w-a", vec!["3"]), ("w-b", vec!["3"]), ("w-c", vec![""])]
        );
    }

    #[test]
    fn rows_are_filtered_sorted_and_paged_across_clusters() {
        let all = |_: &ObjectKey| true;
        let gathered: Gathered<_> = vec![
            (
                "b".into(),
                Ok((
                    held(&[
                        pod("web-1", "demo", "web", "Running", "2026-01-02T00:00:00Z"),
                        pod("db-0", "demo", "db", "Running", "2026-01-01T00:00:00Z"),
                    ]),
                    all,
                )),
            ),
            (
                "a".into(),
                Ok((
                    held(&[
                        pod("web-2", "demo", "web", "Pending", "2026-01-03T00:00:00Z"),
                        pod("web-3", "other", "web", "Running", "2026-01-04T00:00:00Z"),
                    ]),
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
        let page = assemble(gathered.clone(), Vec::new(), &selector, &query, true);
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
        let page = assemble(gathered.clone(), Vec::new(), &everything, &by_age, true);
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-3", "web-2", "web-1", "db-0"]);
        assert_eq!(page.total, 4);

        let second_page = Query {
            page: 2,
            ..Query::default()
        };
        let page = assemble(
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
        let page = assemble(gathered, Vec::new(), &everything, &running, true);
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-1", "web-3"]);
        assert_eq!(page.rows[0].detail, "node-1");
    }

    #[test]
    fn a_later_page_is_the_slice_of_the_whole_order() {
        let all = |_: &ObjectKey| true;
        let gathered: Gathered<_> = ["a", "b", "c"]
            .into_iter()
            .map(|cluster| {
                let pods: Vec<_> = (0..45)
                    .map(|i| {
                        pod(
                            &format!("p-{:03}", (i * 7) % 45),
                            "demo",
                            "web",
                            "Running",
                            "2026-01-01T00:00:00Z",
                        )
                    })
                    .collect();
                (cluster.to_owned(), Ok((held(&pods), all)))
            })
            .collect();
        let everything = LabelSelector::parse("").unwrap();
        let mut expected: Vec<(String, String)> = ["a", "b", "c"]
            .iter()
            .flat_map(|cluster| (0..45).map(move |i| (format!("p-{i:03}"), (*cluster).to_owned())))
            .collect();
        expected.sort();
        expected.reverse();
        let second = Query {
            page: 2,
            descending: true,
            ..Query::default()
        };
        let page = assemble(gathered, Vec::new(), &everything, &second, true);
        let rows: Vec<(String, String)> = page
            .rows
            .into_iter()
            .map(|row| (row.name, row.cluster))
            .collect();
        assert_eq!(page.total, 135);
        assert_eq!(rows, expected[PAGE_SIZE..2 * PAGE_SIZE]);
    }

    #[test]
    fn rows_the_caller_may_not_see_are_neither_shown_nor_counted() {
        let in_demo = |object: &ObjectKey| &*object.namespace == "demo";
        let gathered: Gathered<_> = vec![(
            "a".into(),
            Ok((
                held(&[
                    pod("web-1", "demo", "web", "Running", "2026-01-02T00:00:00Z"),
                    pod("web-2", "other", "web", "Running", "2026-01-03T00:00:00Z"),
                ]),
                in_demo,
            )),
        )];
        let everything = LabelSelector::parse("").unwrap();
        let page = assemble(gathered, Vec::new(), &everything, &Query::default(), true);
        let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web-1"]);
        assert_eq!(page.total, 1);
    }
}
