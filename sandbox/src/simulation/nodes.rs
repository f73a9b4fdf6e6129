//! Simulated nodes: what their kubelets report (capacity, addresses, conditions, lease
//! heartbeats), and what the node lifecycle controller does when one stops reporting.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::objects::{Writer, condition, is_deleting, set_condition, time};
use crate::api::{self, ApiError};
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

/// Setting this annotation to `"true"` makes a node stop reporting, as if its kubelet died.
pub const NOT_READY_ANNOTATION: &str = "sandbox.orbital.dev/not-ready";
/// The label every node the sandbox created carries.
pub const SIMULATED_LABEL: &str = "sandbox.orbital.dev/simulated";
/// How often a kubelet renews its lease.
const LEASE_RENEWAL: Duration = Duration::from_secs(10);
/// How often a kubelet refreshes its conditions when nothing changed.
const STATUS_REFRESH: Duration = Duration::from_secs(60);
/// The taint a node that stopped reporting gets.
const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";

/// The name of the `index`th simulated node (counting from 1).
pub fn node_name(index: usize) -> String {
    format!("node-{index}")
}

/// Creates the simulated nodes `node-1` … `node-{count}` that are missing, and removes
/// simulated nodes beyond `count` (left from a run with more).
pub(super) async fn ensure(writer: &Writer, count: usize) -> Result<(), ApiError> {
    for index in 1..=count {
        match writer.create("", "nodes", None, node(index)).await {
            Ok(_) | Err(ApiError::AlreadyExists { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    let surplus = writer.list("", "nodes", None, |node| {
        node["metadata"]["labels"][SIMULATED_LABEL] == "true"
            && node["spec"]["podCIDR"]
                .as_str()
                .and_then(node_index)
                .is_some_and(|index| index > count)
    });
    for node in surplus {
        writer
            .delete(
                "",
                "nodes",
                None,
                api::meta_str(&node, "name").unwrap_or_default(),
            )
            .await?;
    }
    Ok(())
}

/// The index a node's pod CIDR (`10.244.{index}.0/24`) encodes.
pub(super) fn node_index(pod_cidr: &str) -> Option<usize> {
    pod_cidr
        .strip_prefix("10.244.")?
        .split('.')
        .next()?
        .parse()
        .ok()
}

fn node(index: usize) -> Value {
    let name = node_name(index);
    let zones = ["a", "b", "c"];
    let zone = format!("sandbox-{}", zones[(index - 1) % zones.len()]);
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64", "topology.kubernetes.io/region": "sandbox",
                "topology.kubernetes.io/zone": zone, "node.kubernetes.io/instance-type": "sandbox.large",
                SIMULATED_LABEL: "true",
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": format!("10.244.{index}.0/24"), "podCIDRs": [format!("10.244.{index}.0/24")],
                 "providerID": format!("sandbox://{name}")},
    })
}

fn node_status(node: &Value) -> Value {
    let name = api::meta_str(node, "name").unwrap_or_default();
    let index = node["spec"]["podCIDR"]
        .as_str()
        .and_then(node_index)
        .unwrap_or(0);
    let now = api::now();
    let mut status = node["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    if status.get("capacity").is_none() {
        status["capacity"] = json!({"cpu": "4", "memory": "16365604Ki", "pods": "110", "ephemeral-storage": "102625208Ki", "hugepages-2Mi": "0"});
        status["allocatable"] = json!({"cpu": "4", "memory": "16263204Ki", "pods": "110", "ephemeral-storage": "94580335255", "hugepages-2Mi": "0"});
    }
    status["addresses"] = json!([
        {"type": "InternalIP", "address": format!("172.18.0.{}", index + 1)},
        {"type": "Hostname", "address": name},
    ]);
    status["daemonEndpoints"] = json!({"kubeletEndpoint": {"Port": 10250}});
    status["nodeInfo"] = json!({
        "architecture": "amd64", "operatingSystem": "linux",
        "osImage": "Orbital Sandbox", "kernelVersion": "6.1.0-sandbox",
        "containerRuntimeVersion": "sandbox://1.0.0",
        "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0",
        "machineID": format!("{:032x}", index), "systemUUID": format!("00000000-0000-0000-0000-{index:012x}"),
        "bootID": format!("{:08x}-0000-0000-0000-000000000000", index),
    });
    let mut conditions: Vec<Value> = Vec::new();
    for (kind, reason, message) in [
        (
            "MemoryPressure",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        (
            "DiskPressure",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        (
            "PIDPressure",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        ("Ready", "KubeletReady", "kubelet is posting ready status"),
    ] {
        let value = if kind == "Ready" { "True" } else { "False" };
        let transition = condition(node, kind)
            .filter(|c| c["status"] == value)
            .and_then(|c| c["lastTransitionTime"].as_str())
            .map_or_else(|| now.clone(), str::to_owned);
        conditions.push(
            json!({"type": kind, "status": value, "reason": reason, "message": message,
                               "lastHeartbeatTime": now, "lastTransitionTime": transition}),
        );
    }
    status["conditions"] = json!(conditions);
    status
}

/// Whether the node was told to stop reporting.
pub(super) fn told_not_ready(node: &Value) -> bool {
    node["metadata"]["annotations"][NOT_READY_ANNOTATION] == "true"
}

/// Whether the node's `Ready` condition is true.
pub(super) fn is_node_ready(node: &Value) -> bool {
    condition(node, "Ready").is_some_and(|c| c["status"] == "True")
}

/// Keeps every node's kubelet reporting, or not, and evicts pods from nodes that stopped.
pub(super) struct NodeController {
    writer: Writer,
    recorder: Recorder,
}

impl NodeController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "node-controller");
        Self { writer, recorder }
    }

    async fn heartbeat(&self, node: &Value, name: &str) -> Result<(), ApiError> {
        let now = Timestamp::now();
        let stale = condition(node, "Ready")
            .and_then(|c| time(&c["lastHeartbeatTime"]))
            .is_none_or(|beat| {
                now.duration_since(beat).as_secs() >= STATUS_REFRESH.as_secs() as i64
            });
        if stale || !is_node_ready(node) || node["status"]["capacity"].is_null() {
            let was_ready = is_node_ready(node);
            let updated = self
                .writer
                .update_status("", "nodes", None, name, |node| {
                    let mut node = node.clone();
                    node["status"] = node_status(&node);
                    node
                })
                .await?;
            if !was_ready {
                self.recorder
                    .record(
                        &updated,
                        Severity::Normal,
                        "NodeReady",
                        &format!("Node {name} status is now: NodeReady"),
                        Some(name),
                    )
                    .await;
            }
        }
        if has_unreachable_taint(node) {
            self.writer
                .update("", "nodes", None, name, None, |node| {
                    let mut node = node.clone();
                    let kept: Vec<Value> = taints(&node)
                        .into_iter()
                        .filter(|t| t["key"] != UNREACHABLE_TAINT)
                        .collect();
                    node["spec"]["taints"] = if kept.is_empty() {
                        Value::Null
                    } else {
                        json!(kept)
                    };
                    if let Some(spec) = node["spec"].as_object_mut() {
                        spec.retain(|_, v| !v.is_null());
                    }
                    node
                })
                .await?;
        }
        self.renew_lease(node, name).await
    }

    async fn renew_lease(&self, node: &Value, name: &str) -> Result<(), ApiError> {
        let renew = Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
            .to_string();
        let key = ObjectKey::new("coordination.k8s.io", "leases", "kube-node-lease", name);
        if self.writer.get(&key).is_none() {
            let lease = json!({
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": name, "namespace": "kube-node-lease",
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name,
                                                  "uid": node["metadata"]["uid"]}]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": renew},
            });
            return match self
                .writer
                .create(
                    "coordination.k8s.io",
                    "leases",
                    Some("kube-node-lease"),
                    lease,
                )
                .await
            {
                Ok(_) | Err(ApiError::AlreadyExists { .. }) => Ok(()),
                Err(error) => Err(error),
            };
        }
        self.writer
            .update(
                "coordination.k8s.io",
                "leases",
                Some("kube-node-lease"),
                name,
                None,
                move |lease| {
                    let mut lease = lease.clone();
                    lease["spec"]["renewTime"] = json!(renew);
                    lease
                },
            )
            .await
            .map(drop)
    }

    /// Marks a silent node unknown and tainted, marks its pods not ready, and evicts pods
    /// whose toleration of the taint ran out. Returns when the next eviction is due.
    async fn stop_reporting(&self, node: &Value, name: &str) -> Result<Option<Duration>, ApiError> {
        if is_node_ready(node) {
            let updated = self
                .writer
                .update_status("", "nodes", None, name, |node| {
                    let mut node = node.clone();
                    let now = api::now();
                    if let Some(conditions) = node["status"]["conditions"].as_array_mut() {
                        for condition in conditions {
                            condition["status"] = json!("Unknown");
                            condition["reason"] = json!("NodeStatusUnknown");
                            condition["message"] = json!("Kubelet stopped posting node status.");
                            condition["lastTransitionTime"] = json!(now);
                        }
                    }
                    node
                })
                .await?;
            self.recorder
                .record(
                    &updated,
                    Severity::Normal,
                    "NodeNotReady",
                    &format!("Node {name} status is now: NodeNotReady"),
                    None,
                )
                .await;
        }
        if !has_unreachable_taint(node) {
            self.writer
                .update("", "nodes", None, name, None, |node| {
                    let mut node = node.clone();
                    let mut all = taints(&node);
                    let added = api::now();
                    for effect in ["NoSchedule", "NoExecute"] {
                        all.push(
                            json!({"key": UNREACHABLE_TAINT, "effect": effect, "timeAdded": added}),
                        );
                    }
                    node["spec"]["taints"] = json!(all);
                    node
                })
                .await?;
            return Ok(Some(Duration::ZERO));
        }
        let tainted_at = taints(node)
            .iter()
            .find(|t| t["key"] == UNREACHABLE_TAINT && t["effect"] == "NoExecute")
            .and_then(|t| time(&t["timeAdded"]))
            .unwrap_or_else(Timestamp::now);
        let pods = self.writer.list("", "pods", None, |pod| {
            pod["spec"]["nodeName"] == name && !is_deleting(pod)
        });
        let now = Timestamp::now();
        let mut next_eviction: Option<Duration> = None;
        for pod in pods {
            let pod_name = api::meta_str(&pod, "name").unwrap_or_default().to_owned();
            let namespace = api::meta_str(&pod, "namespace")
                .unwrap_or_default()
                .to_owned();
            match eviction_time(&pod, tainted_at) {
                Some(at) if at <= now => {
                    self.recorder
                        .record(
                            &pod,
                            Severity::Normal,
                            "TaintManagerEviction",
                            &format!("Marking for deletion Pod {namespace}/{pod_name}"),
                            None,
                        )
                        .await;
                    self.writer
                        .delete("", "pods", Some(&namespace), &pod_name)
                        .await?;
                }
                Some(at) => {
                    let wait =
                        Duration::from_millis(at.duration_since(now).as_millis().max(0) as u64);
                    next_eviction = Some(next_eviction.map_or(wait, |w| w.min(wait)));
                    self.mark_pod_not_ready(&pod, &namespace, &pod_name).await?;
                }
                None => self.mark_pod_not_ready(&pod, &namespace, &pod_name).await?,
            }
        }
        Ok(next_eviction)
    }

    async fn mark_pod_not_ready(
        &self,
        pod: &Value,
        namespace: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        if condition(pod, "Ready").is_none_or(|c| c["status"] != "True") {
            return Ok(());
        }
        self.writer
            .update_status("", "pods", Some(namespace), name, |pod| {
                let mut pod = pod.clone();
                set_condition(&mut pod["status"], "Ready", false, "NodeNotReady", "");
                pod
            })
            .await?;
        self.recorder
            .record(
                pod,
                Severity::Warning,
                "NodeNotReady",
                "Node is not ready",
                None,
            )
            .await;
        Ok(())
    }
}

