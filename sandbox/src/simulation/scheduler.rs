//! The scheduler: binds pending pods to nodes that can take them, honouring `nodeSelector`,
//! required node affinity, taints and tolerations, resource requests and the pod limit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use orbital_syntax::{pod_requests, value_bytes, value_millicores};
use serde_json::{Value, json};

use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::objects::{Writer, controller_of, is_deleting, is_terminal, key_of, set_condition};
use crate::api::{self, ApiError};
use crate::cluster::Cluster;
use crate::store::{Event, EventType, ObjectKey};

/// How often unschedulable pods are tried again when nothing else prompts it.
const RETRY_UNSCHEDULABLE: Duration = Duration::from_secs(60);

/// The single work item: "look at every pending pod".
fn pending_key() -> ObjectKey {
    ObjectKey::new("", "pods", "", "")
}

/// What one bound pod takes from its node.
struct Placement {
    node: String,
    cpu: u64,
    memory: u64,
    owner: Option<String>,
}

/// What is already placed on a node.
#[derive(Clone, Default)]
struct Usage {
    cpu: u64,
    memory: u64,
    pods: u64,
    /// Pods per controlling owner, to spread a workload's replicas.
    by_owner: HashMap<String, u64>,
}

impl Usage {
    fn add(&mut self, placement: &Placement) {
        self.cpu += placement.cpu;
        self.memory += placement.memory;
        self.pods += 1;
        if let Some(owner) = &placement.owner {
            *self.by_owner.entry(owner.clone()).or_default() += 1;
        }
    }

    fn remove(&mut self, placement: &Placement) {
        self.cpu = self.cpu.saturating_sub(placement.cpu);
        self.memory = self.memory.saturating_sub(placement.memory);
        self.pods = self.pods.saturating_sub(1);
        if let Some(owner) = &placement.owner
            && let Some(count) = self.by_owner.get_mut(owner)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.by_owner.remove(owner);
            }
        }
    }
}

/// What a pod weighs when nodes are compared: containers that request nothing count as
/// 100m CPU and 200 MiB, as the real scheduler scores them.
fn weight(pod: &Value) -> (u64, u64) {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .fold((0, 0), |(cpu, memory), container| {
            let single = json!({"spec": {"containers": [container]}});
            let (c, m) = pod_requests(&single);
            (
                cpu + if c == 0 { 100 } else { c },
                memory + if m == 0 { 200 << 20 } else { m },
            )
        })
}

/// The default scheduler. It keeps what every node holds and which pods wait, updated from
/// the change feed, so a pass costs the pending pods, not every pod in the cluster.
pub(super) struct Scheduler {
    writer: Writer,
    recorder: Recorder,
    pending: BTreeSet<ObjectKey>,
    placed: HashMap<ObjectKey, Placement>,
    usage: HashMap<String, Usage>,
    /// Whether pods are waiting for room, so freed capacity should prompt another pass.
    waiting: bool,
}

