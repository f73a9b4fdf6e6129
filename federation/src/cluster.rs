//! The `Cluster` custom resource: a member as the host records it.

use orbital_types::{AgentAvailability, Cluster, ClusterStatus, Connection, Reason};
use serde_json::{Value, json};

/// The API group of Orbital's own resources.
pub const GROUP: &str = "cluster.orbital.dev";
/// The served version.
pub const VERSION: &str = "v1alpha1";
/// The kind.
pub const KIND: &str = "Cluster";
/// The plural name (`kubectl get clusters`).
pub const PLURAL: &str = "clusters";
/// The namespace on the host that holds member kubeconfigs (and the console's credentials).
pub use orbital_iam::credentials::SYSTEM_NAMESPACE;
/// The annotation holding a member's identity: the UID of its `kube-system` namespace.
pub const IDENTITY_ANNOTATION: &str = "cluster.orbital.dev/identity";

/// Reads a stored `Cluster` object.
pub(crate) fn from_object(object: &Value) -> Cluster {
    let metadata = &object["metadata"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let labels = metadata["labels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let status = &object["status"];
    let condition = |kind: &str| {
        status["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == kind))
    };
    let ready = condition("Ready");
    let number = |value: &Value| value.as_u64().unwrap_or(0);
    Cluster {
        name: text(&metadata["name"]),
        labels,
        connection: Connection::parse(&text(&object["spec"]["connection"]["type"]))
            .unwrap_or_default(),
        provider: text(&object["spec"]["provider"]),
        description: text(&object["spec"]["description"]),
        identity: text(&metadata["annotations"][IDENTITY_ANNOTATION]),
        status: ClusterStatus {
            ready: ready.is_some_and(|c| c["status"] == "True"),
            reason: Reason::parse(&ready.map(|c| text(&c["reason"])).unwrap_or_default()),
            message: ready.map(|c| text(&c["message"])).unwrap_or_default(),
            kubernetes_version: text(&status["kubernetesVersion"]),
            node_count: number(&status["nodeCount"]),
            cpu_capacity_millis: number(&status["capacity"]["cpuMillis"]),
            memory_capacity_bytes: number(&status["capacity"]["memoryBytes"]),
            cpu_allocatable_millis: number(&status["allocatable"]["cpuMillis"]),
            memory_allocatable_bytes: number(&status["allocatable"]["memoryBytes"]),
            last_heartbeat_time: text(&status["lastHeartbeatTime"]),
            last_transition_time: ready
                .map(|c| text(&c["lastTransitionTime"]))
                .unwrap_or_default(),
            agent: condition(AGENT_AVAILABLE).map(|c| AgentAvailability {
                connected: c["status"] == "True",
                last_transition_time: text(&c["lastTransitionTime"]),
            }),
        },
    }
}

/// The condition of an agent member that says whether its agent is connected.
pub const AGENT_AVAILABLE: &str = "AgentAvailable";

/// A condition's `status`.
fn condition_status(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The `status` of a stored `Cluster` object.
pub(crate) fn to_object_status(status: &ClusterStatus) -> Value {
    let mut conditions = vec![json!({
        "type": "Ready", "status": condition_status(status.ready), "reason": status.reason.as_str(),
        "message": status.message, "lastTransitionTime": status.last_transition_time,
    })];
    if let Some(agent) = &status.agent {
        let (reason, message) = if agent.connected {
            ("Connected", "the cluster's agent is connected to the host")
        } else {
            (
                "Disconnected",
                "no agent of the cluster is connected to the host",
            )
        };
        conditions.push(json!({
            "type": AGENT_AVAILABLE, "status": condition_status(agent.connected),
            "reason": reason, "message": message,
            "lastTransitionTime": agent.last_transition_time,
        }));
    }
    json!({
        "conditions": conditions,
        "kubernetesVersion": status.kubernetes_version,
        "nodeCount": status.node_count,
        "capacity": {"cpuMillis": status.cpu_capacity_millis, "memoryBytes": status.memory_capacity_bytes},
        "allocatable": {"cpuMillis": status.cpu_allocatable_millis, "memoryBytes": status.memory_allocatable_bytes},
        "lastHeartbeatTime": status.last_heartbeat_time,
    })
}

/// Now, in whole seconds, as Kubernetes writes times.
pub(crate) fn now() -> String {
    whole_seconds(jiff::Timestamp::now())
}

/// `time` in whole seconds, as Kubernetes writes times.
pub(crate) fn whole_seconds(time: jiff::Timestamp) -> String {
    jiff::Timestamp::from_second(time.as_second())
        .unwrap_or(time)
        .to_string()
}

/// The CustomResourceDefinition the console installs on the host when it is missing.
pub fn definition() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{PLURAL}.{GROUP}")},
        "spec": {
            "group": GROUP,
            "scope": "Cluster",
            "names": {"plural": PLURAL, "singular": "cluster", "kind": KIND, "listKind": "ClusterList"},
            "versions": [{
                "name": VERSION, "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Connection", "type": "string", "jsonPath": ".spec.connection.type"},
                    {"name": "Provider", "type": "string", "jsonPath": ".spec.provider"},
                    {"name": "Version", "type": "string", "jsonPath": ".status.kubernetesVersion"},
                    {"name": "Nodes", "type": "integer", "jsonPath": ".status.nodeCount"},
                ],
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_the_stored_object() {
        let status = ClusterStatus {
            ready: true,
            reason: Reason::Reachable,
            message: "the API server answers".into(),
            kubernetes_version: "v1.32.0".into(),
            node_count: 3,
            cpu_capacity_millis: 12_000,
            memory_capacity_bytes: 48 << 30,
            cpu_allocatable_millis: 11_000,
            memory_allocatable_bytes: 47 << 30,
            last_heartbeat_time: "2026-11-26T08:00:00Z".into(),
            last_transition_time: "2026-11-26T07:00:00Z".into(),
            agent: Some(AgentAvailability {
                connected: true,
                last_transition_time: "2026-11-26T06:00:00Z".into(),
            }),
        };
        let object = json!({
            "metadata": {"name": "member-1", "labels": {"env": "prod"}, "annotations": {IDENTITY_ANNOTATION: "uid-1"}},
            "spec": {"connection": {"type": "Agent"}, "provider": "sandbox"},
            "status": to_object_status(&status),
        });
        let cluster = from_object(&object);
        assert_eq!(cluster.status, status);
        assert_eq!(cluster.identity, "uid-1");
        assert_eq!(cluster.connection, Connection::Agent);
        assert_eq!(cluster.labels["env"], "prod");
    }
}
