//! The one-step changes an object's page offers: scale, rollout restart and undo, cordon and
//! uncordon, suspend and resume. Each is one patch of the object, decided and audited as such,
//! and the page shows its progress from the object until the cluster reflects it.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::{ApiKind, ObjectRef};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ObjectError;

/// A change made to an object in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectAction {
    /// Sets a Deployment's or StatefulSet's replicas.
    Scale(u32),
    /// Replaces every pod of a workload with a new one, as `kubectl rollout restart` does.
    Restart,
    /// Brings a Deployment, StatefulSet or DaemonSet back to its previous revision, as
    /// `kubectl rollout undo` does.
    Undo,
    /// Marks a node unschedulable.
    Cordon,
    /// Marks a node schedulable again.
    Uncordon,
    /// Stops a CronJob from starting jobs.
    Suspend,
    /// Lets a suspended CronJob start jobs again.
    Resume,
}

/// The kinds that have actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ActionKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Node,
    CronJob,
}

impl ActionKind {
    fn of(kind: &ApiKind) -> Option<Self> {
        match (kind.group.as_str(), kind.resource.as_str()) {
            ("apps", "deployments") => Some(Self::Deployment),
            ("apps", "statefulsets") => Some(Self::StatefulSet),
            ("apps", "daemonsets") => Some(Self::DaemonSet),
            ("", "nodes") => Some(Self::Node),
            ("batch", "cronjobs") => Some(Self::CronJob),
            _ => None,
        }
    }
}

impl ObjectAction {
    /// The actions that apply to `object`, of kind `kind`, as it is now: a node is cordoned
    /// or uncordoned, a CronJob suspended or resumed, whichever it is not.
    pub fn offered(kind: &ApiKind, object: &Value) -> Vec<Self> {
        let replicas = || Self::Scale(replicas(object).try_into().unwrap_or(0));
        match ActionKind::of(kind) {
            Some(ActionKind::Deployment) => vec![replicas(), Self::Restart, Self::Undo],
            Some(ActionKind::StatefulSet) => vec![replicas(), Self::Restart, Self::Undo],
            Some(ActionKind::DaemonSet) => vec![Self::Restart, Self::Undo],
            Some(ActionKind::Node) if object["spec"]["unschedulable"] == true => {
                vec![Self::Uncordon]
            }
            Some(ActionKind::Node) => vec![Self::Cordon],
            Some(ActionKind::CronJob) if object["spec"]["suspend"] == true => vec![Self::Resume],
            Some(ActionKind::CronJob) => vec![Self::Suspend],
            None => Vec::new(),
        }
    }

    /// Whether the action is one of those `offered` for objects of `kind`, in either state.
    #[cfg(feature = "ssr")]
    fn applies_to(self, kind: &ApiKind) -> bool {
        let kind = ActionKind::of(kind);
        match self {
            Self::Scale(_) => {
                matches!(kind, Some(ActionKind::Deployment | ActionKind::StatefulSet))
            }
            Self::Restart | Self::Undo => matches!(
                kind,
                Some(ActionKind::Deployment | ActionKind::StatefulSet | ActionKind::DaemonSet)
            ),
            Self::Cordon | Self::Uncordon => kind == Some(ActionKind::Node),
            Self::Suspend | Self::Resume => kind == Some(ActionKind::CronJob),
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Scale(_) => "Scale",
            Self::Restart => "Restart",
            Self::Undo => "Undo rollout",
            Self::Cordon => "Cordon",
            Self::Uncordon => "Uncordon",
            Self::Suspend => "Suspend",
            Self::Resume => "Resume",
        }
    }
}