impl Scheduler {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "default-scheduler");
        Self {
            writer,
            recorder,
            pending: BTreeSet::new(),
            placed: HashMap::new(),
            usage: HashMap::new(),
            waiting: false,
        }
    }

    /// Records the pod at `key` as it is now (`None`: gone): pending, placed, or neither.
    fn account(&mut self, key: &ObjectKey, pod: Option<&Value>) {
        if let Some(old) = self.placed.remove(key)
            && let Some(usage) = self.usage.get_mut(&old.node)
        {
            usage.remove(&old);
        }
        self.pending.remove(key);
        let Some(pod) = pod.filter(|pod| !is_terminal(pod)) else {
            return;
        };
        match pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
            Some(node) => {
                let (cpu, memory) = pod_requests(pod);
                let placement = Placement {
                    node: node.to_owned(),
                    cpu,
                    memory,
                    owner: controller_of(pod).map(|(_, _, uid)| uid.to_owned()),
                };
                self.usage
                    .entry(node.to_owned())
                    .or_default()
                    .add(&placement);
                self.placed.insert(key.clone(), placement);
            }
            None => {
                let ours = pod["spec"]["schedulerName"]
                    .as_str()
                    .is_none_or(|name| name == "default-scheduler");
                if ours && !is_deleting(pod) {
                    self.pending.insert(key.clone());
                }
            }
        }
    }

    async fn schedule(&mut self) -> Result<Option<Duration>, ApiError> {
        if self.pending.is_empty() {
            self.waiting = false;
            return Ok(None);
        }
        let nodes = self.writer.list("", "nodes", None, |_| true);
        let mut unschedulable = false;
        let pending: Vec<ObjectKey> = self.pending.iter().cloned().collect();
        for key in pending {
            let pod = self.writer.get(&key);
            self.account(&key, pod.as_deref());
            let Some(pod) = pod.filter(|_| self.pending.contains(&key)) else {
                continue;
            };
            match place(&pod, &nodes, &self.usage) {
                Ok(node) => self.bind(&key, &pod, &node).await?,
                Err(message) => {
                    unschedulable = true;
                    self.report_unschedulable(&pod, &message).await?;
                }
            }
        }
        self.waiting = unschedulable;
        Ok(unschedulable.then_some(RETRY_UNSCHEDULABLE))
    }

    async fn bind(&mut self, key: &ObjectKey, pod: &Value, node: &str) -> Result<(), ApiError> {
        let namespace = api::meta_str(pod, "namespace").unwrap_or_default();
        let name = api::meta_str(pod, "name").unwrap_or_default();
        let bound = match self.writer.cluster().bind(namespace, name, node).await {
            Ok(bound) => bound,
            Err(ApiError::Conflict { .. } | ApiError::NotFound { .. }) => return Ok(()),
            Err(error) => return Err(error),
        };
        self.account(key, Some(&bound));
        self.recorder
            .record(
                &bound,
                Severity::Normal,
                "Scheduled",
                &format!("Successfully assigned {namespace}/{name} to {node}"),
                None,
            )
            .await;
        Ok(())
    }

    async fn report_unschedulable(&self, pod: &Value, message: &str) -> Result<(), ApiError> {
        let namespace = api::meta_str(pod, "namespace").unwrap_or_default();
        let name = api::meta_str(pod, "name").unwrap_or_default();
        let already = pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "PodScheduled" && c["message"] == message);
        if !already {
            let reason = message.to_owned();
            self.writer
                .update_status("", "pods", Some(namespace), name, move |pod| {
                    let mut pod = pod.clone();
                    set_condition(
                        &mut pod["status"],
                        "PodScheduled",
                        false,
                        "Unschedulable",
                        &reason,
                    );
                    pod
                })
                .await?;
        }
        self.recorder
            .record(pod, Severity::Warning, "FailedScheduling", message, None)
            .await;
        Ok(())
    }
}

/// The node a pod should go to, or why none can take it (as the scheduler words it).
fn place(
    pod: &Value,
    nodes: &[Arc<Value>],
    usage: &HashMap<String, Usage>,
) -> Result<String, String> {
    let (cpu, memory) = pod_requests(pod);
    let (cpu_weight, memory_weight) = weight(pod);
    let owner = controller_of(pod).map(|(_, _, uid)| uid);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut best: Option<(u64, u64, u64, &str)> = None;
    let empty = Usage::default();
    for node in nodes {
        let name = api::meta_str(node, "name").unwrap_or_default();
        let used = usage.get(name).unwrap_or(&empty);
        let failures = fits(pod, node, used, cpu, memory);
        if failures.is_empty() {
            let allocatable = &node["status"]["allocatable"];
            let cpu_share =
                (used.cpu + cpu_weight) * 1000 / value_millicores(&allocatable["cpu"]).max(1);
            let memory_share =
                (used.memory + memory_weight) * 1000 / value_bytes(&allocatable["memory"]).max(1);
            let siblings = owner
                .and_then(|uid| used.by_owner.get(uid))
                .copied()
                .unwrap_or(0);
            let score = (siblings, cpu_share + memory_share, used.pods, name);
            if best.is_none_or(|b| score < b) {
                best = Some(score);
            }
        }
        for failure in failures {
            *reasons.entry(failure).or_default() += 1;
        }
    }
    if let Some((_, _, _, name)) = best {
        return Ok(name.to_owned());
    }
    let total = nodes.len();
    let listed: Vec<String> = reasons
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    let mut message = format!("0/{total} nodes are available");
    if !listed.is_empty() {
        message.push_str(": ");
        message.push_str(&listed.join(", "));
    }
    message.push_str(&format!(". preemption: 0/{total} nodes are available: {total} No preemption victims found for incoming pod."));
    Err(message)
}

