//! What an object owns, down the chain a workload makes (Deployment → ReplicaSets → Pods,
//! CronJob → Jobs → Pods), each with its state.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};

use super::ObjectError;

/// One object owned by another, directly or through others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedObject {
    /// How many owners up the object it was asked for is (1: directly).
    pub depth: usize,
    /// Its kind (`ReplicaSet`).
    pub kind: String,
    /// Its kind as page addresses name it (`replicasets.apps`).
    pub address: String,
    /// Its name.
    pub name: String,
    /// Its state in a few words (`Running`, `2/2 ready`).
    pub state: String,
}

/// Whether objects of `kind` make others (a Deployment its ReplicaSets, a Job its pods), so
/// that their page lists what they own.
pub fn makes(kind: &orbital_types::ApiKind) -> bool {
    matches!(
        kind.kind.as_str(),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob"
    ) && !kind.group.is_empty()
}

/// The objects that the object `target` names, with UID `uid` and kind `kind`, owns.
#[server(endpoint = "objects/owned", input = Json)]
pub async fn owned_objects(
    target: ObjectRef,
    kind: String,
    uid: String,
) -> Result<Vec<OwnedObject>, ObjectError> {
    ssr::owned(&target, &kind, &uid).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use orbital_types::ObjectRef;
    use serde_json::Value;

    use super::OwnedObject;
    use crate::api::ObjectError;
    use crate::api::object_call;

    /// The kind whose objects `kind` makes, as (group, resource, kind).
    fn made_by(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
        match kind {
            "Deployment" => Some(("apps", "replicasets", "ReplicaSet")),
            "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => Some(("", "pods", "Pod")),
            "CronJob" => Some(("batch", "jobs", "Job")),
            _ => None,
        }
    }

    /// A few words on an object's state.
    fn state(object: &Value) -> String {
        let status = &object["status"];
        if let Some(phase) = status["phase"].as_str() {
            let waiting = status["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| c["state"]["waiting"]["reason"].as_str());
            return waiting.unwrap_or(phase).to_owned();
        }
        if let Some(desired) = object["spec"]["replicas"].as_i64() {
            let ready = status["readyReplicas"].as_i64().unwrap_or(0);
            return format!("{ready}/{desired} ready");
        }
        let succeeded = status["succeeded"].as_i64().unwrap_or(0);
        let active = status["active"].as_i64().unwrap_or(0);
        format!("{active} active, {succeeded} succeeded")
    }

    pub(super) async fn owned(
        target: &ObjectRef,
        kind: &str,
        uid: &str,
    ) -> Result<Vec<OwnedObject>, ObjectError> {
        let mut found = Vec::new();
        let mut owners = vec![(kind.to_owned(), uid.to_owned())];
        for depth in 1..=2 {
            let mut next = Vec::new();
            for (owner_kind, owner_uid) in owners {
                let Some((group, resource, made)) = made_by(&owner_kind) else {
                    continue;
                };
                for item in &object_call::owned_by(target, (group, resource), &owner_uid).await? {
                    let name = item["metadata"]["name"].as_str().unwrap_or_default();
                    found.push(OwnedObject {
                        depth,
                        kind: made.to_owned(),
                        address: orbital_types::address(group, resource),
                        name: name.to_owned(),
                        state: state(item),
                    });
                    if let Some(uid) = item["metadata"]["uid"].as_str() {
                        next.push((made.to_owned(), uid.to_owned()));
                    }
                }
            }
            owners = next;
        }
        Ok(found)
    }
}