fn taints(node: &Value) -> Vec<Value> {
    node["spec"]["taints"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn has_unreachable_taint(node: &Value) -> bool {
    taints(node).iter().any(|t| t["key"] == UNREACHABLE_TAINT)
}

/// When a pod on a node tainted unreachable at `tainted_at` is evicted: at once without a
/// matching toleration, after its `tolerationSeconds`, or never.
fn eviction_time(pod: &Value, tainted_at: Timestamp) -> Option<Timestamp> {
    let toleration = pod["spec"]["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            let key_matches = t["key"] == UNREACHABLE_TAINT
                || (t["key"].as_str().is_none_or(str::is_empty) && t["operator"] == "Exists");
            let effect_matches = t["effect"]
                .as_str()
                .is_none_or(|e| e.is_empty() || e == "NoExecute");
            key_matches && effect_matches
        });
    match toleration {
        None => Some(tainted_at),
        Some(t) => t["tolerationSeconds"]
            .as_i64()
            .map(|seconds| tainted_at + jiff::SignedDuration::from_secs(seconds)),
    }
}

impl Controller for NodeController {
    const NAME: &'static str = "node-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("", "nodes", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        let key = &event.key;
        if key.group.is_empty() && key.plural == "nodes" {
            vec![key.clone()]
        } else {
            Vec::new()
        }
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(node) = self.writer.live(key) else {
            return Ok(None);
        };
        if told_not_ready(&node) {
            let eviction = self.stop_reporting(&node, &key.name).await?;
            return Ok(Some(
                eviction.map_or(LEASE_RENEWAL, |e| e.min(LEASE_RENEWAL)),
            ));
        }
        self.heartbeat(&node, &key.name).await?;
        let last_renewal = self
            .writer
            .get(&ObjectKey::new(
                "coordination.k8s.io",
                "leases",
                "kube-node-lease",
                &key.name,
            ))
            .and_then(|lease| time(&lease["spec"]["renewTime"]));
        let wait = last_renewal.map_or(LEASE_RENEWAL, |renewed| {
            let elapsed = Timestamp::now().duration_since(renewed).as_millis().max(0) as u64;
            LEASE_RENEWAL.saturating_sub(Duration::from_millis(elapsed))
        });
        Ok(Some(wait.max(Duration::from_millis(100))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evictions_follow_tolerations() {
        let tainted = Timestamp::from_second(1_000).unwrap();
        let intolerant = json!({"spec": {}});
        assert_eq!(eviction_time(&intolerant, tainted), Some(tainted));
        let patient = json!({"spec": {"tolerations": [
            {"key": UNREACHABLE_TAINT, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}});
        assert_eq!(
            eviction_time(&patient, tainted),
            Some(Timestamp::from_second(1_300).unwrap())
        );
        let forever = json!({"spec": {"tolerations": [{"operator": "Exists"}]}});
        assert_eq!(eviction_time(&forever, tainted), None);
    }

    #[test]
    fn node_indexes_come_from_pod_cidrs() {
        assert_eq!(node_index("10.244.7.0/24"), Some(7));
        assert_eq!(node_index("192.168.0.0/24"), None);
        let status = node_status(&node(2));
        assert_eq!(status["addresses"][0]["address"], "172.18.0.3");
        assert!(is_node_ready(&json!({"status": status})));
    }
}
