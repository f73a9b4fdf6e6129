//! The overview of the clusters in scope, or of one: how full each node is, which workloads
//! have fewer replicas ready than they want, and the latest Warning events, all from the
//! caches and each only where the caller may list it. A cluster that cannot answer is named,
//! not waited for.

use futures::future::join_all;
use orbital_types::{
    ApiKind, ClusterLoad, Failure, Kind, Load, NodeLoad, OVERVIEW_LIMIT, Overview, Query, Warning,
    Workload, object_page,
};

use crate::cache::{CacheError, Held};
use crate::scope::{Reach, Scope};
use crate::summary::{Footprint, Objects};
use crate::views::{self, Shown, Shows, ViewError};

/// One kind's objects on one cluster with what of them the caller may see; `None` when the
/// cluster does not serve the kind.
type Seen = Option<(Held, Shown)>;

/// What one cluster adds to an overview.
struct ClusterParts {
    load: ClusterLoad,
    unhealthy: Vec<Workload>,
    warnings: Vec<Warning>,
}

/// The overview of `cluster`, or of every cluster in scope.
pub(crate) async fn overview(scope: &Scope, cluster: Option<&str>) -> Result<Overview, ViewError> {
    let query = Query {
        cluster: cluster.map(str::to_owned),
        ..Query::default()
    };
    let (clusters, mut failed) = views::targets(scope, &query).await?;
    let parts = join_all(clusters.iter().map(|cluster| parts(scope, cluster))).await;
    let mut overview = Overview {
        multi_cluster: matches!(scope.reach(), Reach::Host(_)),
        ..Overview::default()
    };
    for (cluster, part) in clusters.into_iter().zip(parts) {
        match part {
            Ok(part) => {
                overview.loads.push(part.load);
                overview.unhealthy.extend(part.unhealthy);
                overview.warnings.extend(part.warnings);
            }
            Err(error) => failed.push(Failure { cluster, error }),
        }
    }
    fn place(workload: &Workload) -> (&str, &str, &str) {
        let row = &workload.row;
        (&row.cluster, &row.namespace, &row.name)
    }
    overview.unhealthy.sort_by(|a, b| {
        place(a)
            .cmp(&place(b))
            .then_with(|| a.kind.address().cmp(&b.kind.address()))
    });
    overview.unhealthy_total = overview.unhealthy.len();
    overview.unhealthy.truncate(OVERVIEW_LIMIT);
    overview.warnings.sort_by(|a, b| {
        (&b.last_seen, &a.cluster, &a.namespace, &a.object).cmp(&(
            &a.last_seen,
            &b.cluster,
            &b.namespace,
            &b.object,
        ))
    });
    overview.warnings_total = overview.warnings.len();
    overview.warnings.truncate(OVERVIEW_LIMIT);
    overview.failed = failed;
    Ok(overview)
}

/// What `cluster` adds to an overview, or why it cannot.
async fn parts(scope: &Scope, cluster: &str) -> Result<ClusterParts, String> {
    let seen = |kind: Kind| async move {
        match scope.objects(cluster, &kind, false).await {
            Ok(held) => Ok(Some((held, Shown::new(scope, cluster, &kind).await))),
            Err(CacheError::NotServed) => Ok(None),
            Err(error) => Err(views::failure_text(cluster, &error)),
        }
    };
    let (kinds, nodes, pods, events, workloads) = futures::join!(
        scope.kinds(cluster),
        seen(Kind::NODES),
        seen(Kind::PODS),
        seen(Kind::EVENTS),
        join_all(Kind::WORKLOADS.map(|kind| seen(kind.clone())))
    );
    // The caches above were started from these kinds, so they are known by now.
    let kinds = kinds.map_err(|error| error.to_string())?;
    let (nodes, pods, events) = (nodes?, pods?, events?);
    let mut unhealthy = Vec::new();
    for (kind, seen) in Kind::WORKLOADS.into_iter().zip(workloads) {
        if let Some((held, mut shown)) = seen? {
            unhealthy.extend(unhealthy_of(cluster, &kind, &held.read(), &mut shown));
        }
    }
    let warnings = match events {
        Some((held, mut shown)) => warnings_of(cluster, &kinds, &held.read(), &mut shown),
        None => Vec::new(),
    };
    Ok(ClusterParts {
        load: ClusterLoad {
            cluster: cluster.to_owned(),
            nodes: load_of(&nodes, &pods),
        },
        unhealthy,
        warnings,
    })
}

/// Each node's load, if the caller may list nodes and pods across the cluster.
fn load_of(nodes: &Seen, pods: &Seen) -> Option<Vec<NodeLoad>> {
    match (nodes, pods) {
        (Some((nodes, nodes_shown)), Some((pods, pods_shown)))
            if nodes_shown.everything() && pods_shown.everything() =>
        {
            Some(node_loads(&nodes.read(), &pods.read()))
        }
        _ => None,
    }
}

