//! What a simulated container runtime does with a pod over time, as a pure function of the
//! pod, its stored status and the clock: containers start, serve, complete, crash and back
//! off, or fail to pull. Everything is derived from stored timestamps, so a restarted sandbox
//! carries on where it stopped.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::events::Severity;
use super::objects::{format_time, hash, set_condition, time};
use crate::api;

/// How long a container whose image contains `fail` runs before it exits with an error.
pub(super) const RUN_BEFORE_CRASH: Duration = Duration::from_secs(3);
/// How long a container of a pod that restarts `Never` or `OnFailure` runs before completing.
pub(super) const RUN_BEFORE_COMPLETION: Duration = Duration::from_secs(2);
/// The first crash-loop back-off, doubled on each restart up to [`MAX_BACK_OFF`].
const BASE_BACK_OFF: Duration = Duration::from_secs(10);
const MAX_BACK_OFF: Duration = Duration::from_secs(300);

/// How a container behaves, decided by its image name and the pod's restart policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Runs until stopped (a server).
    Serve,
    /// Exits with code 0 after a short run (a batch job).
    Complete,
    /// Exits with code 1 after a short run (image name contains `fail`).
    Crash,
    /// Its image cannot be pulled (image name contains `missing`).
    PullFails,
}

/// How the container `image` behaves in a pod with `restart_policy`.
pub fn behaviour(image: &str, restart_policy: &str) -> Behaviour {
    if image.contains("missing") {
        Behaviour::PullFails
    } else if image.contains("fail") {
        Behaviour::Crash
    } else if matches!(restart_policy, "Never" | "OnFailure") {
        Behaviour::Complete
    } else {
        Behaviour::Serve
    }
}

/// Something worth an event, about one container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Note {
    pub severity: Severity,
    pub reason: &'static str,
    pub message: String,
    pub container: String,
}

/// The next state of a pod's status.
pub(super) struct Step {
    /// The new status.
    pub status: Value,
    /// What happened on the way.
    pub notes: Vec<Note>,
    /// When something will happen next without any outside change.
    pub wake: Option<Duration>,
}

/// The image as a runtime reports it: registry and tag filled in.
pub fn full_image(image: &str) -> String {
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (image, "latest"),
    };
    let first = name.split('/').next().unwrap_or_default();
    let qualified = if name.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    format!("{qualified}:{tag}")
}

fn hex_id(parts: &[&str]) -> String {
    let seed = json!(parts);
    let first = hash(&seed);
    let second = hash(&json!([first.to_string(), seed]));
    format!("{first:016x}{second:016x}{first:016x}{second:016x}")
}

