//! `pods/{name}/log`: a container's output, whole or in part, or followed as it is printed.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::{ApiError, Params};
use crate::cluster::Cluster;
use crate::simulation::logs::Transcript;
use crate::store::ObjectKey;

/// How often a followed log checks that its container still runs the same instance.
const FOLLOW_CHECK: Duration = Duration::from_secs(1);

/// Which lines to send and how.
struct Selection {
    first: usize,
    total: usize,
    timestamps: bool,
    limit_bytes: Option<usize>,
    follow: bool,
}

/// Serves the log of a container of the pod `namespace`/`name`.
pub fn logs(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let pods = cluster.resource_type("", "v1", "pods")?;
    let pod = cluster.get(&pods, namespace, name)?;
    let container = container_name(&pod, name, params.get("container"))?;
    let previous = params.flag("previous");
    let transcript = transcript(&pod, name, &container, previous)?;
    let now = Timestamp::now();
    let total = transcript.count(now);
    let since = match (params.number("sinceSeconds")?, params.get("sinceTime")) {
        (Some(seconds), _) => Some(
            now - jiff::SignedDuration::from_secs(i64::try_from(seconds).unwrap_or(i64::MAX / 2)),
        ),
        (None, Some(text)) => Some(text.parse::<Timestamp>().map_err(|_| {
            ApiError::BadRequest(format!(
                "invalid sinceTime {text:?}: expected an RFC 3339 time"
            ))
        })?),
        (None, None) => None,
    };
    let mut first = since.map_or(0, |since| {
        (0..total)
            .find(|i| transcript.line(*i).0 >= since)
            .unwrap_or(total)
    });
    if let Some(tail) = params.number("tailLines")? {
        first = first.max(total.saturating_sub(usize::try_from(tail).unwrap_or(usize::MAX)));
    }
    let selection = Selection {
        first,
        total,
        timestamps: params.flag("timestamps"),
        limit_bytes: params
            .number("limitBytes")?
            .and_then(|l| usize::try_from(l).ok()),
        follow: params.flag("follow") && !previous && !transcript.is_over(),
    };
    let instance = container_id(&pod, &container);
    let (sender, receiver) = mpsc::channel::<Result<Bytes, Infallible>>(64);
    let key = ObjectKey::new("", "pods", namespace, name);
    tokio::spawn(stream(
        cluster.clone(),
        key,
        container,
        instance,
        transcript,
        selection,
        sender,
    ));
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(receiver)));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain"),
    );
    Ok(response)
}

/// Sends the selected lines, then, when following, each new one until the client leaves or
/// the container's run ends.
async fn stream(
    cluster: Cluster,
    key: ObjectKey,
    container: String,
    instance: Option<String>,
    transcript: Transcript,
    selection: Selection,
    sender: mpsc::Sender<Result<Bytes, Infallible>>,
) {
    let mut budget = selection.limit_bytes.unwrap_or(usize::MAX);
    let mut index = selection.first;
    let send = async |index: usize, budget: &mut usize| -> bool {
        let (at, text) = transcript.line(index);
        let mut line = if selection.timestamps {
            format!("{} {text}\n", at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        } else {
            format!("{text}\n")
        };
        if line.len() > *budget {
            let mut cut = *budget;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
        }
        *budget -= line.len();
        !line.is_empty() && sender.send(Ok(Bytes::from(line))).await.is_ok()
    };
    while index < selection.total {
        if !send(index, &mut budget).await {
            return;
        }
        index += 1;
    }
    if !selection.follow {
        return;
    }
    while let Some(next) = transcript.next_time(index) {
        let wait =
            Duration::from_millis(next.duration_since(Timestamp::now()).as_millis().max(0) as u64);
        tokio::time::sleep(wait.min(FOLLOW_CHECK)).await;
        // The pod went away or the container restarted: this run's log is complete.
        let same_run = cluster
            .store()
            .get(&key)
            .is_some_and(|pod| container_id(&pod, &container) == instance);
        if !same_run || sender.is_closed() {
            return;
        }
        while transcript.count(Timestamp::now()) > index {
            if !send(index, &mut budget).await {
                return;
            }
            index += 1;
        }
    }
}

/// The container asked for, or the only one; a pod with several needs a name.
fn container_name(pod: &Value, pod_name: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["spec"]["initContainers"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(|c| c["name"].as_str())
        .collect();
    match asked {
        Some(name) if names.contains(&name) => Ok(name.to_owned()),
        Some(name) => Err(ApiError::BadRequest(format!(
            "container {name} is not valid for pod {pod_name}"
        ))),
        None => match pod["spec"]["containers"].as_array().map(Vec::as_slice) {
            Some([only]) => Ok(only["name"].as_str().unwrap_or_default().to_owned()),
            _ => Err(ApiError::BadRequest(format!(
                "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                names.join(" ")
            ))),
        },
    }
}

fn container_status<'a>(pod: &'a Value, container: &str) -> Option<&'a Value> {
    ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|field| pod["status"][*field].as_array().into_iter().flatten())
        .find(|status| status["name"] == container)
}

