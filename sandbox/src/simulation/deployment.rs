//! The Deployment controller: one ReplicaSet per pod template, rolled out by the Deployment's
//! strategy, old ones kept for `rollout undo`, and a status that says how far the rollout is.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::objects::{
    Kind, Writer, condition, controller_reference, hash_label, int, own_or_owner, time,
};
use super::pods::{name_of, owned};
use crate::api::{self, ApiError};
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

const REVISION: &str = "deployment.kubernetes.io/revision";
const HASH_LABEL: &str = "pod-template-hash";

/// The objects this controller reconciles.
const DEPLOYMENTS: Kind = Kind {
    group: "apps",
    plural: "deployments",
    kind: "Deployment",
};

/// The Deployment controller.
pub(super) struct DeploymentController {
    writer: Writer,
    recorder: Recorder,
}

/// A template without what does not change its meaning: absent-equivalent empty values and
/// the hash label the controller adds. Templates are compared and hashed in this form.
pub(super) fn normalized_template(template: &Value) -> Value {
    fn strip(value: &Value) -> Option<Value> {
        match value {
            Value::Null => None,
            Value::Object(map) => {
                let kept: serde_json::Map<String, Value> = map
                    .iter()
                    .filter_map(|(key, value)| strip(value).map(|v| (key.clone(), v)))
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            Value::Array(items) if items.is_empty() => None,
            Value::Array(items) => Some(Value::Array(
                items
                    .iter()
                    .map(|i| strip(i).unwrap_or(json!({})))
                    .collect(),
            )),
            other => Some(other.clone()),
        }
    }
    let mut template = template.clone();
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
    }
    strip(&template).unwrap_or(json!({}))
}

fn revision(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// `maxSurge`/`maxUnavailable` against `replicas`: a number, or a percentage rounded up (surge)
/// or down (unavailable).
pub(super) fn resolve(value: &Value, replicas: i64, round_up: bool, default: &str) -> i64 {
    let value = if value.is_null() {
        json!(default)
    } else {
        value.clone()
    };
    match value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(text) => {
            let percent: i64 = text.trim_end_matches('%').parse().unwrap_or(0);
            let scaled = percent * replicas;
            if round_up {
                (scaled + 99) / 100
            } else {
                scaled / 100
            }
        }
        _ => 0,
    }
}

/// A ReplicaSet's replicas as the rollout wants them.
struct Scaling {
    rs: Arc<Value>,
    to: i64,
}