/// The crash-loop back-off after the container's `restarts`th restart.
pub(super) fn back_off(restarts: i64) -> Duration {
    if restarts <= 1 {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(restarts - 2).unwrap_or(u32::MAX).min(16);
    (BASE_BACK_OFF * 2u32.pow(doublings)).min(MAX_BACK_OFF)
}

fn plus(at: Timestamp, duration: Duration) -> Timestamp {
    at + SignedDuration::try_from(duration).unwrap_or(SignedDuration::ZERO)
}

fn until(now: Timestamp, at: Timestamp) -> Duration {
    Duration::from_millis(at.duration_since(now).as_millis().max(0) as u64)
}

/// Moves every container of `pod` one step on at `now`; `pod_ip` and `host_ip` are its addresses.
pub(super) fn advance(pod: &Value, host_ip: &str, pod_ip: &str, now: Timestamp) -> Step {
    let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always");
    let pod_name = api::meta_str(pod, "name").unwrap_or_default();
    let namespace = api::meta_str(pod, "namespace").unwrap_or_default();
    let uid = api::meta_str(pod, "uid").unwrap_or_default();
    let previous: Vec<Value> = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut wake: Option<Duration> = None;
    let mut soon = |at: Duration| wake = Some(wake.map_or(at, |w| w.min(at)));
    let mut statuses = Vec::new();
    for container in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let name = container["name"].as_str().unwrap_or_default();
        let image = container["image"].as_str().unwrap_or_default();
        let behaviour = behaviour(image, restart_policy);
        let current = previous.iter().find(|s| s["name"] == name);
        let note = |notes: &mut Vec<Note>, severity, reason, message: String| {
            notes.push(Note {
                severity,
                reason,
                message,
                container: name.to_owned(),
            });
        };
        let start = |notes: &mut Vec<Note>, restarts: i64, last_state: Value, first: bool| {
            if first {
                note(
                    notes,
                    Severity::Normal,
                    "Pulling",
                    format!("Pulling image \"{image}\""),
                );
                let millis = 300 + hash(&json!(image)) % 2_700;
                note(
                    notes,
                    Severity::Normal,
                    "Pulled",
                    format!(
                        "Successfully pulled image \"{image}\" in {millis}ms ({millis}ms including waiting). Image size: {} bytes.",
                        20_000_000 + hash(&json!([image, "size"])) % 180_000_000
                    ),
                );
            } else {
                note(
                    notes,
                    Severity::Normal,
                    "Pulled",
                    format!("Container image \"{image}\" already present on machine"),
                );
            }
            note(
                notes,
                Severity::Normal,
                "Created",
                format!("Created container: {name}"),
            );
            note(
                notes,
                Severity::Normal,
                "Started",
                format!("Started container {name}"),
            );
            json!({
                "name": name, "image": full_image(image),
                "imageID": format!("{}@sha256:{}", full_image(image).rsplit_once(':').map_or(image, |(n, _)| n), hex_id(&[image])),
                "containerID": format!("containerd://{}", hex_id(&[uid, name, &restarts.to_string()])),
                "ready": true, "started": true, "restartCount": restarts,
                "state": {"running": {"startedAt": format_time(now)}},
                "lastState": last_state,
            })
        };
        let status = match current {
            None if behaviour == Behaviour::PullFails => {
                let full = full_image(image);
                note(
                    &mut notes,
                    Severity::Normal,
                    "Pulling",
                    format!("Pulling image \"{image}\""),
                );
                note(
                    &mut notes,
                    Severity::Warning,
                    "Failed",
                    format!(
                        "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": {full}: not found"
                    ),
                );
                note(
                    &mut notes,
                    Severity::Warning,
                    "Failed",
                    "Error: ErrImagePull".to_owned(),
                );
                note(
                    &mut notes,
                    Severity::Normal,
                    "BackOff",
                    format!("Back-off pulling image \"{image}\""),
                );
                note(
                    &mut notes,
                    Severity::Warning,
                    "Failed",
                    "Error: ImagePullBackOff".to_owned(),
                );
                json!({
                    "name": name, "image": image, "imageID": "", "ready": false, "started": false, "restartCount": 0,
                    "state": {"waiting": {"reason": "ImagePullBackOff",
                                          "message": format!("Back-off pulling image \"{image}\": ErrImagePull: failed to pull and unpack image \"{full}\": not found")}},
                    "lastState": {},
                })
            }
            None => {
                match behaviour {
                    Behaviour::Crash => soon(RUN_BEFORE_CRASH),
                    Behaviour::Complete => soon(RUN_BEFORE_COMPLETION),
                    _ => {}
                }
                start(&mut notes, 0, json!({}), true)
            }
            Some(current) => {
                let restarts = current["restartCount"].as_i64().unwrap_or(0);
                let state = &current["state"];
                if let Some(started) = time(&state["running"]["startedAt"]) {
                    let run_for = match behaviour {
                        Behaviour::Crash => Some((RUN_BEFORE_CRASH, 1, "Error")),
                        Behaviour::Complete => Some((RUN_BEFORE_COMPLETION, 0, "Completed")),
                        _ => None,
                    };
                    match run_for {
                        Some((duration, code, reason)) if now >= plus(started, duration) => {
                            let terminated = json!({"exitCode": code, "reason": reason,
                                "startedAt": format_time(started), "finishedAt": format_time(plus(started, duration)),
                                "containerID": current["containerID"]});
                            let restarts_again = code != 0 && restart_policy != "Never";
                            if !restarts_again {
                                let mut done = current.clone();
                                done["state"] = json!({"terminated": terminated});
                                done["ready"] = json!(false);
                                done["started"] = json!(false);
                                done
                            } else {
                                let restarts = restarts + 1;
                                let wait = back_off(restarts);
                                if wait.is_zero() {
                                    soon(RUN_BEFORE_CRASH);
                                    start(
                                        &mut notes,
                                        restarts,
                                        json!({"terminated": terminated}),
                                        false,
                                    )
                                } else {
                                    note(
                                        &mut notes,
                                        Severity::Warning,
                                        "BackOff",
                                        format!(
                                            "Back-off restarting failed container {name} in pod {pod_name}_{namespace}({uid})"
                                        ),
                                    );
                                    soon(wait);
                                    let mut waiting = current.clone();
                                    waiting["restartCount"] = json!(restarts);
                                    waiting["ready"] = json!(false);
                                    waiting["started"] = json!(false);
                                    waiting["lastState"] = json!({"terminated": terminated});
                                    waiting["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!(
                                        "back-off {}s restarting failed container={name} pod={pod_name}_{namespace}({uid})", wait.as_secs())}});
                                    waiting
                                }
                            }
                        }
                        Some((duration, _, _)) => {
                            soon(until(now, plus(started, duration)));
                            current.clone()
                        }
                        None => current.clone(),
                    }
                } else if state["waiting"]["reason"] == "CrashLoopBackOff" {
                    let finished =
                        time(&current["lastState"]["terminated"]["finishedAt"]).unwrap_or(now);
                    let due = plus(finished, back_off(restarts));
                    if now >= due {
                        soon(RUN_BEFORE_CRASH);
                        start(&mut notes, restarts, current["lastState"].clone(), false)
                    } else {
                        soon(until(now, due));
                        current.clone()
                    }
                } else {
                    current.clone()
                }
            }
        };
        statuses.push(status);
    }
    Step {
        status: pod_status(pod, statuses, host_ip, pod_ip, now),
        notes,
        wake,
    }
}

