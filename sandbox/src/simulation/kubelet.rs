//! The kubelets of every simulated node: they run the pods bound to their node, report
//! container states, addresses and conditions, and record what they do as events.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::lifecycle;
use super::nodes::{is_node_ready, node_index};
use super::objects::{Writer, is_deleting, is_terminal, key_of};
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, EventType, ObjectKey};

/// The work item for pods that were deleted while running: their containers get stopped.
fn stopped_key() -> ObjectKey {
    ObjectKey::new("", "pods", "", "")
}

/// Every node's kubelet.
pub(super) struct Kubelet {
    writer: Writer,
    recorder: Recorder,
    /// Pod addresses in use on each node, by the last octet in the node's pod CIDR.
    addresses: HashMap<String, HashSet<u8>>,
    /// Pods deleted while their containers ran, waiting for their `Killing` events.
    stopped: Vec<Arc<Value>>,
}

impl Kubelet {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "kubelet");
        Self {
            writer,
            recorder,
            addresses: HashMap::new(),
            stopped: Vec::new(),
        }
    }

    fn note_address(&mut self, pod: &Value, in_use: bool) {
        let (Some(node), Some(ip)) = (
            pod["spec"]["nodeName"].as_str(),
            pod["status"]["podIP"].as_str(),
        ) else {
            return;
        };
        if pod["spec"]["hostNetwork"] == true {
            return;
        }
        let Some(last) = ip
            .rsplit('.')
            .next()
            .and_then(|octet| octet.parse::<u8>().ok())
        else {
            return;
        };
        let used = self.addresses.entry(node.to_owned()).or_default();
        if in_use {
            used.insert(last);
        } else {
            used.remove(&last);
        }
    }

    /// A free address in the node's pod CIDR; it counts as used once a pod carries it.
    fn free_address(&self, node: &str, pod_cidr_index: usize) -> Option<String> {
        let used = self.addresses.get(node);
        let free = (2..=254u8).find(|octet| used.is_none_or(|u| !u.contains(octet)))?;
        Some(format!("10.244.{pod_cidr_index}.{free}"))
    }

    async fn run_pod(&mut self, key: &ObjectKey) -> Result<Option<Duration>, ApiError> {
        let Some(pod) = self.writer.get(key) else {
            return Ok(None);
        };
        let Some(node_name) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        if is_deleting(&pod) || is_terminal(&pod) {
            return Ok(None);
        }
        let Some(node) = self.writer.get(&ObjectKey::new("", "nodes", "", node_name)) else {
            return Ok(None);
        };
        // A node that stopped reporting runs nothing new; the node controller speaks for it.
        if !is_node_ready(&node) {
            return Ok(None);
        }
        let host_ip = node["status"]["addresses"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["type"] == "InternalIP"))
            .and_then(|x| x["address"].as_str())
            .unwrap_or_default()
            .to_owned();
        let pod_ip = match pod["status"]["podIP"].as_str() {
            Some(ip) => ip.to_owned(),
            None if pod["spec"]["hostNetwork"] == true => host_ip.clone(),
            None => {
                let index = node["spec"]["podCIDR"]
                    .as_str()
                    .and_then(node_index)
                    .unwrap_or(0);
                match self.free_address(node_name, index) {
                    Some(ip) => ip,
                    None => {
                        self.recorder
                            .record(&pod, Severity::Warning, "FailedCreatePodSandBox",
                                    "Failed to create pod sandbox: no free addresses in the node's pod CIDR", Some(node_name))
                            .await;
                        return Ok(None);
                    }
                }
            }
        };
        let step = lifecycle::advance(&pod, &host_ip, &pod_ip, Timestamp::now());
        if step.status != pod["status"] {
            let observed = pod["metadata"]["resourceVersion"].clone();
            let status = step.status.clone();
            let updated = self
                .writer
                .update_status(
                    "",
                    "pods",
                    Some(&key.namespace),
                    &key.name,
                    move |current| {
                        let mut pod = current.clone();
                        pod["status"] = status;
                        // Computed from the version read above; any newer change is seen on the next pass.
                        pod["metadata"]["resourceVersion"] = observed;
                        pod
                    },
                )
                .await?;
            self.note_address(&updated, true);
            for note in &step.notes {
                self.recorder
                    .record_container(
                        &updated,
                        &note.container,
                        note.severity,
                        note.reason,
                        &note.message,
                        Some(node_name),
                    )
                    .await;
            }
        }
        Ok(step.wake)
    }

    async fn stop_containers(&mut self) {
        for pod in std::mem::take(&mut self.stopped) {
            let node = pod["spec"]["nodeName"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            for status in pod["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if status["state"].get("running").is_some() {
                    let name = status["name"].as_str().unwrap_or_default();
                    self.recorder
                        .record_container(
                            &pod,
                            name,
                            Severity::Normal,
                            "Killing",
                            &format!("Stopping container {name}"),
                            Some(&node),
                        )
                        .await;
                }
            }
        }
    }
}

impl Controller for Kubelet {
    const NAME: &'static str = "kubelet";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.addresses.clear();
        let pods = self
            .writer
            .list("", "pods", None, |pod| pod["spec"]["nodeName"].is_string());
        let mut keys = Vec::new();
        for pod in pods {
            self.note_address(&pod, true);
            if !is_terminal(&pod) {
                keys.push(key_of("", "pods", &pod));
            }
        }
        keys
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        let key = &event.key;
        if !key.group.is_empty() {
            return Vec::new();
        }
        match key.plural.as_str() {
            "pods" if event.event_type == EventType::Deleted => {
                self.note_address(&event.object, false);
                let running = event.object["status"]["containerStatuses"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|c| c["state"].get("running").is_some()));
                if running && event.object["spec"]["nodeName"].is_string() {
                    self.stopped.push(Arc::clone(&event.object));
                    return vec![stopped_key()];
                }
                Vec::new()
            }
            "pods" if event.object["spec"]["nodeName"].is_string() => vec![key.clone()],
            "nodes" => {
                let was_ready = event.previous.as_deref().is_some_and(is_node_ready);
                if was_ready == is_node_ready(&event.object) {
                    return Vec::new();
                }
                self.writer.keys("", "pods", |pod| {
                    pod["spec"]["nodeName"] == key.name.as_str()
                })
            }
            _ => Vec::new(),
        }
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        if *key == stopped_key() {
            self.stop_containers().await;
            return Ok(None);
        }
        self.run_pod(key).await
    }
}