/// Each of `nodes` by name, with what the `pods` bound to it request.
fn node_loads(nodes: &Objects, pods: &Objects) -> Vec<NodeLoad> {
    let mut loads: Vec<NodeLoad> = nodes
        .iter()
        .filter_map(|(key, summary)| match summary.footprint.as_deref() {
            Some(Footprint::Node {
                capacity,
                allocatable,
                pods,
            }) => Some(NodeLoad {
                name: key.name.to_string(),
                ready: &*summary.status == "Ready",
                load: Load {
                    capacity: *capacity,
                    allocatable: *allocatable,
                    pod_capacity: *pods,
                    ..Load::default()
                },
            }),
            _ => None,
        })
        .collect();
    loads.sort_by(|a, b| a.name.cmp(&b.name));
    for (_, summary) in pods.iter() {
        if let Some(Footprint::Pod { node, requests }) = summary.footprint.as_deref()
            && let Ok(at) = loads.binary_search_by(|load| (*load.name).cmp(node))
        {
            loads[at].load.requested += *requests;
            loads[at].load.pods += 1;
        }
    }
    loads
}

/// The objects of `kind`, a workload, that the caller may see and that have fewer replicas
/// available than they want.
fn unhealthy_of(
    cluster: &str,
    kind: &Kind,
    objects: &Objects,
    shown: &mut impl Shows,
) -> Vec<Workload> {
    objects
        .iter()
        .filter(|(_, summary)| &*summary.status != "Available")
        .filter(|(key, _)| shown.shows(key))
        .map(|(key, summary)| Workload {
            kind: kind.clone(),
            row: summary.row(cluster, key),
        })
        .collect()
}

