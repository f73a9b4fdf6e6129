//! The CronJob controller: creates a Job for each scheduled time, honours `suspend`,
//! `concurrencyPolicy` and `startingDeadlineSeconds`, and keeps a bounded history.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::cron::Schedule;
use super::driver::Controller;
use super::events::{Recorder, Severity};
use super::job::is_finished;
use super::objects::{
    Kind, Writer, condition, controller_reference, format_time, int, is_deleting, own_or_owner,
    time,
};
use super::pods::{create_recorded, delete_recorded};
use super::pods::{name_of, owned};
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, ObjectKey};

/// The objects this controller reconciles.
const CRON_JOBS: Kind = Kind {
    group: "batch",
    plural: "cronjobs",
    kind: "CronJob",
};

/// The CronJob controller.
pub(super) struct CronJobController {
    writer: Writer,
    recorder: Recorder,
}

impl CronJobController {
    pub(super) fn new(writer: Writer) -> Self {
        let recorder = Recorder::new(writer.clone(), "cronjob-controller");
        Self { writer, recorder }
    }

    async fn start_job(&self, cronjob: &Value, scheduled: Timestamp) -> Result<(), ApiError> {
        let (name, namespace) = name_of(cronjob);
        let job_name = format!("{name}-{}", scheduled.as_second() / 60);
        let template = &cronjob["spec"]["jobTemplate"];
        let mut metadata = template["metadata"].clone();
        if !metadata.is_object() {
            metadata = json!({});
        }
        metadata["name"] = json!(job_name);
        metadata["namespace"] = json!(namespace);
        metadata["ownerReferences"] = json!([controller_reference(cronjob)]);
        metadata["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
            json!(format_time(scheduled));
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template["spec"]});
        // A job that already exists was created before a restart: the schedule already fired.
        create_recorded(
            &self.writer,
            &self.recorder,
            cronjob,
            ("batch", "jobs"),
            job,
            |name| format!("Created job {name}"),
        )
        .await
        .map(drop)
    }

    async fn trim_history(&self, cronjob: &Value, finished: &[Arc<Value>]) -> Result<(), ApiError> {
        for (kind, limit) in [
            (
                "Complete",
                int(&cronjob["spec"]["successfulJobsHistoryLimit"], 3),
            ),
            ("Failed", int(&cronjob["spec"]["failedJobsHistoryLimit"], 1)),
        ] {
            let mut jobs: Vec<&Arc<Value>> = finished
                .iter()
                .filter(|job| condition(job, kind).is_some_and(|c| c["status"] == "True"))
                .collect();
            jobs.sort_by_key(|job| {
                job["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            });
            let surplus = jobs.len().saturating_sub(limit.max(0) as usize);
            for job in &jobs[..surplus] {
                let job_name = name_of(job).0;
                delete_recorded(
                    &self.writer,
                    &self.recorder,
                    cronjob,
                    ("batch", "jobs"),
                    job_name,
                    format!("Deleted job {job_name}"),
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl Controller for CronJobController {
    const NAME: &'static str = "cronjob-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("batch", "cronjobs", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        own_or_owner(event, &CRON_JOBS, ("batch", "jobs"))
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let Some(cronjob) = self.writer.live(key) else {
            return Ok(None);
        };
        let namespace = key.namespace.as_str();
        let schedule = match Schedule::parse(
            cronjob["spec"]["schedule"].as_str().unwrap_or_default(),
            cronjob["spec"]["timeZone"].as_str(),
        ) {
            Ok(schedule) => schedule,
            Err(error) => {
                self.recorder
                    .record(
                        &cronjob,
                        Severity::Warning,
                        "UnparseableSchedule",
                        &error.to_string(),
                        None,
                    )
                    .await;
                return Ok(None);
            }
        };
        let owned = || owned(&self.writer, &cronjob, "batch", "jobs");
        let jobs = owned();
        let active: Vec<&Arc<Value>> = jobs
            .iter()
            .filter(|job| !is_finished(job) && !is_deleting(job))
            .collect();
        let now = Timestamp::now();
        let last_scheduled = time(&cronjob["status"]["lastScheduleTime"])
            .or_else(|| time(&cronjob["metadata"]["creationTimestamp"]))
            .unwrap_or(now);
        let mut scheduled_now = None;
        if cronjob["spec"]["suspend"] != true
            && let Some(due) = schedule.last_due(last_scheduled, now)
        {
            let deadline = cronjob["spec"]["startingDeadlineSeconds"].as_i64();
            let too_late = deadline.is_some_and(|d| now.duration_since(due).as_secs() > d);
            let policy = cronjob["spec"]["concurrencyPolicy"]
                .as_str()
                .unwrap_or("Allow");
            if too_late {
                self.recorder
                    .record(
                        &cronjob,
                        Severity::Warning,
                        "MissSchedule",
                        &format!("Missed scheduled time to start a job: {}", format_time(due)),
                        None,
                    )
                    .await;
                scheduled_now = Some(due);
            } else if policy == "Forbid" && !active.is_empty() {
                self.recorder
                    .record(&cronjob, Severity::Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", None)
                    .await;
            } else {
                if policy == "Replace" {
                    for job in &active {
                        let job_name = name_of(job).0;
                        delete_recorded(
                            &self.writer,
                            &self.recorder,
                            &cronjob,
                            ("batch", "jobs"),
                            job_name,
                            format!("Deleted job {job_name}"),
                        )
                        .await?;
                    }
                }
                self.start_job(&cronjob, due).await?;
                scheduled_now = Some(due);
            }
        }
        let jobs = owned();
        let finished: Vec<Arc<Value>> = jobs
            .iter()
            .filter(|job| is_finished(job))
            .cloned()
            .collect();
        self.trim_history(&cronjob, &finished).await?;
        let active_refs: Vec<Value> = jobs
            .iter()
            .filter(|job| !is_finished(job) && !is_deleting(job))
            .map(|job| {
                json!({"apiVersion": "batch/v1", "kind": "Job", "name": job["metadata"]["name"],
                              "namespace": namespace, "uid": job["metadata"]["uid"],
                              "resourceVersion": job["metadata"]["resourceVersion"]})
            })
            .collect();
        let last_success = finished
            .iter()
            .filter(|job| condition(job, "Complete").is_some_and(|c| c["status"] == "True"))
            .filter_map(|job| job["status"]["completionTime"].as_str().map(str::to_owned))
            .max();
        let mut status = cronjob["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        status["active"] = if active_refs.is_empty() {
            Value::Null
        } else {
            json!(active_refs)
        };
        if let Some(at) = scheduled_now {
            status["lastScheduleTime"] = json!(format_time(at));
        }
        if let Some(at) = last_success {
            status["lastSuccessfulTime"] = json!(at);
        }
        if let Some(map) = status.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        self.writer
            .write_status("batch", "cronjobs", &cronjob, status)
            .await?;
        let next = schedule.next_after(now).map(|at| {
            Duration::from_millis(at.duration_since(now).as_millis().max(0) as u64)
                + Duration::from_millis(50)
        });
        Ok(next)
    }
}
