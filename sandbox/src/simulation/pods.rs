//! Pods as workload controllers make them from templates, and find them again by owner.

use std::sync::Arc;

use serde_json::{Value, json};

use super::events::{Recorder, Severity};
use super::objects::{
    Writer, controlled_by, controller_reference, is_deleting, is_ready, is_terminal,
};
use crate::api::{self, ApiError};

/// How a new pod is named.
pub(super) enum PodName<'a> {
    /// Exactly this name (StatefulSets).
    Exact(&'a str),
    /// This prefix and a random suffix (ReplicaSets, DaemonSets, Jobs).
    Generated(&'a str),
}

/// A pod made from `owner`'s pod `template`, controlled by `owner`, with `labels` added.
pub(super) fn from_template(
    owner: &Value,
    template: &Value,
    name: PodName<'_>,
    labels: &[(&str, &str)],
) -> Value {
    let mut metadata = template["metadata"].clone();
    if !metadata.is_object() {
        metadata = json!({});
    }
    for (key, value) in labels {
        metadata["labels"][*key] = json!(value);
    }
    match name {
        PodName::Exact(name) => metadata["name"] = json!(name),
        PodName::Generated(prefix) => metadata["generateName"] = json!(format!("{prefix}-")),
    }
    metadata["namespace"] = owner["metadata"]["namespace"].clone();
    metadata["ownerReferences"] = json!([controller_reference(owner)]);
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]})
}

/// The pods controlled by `owner`, not yet finished or deleted. Controllers name their pods
/// `{owner}-…`, so only those names are read.
pub(super) fn active_pods(writer: &Writer, owner: &Value) -> Vec<Arc<Value>> {
    let (name, namespace) = name_of(owner);
    let uid = api::meta_str(owner, "uid").unwrap_or_default();
    writer.list_named("", "pods", namespace, &format!("{name}-"), |pod| {
        controlled_by(pod, uid) && !is_terminal(pod) && !is_deleting(pod)
    })
}

/// Every object of `group`/`plural` controlled by `owner`, finished or not, found by its
/// `{owner}-…` name.
pub(super) fn owned(writer: &Writer, owner: &Value, group: &str, plural: &str) -> Vec<Arc<Value>> {
    let (name, namespace) = name_of(owner);
    let uid = api::meta_str(owner, "uid").unwrap_or_default();
    writer.list_named(group, plural, namespace, &format!("{name}-"), |object| {
        controlled_by(object, uid)
    })
}

/// How many of `pods` are ready, and how many have been ready for `min_ready_seconds`.
pub(super) fn ready_and_available(pods: &[Arc<Value>], min_ready_seconds: i64) -> (usize, usize) {
    let now = jiff::Timestamp::now();
    let ready: Vec<&Arc<Value>> = pods.iter().filter(|pod| is_ready(pod)).collect();
    let available = ready
        .iter()
        .filter(|pod| {
            min_ready_seconds <= 0
                || super::objects::condition(pod, "Ready")
                    .and_then(|c| super::objects::time(&c["lastTransitionTime"]))
                    .is_some_and(|since| now.duration_since(since).as_secs() >= min_ready_seconds)
        })
        .count();
    (ready.len(), available)
}

/// The name and namespace of an object.
pub(super) fn name_of(object: &Value) -> (&str, &str) {
    (
        api::meta_str(object, "name").unwrap_or_default(),
        api::meta_str(object, "namespace").unwrap_or_default(),
    )
}

/// Orders pods by how little is lost by deleting them: unscheduled, then pending, then not
/// ready, then the most recently created.
pub(super) fn deletion_order(pods: &mut [Arc<Value>]) {
    let rank = |pod: &Value| {
        let scheduled = pod["spec"]["nodeName"].is_string();
        let running = pod["status"]["phase"] == "Running";
        (scheduled, running, is_ready(pod))
    };
    pods.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| {
            let created = |pod: &Value| {
                pod["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            created(b).cmp(&created(a))
        })
    });
}

/// Creates `object` (of `group`/`plural`) for `owner` and records `SuccessfulCreate` on the
/// owner with `describe`'s message for the new name. `None` if it already existed.
pub(super) async fn create_recorded(
    writer: &Writer,
    recorder: &Recorder,
    owner: &Value,
    (group, plural): (&str, &str),
    object: Value,
    describe: impl FnOnce(&str) -> String,
) -> Result<Option<Arc<Value>>, ApiError> {
    let namespace = api::meta_str(owner, "namespace");
    let created = match writer.create(group, plural, namespace, object).await {
        Ok(created) => created,
        Err(ApiError::AlreadyExists { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let message = describe(name_of(&created).0);
    recorder
        .record(owner, Severity::Normal, "SuccessfulCreate", &message, None)
        .await;
    Ok(Some(created))
}

/// Deletes `name` (of `group`/`plural`) for `owner` and records `SuccessfulDelete` on the owner.
pub(super) async fn delete_recorded(
    writer: &Writer,
    recorder: &Recorder,
    owner: &Value,
    (group, plural): (&str, &str),
    name: &str,
    message: String,
) -> Result<(), ApiError> {
    writer
        .delete(group, plural, api::meta_str(owner, "namespace"), name)
        .await?;
    recorder
        .record(owner, Severity::Normal, "SuccessfulDelete", &message, None)
        .await;
    Ok(())
}