/// Why `node` cannot take `pod`; empty when it can.
fn fits(pod: &Value, node: &Value, used: &Usage, cpu: u64, memory: u64) -> Vec<String> {
    let mut failures = Vec::new();
    let tolerations = pod["spec"]["tolerations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if node["spec"]["unschedulable"] == true
        && !tolerates(
            &tolerations,
            "node.kubernetes.io/unschedulable",
            "",
            "NoSchedule",
        )
    {
        failures.push("node(s) were unschedulable".to_owned());
        return failures;
    }
    let labels = &node["metadata"]["labels"];
    if !node_selector_matches(pod, labels) {
        failures.push("node(s) didn't match Pod's node affinity/selector".to_owned());
        return failures;
    }
    for taint in node["spec"]["taints"].as_array().into_iter().flatten() {
        let effect = taint["effect"].as_str().unwrap_or_default();
        let key = taint["key"].as_str().unwrap_or_default();
        let value = taint["value"].as_str().unwrap_or_default();
        if matches!(effect, "NoSchedule" | "NoExecute")
            && !tolerates(&tolerations, key, value, effect)
        {
            failures.push(format!("node(s) had untolerated taint {{{key}: {value}}}"));
            return failures;
        }
    }
    let allocatable = &node["status"]["allocatable"];
    let pods_allowed = allocatable["pods"]
        .as_str()
        .and_then(|p| p.parse().ok())
        .unwrap_or(110);
    if used.pods + 1 > pods_allowed {
        failures.push("Too many pods".to_owned());
    }
    if used.cpu + cpu > value_millicores(&allocatable["cpu"]) {
        failures.push("Insufficient cpu".to_owned());
    }
    if used.memory + memory > value_bytes(&allocatable["memory"]) {
        failures.push("Insufficient memory".to_owned());
    }
    failures
}

/// Whether some toleration tolerates the taint `key`=`value`:`effect`.
pub(super) fn tolerates(tolerations: &[Value], key: &str, value: &str, effect: &str) -> bool {
    tolerations.iter().any(|t| {
        let t_key = t["key"].as_str().unwrap_or_default();
        let exists = t["operator"] == "Exists";
        let key_matches = (t_key.is_empty() && exists) || t_key == key;
        let value_matches = exists || t["value"].as_str().unwrap_or_default() == value;
        let effect_matches = t["effect"]
            .as_str()
            .is_none_or(|e| e.is_empty() || e == effect);
        key_matches && value_matches && effect_matches
    })
}

/// Whether the node's labels satisfy the pod's `nodeSelector` and required node affinity.
pub(super) fn node_selector_matches(pod: &Value, labels: &Value) -> bool {
    let label = |key: &str| labels.get(key).and_then(Value::as_str);
    let selector_ok = pod["spec"]["nodeSelector"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(key, value)| label(key) == value.as_str());
    let terms = &pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        ["nodeSelectorTerms"];
    let affinity_ok = match terms.as_array() {
        None => true,
        Some(terms) => terms.iter().any(|term| {
            term["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|expression| {
                    let key = expression["key"].as_str().unwrap_or_default();
                    let values: Vec<&str> = expression["values"]
                        .as_array()
                        .map(|v| v.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let number = |text: Option<&str>| text.and_then(|t| t.parse::<i64>().ok());
                    match expression["operator"].as_str().unwrap_or_default() {
                        "In" => label(key).is_some_and(|v| values.contains(&v)),
                        "NotIn" => label(key).is_none_or(|v| !values.contains(&v)),
                        "Exists" => label(key).is_some(),
                        "DoesNotExist" => label(key).is_none(),
                        "Gt" => number(label(key)) > number(values.first().copied()),
                        "Lt" => number(label(key))
                            .zip(number(values.first().copied()))
                            .is_some_and(|(a, b)| a < b),
                        _ => false,
                    }
                })
        }),
    };
    selector_ok && affinity_ok
}

impl Controller for Scheduler {
    const NAME: &'static str = "default-scheduler";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.pending.clear();
        self.placed.clear();
        self.usage.clear();
        for pod in self.writer.list("", "pods", None, |_| true) {
            self.account(&key_of("", "pods", &pod), Some(&pod));
        }
        vec![pending_key()]
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        let key = &event.key;
        if !key.group.is_empty() {
            return Vec::new();
        }
        let prompts = match key.plural.as_str() {
            "pods" => {
                let was_placed = self.placed.contains_key(key);
                let current = (event.event_type != EventType::Deleted).then_some(&*event.object);
                self.account(key, current);
                let freed = was_placed && !self.placed.contains_key(key);
                self.pending.contains(key) || (freed && self.waiting)
            }
            "nodes" => self.waiting || event.event_type != EventType::Modified,
            _ => false,
        };
        if prompts && !self.pending.is_empty() {
            vec![pending_key()]
        } else {
            Vec::new()
        }
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        _key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        self.schedule().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, cpu: &str, extra: Value) -> Arc<Value> {
        let mut node = json!({"metadata": {"name": name, "labels": {"zone": name}},
                              "spec": {}, "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}}});
        json_patch::merge(&mut node, &extra);
        Arc::new(node)
    }

    fn pod(cpu: &str, extra: Value) -> Value {
        let mut pod = json!({"spec": {"containers": [{"resources": {"requests": {"cpu": cpu}}}]}});
        json_patch::merge(&mut pod, &extra);
        pod
    }

    #[test]
    fn pods_go_where_they_fit_and_spread() {
        let nodes = vec![node("a", "1", json!({})), node("b", "2", json!({}))];
        let mut usage = HashMap::new();
        assert_eq!(
            place(&pod("500m", json!({})), &nodes, &usage),
            Ok("b".to_owned())
        );
        usage.insert(
            "b".to_owned(),
            Usage {
                cpu: 1800,
                memory: 0,
                pods: 3,
                by_owner: HashMap::new(),
            },
        );
        assert_eq!(
            place(&pod("500m", json!({})), &nodes, &usage),
            Ok("a".to_owned())
        );
        assert_eq!(
            place(&pod("500m", json!({"spec": {"nodeSelector": {"zone": "b"}}})), &nodes, &usage),
            Err("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. \
                 preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.".to_owned())
        );
    }

    #[test]
    fn taints_keep_out_pods_that_do_not_tolerate_them() {
        let tainted = json!({"spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}});
        let nodes = vec![node("a", "4", tainted)];
        let usage = HashMap::new();
        let refused = place(&pod("1", json!({})), &nodes, &usage).unwrap_err();
        assert!(
            refused.contains("1 node(s) had untolerated taint {dedicated: gpu}"),
            "{refused}"
        );
        let tolerant = pod(
            "1",
            json!({"spec": {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]}}),
        );
        assert_eq!(place(&tolerant, &nodes, &usage), Ok("a".to_owned()));
    }

    #[test]
    fn required_affinity_is_honoured() {
        let nodes = vec![node("a", "4", json!({})), node("b", "4", json!({}))];
        let affine = pod(
            "1",
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}}}),
        );
        assert_eq!(place(&affine, &nodes, &HashMap::new()), Ok("a".to_owned()));
    }
}
