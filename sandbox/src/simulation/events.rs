//! Recording `core/v1` Events, as components of a real cluster do: one object per distinct
//! happening, its `count` raised when the same thing happens again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use super::objects::{Writer, time};
use crate::api::{self, ApiError};
use crate::store::ObjectKey;

/// How long events are kept, as a real API server's default event TTL.
const TTL: Duration = Duration::from_secs(60 * 60);
/// How often expired events are removed.
const PRUNE_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// Whether an event reports normal progress or a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Severity {
    Normal,
    Warning,
}

/// Records events for one component (`kubelet`, `deployment-controller`, …).
#[derive(Clone)]
pub(super) struct Recorder {
    writer: Writer,
    component: &'static str,
    /// The event object already recorded for an (object, reason, message).
    recorded: Arc<Mutex<HashMap<String, ObjectKey>>>,
}

impl Recorder {
    /// A recorder for `component`, writing through `writer`.
    pub(super) fn new(writer: Writer, component: &'static str) -> Self {
        Self {
            writer,
            component,
            recorded: Arc::default(),
        }
    }

    /// Records that `reason` happened to `object`; `host` names the node for kubelet events.
    pub(super) async fn record(
        &self,
        object: &Value,
        severity: Severity,
        reason: &str,
        message: &str,
        host: Option<&str>,
    ) {
        self.record_at(object, None, severity, reason, message, host)
            .await;
    }

    /// Records that `reason` happened to one container of the pod `object`.
    pub(super) async fn record_container(
        &self,
        object: &Value,
        container: &str,
        severity: Severity,
        reason: &str,
        message: &str,
        host: Option<&str>,
    ) {
        let field_path = format!("spec.containers{{{container}}}");
        self.record_at(object, Some(&field_path), severity, reason, message, host)
            .await;
    }

    async fn record_at(
        &self,
        object: &Value,
        field_path: Option<&str>,
        severity: Severity,
        reason: &str,
        message: &str,
        host: Option<&str>,
    ) {
        let result = self
            .try_record(object, field_path, severity, reason, message, host)
            .await;
        if let Err(error) = result {
            tracing::debug!(component = self.component, "event not recorded: {error}");
        }
    }

    async fn try_record(
        &self,
        object: &Value,
        field_path: Option<&str>,
        severity: Severity,
        reason: &str,
        message: &str,
        host: Option<&str>,
    ) -> Result<(), ApiError> {
        let uid = api::meta_str(object, "uid").unwrap_or_default();
        let identity = format!(
            "{uid}\n{}\n{reason}\n{message}",
            field_path.unwrap_or_default()
        );
        let known = self
            .recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&identity)
            .cloned();
        let now = api::now();
        if let Some(key) = known {
            let stamp = now.clone();
            let repeated = self
                .writer
                .update(
                    "",
                    "events",
                    Some(&key.namespace),
                    &key.name,
                    None,
                    move |event| {
                        let mut event = event.clone();
                        event["count"] = json!(event["count"].as_i64().unwrap_or(1) + 1);
                        event["lastTimestamp"] = json!(stamp);
                        event
                    },
                )
                .await;
            match repeated {
                Ok(_) => return Ok(()),
                Err(ApiError::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        let name = api::meta_str(object, "name").unwrap_or_default();
        // Events about cluster-scoped objects (nodes) live in `default`, as in a real cluster.
        let namespace = api::meta_str(object, "namespace").unwrap_or("default");
        let nanos = jiff::Timestamp::now().as_nanosecond();
        let mut involved = json!({
            "apiVersion": object["apiVersion"], "kind": object["kind"], "name": name, "uid": uid,
            "resourceVersion": object["metadata"]["resourceVersion"],
        });
        if let Some(namespace) = api::meta_str(object, "namespace") {
            involved["namespace"] = json!(namespace);
        }
        if let Some(field_path) = field_path {
            involved["fieldPath"] = json!(field_path);
        }
        let mut source = json!({"component": self.component});
        if let Some(host) = host {
            source["host"] = json!(host);
        }
        let event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{name}.{nanos:x}"), "namespace": namespace},
            "involvedObject": involved,
            "reason": reason, "message": message,
            "type": match severity { Severity::Normal => "Normal", Severity::Warning => "Warning" },
            "source": source,
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
            "reportingComponent": self.component,
            "reportingInstance": host.unwrap_or(self.component),
        });
        let created = self
            .writer
            .create("", "events", Some(namespace), event)
            .await?;
        let key = ObjectKey::new(
            "",
            "events",
            namespace,
            api::meta_str(&created, "name").unwrap_or_default(),
        );
        let mut recorded = self.recorded.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget old identities now and then, so a long-running sandbox does not grow.
        if recorded.len() > 50_000 {
            recorded.clear();
        }
        recorded.insert(identity, key);
        Ok(())
    }
}

/// Removes events whose last occurrence is older than the TTL; runs until aborted.
pub(super) async fn prune(writer: Writer) {
    loop {
        let cutoff = jiff::Timestamp::now() - TTL;
        let expired = writer.list("", "events", None, |event| {
            time(&event["lastTimestamp"]).is_some_and(|last| last < cutoff)
        });
        for event in expired {
            let namespace = api::meta_str(&event, "namespace");
            let name = api::meta_str(&event, "name").unwrap_or_default();
            if let Err(error) = writer.delete("", "events", namespace, name).await {
                tracing::debug!("expired event {name} not removed: {error}");
            }
        }
        tokio::time::sleep(PRUNE_INTERVAL).await;
    }
}