impl DeploymentController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "deployment-controller");
        Self { writer, recorder }
    }

    async fn create_replica_set(
        &self,
        deployment: &Value,
        revision: i64,
    ) -> Result<(Arc<Value>, bool), ApiError> {
        let (name, namespace) = name_of(deployment);
        let template = normalized_template(&deployment["spec"]["template"]);
        let hash = hash_label(&template);
        let mut rs_template = template.clone();
        rs_template["metadata"]["labels"][HASH_LABEL] = json!(hash);
        let mut selector = deployment["spec"]["selector"].clone();
        selector["matchLabels"][HASH_LABEL] = json!(hash);
        let replicas = int(&deployment["spec"]["replicas"], 1);
        let surge = resolve(
            &deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
            replicas,
            true,
            "25%",
        );
        let rs = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": format!("{name}-{hash}"), "namespace": namespace,
                "labels": rs_template["metadata"]["labels"],
                "annotations": {REVISION: revision.to_string(),
                                "deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                                "deployment.kubernetes.io/max-replicas": (replicas + surge).to_string()},
                "ownerReferences": [controller_reference(deployment)],
            },
            "spec": {"replicas": 0, "minReadySeconds": int(&deployment["spec"]["minReadySeconds"], 0),
                     "selector": selector, "template": rs_template},
        });
        match self
            .writer
            .create("apps", "replicasets", Some(namespace), rs)
            .await
        {
            Ok(created) => Ok((created, true)),
            Err(ApiError::AlreadyExists { .. }) => {
                let key =
                    ObjectKey::new("apps", "replicasets", namespace, &format!("{name}-{hash}"));
                let existing = self
                    .writer
                    .get(&key)
                    .ok_or_else(|| ApiError::Internal("replica set vanished".into()))?;
                Ok((existing, false))
            }
            Err(error) => Err(error),
        }
    }

    /// Writes `change` to the ReplicaSet `rs` as it is stored now.
    async fn update_replica_set(
        &self,
        rs: &Value,
        change: impl FnOnce(&mut Value) + Send + 'static,
    ) -> Result<(), ApiError> {
        let (name, namespace) = name_of(rs);
        self.writer
            .update(
                "apps",
                "replicasets",
                Some(namespace),
                name,
                None,
                move |rs| {
                    let mut rs = rs.clone();
                    change(&mut rs);
                    rs
                },
            )
            .await?;
        Ok(())
    }

    async fn scale(&self, deployment: &Value, scaling: &Scaling) -> Result<(), ApiError> {
        let name = name_of(&scaling.rs).0;
        let from = int(&scaling.rs["spec"]["replicas"], 0);
        let to = scaling.to;
        let replicas = int(&deployment["spec"]["replicas"], 1);
        self.update_replica_set(&scaling.rs, move |rs| {
            rs["spec"]["replicas"] = json!(to);
            rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
                json!(replicas.to_string());
        })
        .await?;
        let direction = if to > from { "up" } else { "down" };
        self.recorder
            .record(
                deployment,
                Severity::Normal,
                "ScalingReplicaSet",
                &format!("Scaled {direction} replica set {name} from {from} to {to}"),
                None,
            )
            .await;
        Ok(())
    }

    /// The scalings one step of a rolling update makes.
    fn rolling_step(deployment: &Value, new: &Arc<Value>, old: &[Arc<Value>]) -> Vec<Scaling> {
        let replicas = int(&deployment["spec"]["replicas"], 1);
        let rolling = &deployment["spec"]["strategy"]["rollingUpdate"];
        let surge = resolve(&rolling["maxSurge"], replicas, true, "25%");
        let mut unavailable = resolve(&rolling["maxUnavailable"], replicas, false, "25%");
        if surge == 0 && unavailable == 0 {
            unavailable = 1;
        }
        let spec = |rs: &Value| int(&rs["spec"]["replicas"], 0);
        let available = |rs: &Value| int(&rs["status"]["availableReplicas"], 0);
        let total: i64 = spec(new) + old.iter().map(|rs| spec(rs)).sum::<i64>();
        let new_spec = spec(new);
        if new_spec > replicas {
            return vec![Scaling {
                rs: Arc::clone(new),
                to: replicas,
            }];
        }
        if new_spec < replicas {
            let allowed = replicas + surge - total;
            if allowed > 0 {
                return vec![Scaling {
                    rs: Arc::clone(new),
                    to: (new_spec + allowed).min(replicas),
                }];
            }
        }
        let min_available = replicas - unavailable;
        let new_unavailable = (new_spec - available(new)).max(0);
        let mut budget = total - min_available - new_unavailable;
        let mut scalings = Vec::new();
        let mut olds: Vec<&Arc<Value>> = old.iter().filter(|rs| spec(rs) > 0).collect();
        olds.sort_by_key(|rs| revision(rs));
        let mut targets: Vec<i64> = olds.iter().map(|rs| spec(rs)).collect();
        // Unavailable old pods go first: removing them costs no availability.
        for (rs, target) in olds.iter().zip(targets.iter_mut()) {
            let unhealthy = (*target - available(rs)).max(0).min(budget.max(0));
            *target -= unhealthy;
            budget -= unhealthy;
        }
        let all_available: i64 = available(new) + olds.iter().map(|rs| available(rs)).sum::<i64>();
        let mut removable = (all_available - min_available).max(0);
        for (rs, target) in olds.iter().zip(targets.iter_mut()) {
            let down = (*target).min(removable).min(available(rs));
            *target -= down;
            removable -= down;
        }
        for (rs, target) in olds.into_iter().zip(targets) {
            if target != spec(rs) {
                scalings.push(Scaling {
                    rs: Arc::clone(rs),
                    to: target,
                });
            }
        }
        scalings
    }

    fn recreate_step(deployment: &Value, new: &Arc<Value>, old: &[Arc<Value>]) -> Vec<Scaling> {
        let spec = |rs: &Value| int(&rs["spec"]["replicas"], 0);
        let running_old: Vec<Scaling> = old
            .iter()
            .filter(|rs| spec(rs) > 0)
            .map(|rs| Scaling {
                rs: Arc::clone(rs),
                to: 0,
            })
            .collect();
        if !running_old.is_empty() {
            return running_old;
        }
        if old.iter().any(|rs| int(&rs["status"]["replicas"], 0) > 0) {
            return Vec::new();
        }
        let replicas = int(&deployment["spec"]["replicas"], 1);
        if spec(new) == replicas {
            Vec::new()
        } else {
            vec![Scaling {
                rs: Arc::clone(new),
                to: replicas,
            }]
        }
    }

    async fn clean_up(&self, deployment: &Value, old: &[Arc<Value>]) -> Result<(), ApiError> {
        let limit = int(&deployment["spec"]["revisionHistoryLimit"], 10).max(0) as usize;
        let mut idle: Vec<&Arc<Value>> = old
            .iter()
            .filter(|rs| {
                int(&rs["spec"]["replicas"], 0) == 0 && int(&rs["status"]["replicas"], 0) == 0
            })
            .collect();
        if idle.len() <= limit {
            return Ok(());
        }
        idle.sort_by_key(|rs| revision(rs));
        for rs in &idle[..idle.len() - limit] {
            let (name, namespace) = name_of(rs);
            self.writer
                .delete("apps", "replicasets", Some(namespace), name)
                .await?;
        }
        Ok(())
    }

    async fn write_status(
        &self,
        deployment: &Value,
        new: &Value,
        all: &[Arc<Value>],
        created: bool,
    ) -> Result<Option<Duration>, ApiError> {
        let (name, namespace) = name_of(deployment);
        let sum = |field: &str| {
            all.iter()
                .map(|rs| int(&rs["status"][field], 0))
                .sum::<i64>()
        };
        let replicas = int(&deployment["spec"]["replicas"], 1);
        let unavailable_allowed = {
            let rolling = &deployment["spec"]["strategy"]["rollingUpdate"];
            if deployment["spec"]["strategy"]["type"] == "Recreate" {
                0
            } else {
                resolve(&rolling["maxUnavailable"], replicas, false, "25%")
            }
        };
        let total_spec: i64 = all.iter().map(|rs| int(&rs["spec"]["replicas"], 0)).sum();
        let available = sum("availableReplicas");
        let updated = int(&new["status"]["replicas"], 0);
        let current = sum("replicas");
        let mut status = json!({
            "observedGeneration": deployment["metadata"]["generation"],
            "replicas": current, "updatedReplicas": updated,
            "readyReplicas": sum("readyReplicas"), "availableReplicas": available,
            "unavailableReplicas": (total_spec - available).max(0),
        });
        let now = api::now();
        let previous = &deployment["status"];
        let mut conditions = Vec::new();
        let is_available = available >= replicas - unavailable_allowed;
        let (value, reason, message) = if is_available {
            (
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        } else {
            (
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        };
        conditions.push(stamped(
            deployment,
            "Available",
            value,
            reason,
            message.to_owned(),
            &now,
            false,
        ));

        let new_name = name_of(new).0;
        let complete = updated == replicas
            && current == replicas
            && int(&new["status"]["availableReplicas"], 0) >= replicas;
        let progressed = [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
        ]
        .iter()
        .any(|field| previous[*field] != status[*field]);
        let deadline = int(&deployment["spec"]["progressDeadlineSeconds"], 600);
        let progressing = condition(deployment, "Progressing");
        let mut wake = None;
        let (value, reason, message, touch) = if complete {
            (
                "True",
                "NewReplicaSetAvailable",
                format!("ReplicaSet \"{new_name}\" has successfully progressed."),
                progressed,
            )
        } else if created {
            (
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set \"{new_name}\""),
                true,
            )
        } else if progressed
            || progressing.is_none()
            || progressing.is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
        {
            wake = Some(Duration::from_secs(deadline.max(0) as u64));
            (
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{new_name}\" is progressing."),
                true,
            )
        } else {
            let last_update = progressing
                .and_then(|c| time(&c["lastUpdateTime"]))
                .unwrap_or_else(Timestamp::now);
            let elapsed = Timestamp::now().duration_since(last_update).as_secs();
            if elapsed >= deadline {
                (
                    "False",
                    "ProgressDeadlineExceeded",
                    format!("ReplicaSet \"{new_name}\" has timed out progressing."),
                    false,
                )
            } else {
                wake = Some(Duration::from_secs((deadline - elapsed).max(1) as u64));
                let reason = progressing
                    .and_then(|c| c["reason"].as_str())
                    .unwrap_or("ReplicaSetUpdated");
                let message = progressing
                    .and_then(|c| c["message"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                (
                    "True",
                    if reason == "NewReplicaSetCreated" {
                        "NewReplicaSetCreated"
                    } else {
                        "ReplicaSetUpdated"
                    },
                    message,
                    false,
                )
            }
        };
        conditions.push(stamped(
            deployment,
            "Progressing",
            value,
            reason,
            message,
            &now,
            touch,
        ));
        status["conditions"] = json!(conditions);
        if *previous != status {
            self.writer
                .update_status("apps", "deployments", Some(namespace), name, move |d| {
                    let mut d = d.clone();
                    d["status"] = status;
                    d
                })
                .await?;
        }
        Ok(wake)
    }
}

/// A deployment condition; `lastUpdateTime` moves when `touch` or the condition changed,
/// `lastTransitionTime` only when its status changed.
fn stamped(
    deployment: &Value,
    kind: &str,
    value: &str,
    reason: &str,
    message: String,
    now: &str,
    touch: bool,
) -> Value {
    let previous = condition(deployment, kind);
    let same_status = previous.is_some_and(|c| c["status"] == value);
    let same = same_status
        && previous.is_some_and(|c| c["reason"] == reason && c["message"] == message.as_str());
    let keep = |field: &str| {
        previous
            .and_then(|c| c[field].as_str())
            .unwrap_or(now)
            .to_owned()
    };
    json!({
        "type": kind, "status": value, "reason": reason, "message": message,
        "lastUpdateTime": if same && !touch { keep("lastUpdateTime") } else { now.to_owned() },
        "lastTransitionTime": if same_status { keep("lastTransitionTime") } else { now.to_owned() },
    })
}

impl Controller for DeploymentController {
    const NAME: &'static str = "deployment-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("apps", "deployments", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        own_or_owner(event, &DEPLOYMENTS, ("apps", "replicasets"))
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(deployment) = self.writer.live(key) else {
            return Ok(None);
        };
        let namespace = key.namespace.as_str();
        let owned = || owned(&self.writer, &deployment, "apps", "replicasets");
        let all = owned();
        let template = normalized_template(&deployment["spec"]["template"]);
        let max_revision = all.iter().map(|rs| revision(rs)).max().unwrap_or(0);
        let mut created = false;
        let new = match all
            .iter()
            .find(|rs| normalized_template(&rs["spec"]["template"]) == template)
        {
            Some(rs) => Arc::clone(rs),
            None => {
                let (rs, fresh) = self
                    .create_replica_set(&deployment, max_revision + 1)
                    .await?;
                created = fresh;
                rs
            }
        };
        // A template used before (`rollout undo`) takes the next revision again.
        let new_revision = if revision(&new) < max_revision {
            let next = max_revision + 1;
            self.update_replica_set(&new, move |rs| {
                rs["metadata"]["annotations"][REVISION] = json!(next.to_string());
            })
            .await?;
            next
        } else {
            revision(&new)
        };
        let revision_text = new_revision.to_string();
        if deployment["metadata"]["annotations"][REVISION] != revision_text.as_str() {
            self.writer
                .update(
                    "apps",
                    "deployments",
                    Some(namespace),
                    &key.name,
                    None,
                    move |d| {
                        let mut d = d.clone();
                        d["metadata"]["annotations"][REVISION] = json!(new_revision.to_string());
                        d
                    },
                )
                .await?;
            return Ok(Some(Duration::ZERO));
        }
        let new_uid = new["metadata"]["uid"].clone();
        let old: Vec<Arc<Value>> = owned()
            .into_iter()
            .filter(|rs| rs["metadata"]["uid"] != new_uid)
            .collect();
        let new = owned()
            .into_iter()
            .find(|rs| rs["metadata"]["uid"] == new_uid)
            .unwrap_or(new);
        if deployment["spec"]["paused"] != true {
            let scalings = if deployment["spec"]["strategy"]["type"] == "Recreate" {
                Self::recreate_step(&deployment, &new, &old)
            } else {
                Self::rolling_step(&deployment, &new, &old)
            };
            for scaling in &scalings {
                self.scale(&deployment, scaling).await?;
            }
            self.clean_up(&deployment, &old).await?;
        }
        let all = owned();
        let new = all
            .iter()
            .find(|rs| rs["metadata"]["uid"] == new_uid)
            .cloned()
            .unwrap_or(new);
        self.write_status(&deployment, &new, &all, created).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(name: &str, revision: i64, spec: i64, available: i64) -> Arc<Value> {
        Arc::new(
            json!({"metadata": {"name": name, "annotations": {REVISION: revision.to_string()}},
                        "spec": {"replicas": spec}, "status": {"replicas": spec, "availableReplicas": available}}),
        )
    }

    fn deployment(replicas: i64) -> Value {
        json!({"spec": {"replicas": replicas}})
    }

    #[test]
    fn percentages_round_the_kubernetes_way() {
        assert_eq!(resolve(&Value::Null, 10, true, "25%"), 3);
        assert_eq!(resolve(&Value::Null, 10, false, "25%"), 2);
        assert_eq!(resolve(&json!(2), 10, true, "25%"), 2);
        assert_eq!(resolve(&json!("50%"), 3, true, "25%"), 2);
    }

    #[test]
    fn a_rollout_surges_then_retires_old_pods_within_its_budget() {
        let d = deployment(4);
        // Surge: 1 extra pod allowed (25% of 4).
        let step =
            DeploymentController::rolling_step(&d, &rs("new", 2, 0, 0), &[rs("old", 1, 4, 4)]);
        assert_eq!(step.len(), 1);
        assert_eq!((name_of(&step[0].rs).0, step[0].to), ("new", 1));
        // New pod not available yet: one old pod may go (maxUnavailable 1).
        let step =
            DeploymentController::rolling_step(&d, &rs("new", 2, 1, 0), &[rs("old", 1, 4, 4)]);
        assert_eq!((name_of(&step[0].rs).0, step[0].to), ("old", 3));
        // The new pod became available: the old one scales down further.
        let step =
            DeploymentController::rolling_step(&d, &rs("new", 2, 1, 1), &[rs("old", 1, 3, 3)]);
        assert_eq!((name_of(&step[0].rs).0, step[0].to), ("new", 2));
        let step =
            DeploymentController::rolling_step(&d, &rs("new", 2, 2, 2), &[rs("old", 1, 3, 3)]);
        assert_eq!((name_of(&step[0].rs).0, step[0].to), ("old", 1));
        let step =
            DeploymentController::rolling_step(&d, &rs("new", 2, 4, 4), &[rs("old", 1, 0, 0)]);
        assert!(step.is_empty());
    }

    #[test]
    fn scaling_without_a_rollout_moves_only_the_new_replica_set() {
        let step = DeploymentController::rolling_step(&deployment(5), &rs("new", 1, 3, 3), &[]);
        assert_eq!(step[0].to, 5);
        let step = DeploymentController::rolling_step(&deployment(3), &rs("new", 1, 5, 5), &[]);
        assert_eq!(step[0].to, 3);
    }

    #[test]
    fn templates_compare_without_empty_values_or_the_hash_label() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        let b = json!({"metadata": {"creationTimestamp": null, "labels": {"app": "web", HASH_LABEL: "x"}},
                       "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {}}]}});
        assert_eq!(normalized_template(&a), normalized_template(&b));
        assert_eq!(
            hash_label(&normalized_template(&a)),
            hash_label(&normalized_template(&b))
        );
    }
}