fn container_id(pod: &Value, container: &str) -> Option<String> {
    container_status(pod, container).and_then(|s| s["containerID"].as_str().map(str::to_owned))
}

/// The run whose log is asked for: the current (or, while it waits to restart, the last) one,
/// or with `previous` the one before.
fn transcript(
    pod: &Value,
    pod_name: &str,
    container: &str,
    previous: bool,
) -> Result<Transcript, ApiError> {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always");
    let image = ["containers", "initContainers"]
        .iter()
        .flat_map(|field| pod["spec"][*field].as_array().into_iter().flatten())
        .find(|c| c["name"] == container)
        .and_then(|c| c["image"].as_str())
        .unwrap_or_default();
    let waiting = |reason: &str| {
        ApiError::BadRequest(format!(
            "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
        ))
    };
    let Some(status) = container_status(pod, container) else {
        return Err(waiting("ContainerCreating"));
    };
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    let time = |value: &Value| value.as_str().and_then(|t| t.parse::<Timestamp>().ok());
    let ended_run = |terminated: &Value, instance: i64| -> Option<Transcript> {
        let started = time(&terminated["startedAt"])?;
        Some(Transcript::new(
            uid,
            container,
            image,
            restart_policy,
            instance,
            started,
            time(&terminated["finishedAt"]),
        ))
    };
    let last = &status["lastState"]["terminated"];
    if previous {
        return ended_run(last, restarts - 1).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            ))
        });
    }
    let state = &status["state"];
    if let Some(started) = time(&state["running"]["startedAt"]) {
        return Ok(Transcript::new(
            uid,
            container,
            image,
            restart_policy,
            restarts,
            started,
            None,
        ));
    }
    if let Some(run) = ended_run(&state["terminated"], restarts) {
        return Ok(run);
    }
    if let Some(run) = ended_run(last, restarts - 1) {
        return Ok(run);
    }
    let reason = state["waiting"]["reason"]
        .as_str()
        .unwrap_or("ContainerCreating");
    Err(match reason {
        "ImagePullBackOff" | "ErrImagePull" => waiting("trying and failing to pull image"),
        other => waiting(other),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pods_with_several_containers_need_a_name() {
        let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let error = container_name(&pod, "p", None).unwrap_err();
        assert_eq!(
            error.to_status()["message"],
            "a container name must be specified for pod p, choose one of: [a b]"
        );
        assert_eq!(container_name(&pod, "p", Some("b")).unwrap(), "b");
        assert!(container_name(&pod, "p", Some("c")).is_err());
        let single = json!({"spec": {"containers": [{"name": "only"}]}});
        assert_eq!(container_name(&single, "p", None).unwrap(), "only");
    }

    #[test]
    fn waiting_containers_have_no_log_yet_and_previous_needs_a_restart() {
        let pod = json!({"metadata": {"uid": "u"}, "spec": {"containers": [{"name": "c", "image": "missing"}]},
                         "status": {"containerStatuses": [{"name": "c", "restartCount": 0,
                                    "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}});
        let error = transcript(&pod, "p", "c", false).unwrap_err();
        assert!(
            error.to_status()["message"]
                .as_str()
                .unwrap()
                .contains("is waiting to start: trying and failing to pull image")
        );
        let error = transcript(&pod, "p", "c", true).unwrap_err();
        assert!(
            error.to_status()["message"]
                .as_str()
                .unwrap()
                .starts_with("previous terminated container")
        );
    }
}
