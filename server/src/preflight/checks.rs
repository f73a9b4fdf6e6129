//! The checks, each asking the cluster a client reaches.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::api::{ListParams, PostParams};
use orbital_types::Amounts;

use super::capacity::{self, Placement, Room};
use super::requirements::{Component, described};
use super::{Finding, Outcome};

/// The oldest Kubernetes minor version Orbital runs on (1.x), as the chart's `kubeVersion`.
const OLDEST_MINOR: u32 = 25;
/// Where the console keeps its own state, whatever namespace it runs in.
const SYSTEM_NAMESPACE: &str = "orbital-system";

/// Every check, in order, for `replicas` replicas of `component` in `namespace`.
pub(super) async fn all(
    client: &kube::Client,
    component: Component,
    replicas: u64,
    namespace: &str,
) -> Vec<Finding> {
    vec![
        version(client).await,
        api_groups(client, component, replicas).await,
        permissions(client, component, replicas, namespace).await,
        room(client, component, replicas).await,
    ]
}

fn unreachable(check: &'static str, error: &kube::Error) -> Finding {
    Finding::unmet(
        check,
        Outcome::Fail,
        format!("the cluster did not answer: {error}"),
        "check the kubeconfig and that its API server is reachable from here".to_owned(),
    )
}

async fn version(client: &kube::Client) -> Finding {
    const CHECK: &str = "Kubernetes version";
    let info = match client.apiserver_version().await {
        Ok(info) => info,
        Err(error) => return unreachable(CHECK, &error),
    };
    let minor: Option<u32> = info
        .minor
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok();
    match (info.major.as_str(), minor) {
        ("1", Some(minor)) if minor >= OLDEST_MINOR => Finding::pass(
            CHECK,
            format!("{} (1.{OLDEST_MINOR} or newer needed)", info.git_version),
        ),
        _ => Finding::unmet(
            CHECK,
            Outcome::Fail,
            format!("{} is older than 1.{OLDEST_MINOR}", info.git_version),
            format!("upgrade the cluster to Kubernetes 1.{OLDEST_MINOR} or newer"),
        ),
    }
}

/// The group versions `component` needs, and whether each is needed or only checked with.
fn needed_groups(component: Component, replicas: u64) -> Vec<(&'static str, bool)> {
    let mut groups = vec![
        ("apps/v1", true),
        ("rbac.authorization.k8s.io/v1", true),
        ("authorization.k8s.io/v1", false),
    ];
    if component != Component::Agent {
        groups.push(("apiextensions.k8s.io/v1", true));
        groups.push(("coordination.k8s.io/v1", true));
    }
    if replicas > 1 {
        groups.push(("policy/v1", true));
    }
    groups
}

async fn api_groups(client: &kube::Client, component: Component, replicas: u64) -> Finding {
    const CHECK: &str = "API groups";
    let served = match client.list_api_groups().await {
        Ok(list) => list,
        Err(error) => return unreachable(CHECK, &error),
    };
    let serves = |group_version: &str| {
        served.groups.iter().any(|group| {
            group
                .versions
                .iter()
                .any(|version| version.group_version == group_version)
        })
    };
    let groups = needed_groups(component, replicas);
    let missing: Vec<&str> = groups
        .iter()
        .filter(|(group, needed)| *needed && !serves(group))
        .map(|(group, _)| *group)
        .collect();
    if !missing.is_empty() {
        return Finding::unmet(
            CHECK,
            Outcome::Fail,
            format!("not served: {}", missing.join(", ")),
            "Orbital needs these; use a conformant Kubernetes 1.25 or newer".to_owned(),
        );
    }
    let names: Vec<&str> = groups.iter().map(|(group, _)| *group).collect();
    Finding::pass(CHECK, format!("served: {}", names.join(", ")))
}

/// What the chart makes for `component`: (group, resource, namespace or none when
/// cluster-wide).
fn created(
    component: Component,
    replicas: u64,
    namespace: &str,
) -> Vec<(&'static str, &'static str, Option<String>)> {
    let here = || Some(namespace.to_owned());
    let mut objects = vec![
        ("", "serviceaccounts", here()),
        ("", "secrets", here()),
        ("apps", "deployments", here()),
        ("rbac.authorization.k8s.io", "clusterroles", None),
        ("rbac.authorization.k8s.io", "clusterrolebindings", None),
    ];
    if component != Component::Agent {
        objects.push(("", "services", here()));
    }
    if component == Component::Host {
        objects.push(("", "namespaces", None));
        let system = || Some(SYSTEM_NAMESPACE.to_owned());
        objects.push(("rbac.authorization.k8s.io", "roles", system()));
        objects.push(("rbac.authorization.k8s.io", "rolebindings", system()));
    }
    if replicas > 1 {
        objects.push(("policy", "poddisruptionbudgets", here()));
    }
    objects
}

