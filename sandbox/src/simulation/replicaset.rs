//! The ReplicaSet controller: keeps the number of pods a ReplicaSet asks for, and its status true.

use std::time::Duration;

use serde_json::json;

use super::driver::Controller;
use super::events::Recorder;
use super::objects::{Kind, Writer, int, own_or_owner};
use super::pods::{
    PodName, active_pods, deletion_order, from_template, name_of, ready_and_available,
};
use super::pods::{create_recorded, delete_recorded};
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

/// The objects this controller reconciles.
const REPLICA_SETS: Kind = Kind {
    group: "apps",
    plural: "replicasets",
    kind: "ReplicaSet",
};

/// The ReplicaSet controller.
pub(super) struct ReplicaSetController {
    writer: Writer,
    recorder: Recorder,
}

impl ReplicaSetController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "replicaset-controller");
        Self { writer, recorder }
    }
}

impl Controller for ReplicaSetController {
    const NAME: &'static str = "replicaset-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("apps", "replicasets", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        own_or_owner(event, &REPLICA_SETS, ("", "pods"))
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(rs) = self.writer.live(key) else {
            return Ok(None);
        };
        let desired = int(&rs["spec"]["replicas"], 1).max(0) as usize;
        let mut pods = active_pods(&self.writer, &rs);
        if pods.len() < desired {
            for _ in pods.len()..desired {
                let pod = from_template(
                    &rs,
                    &rs["spec"]["template"],
                    PodName::Generated(&key.name),
                    &[],
                );
                create_recorded(
                    &self.writer,
                    &self.recorder,
                    &rs,
                    ("", "pods"),
                    pod,
                    |name| format!("Created pod: {name}"),
                )
                .await?;
            }
        } else if pods.len() > desired {
            deletion_order(&mut pods);
            for pod in pods.iter().take(pods.len() - desired) {
                let name = name_of(pod).0;
                delete_recorded(
                    &self.writer,
                    &self.recorder,
                    &rs,
                    ("", "pods"),
                    name,
                    format!("Deleted pod: {name}"),
                )
                .await?;
            }
        }
        let pods = active_pods(&self.writer, &rs);
        let min_ready = int(&rs["spec"]["minReadySeconds"], 0);
        let (ready, available) = ready_and_available(&pods, min_ready);
        let status = json!({
            "replicas": pods.len(), "fullyLabeledReplicas": pods.len(), "readyReplicas": ready,
            "availableReplicas": available, "observedGeneration": rs["metadata"]["generation"],
        });
        self.writer
            .write_status("apps", "replicasets", &rs, status)
            .await?;
        // Pods that are ready but not yet available become available with time alone.
        Ok((available < ready).then_some(Duration::from_secs(1)))
    }
}
