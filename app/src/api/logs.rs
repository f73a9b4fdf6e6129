//! Logs: a pod's, or every pod's of a workload (anything with a pod template and a selector:
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs), interleaved by time and each
//! line labelled with its pod and container, as `kubectl logs --prefix` labels them.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::Value;

use super::ObjectError;

/// The most pods whose logs a workload's logs bring together.
pub const MAX_LOG_PODS: usize = 10;

/// Which logs to read, as `kubectl logs` takes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogOptions {
    /// The container; the pod's only one when none, a workload's first.
    pub container: Option<String>,
    /// The last lines only (of each pod).
    pub tail_lines: Option<u32>,
    /// Only lines of the last seconds.
    pub since_seconds: Option<u32>,
    /// Each line with its time.
    pub timestamps: bool,
    /// The previous, terminated run of the container.
    pub previous: bool,
}

impl LogOptions {
    /// The options as the API server's query.
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(container) = &self.container {
            pairs.push(format!("container={}", crate::url::encode(container)));
        }
        if let Some(lines) = self.tail_lines {
            pairs.push(format!("tailLines={lines}"));
        }
        if let Some(seconds) = self.since_seconds {
            pairs.push(format!("sinceSeconds={seconds}"));
        }
        if self.timestamps {
            pairs.push("timestamps=true".into());
        }
        if self.previous {
            pairs.push("previous=true".into());
        }
        pairs.join("&")
    }
}

/// The containers whose logs an object has, from the object: a pod's own, a workload's pod
/// template's.
pub fn log_containers(object: &serde_json::Value) -> Vec<String> {
    let spec = match object["spec"].get("template") {
        Some(template) => &template["spec"],
        None => &object["spec"],
    };
    spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|container| container["name"].as_str().map(str::to_owned))
        .collect()
}

/// One log to read: a pod's, with the label its lines carry when several pods' are read
/// together.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodLog {
    /// The pod.
    pub pod: ObjectRef,
    /// The options to read it with (its container named for a workload's pods).
    pub options: LogOptions,
    /// `pod/{name}/{container}` for a workload's pods; none for a pod's own logs.
    pub label: Option<String>,
}

#[cfg(feature = "ssr")]
impl PodLog {
    /// `line` as shown: with its label in front, if it has one.
    pub fn labelled(&self, line: &str) -> String {
        match &self.label {
            Some(label) => format!("[{label}] {line}"),
            None => line.to_owned(),
        }
    }
}

/// The logs `target` has: its own if it is a pod, else one for each of its pods (the first
/// [`MAX_LOG_PODS`] by name), read as `options` asks.
#[cfg(feature = "ssr")]
pub async fn pod_logs_of(
    scope: &orbital_federation::Scope,
    target: &ObjectRef,
    options: &LogOptions,
) -> Result<Vec<PodLog>, ObjectError> {
    use super::object_call::{self as call, Ask};
    use http::{Method, StatusCode};

    if target.is_pod() {
        return Ok(vec![PodLog {
            pod: target.clone(),
            options: options.clone(),
            label: None,
        }]);
    }
    let object = call::json(&call::send_through(scope, Ask::new(Method::GET, target)).await?)?;
    let selector = object["spec"]["template"]
        .is_object()
        .then(|| selector_text(&object["spec"]["selector"]))
        .flatten()
        .ok_or_else(|| {
            call::refuse(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "{}/{} has no pods of its own to read the logs of",
                    target.resource,
                    target.name.as_deref().unwrap_or_default()
                ),
            )
        })?;
    let container = options
        .container
        .clone()
        .or_else(|| log_containers(&object).into_iter().next());
    let pods = ObjectRef {
        cluster: target.cluster.clone(),
        group: String::new(),
        version: "v1".to_owned(),
        resource: "pods".to_owned(),
        namespace: target.namespace.clone(),
        name: None,
    };
    let query = format!("labelSelector={}", crate::url::encode(&selector));
    let list =
        call::json(&call::send_through(scope, Ask::new(Method::GET, &pods).query(query)).await?)?;
    let mut names: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pod| pod["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.truncate(MAX_LOG_PODS);
    Ok(names
        .into_iter()
        .map(|name| PodLog {
            label: Some(format!(
                "pod/{name}/{}",
                container.as_deref().unwrap_or_default()
            )),
            pod: ObjectRef {
                name: Some(name),
                ..pods.clone()
            },
            options: LogOptions {
                container: container.clone(),
                ..options.clone()
            },
        })
        .collect())
}