/// Asks whether the caller may `verb` `resource` of `group` in `namespace`.
async fn may(
    reviews: &Api<SelfSubjectAccessReview>,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: Option<String>,
) -> Result<bool, kube::Error> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.to_owned()),
                group: Some(group.to_owned()),
                resource: Some(resource.to_owned()),
                namespace,
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer = reviews.create(&PostParams::default(), &review).await?;
    Ok(answer.status.is_some_and(|status| status.allowed))
}

async fn permissions(
    client: &kube::Client,
    component: Component,
    replicas: u64,
    namespace: &str,
) -> Finding {
    const CHECK: &str = "Permissions";
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let mut questions: Vec<(String, &str, &str, &str, Option<String>)> =
        created(component, replicas, namespace)
            .into_iter()
            .map(|(group, resource, namespace)| {
                let name = if group.is_empty() {
                    resource.to_owned()
                } else {
                    format!("{resource}.{group}")
                };
                (name, "create", group, resource, namespace)
            })
            .collect();
    // A member console's and an agent's ClusterRole grants every right, which only a holder
    // of every right may grant.
    if component != Component::Host {
        questions.push((
            "anything (the ClusterRole it grants)".to_owned(),
            "*",
            "*",
            "*",
            None,
        ));
    }
    let mut refused = Vec::new();
    for (name, verb, group, resource, namespace) in &questions {
        match may(&reviews, verb, group, resource, namespace.clone()).await {
            Ok(true) => {}
            Ok(false) => refused.push(name.clone()),
            Err(kube::Error::Api(status)) if status.code == 404 => {
                return Finding::unmet(
                    CHECK,
                    Outcome::Warn,
                    "the cluster does not answer access reviews, so they were not checked"
                        .to_owned(),
                    "make sure you may create what the chart creates (see its README)".to_owned(),
                );
            }
            Err(error) => return unreachable(CHECK, &error),
        }
    }
    let names: Vec<&str> = questions.iter().map(|q| q.0.as_str()).collect();
    if refused.is_empty() {
        Finding::pass(CHECK, format!("you may create {}", names.join(", ")))
    } else {
        Finding::unmet(
            CHECK,
            Outcome::Fail,
            format!("you may not create {}", refused.join(", ")),
            "install as a user with these rights (a cluster admin)".to_owned(),
        )
    }
}

/// A node takes new pods unless cordoned, not ready, or tainted against pods that do not
/// tolerate it.
fn takes_pods(node: &Node) -> bool {
    let spec = node.spec.clone().unwrap_or_default();
    let cordoned = spec.unschedulable == Some(true);
    let tainted = spec
        .taints
        .unwrap_or_default()
        .iter()
        .any(|taint| taint.effect == "NoSchedule" || taint.effect == "NoExecute");
    let ready = node
        .status
        .as_ref()
        .and_then(|status| status.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        });
    ready && !cordoned && !tainted
}

/// Each node that takes pods, with its allocatable less what its unfinished pods request.
fn rooms(nodes: &[Node], pods: &[Pod]) -> Vec<Room> {
    let mut requested: HashMap<String, Amounts> = HashMap::new();
    for pod in pods.iter().filter_map(|pod| serde_json::to_value(pod).ok()) {
        if let Some((node, (cpu_millis, memory_bytes))) = orbital_syntax::pod_on_node(&pod) {
            *requested.entry(node.to_owned()).or_default() += Amounts {
                cpu_millis,
                memory_bytes,
            };
        }
    }
    nodes
        .iter()
        .filter(|node| takes_pods(node))
        .map(|node| {
            let name = node.metadata.name.clone().unwrap_or_default();
            let allocatable = node
                .status
                .as_ref()
                .and_then(|status| status.allocatable.clone())
                .unwrap_or_default();
            let quantity = |key: &str| allocatable.get(key).map_or("", |q| q.0.as_str());
            let free = Amounts {
                cpu_millis: orbital_syntax::millicores(quantity("cpu")),
                memory_bytes: orbital_syntax::bytes(quantity("memory")),
            }
            .less(requested.get(&name).copied().unwrap_or_default());
            Room { node: name, free }
        })
        .collect()
}

