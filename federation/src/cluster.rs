//! The `Cluster` custom resource: a member as the host records it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The API group of Orbital's own resources.
pub const GROUP: &str = "cluster.orbital.dev";
/// The served version.
pub const VERSION: &str = "v1alpha1";
/// The kind.
pub const KIND: &str = "Cluster";
/// The plural name (`kubectl get clusters`).
pub const PLURAL: &str = "clusters";
/// The namespace on the host that holds member kubeconfigs.
pub const SYSTEM_NAMESPACE: &str = "orbital-system";
/// The annotation holding a member's identity: the UID of its `kube-system` namespace.
pub const IDENTITY_ANNOTATION: &str = "cluster.orbital.dev/identity";

/// A member cluster as the console sees it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// The cluster's name: a DNS-1123 label, unique on the host.
    pub name: String,
    /// Labels set by the platform team.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// How the host reaches it (`Direct`).
    pub connection: String,
    /// Where it runs, as the user described it (`aws`, `on-prem`, `sandbox`, …).
    #[serde(default)]
    pub provider: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The UID of its `kube-system` namespace.
    pub identity: String,
    /// What the health loop last saw.
    #[serde(default)]
    pub status: ClusterStatus,
}

/// A member's observed state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// Whether the member answered the last probe.
    #[serde(default)]
    pub ready: bool,
    /// Why it is (not) ready, in one word (`Reachable`, `Unreachable`, `Unauthorized`, …).
    #[serde(default)]
    pub reason: String,
    /// What the last probe saw, in a sentence.
    #[serde(default)]
    pub message: String,
    /// The member's Kubernetes version.
    #[serde(default)]
    pub kubernetes_version: String,
    /// How many nodes it has.
    #[serde(default)]
    pub node_count: u64,
    /// CPU capacity summed over nodes, in millicores.
    #[serde(default)]
    pub cpu_capacity_millis: u64,
    /// Memory capacity summed over nodes, in bytes.
    #[serde(default)]
    pub memory_capacity_bytes: u64,
    /// Allocatable CPU summed over nodes, in millicores.
    #[serde(default)]
    pub cpu_allocatable_millis: u64,
    /// Allocatable memory summed over nodes, in bytes.
    #[serde(default)]
    pub memory_allocatable_bytes: u64,
    /// When the member last answered (RFC 3339).
    #[serde(default)]
    pub last_heartbeat_time: String,
}

impl Cluster {
    /// Reads a stored `Cluster` object.
    pub fn from_object(object: &Value) -> Self {
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
        let ready = status["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
        let number = |value: &Value| value.as_u64().unwrap_or(0);
        Self {
            name: text(&metadata["name"]),
            labels,
            connection: text(&object["spec"]["connection"]["type"]),
            provider: text(&object["spec"]["provider"]),
            description: text(&object["spec"]["description"]),
            identity: text(&metadata["annotations"][IDENTITY_ANNOTATION]),
            status: ClusterStatus {
                ready: ready.is_some_and(|c| c["status"] == "True"),
                reason: ready.map(|c| text(&c["reason"])).unwrap_or_default(),
                message: ready.map(|c| text(&c["message"])).unwrap_or_default(),
                kubernetes_version: text(&status["kubernetesVersion"]),
                node_count: number(&status["nodeCount"]),
                cpu_capacity_millis: number(&status["capacity"]["cpuMillis"]),
                memory_capacity_bytes: number(&status["capacity"]["memoryBytes"]),
                cpu_allocatable_millis: number(&status["allocatable"]["cpuMillis"]),
                memory_allocatable_bytes: number(&status["allocatable"]["memoryBytes"]),
                last_heartbeat_time: text(&status["lastHeartbeatTime"]),
            },
        }
    }
}

impl ClusterStatus {
    /// The `status` of a stored `Cluster` object; `previous` keeps the Ready condition's
    /// transition time while its status stays the same.
    pub fn to_object_status(&self, previous: Option<&Value>) -> Value {
        let value = if self.ready { "True" } else { "False" };
        let now = now();
        let transition = previous
            .and_then(|s| s["conditions"].as_array())
            .and_then(|c| {
                c.iter()
                    .find(|c| c["type"] == "Ready" && c["status"] == value)
            })
            .and_then(|c| c["lastTransitionTime"].as_str())
            .map_or(now, str::to_owned);
        json!({
            "conditions": [{"type": "Ready", "status": value, "reason": self.reason,
                            "message": self.message, "lastTransitionTime": transition}],
            "kubernetesVersion": self.kubernetes_version,
            "nodeCount": self.node_count,
            "capacity": {"cpuMillis": self.cpu_capacity_millis, "memoryBytes": self.memory_capacity_bytes},
            "allocatable": {"cpuMillis": self.cpu_allocatable_millis, "memoryBytes": self.memory_allocatable_bytes},
            "lastHeartbeatTime": self.last_heartbeat_time,
        })
    }
}

/// Now, in whole seconds, as Kubernetes writes times.
pub(crate) fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
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
            reason: "Reachable".into(),
            message: "answered in 3 ms".into(),
            kubernetes_version: "v1.32.0".into(),
            node_count: 3,
            cpu_capacity_millis: 12_000,
            memory_capacity_bytes: 48 << 30,
            cpu_allocatable_millis: 11_000,
            memory_allocatable_bytes: 47 << 30,
            last_heartbeat_time: "2026-11-26T08:00:00Z".into(),
        };
        let object = json!({
            "metadata": {"name": "member-1", "labels": {"env": "prod"}, "annotations": {IDENTITY_ANNOTATION: "uid-1"}},
            "spec": {"connection": {"type": "Direct"}, "provider": "sandbox"},
            "status": status.to_object_status(None),
        });
        let cluster = Cluster::from_object(&object);
        assert_eq!(cluster.status, status);
        assert_eq!(cluster.identity, "uid-1");
        assert_eq!(cluster.labels["env"], "prod");
        let kept = ClusterStatus {
            message: "again".into(),
            ..status.clone()
        }
        .to_object_status(Some(&object["status"]));
        assert_eq!(
            kept["conditions"][0]["lastTransitionTime"],
            object["status"]["conditions"][0]["lastTransitionTime"]
        );
    }
}