/// A label selector object (`matchLabels`, `matchExpressions`) as the text the API server's
/// `labelSelector` takes; `None` for one that selects nothing or is not one.
#[cfg(feature = "ssr")]
fn selector_text(selector: &Value) -> Option<String> {
    let mut terms: Vec<String> = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
        .collect();
    for expression in selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let key = expression["key"].as_str()?;
        let values: Vec<&str> = expression["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        terms.push(match expression["operator"].as_str()? {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_owned(),
            "DoesNotExist" => format!("!{key}"),
            _ => return None,
        });
    }
    (!terms.is_empty()).then(|| terms.join(","))
}

/// The logs of `target` as one text: a pod's as the cluster gives them; a workload's pods'
/// interleaved by time, each line labelled with its pod and container.
#[cfg(feature = "ssr")]
pub async fn log_text(
    scope: &orbital_federation::Scope,
    target: &ObjectRef,
    options: &LogOptions,
) -> Result<String, ObjectError> {
    use futures::future::join_all;

    let logs = pod_logs_of(scope, target, options).await?;
    let read = |log, timestamps| read_log(scope, log, timestamps);
    if let [only] = logs.as_slice()
        && only.label.is_none()
    {
        return Ok(String::from_utf8_lossy(&read(only, options.timestamps).await?).into_owned());
    }
    // Read with their times, to put the pods' lines in one order.
    let texts = join_all(logs.iter().map(|log| read(log, true))).await;
    let mut lines = Vec::new();
    for (log, text) in logs.iter().zip(texts) {
        let text = String::from_utf8_lossy(&text?).into_owned();
        for line in text.lines() {
            let (time, rest) = line.split_once(' ').unwrap_or((line, ""));
            let at = time.parse::<jiff::Timestamp>().ok();
            let shown = if options.timestamps { line } else { rest };
            lines.push((at, log.labelled(shown)));
        }
    }
    // Stable: each pod's lines keep their order among equal times.
    lines.sort_by_key(|(at, _)| *at);
    Ok(lines.into_iter().map(|(_, line)| line + "\n").collect())
}

/// The text of one pod's log, with or without each line's time.
#[cfg(feature = "ssr")]
async fn read_log(
    scope: &orbital_federation::Scope,
    log: &PodLog,
    timestamps: bool,
) -> Result<Vec<u8>, ObjectError> {
    use super::object_call::{self as call, Ask};
    use http::Method;

    let mut ask = Ask::new(Method::GET, &log.pod);
    ask.subresource = Some("log");
    ask.query = LogOptions {
        timestamps,
        ..log.options.clone()
    }
    .query();
    call::send_through(scope, ask).await
}

/// The logs of the pod `target` names, or of the pods of the workload it names interleaved
/// by time and labelled, as `options` asks.
#[server(endpoint = "objects/logs", input = Json)]
pub async fn object_logs(target: ObjectRef, options: LogOptions) -> Result<String, ObjectError> {
    log_text(&super::object_call::scope()?, &target, &options).await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selectors_are_written_as_the_api_server_reads_them() {
        let selector = json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["front", "edge"]},
            {"key": "track", "operator": "NotIn", "values": ["canary"]},
            {"key": "owned", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ]});
        assert_eq!(
            selector_text(&selector).as_deref(),
            Some("app=web,tier in (front,edge),track notin (canary),owned,!legacy")
        );
        assert_eq!(selector_text(&json!({})), None, "selects nothing");
        assert_eq!(
            selector_text(&json!({"matchExpressions": [{"key": "a", "operator": "Near"}]})),
            None
        );
    }

    #[test]
    fn containers_come_from_a_pod_or_a_workload_template() {
        let pod = json!({"spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}});
        assert_eq!(log_containers(&pod), ["web", "sidecar"]);
        let deployment = json!({"spec": {"template": {"spec": {"containers": [{"name": "api"}]}}}});
        assert_eq!(log_containers(&deployment), ["api"]);
    }
}
