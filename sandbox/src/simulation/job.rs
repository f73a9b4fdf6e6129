//! The Job controller: runs pods until enough succeed (`completions`, `parallelism` at a time)
//! or too many fail (`backoffLimit`), and says which in its conditions.

use std::time::Duration;

use serde_json::{Value, json};

use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::objects::{
    Kind, Writer, condition, format_time, int, is_deleting, is_ready, own_or_owner,
};
use super::pods::create_recorded;
use super::pods::{PodName, active_pods, from_template, name_of, owned};
use crate::api::{self, ApiError};
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

/// The objects this controller reconciles.
const JOBS: Kind = Kind {
    group: "batch",
    plural: "jobs",
    kind: "Job",
};

/// The Job controller.
pub(super) struct JobController {
    writer: Writer,
    recorder: Recorder,
}

impl JobController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "job-controller");
        Self { writer, recorder }
    }
}

/// Whether the job has finished, successfully or not.
pub(super) fn is_finished(job: &Value) -> bool {
    ["Complete", "Failed"]
        .iter()
        .any(|kind| condition(job, kind).is_some_and(|c| c["status"] == "True"))
}

impl Controller for JobController {
    const NAME: &'static str = "job-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("batch", "jobs", |job| !is_finished(job))
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        own_or_owner(event, &JOBS, ("", "pods"))
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(job) = self.writer.get(key) else {
            return Ok(None);
        };
        if is_deleting(&job) || is_finished(&job) {
            return Ok(None);
        }
        let uid = job["metadata"]["uid"].as_str().unwrap_or_default();
        let namespace = key.namespace.as_str();
        let name = key.name.as_str();
        let pods = owned(&self.writer, &job, "", "pods");
        let phase = |pod: &Value| {
            pod["status"]["phase"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as i64;
        let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i64;
        let mut active: Vec<&Value> = pods
            .iter()
            .map(|p| &**p)
            .filter(|p| !matches!(phase(p).as_str(), "Succeeded" | "Failed") && !is_deleting(p))
            .collect();
        let completions = job["spec"]["completions"].as_i64();
        let parallelism = int(&job["spec"]["parallelism"], 1).max(0);
        let backoff_limit = int(&job["spec"]["backoffLimit"], 6);
        let suspended = job["spec"]["suspend"] == true;
        let now = api::now();
        let mut status = job["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        if status.get("startTime").is_none() && !suspended {
            status["startTime"] = json!(now);
        }

        let done = match completions {
            Some(wanted) => succeeded >= wanted,
            None => succeeded > 0 && active.is_empty(),
        };
        let mut finished = None;
        if done {
            finished = Some((
                "Complete",
                "",
                "",
                Severity::Normal,
                "Completed",
                "Job completed".to_owned(),
            ));
        } else if failed > backoff_limit {
            finished = Some((
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                Severity::Warning,
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit".to_owned(),
            ));
        } else if !suspended {
            let remaining =
                completions.map_or(parallelism, |wanted| (wanted - succeeded).min(parallelism));
            for _ in active.len() as i64..remaining {
                let pod = from_template(
                    &job,
                    &job["spec"]["template"],
                    PodName::Generated(name),
                    &[
                        ("batch.kubernetes.io/controller-uid", uid),
                        ("batch.kubernetes.io/job-name", name),
                        ("controller-uid", uid),
                        ("job-name", name),
                    ],
                );
                create_recorded(
                    &self.writer,
                    &self.recorder,
                    &job,
                    ("", "pods"),
                    pod,
                    |name| format!("Created pod: {name}"),
                )
                .await?;
            }
        }
        if let Some((kind, reason, message, severity, event_reason, event_message)) = finished {
            // A failed job stops what still runs.
            if kind == "Failed" {
                for pod in active.drain(..) {
                    self.writer
                        .delete("", "pods", Some(namespace), name_of(pod).0)
                        .await?;
                }
            }
            let mut conditions: Vec<Value> =
                status["conditions"].as_array().cloned().unwrap_or_default();
            let target = if kind == "Complete" {
                "SuccessCriteriaMet"
            } else {
                "FailureTarget"
            };
            for condition in [target, kind] {
                conditions.push(json!({"type": condition, "status": "True", "reason": reason, "message": message,
                                       "lastProbeTime": now, "lastTransitionTime": now}));
            }
            status["conditions"] = json!(conditions);
            if kind == "Complete" {
                status["completionTime"] = json!(format_time(jiff::Timestamp::now()));
            }
            self.recorder
                .record(&job, severity, event_reason, &event_message, None)
                .await;
        }
        let active_now = active_pods(&self.writer, &job);
        status["active"] = json!(active_now.len());
        status["ready"] = json!(active_now.iter().filter(|p| is_ready(p)).count());
        status["succeeded"] = json!(succeeded);
        status["failed"] = json!(failed);
        status["terminating"] = json!(0);
        status["uncountedTerminatedPods"] = json!({});
        self.writer
            .write_status("batch", "jobs", &job, status)
            .await?;
        Ok(None)
    }
}