/// The Warning events the caller may see, each linked to the object it is about when
/// `kinds`, the cluster's, include that object's.
fn warnings_of(
    cluster: &str,
    kinds: &[ApiKind],
    events: &Objects,
    shown: &mut impl Shows,
) -> Vec<Warning> {
    events
        .iter()
        .filter_map(|(key, summary)| match summary.footprint.as_deref() {
            Some(Footprint::Warning(facts)) => Some((key, facts)),
            _ => None,
        })
        .filter(|(key, _)| shown.shows(key))
        .map(|(key, facts)| {
            let group = facts
                .api_version
                .rsplit_once('/')
                .map_or("", |(group, _)| group);
            let kind = kinds
                .iter()
                .find(|kind| kind.group == group && *kind.kind == *facts.kind);
            let href = kind.map(|kind| {
                let namespace = Some(&*facts.namespace).filter(|_| kind.namespaced);
                object_page(cluster, &kind.address(), namespace, &facts.name)
            });
            Warning {
                cluster: cluster.to_owned(),
                namespace: key.namespace.to_string(),
                reason: facts.reason.to_string(),
                message: facts.message.to_string(),
                object: format!("{}/{}", facts.kind, facts.name),
                href,
                count: facts.count,
                last_seen: facts.last_seen.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use kube::core::DynamicObject;
    use orbital_types::{Amounts, ApiVerb};
    use serde_json::json;

    use super::*;
    use crate::summary::ObjectKey;

    fn objects(kind: &Kind, values: Vec<serde_json::Value>) -> Objects {
        let objects: Vec<DynamicObject> = values
            .into_iter()
            .map(|value| serde_json::from_value(value).unwrap())
            .collect();
        Objects::of(kind, Default::default(), &objects)
    }

    fn node(name: &str, ready: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
               "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                          "allocatable": {"cpu": "3800m", "memory": "7Gi", "pods": "100"},
                          "conditions": [{"type": "Ready", "status": ready}]}})
    }

    fn pod(name: &str, node: Option<&str>, phase: &str, cpu: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "demo"},
               "spec": {"nodeName": node, "containers": [
                   {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": "1Mi"}}}]},
               "status": {"phase": phase}})
    }

    #[test]
    fn a_node_carries_what_the_unfinished_pods_bound_to_it_request() {
        let nodes = objects(&Kind::NODES, vec![node("b", "False"), node("a", "True")]);
        let pods = objects(
            &Kind::PODS,
            vec![
                pod("one", Some("a"), "Running", "250m"),
                pod("two", Some("a"), "Pending", "500m"),
                pod("done", Some("a"), "Succeeded", "1"),
                pod("unbound", None, "Pending", "1"),
                pod("elsewhere", Some("gone"), "Running", "1"),
                pod("three", Some("b"), "Running", "100m"),
            ],
        );
        let loads = node_loads(&nodes, &pods);
        let names: Vec<&str> = loads.iter().map(|load| load.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let (a, b) = (&loads[0], &loads[1]);
        assert!(a.ready && !b.ready);
        assert_eq!(a.load.capacity.cpu_millis, 4000);
        assert_eq!(a.load.allocatable.cpu_millis, 3800);
        assert_eq!(a.load.allocatable.memory_bytes, 7 << 30);
        assert_eq!(
            a.load.requested,
            Amounts {
                cpu_millis: 750,
                memory_bytes: 2 << 20
            }
        );
        assert_eq!((a.load.pods, a.load.pod_capacity), (2, 100));
        assert_eq!((b.load.pods, b.load.requested.cpu_millis), (1, 100));
    }

    fn deployment(name: &str, namespace: &str, wanted: u32, available: u32) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": namespace},
               "spec": {"replicas": wanted},
               "status": {"readyReplicas": available, "availableReplicas": available}})
    }

    #[test]
    fn unhealthy_workloads_are_those_short_of_replicas_that_the_caller_may_see() {
        let deployments = objects(
            &Kind::DEPLOYMENTS,
            vec![
                deployment("fine", "demo", 2, 2),
                deployment("short", "demo", 3, 1),
                deployment("hidden", "secret", 1, 0),
            ],
        );
        let mut shown = |key: &ObjectKey| &*key.namespace != "secret";
        let found = unhealthy_of("one", &Kind::DEPLOYMENTS, &deployments, &mut shown);
        assert_eq!(found.len(), 1, "{found:?}");
        let short = &found[0];
        assert_eq!(short.kind, Kind::DEPLOYMENTS);
        assert_eq!(
            (short.row.cluster.as_str(), short.row.name.as_str()),
            ("one", "short")
        );
        assert_eq!(
            (short.row.status.as_str(), short.row.detail.as_str()),
            ("Progressing", "1/3 ready")
        );

        let daemonsets = objects(
            &Kind::DAEMONSETS,
            vec![json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                        "metadata": {"name": "proxy", "namespace": "demo"},
                        "status": {"desiredNumberScheduled": 3, "numberReady": 2,
                                   "numberAvailable": 2}})],
        );
        let found = unhealthy_of(
            "one",
            &Kind::DAEMONSETS,
            &daemonsets,
            &mut |_: &ObjectKey| true,
        );
        assert_eq!(found[0].row.detail, "2/3 ready");
    }

    fn event(name: &str, kind: &str, namespace: &str, severity: &str) -> serde_json::Value {
        let api_version = if kind == "Deployment" {
            "apps/v1"
        } else {
            "v1"
        };
        json!({"apiVersion": "v1", "kind": "Event",
               "metadata": {"name": name, "namespace": namespace,
                            "creationTimestamp": "2026-12-03T10:00:00Z"},
               "type": severity, "reason": "BackOff", "message": "Back-off restarting",
               "count": 4, "lastTimestamp": "2026-12-03T10:05:00Z",
               "involvedObject": {"apiVersion": api_version, "kind": kind,
                                  "namespace": if kind == "Node" { "" } else { namespace },
                                  "name": "target"}})
    }

    fn served(group: &str, resource: &str, kind: &str, namespaced: bool) -> ApiKind {
        ApiKind {
            group: group.to_owned(),
            version: "v1".to_owned(),
            resource: resource.to_owned(),
            kind: kind.to_owned(),
            namespaced,
            verbs: vec![ApiVerb::List],
        }
    }

    #[test]
    fn warnings_link_the_objects_they_are_about_and_leave_the_rest_out() {
        let events = objects(
            &Kind::EVENTS,
            vec![
                event("pod", "Pod", "demo", "Warning"),
                event("calm", "Pod", "demo", "Normal"),
                event("node", "Node", "default", "Warning"),
                event("deployment", "Deployment", "demo", "Warning"),
                event("widget", "Widget", "demo", "Warning"),
                event("hidden", "Pod", "secret", "Warning"),
            ],
        );
        let kinds = [
            served("", "pods", "Pod", true),
            served("", "nodes", "Node", false),
            served("apps", "deployments", "Deployment", true),
        ];
        let mut shown = |key: &ObjectKey| &*key.namespace != "secret";
        let mut found = warnings_of("one", &kinds, &events, &mut shown);
        found.sort_by(|a, b| a.object.cmp(&b.object));
        let links: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|warning| (warning.object.as_str(), warning.href.as_deref()))
            .collect();
        assert_eq!(
            links,
            [
                (
                    "Deployment/target",
                    Some("/clusters/one/namespaces/demo/deployments.apps/target")
                ),
                ("Node/target", Some("/clusters/one/nodes/target")),
                (
                    "Pod/target",
                    Some("/clusters/one/namespaces/demo/pods/target")
                ),
                ("Widget/target", None),
            ]
        );
        let pod = &found[2];
        assert_eq!((pod.reason.as_str(), pod.count), ("BackOff", 4));
        assert_eq!(pod.last_seen, "2026-12-03T10:05:00Z");
        assert_eq!(pod.message, "Back-off restarting");
    }
}