/// The pod-level status around its containers' statuses.
fn pod_status(
    pod: &Value,
    containers: Vec<Value>,
    host_ip: &str,
    pod_ip: &str,
    now: Timestamp,
) -> Value {
    let mut status = pod["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    let terminated: Vec<&Value> = containers
        .iter()
        .filter_map(|c| c["state"].get("terminated"))
        .collect();
    let ever_ran = containers
        .iter()
        .any(|c| c["state"].get("waiting").is_none() || c["lastState"].get("terminated").is_some());
    let phase = if !containers.is_empty() && terminated.len() == containers.len() {
        if terminated.iter().all(|t| t["exitCode"] == 0) {
            "Succeeded"
        } else {
            "Failed"
        }
    } else if ever_ran {
        "Running"
    } else {
        "Pending"
    };
    let unready: Vec<&str> = containers
        .iter()
        .filter(|c| c["ready"] != true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    let ready = unready.is_empty() && !containers.is_empty();
    let (reason, message) = if phase == "Succeeded" || phase == "Failed" {
        ("PodCompleted".to_owned(), String::new())
    } else if ready {
        (String::new(), String::new())
    } else {
        (
            "ContainersNotReady".to_owned(),
            format!("containers with unready status: [{}]", unready.join(" ")),
        )
    };
    for (kind, value, reason, message) in [
        (
            "PodReadyToStartContainers",
            phase != "Succeeded" && phase != "Failed",
            "",
            "",
        ),
        (
            "Initialized",
            true,
            if phase == "Succeeded" {
                "PodCompleted"
            } else {
                ""
            },
            "",
        ),
        ("Ready", ready, reason.as_str(), message.as_str()),
        ("ContainersReady", ready, reason.as_str(), message.as_str()),
        ("PodScheduled", true, "", ""),
    ] {
        set_condition(&mut status, kind, value, reason, message);
    }
    status["phase"] = json!(phase);
    status["hostIP"] = json!(host_ip);
    status["hostIPs"] = json!([{"ip": host_ip}]);
    status["podIP"] = json!(pod_ip);
    status["podIPs"] = json!([{"ip": pod_ip}]);
    if status.get("startTime").is_none() {
        status["startTime"] = json!(format_time(now));
    }
    if let Some(init) = pod["spec"]["initContainers"].as_array() {
        let started = status["startTime"].clone();
        let done: Vec<Value> = init.iter().map(|c| json!({
            "name": c["name"], "image": full_image(c["image"].as_str().unwrap_or_default()),
            "ready": true, "restartCount": 0, "started": false,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": started}},
        })).collect();
        status["initContainerStatuses"] = json!(done);
    }
    status["containerStatuses"] = json!(containers);
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(image: &str, restart_policy: &str) -> Value {
        json!({"metadata": {"name": "p", "namespace": "demo", "uid": "u1"},
               "spec": {"restartPolicy": restart_policy, "containers": [{"name": "main", "image": image}]},
               "status": {"phase": "Pending"}})
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn run(mut pod: Value, seconds: i64) -> (Value, Step) {
        let step = advance(&pod, "172.18.0.2", "10.244.1.5", at(seconds));
        pod["status"] = step.status.clone();
        (pod, step)
    }

    #[test]
    fn servers_start_once_and_stay_running() {
        let (pod, step) = run(pod("nginx:1.27", "Always"), 0);
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["status"]["podIP"], "10.244.1.5");
        assert!(super::super::objects::is_ready(&pod));
        let reasons: Vec<&str> = step.notes.iter().map(|n| n.reason).collect();
        assert_eq!(reasons, ["Pulling", "Pulled", "Created", "Started"]);
        assert_eq!(step.wake, None);
        assert_eq!(
            pod["status"]["containerStatuses"][0]["image"],
            "docker.io/library/nginx:1.27"
        );
        let (again, step) = run(pod.clone(), 100);
        assert_eq!(again["status"], pod["status"]);
        assert!(step.notes.is_empty());
    }

    #[test]
    fn failing_images_crash_loop_with_growing_back_off() {
        let (pod, step) = run(pod("example/fail-app", "Always"), 0);
        assert_eq!(step.wake, Some(RUN_BEFORE_CRASH));
        // First crash: restarted at once.
        let (pod, _) = run(pod, 3);
        let status = &pod["status"]["containerStatuses"][0];
        assert_eq!(status["restartCount"], 1);
        assert!(status["state"]["running"].is_object());
        assert_eq!(status["lastState"]["terminated"]["exitCode"], 1);
        // Second crash: back-off of 10 s.
        let (pod, step) = run(pod, 6);
        let status = &pod["status"]["containerStatuses"][0];
        assert_eq!(status["restartCount"], 2);
        assert_eq!(status["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(step.wake, Some(Duration::from_secs(10)));
        assert_eq!(step.notes[0].reason, "BackOff");
        assert!(!super::super::objects::is_ready(&pod));
        let (pod, step) = run(pod, 16);
        assert!(pod["status"]["containerStatuses"][0]["state"]["running"].is_object());
        assert_eq!(step.notes.last().unwrap().reason, "Started");
        assert_eq!(back_off(3), Duration::from_secs(20));
        assert_eq!(back_off(30), MAX_BACK_OFF);
    }

    #[test]
    fn missing_images_wait_in_image_pull_back_off() {
        let (pod, step) = run(pod("registry.example.com/missing:v1", "Always"), 0);
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(
            pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ImagePullBackOff"
        );
        assert_eq!(step.wake, None);
        assert!(
            step.notes
                .iter()
                .any(|n| n.severity == Severity::Warning && n.message == "Error: ErrImagePull")
        );
    }

    #[test]
    fn batch_pods_complete_or_fail_for_good() {
        let (done, _) = run(run(pod("busybox", "Never"), 0).0, 2);
        assert_eq!(done["status"]["phase"], "Succeeded");
        assert_eq!(
            done["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
            "Completed"
        );
        let (failed, _) = run(run(pod("fail", "Never"), 0).0, 3);
        assert_eq!(failed["status"]["phase"], "Failed");
    }

    #[test]
    fn images_are_reported_fully_qualified() {
        assert_eq!(full_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(full_image("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(
            full_image("registry.k8s.io/coredns/coredns:v1.11.3"),
            "registry.k8s.io/coredns/coredns:v1.11.3"
        );
        assert_eq!(
            full_image("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
    }
}
