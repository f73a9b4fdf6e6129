//! The DaemonSet controller: one pod on every node the pod template fits, replaced one node at
//! a time when the template changes.

use std::time::Duration;

use serde_json::{Value, json};

use super::deployment::normalized_template;
use super::driver::Controller;
use super::events::Recorder;
use super::objects::{Kind, Writer, hash_label, int, is_ready, own_or_owner};
use super::pods::{PodName, active_pods, from_template, name_of, ready_and_available};
use super::pods::{create_recorded, delete_recorded};
use super::revisions;
use super::scheduler::{node_selector_matches, tolerates};
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, EventType, ObjectKey};

const REVISION_LABEL: &str = "controller-revision-hash";

/// Taints every daemon pod tolerates, as the DaemonSet controller adds them.
const DAEMON_TOLERATIONS: &[&str] = &[
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
    "node.kubernetes.io/disk-pressure",
    "node.kubernetes.io/memory-pressure",
    "node.kubernetes.io/pid-pressure",
    "node.kubernetes.io/unschedulable",
];

/// The objects this controller reconciles.
const DAEMON_SETS: Kind = Kind {
    group: "apps",
    plural: "daemonsets",
    kind: "DaemonSet",
};

/// The DaemonSet controller.
pub(super) struct DaemonSetController {
    writer: Writer,
    recorder: Recorder,
}

impl DaemonSetController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "daemonset-controller");
        Self { writer, recorder }
    }
}

/// Whether the daemon's pod template should run on `node`.
fn wants(template: &Value, node: &Value) -> bool {
    let pod = json!({"spec": template["spec"]});
    if !node_selector_matches(&pod, &node["metadata"]["labels"]) {
        return false;
    }
    let tolerations = template["spec"]["tolerations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    node["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|taint| {
            let key = taint["key"].as_str().unwrap_or_default();
            let effect = taint["effect"].as_str().unwrap_or_default();
            effect == "PreferNoSchedule"
                || DAEMON_TOLERATIONS.contains(&key)
                || tolerates(
                    &tolerations,
                    key,
                    taint["value"].as_str().unwrap_or_default(),
                    effect,
                )
        })
}

impl Controller for DaemonSetController {
    const NAME: &'static str = "daemonset-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("apps", "daemonsets", |_| true)
    }

    fn keys_for(&mut self, cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        match (event.key.group.as_str(), event.key.plural.as_str()) {
            ("", "nodes") => {
                let placement_changed = event.event_type != EventType::Modified
                    || event.previous.as_deref().is_none_or(|before| {
                        before["metadata"]["labels"] != event.object["metadata"]["labels"]
                            || before["spec"]["taints"] != event.object["spec"]["taints"]
                    });
                if placement_changed {
                    self.all_keys(cluster)
                } else {
                    Vec::new()
                }
            }
            _ => own_or_owner(event, &DAEMON_SETS, ("", "pods")),
        }
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(set) = self.writer.live(key) else {
            return Ok(None);
        };
        let name = key.name.as_str();
        let template = &set["spec"]["template"];
        let revision = hash_label(&normalized_template(template));
        revisions::record(&self.writer, &set, &revision).await?;
        let nodes = self
            .writer
            .list("", "nodes", None, |node| wants(template, node));
        let node_names: Vec<&str> = nodes.iter().map(|n| name_of(n).0).collect();
        let pods = active_pods(&self.writer, &set);
        let on = |node: &str| pods.iter().find(|pod| pod["spec"]["nodeName"] == node);

        for node in &node_names {
            if on(node).is_none() {
                let mut pod = from_template(
                    &set,
                    template,
                    PodName::Generated(name),
                    &[(REVISION_LABEL, &revision)],
                );
                pod["spec"]["nodeName"] = json!(node);
                let mut tolerations = pod["spec"]["tolerations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for key in DAEMON_TOLERATIONS {
                    // Daemons stay on nodes that stop reporting: they tolerate the taints for good.
                    let effect = if key.ends_with("not-ready") || key.ends_with("unreachable") {
                        "NoExecute"
                    } else {
                        "NoSchedule"
                    };
                    tolerations.push(json!({"key": key, "operator": "Exists", "effect": effect}));
                }
                pod["spec"]["tolerations"] = json!(tolerations);
                create_recorded(
                    &self.writer,
                    &self.recorder,
                    &set,
                    ("", "pods"),
                    pod,
                    |name| format!("Created pod: {name}"),
                )
                .await?;
            }
        }
        let misplaced: Vec<String> = pods
            .iter()
            .filter(|pod| !node_names.iter().any(|n| pod["spec"]["nodeName"] == *n))
            .map(|pod| name_of(pod).0.to_owned())
            .collect();
        let all_ready = pods.iter().all(|pod| is_ready(pod));
        let outdated = pods
            .iter()
            .find(|pod| pod["metadata"]["labels"][REVISION_LABEL] != revision.as_str())
            .filter(|_| all_ready)
            .map(|pod| name_of(pod).0.to_owned());
        for pod_name in misplaced.iter().chain(outdated.iter()) {
            delete_recorded(
                &self.writer,
                &self.recorder,
                &set,
                ("", "pods"),
                pod_name,
                format!("Deleted pod: {pod_name}"),
            )
            .await?;
        }

        let pods = active_pods(&self.writer, &set);
        let scheduled = pods
            .iter()
            .filter(|pod| node_names.iter().any(|n| pod["spec"]["nodeName"] == *n))
            .count();
        let (ready, available) =
            ready_and_available(&pods, int(&set["spec"]["minReadySeconds"], 0));
        let updated = pods
            .iter()
            .filter(|pod| pod["metadata"]["labels"][REVISION_LABEL] == revision.as_str())
            .count();
        let status = json!({
            "observedGeneration": set["metadata"]["generation"],
            "desiredNumberScheduled": node_names.len(), "currentNumberScheduled": scheduled,
            "numberMisscheduled": pods.len() - scheduled, "numberReady": ready,
            "numberAvailable": available, "numberUnavailable": node_names.len().saturating_sub(available),
            "updatedNumberScheduled": updated,
        });
        self.writer
            .write_status("apps", "daemonsets", &set, status)
            .await?;
        Ok((available < ready).then_some(Duration::from_secs(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemons_skip_nodes_they_do_not_select_or_tolerate() {
        let template = json!({"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}});
        let linux = json!({"metadata": {"labels": {"kubernetes.io/os": "linux"}}, "spec": {}});
        let windows = json!({"metadata": {"labels": {"kubernetes.io/os": "windows"}}, "spec": {}});
        let tainted = json!({"metadata": {"labels": {"kubernetes.io/os": "linux"}},
                             "spec": {"taints": [{"key": "dedicated", "effect": "NoSchedule"}]}});
        let unreachable = json!({"metadata": {"labels": {"kubernetes.io/os": "linux"}},
                                 "spec": {"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]}});
        assert!(wants(&template, &linux));
        assert!(!wants(&template, &windows));
        assert!(!wants(&template, &tainted));
        assert!(wants(&template, &unreachable));
    }
}