/// The parts of `amount` that are not zero, as words.
fn shortfall(amount: Amounts) -> String {
    let mut parts = Vec::new();
    if amount.cpu_millis > 0 {
        parts.push(format!("{}m CPU", amount.cpu_millis));
    }
    if amount.memory_bytes > 0 {
        parts.push(format!(
            "{}Mi memory",
            amount.memory_bytes.div_ceil(1024 * 1024)
        ));
    }
    parts.join(" and ")
}

async fn room(client: &kube::Client, component: Component, replicas: u64) -> Finding {
    const CHECK: &str = "Room on the nodes";
    let nodes = match Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
    {
        Ok(nodes) => nodes.items,
        Err(error) => return unreachable(CHECK, &error),
    };
    let pods = match Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
    {
        Ok(pods) => pods.items,
        Err(error) => return unreachable(CHECK, &error),
    };
    let rooms = rooms(&nodes, &pods);
    let need = component.requests();
    let asked = format!(
        "{replicas} replica(s) of {} requesting {} each",
        component.title().to_lowercase(),
        described(need)
    );
    match capacity::place(&rooms, need, replicas) {
        Placement::Fits(placed) => {
            let mut on = placed.clone();
            on.dedup();
            if replicas > 1 && on.len() == 1 {
                return Finding::unmet(
                    CHECK,
                    Outcome::Warn,
                    format!("{asked} fit, but all on {}", on[0]),
                    "give another node room for a replica, so one node going down does not take every replica with it".to_owned(),
                );
            }
            Finding::pass(CHECK, format!("{asked} fit, on {}", placed.join(", ")))
        }
        Placement::Short { placed, short } => {
            let free: Vec<String> = rooms
                .iter()
                .take(5)
                .map(|room| format!("{} has {}", room.node, described(room.free)))
                .collect();
            let free = if free.is_empty() {
                "no node takes pods".to_owned()
            } else {
                format!("free now: {}", free.join("; "))
            };
            let lacking = if short == Amounts::default() {
                format!("no node has {} free for one more", described(need))
            } else {
                format!("short by {}", shortfall(short))
            };
            Finding::unmet(
                CHECK,
                Outcome::Fail,
                format!("{asked}: only {placed} fit; {lacking} ({free})"),
                format!(
                    "free or add that much allocatable CPU and memory, or lower resources.{} in the chart's values",
                    component.value()
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cordoned_tainted_or_unready_node_takes_no_pods() {
        let node = |extra: serde_json::Value| -> Node {
            let mut object = serde_json::json!({
                "metadata": {"name": "n"},
                "status": {"conditions": [{"type": "Ready", "status": "True"}],
                           "allocatable": {"cpu": "2", "memory": "4Gi"}},
            });
            if let Some(spec) = extra.get("spec") {
                object["spec"] = spec.clone();
            }
            if let Some(ready) = extra.get("ready") {
                object["status"]["conditions"][0]["status"] = ready.clone();
            }
            serde_json::from_value(object).unwrap()
        };
        assert!(takes_pods(&node(serde_json::json!({}))));
        assert!(!takes_pods(&node(
            serde_json::json!({"spec": {"unschedulable": true}})
        )));
        assert!(!takes_pods(&node(serde_json::json!({"spec": {"taints": [
            {"key": "k", "effect": "NoSchedule"}]}}))));
        assert!(!takes_pods(&node(serde_json::json!({"ready": "False"}))));
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"nodeName": "n", "containers": [{"name": "c",
                     "resources": {"requests": {"cpu": "1500m", "memory": "1Gi"}}}]},
            "status": {"phase": "Running"},
        }))
        .unwrap();
        let done: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"nodeName": "n", "containers": [{"name": "c",
                     "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]},
            "status": {"phase": "Succeeded"},
        }))
        .unwrap();
        let free = rooms(&[node(serde_json::json!({}))], &[pod, done]);
        assert_eq!(free[0].free.cpu_millis, 500);
        assert_eq!(free[0].free.memory_bytes, 3 << 30);
    }

    #[test]
    fn a_shortfall_names_only_what_is_short() {
        assert_eq!(
            shortfall(Amounts {
                cpu_millis: 50,
                memory_bytes: 0
            }),
            "50m CPU"
        );
        assert_eq!(
            shortfall(Amounts {
                cpu_millis: 0,
                memory_bytes: 3 << 20
            }),
            "3Mi memory"
        );
    }
}
