//! The StatefulSet controller: pods named by ordinal, created in order and each only once the
//! one before is ready, removed from the highest ordinal, updated one at a time from the top.

use std::time::Duration;

use serde_json::json;

use super::deployment::normalized_template;
use super::driver::Controller;
use super::events::Recorder;
use super::objects::{Kind, Writer, hash_label, int, is_ready, own_or_owner};
use super::pods::{PodName, active_pods, from_template, name_of, ready_and_available};
use super::pods::{create_recorded, delete_recorded};
use super::revisions;
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

const REVISION_LABEL: &str = "controller-revision-hash";

/// The objects this controller reconciles.
const STATEFUL_SETS: Kind = Kind {
    group: "apps",
    plural: "statefulsets",
    kind: "StatefulSet",
};

/// The StatefulSet controller.
pub(super) struct StatefulSetController {
    writer: Writer,
    recorder: Recorder,
}

impl StatefulSetController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "statefulset-controller");
        Self { writer, recorder }
    }
}

/// The ordinal in a StatefulSet pod's name.
fn ordinal(set: &str, pod: &str) -> Option<usize> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

impl Controller for StatefulSetController {
    const NAME: &'static str = "statefulset-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("apps", "statefulsets", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        own_or_owner(event, &STATEFUL_SETS, ("", "pods"))
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
        let replicas = int(&set["spec"]["replicas"], 1).max(0) as usize;
        let ordered = set["spec"]["podManagementPolicy"] != "Parallel";
        let hash = hash_label(&normalized_template(&set["spec"]["template"]));
        revisions::record(&self.writer, &set, &hash).await?;
        let update_revision = format!("{name}-{hash}");
        let mut pods = active_pods(&self.writer, &set);
        pods.sort_by_key(|pod| ordinal(name, name_of(pod).0).unwrap_or(usize::MAX));
        let by_ordinal = |i: usize| {
            pods.iter()
                .find(|pod| ordinal(name, name_of(pod).0) == Some(i))
        };

        // Create missing pods in order; with ordered management, wait for each to be ready.
        for index in 0..replicas {
            match by_ordinal(index) {
                Some(pod) if ordered && !is_ready(pod) => break,
                Some(_) => {}
                None => {
                    let pod_name = format!("{name}-{index}");
                    let mut pod = from_template(
                        &set,
                        &set["spec"]["template"],
                        PodName::Exact(&pod_name),
                        &[
                            (REVISION_LABEL, &update_revision),
                            ("statefulset.kubernetes.io/pod-name", &pod_name),
                            ("apps.kubernetes.io/pod-index", &index.to_string()),
                        ],
                    );
                    pod["spec"]["hostname"] = json!(pod_name);
                    if let Some(service) = set["spec"]["serviceName"].as_str() {
                        pod["spec"]["subdomain"] = json!(service);
                    }
                    create_recorded(
                        &self.writer,
                        &self.recorder,
                        &set,
                        ("", "pods"),
                        pod,
                        |pod_name| {
                            format!("create Pod {pod_name} in StatefulSet {name} successful")
                        },
                    )
                    .await?;
                    if ordered {
                        break;
                    }
                }
            }
        }
        // Remove pods above the wanted count, the highest first.
        let surplus: Vec<String> = pods
            .iter()
            .filter(|pod| ordinal(name, name_of(pod).0).is_some_and(|i| i >= replicas))
            .map(|pod| name_of(pod).0.to_owned())
            .rev()
            .collect();
        for pod_name in surplus.iter().take(if ordered { 1 } else { surplus.len() }) {
            delete_recorded(
                &self.writer,
                &self.recorder,
                &set,
                ("", "pods"),
                pod_name,
                format!("delete Pod {pod_name} in StatefulSet {name} successful"),
            )
            .await?;
        }
        // Roll out a new template from the highest ordinal, once every pod is ready.
        let all_ready = pods.len() == replicas && pods.iter().all(|pod| is_ready(pod));
        if all_ready
            && set["spec"]["updateStrategy"]["type"] != "OnDelete"
            && let Some(outdated) = pods
                .iter()
                .rev()
                .find(|pod| pod["metadata"]["labels"][REVISION_LABEL] != update_revision.as_str())
        {
            let pod_name = name_of(outdated).0.to_owned();
            delete_recorded(
                &self.writer,
                &self.recorder,
                &set,
                ("", "pods"),
                &pod_name,
                format!("delete Pod {pod_name} in StatefulSet {name} successful"),
            )
            .await?;
        }

        let pods = active_pods(&self.writer, &set);
        let (ready, available) =
            ready_and_available(&pods, int(&set["spec"]["minReadySeconds"], 0));
        let updated = pods
            .iter()
            .filter(|pod| pod["metadata"]["labels"][REVISION_LABEL] == update_revision.as_str())
            .count();
        let current_revision = if updated == pods.len() && pods.len() == replicas {
            update_revision.clone()
        } else {
            set["status"]["currentRevision"]
                .as_str()
                .map_or_else(|| update_revision.clone(), str::to_owned)
        };
        let current = pods
            .iter()
            .filter(|pod| pod["metadata"]["labels"][REVISION_LABEL] == current_revision.as_str())
            .count();
        let status = json!({
            "observedGeneration": set["metadata"]["generation"], "replicas": pods.len(),
            "readyReplicas": ready, "availableReplicas": available, "currentReplicas": current,
            "updatedReplicas": updated, "currentRevision": current_revision, "updateRevision": update_revision,
            "collisionCount": 0,
        });
        self.writer
            .write_status("apps", "statefulsets", &set, status)
            .await?;
        Ok((available < ready).then_some(Duration::from_secs(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_come_from_the_set_name() {
        assert_eq!(ordinal("db", "db-2"), Some(2));
        assert_eq!(ordinal("db", "db-x"), None);
        assert_eq!(ordinal("db", "dbx-1"), None);
    }
}