/// The replicas a workload's spec asks for (1 when it names none, as the API server defaults).
fn replicas(object: &Value) -> i64 {
    object["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// How far the workload `object` still is from what its spec asks, in the words
/// `kubectl rollout status` would use; none once it is there, and for other kinds.
pub fn rollout_progress(kind: &ApiKind, object: &Value) -> Option<String> {
    let status = &object["status"];
    let count = |field: &str| status[field].as_i64().unwrap_or(0);
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(0);
    if status["observedGeneration"].as_i64().unwrap_or(0) < generation {
        return Some("Waiting for the controller to see the change".into());
    }
    let (wanted, updated, total, available) = match ActionKind::of(kind)? {
        ActionKind::Deployment | ActionKind::StatefulSet => (
            replicas(object),
            count("updatedReplicas"),
            count("replicas"),
            count("availableReplicas"),
        ),
        ActionKind::DaemonSet => (
            count("desiredNumberScheduled"),
            count("updatedNumberScheduled"),
            count("currentNumberScheduled"),
            count("numberAvailable"),
        ),
        ActionKind::Node | ActionKind::CronJob => return None,
    };
    if updated < wanted {
        Some(format!("{updated} of {wanted} pods updated"))
    } else if total > updated {
        let old = total - updated;
        let pods = if old == 1 { "pod" } else { "pods" };
        Some(format!("{old} old {pods} waiting to end"))
    } else if available < wanted {
        Some(format!("{available} of {wanted} pods available"))
    } else {
        None
    }
}

/// Does `action` to the object `target` names.
#[server(endpoint = "objects/act", input = Json)]
pub async fn act_on_object(target: ObjectRef, action: ObjectAction) -> Result<(), ObjectError> {
    ssr::act(&target, action).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use http::{Method, StatusCode};
    use orbital_types::{ApiKind, ObjectRef};
    use serde_json::{Value, json};

    use super::{ActionKind, ObjectAction};
    use crate::api::ObjectError;
    use crate::api::object_call::{self, Ask};

    const MERGE: &str = "application/merge-patch+json";
    const JSON_PATCH: &str = "application/json-patch+json";
    const REVISION: &str = "deployment.kubernetes.io/revision";
    const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

    fn bad_request(message: String) -> ObjectError {
        object_call::refuse(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub(super) async fn act(target: &ObjectRef, action: ObjectAction) -> Result<(), ObjectError> {
        let kind = object_call::kind(&target.cluster, &target.address()).await?;
        if target.name.is_none() || !action.applies_to(&kind) {
            return Err(bad_request(format!(
                "{} does not apply to {}",
                action.label(),
                target.name.as_deref().map_or_else(
                    || format!("the collection of {}", kind.kind),
                    |name| format!("{} {name}", kind.kind)
                ),
            )));
        }
        let ask = Ask::new(Method::PATCH, target);
        let ask = match action {
            ObjectAction::Scale(replicas) => {
                let mut ask = ask.json(&json!({"spec": {"replicas": replicas}}), MERGE);
                ask.subresource = Some("scale");
                ask
            }
            ObjectAction::Restart => {
                let now = jiff::Timestamp::now()
                    .round(jiff::Unit::Second)
                    .map_err(|error| {
                        bad_request(format!("the server's clock cannot be read: {error}"))
                    })?;
                let annotations = json!({ RESTARTED_AT: now.to_string() });
                let patch =
                    json!({"spec": {"template": {"metadata": {"annotations": annotations}}}});
                ask.json(&patch, MERGE)
            }
            ObjectAction::Undo => ask.json(&undo_patch(target, &kind).await?, JSON_PATCH),
            ObjectAction::Cordon => ask.json(&json!({"spec": {"unschedulable": true}}), MERGE),
            ObjectAction::Uncordon => ask.json(&json!({"spec": {"unschedulable": null}}), MERGE),
            ObjectAction::Suspend => ask.json(&json!({"spec": {"suspend": true}}), MERGE),
            ObjectAction::Resume => ask.json(&json!({"spec": {"suspend": false}}), MERGE),
        };
        object_call::send(ask).await.map(drop)
    }

    /// The JSON patch that puts a workload's previous pod template back, as `kubectl rollout
    /// undo` picks it: for a Deployment the template of the ReplicaSet of the revision before
    /// the newest, for a StatefulSet or DaemonSet that of the ControllerRevision before the
    /// newest. The patch is made against the workload's generation, so a change to its spec made
    /// meanwhile fails it rather than being undone blindly (its status may change freely).
    async fn undo_patch(target: &ObjectRef, kind: &ApiKind) -> Result<Value, ObjectError> {
        let workload = object_call::json(&object_call::send(Ask::new(Method::GET, target)).await?)?;
        let uid = workload["metadata"]["uid"].as_str().unwrap_or_default();
        let mut history: Vec<(i64, Value)> = if ActionKind::of(kind) == Some(ActionKind::Deployment)
        {
            object_call::owned_by(target, ("apps", "replicasets"), uid)
                .await?
                .into_iter()
                .map(|replica_set| {
                    let revision = replica_set["metadata"]["annotations"][REVISION]
                        .as_str()
                        .and_then(|text| text.parse().ok())
                        .unwrap_or(0);
                    let mut template = replica_set["spec"]["template"].clone();
                    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
                        labels.remove("pod-template-hash");
                    }
                    (revision, template)
                })
                .collect()
        } else {
            object_call::owned_by(target, ("apps", "controllerrevisions"), uid)
                .await?
                .into_iter()
                .map(|revision| {
                    let number = revision["revision"].as_i64().unwrap_or(0);
                    (number, revision["data"]["spec"]["template"].clone())
                })
                .collect()
        };
        history.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
        let Some((_, template)) = history.into_iter().nth(1) else {
            return Err(bad_request(format!(
                "{} {} has no earlier revision to go back to",
                kind.kind,
                target.name.as_deref().unwrap_or_default()
            )));
        };
        Ok(json!([
            {"op": "test", "path": "/metadata/generation",
             "value": workload["metadata"]["generation"]},
            {"op": "replace", "path": "/spec/template", "value": template},
        ]))
    }
}

#[cfg(test)]
mod tests {
    use orbital_types::{ApiKind, ApiVerb};
    use serde_json::json;

    use super::{ObjectAction, rollout_progress};

    fn kind(group: &str, resource: &str) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            kind: String::new(),
            namespaced: true,
            verbs: vec![ApiVerb::Patch],
        }
    }

    #[test]
    fn each_kind_is_offered_what_applies_to_it_as_it_is() {
        let deployment = json!({"spec": {"replicas": 3}});
        assert_eq!(
            ObjectAction::offered(&kind("apps", "deployments"), &deployment),
            [
                ObjectAction::Scale(3),
                ObjectAction::Restart,
                ObjectAction::Undo
            ]
        );
        assert_eq!(
            ObjectAction::offered(&kind("apps", "statefulsets"), &json!({})),
            [
                ObjectAction::Scale(1),
                ObjectAction::Restart,
                ObjectAction::Undo
            ]
        );
        let nodes = kind("", "nodes");
        assert_eq!(
            ObjectAction::offered(&nodes, &json!({})),
            [ObjectAction::Cordon]
        );
        let cordoned = json!({"spec": {"unschedulable": true}});
        assert_eq!(
            ObjectAction::offered(&nodes, &cordoned),
            [ObjectAction::Uncordon]
        );
        let suspended = json!({"spec": {"suspend": true}});
        assert_eq!(
            ObjectAction::offered(&kind("batch", "cronjobs"), &suspended),
            [ObjectAction::Resume]
        );
        assert!(ObjectAction::offered(&kind("", "configmaps"), &json!({})).is_empty());
    }

    #[test]
    fn a_rollout_is_in_progress_until_every_pod_is_updated_and_available() {
        let deployments = kind("apps", "deployments");
        let at = |status| json!({"metadata": {"generation": 2}, "spec": {"replicas": 3}, "status": status});
        let progress = |status| rollout_progress(&deployments, &at(status));
        assert_eq!(
            progress(json!({"observedGeneration": 1})).as_deref(),
            Some("Waiting for the controller to see the change")
        );
        let seen = |updated: i64, total: i64, available: i64| {
            progress(json!({"observedGeneration": 2, "updatedReplicas": updated,
                            "replicas": total, "availableReplicas": available}))
        };
        assert_eq!(seen(1, 3, 0).as_deref(), Some("1 of 3 pods updated"));
        assert_eq!(seen(3, 4, 3).as_deref(), Some("1 old pod waiting to end"));
        assert_eq!(seen(3, 3, 2).as_deref(), Some("2 of 3 pods available"));
        assert_eq!(seen(3, 3, 3), None);
        let daemon = json!({"status": {"desiredNumberScheduled": 2, "updatedNumberScheduled": 1}});
        assert_eq!(
            rollout_progress(&kind("apps", "daemonsets"), &daemon).as_deref(),
            Some("1 of 2 pods updated")
        );
        assert_eq!(rollout_progress(&kind("", "nodes"), &json!({})), None);
    }
}
