//! Columns and cells of the built-in kinds, as a real API server prints them.

use serde_json::{Value, json};

use super::Column;

const fn col(name: &'static str, column_type: &'static str, priority: i64) -> Column {
    Column {
        name,
        column_type,
        format: "",
        priority,
    }
}

const NAME: Column = Column {
    name: "Name",
    column_type: "string",
    format: "name",
    priority: 0,
};
const AGE: Column = col("Age", "string", 0);

/// The columns of a built-in kind.
pub(super) fn columns(kind: &str) -> Vec<Column> {
    let s = |name| col(name, "string", 0);
    let wide = |name| col(name, "string", 1);
    let i = |name| col(name, "integer", 0);
    match kind {
        "Namespace" => vec![NAME, s("Status"), AGE],
        "Node" => vec![
            NAME,
            s("Status"),
            s("Roles"),
            AGE,
            s("Version"),
            wide("Internal-IP"),
            wide("External-IP"),
            wide("OS-Image"),
            wide("Kernel-Version"),
            wide("Container-Runtime"),
        ],
        "Pod" => vec![
            NAME,
            s("Ready"),
            s("Status"),
            s("Restarts"),
            AGE,
            wide("IP"),
            wide("Node"),
            wide("Nominated Node"),
            wide("Readiness Gates"),
        ],
        "Service" => vec![
            NAME,
            s("Type"),
            s("Cluster-IP"),
            s("External-IP"),
            s("Port(s)"),
            AGE,
            wide("Selector"),
        ],
        "Endpoints" => vec![NAME, s("Endpoints"), AGE],
        "ConfigMap" => vec![NAME, i("Data"), AGE],
        "Secret" => vec![NAME, s("Type"), i("Data"), AGE],
        "ServiceAccount" => vec![NAME, i("Secrets"), AGE],
        "Event" => vec![
            s("Last Seen"),
            s("Type"),
            s("Reason"),
            s("Object"),
            s("Message"),
        ],
        "PersistentVolumeClaim" => vec![
            NAME,
            s("Status"),
            s("Volume"),
            s("Capacity"),
            s("Access Modes"),
            s("StorageClass"),
            s("VolumeAttributesClass"),
            AGE,
            wide("VolumeMode"),
        ],
        "ResourceQuota" => vec![NAME, AGE, s("Request"), s("Limit")],
        "Deployment" => vec![
            NAME,
            s("Ready"),
            i("Up-to-date"),
            i("Available"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "ReplicaSet" => vec![
            NAME,
            i("Desired"),
            i("Current"),
            i("Ready"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "StatefulSet" => vec![NAME, s("Ready"), AGE, wide("Containers"), wide("Images")],
        "DaemonSet" => vec![
            NAME,
            i("Desired"),
            i("Current"),
            i("Ready"),
            i("Up-to-date"),
            i("Available"),
            s("Node Selector"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "Job" => vec![
            NAME,
            s("Status"),
            s("Completions"),
            s("Duration"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "CronJob" => vec![
            NAME,
            s("Schedule"),
            s("Timezone"),
            s("Suspend"),
            i("Active"),
            s("Last Schedule"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "Ingress" => vec![NAME, s("Class"), s("Hosts"), s("Address"), s("Ports"), AGE],
        "RoleBinding" | "ClusterRoleBinding" => vec![
            NAME,
            s("Role"),
            AGE,
            wide("Users"),
            wide("Groups"),
            wide("ServiceAccounts"),
        ],
        "Role" | "ClusterRole" | "LimitRange" | "CustomResourceDefinition" => {
            vec![NAME, s("Created At")]
        }
        "Lease" => vec![NAME, s("Holder"), AGE],
        _ => vec![NAME, AGE],
    }
}

/// The cells of a built-in kind's row, in the order of [`columns`].
pub(super) fn cells(kind: &str, o: &Value) -> Vec<Value> {
    let name = json!(o["metadata"]["name"]);
    let age = json!(age(o));
    let text = |path: &[&str]| json!(lookup(o, path).and_then(Value::as_str).unwrap_or_default());
    let number = |path: &[&str]| json!(lookup(o, path).and_then(Value::as_i64).unwrap_or(0));
    let or_none = |value: String| {
        json!(if value.is_empty() {
            "<none>".to_owned()
        } else {
            value
        })
    };
    let containers = |spec: &Value| {
        let list = spec["containers"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = list.iter().filter_map(|c| c["name"].as_str()).collect();
        let images: Vec<&str> = list.iter().filter_map(|c| c["image"].as_str()).collect();
        (json!(names.join(",")), json!(images.join(",")))
    };
    let selector = || or_none(match_labels(&o["spec"]["selector"]));
    let count = |value: &Value| {
        json!(value.as_object().map_or(0, |m| m.len()) + value.as_array().map_or(0, Vec::len))
    };
    match kind {
        "Namespace" => vec![name, text(&["status", "phase"]), age],
        "Node" => {
            let ready = conditions(o).find(|c| c["type"] == "Ready");
            let mut status = match ready.map(|c| c["status"].as_str().unwrap_or_default()) {
                Some("True") => "Ready".to_owned(),
                _ => "NotReady".to_owned(),
            };
            if o["spec"]["unschedulable"] == json!(true) {
                status.push_str(",SchedulingDisabled");
            }
            let roles: Vec<String> = labels(o)
                .keys()
                .filter_map(|k| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .map(str::to_owned)
                })
                .collect();
            let address = |kind: &str| {
                o["status"]["addresses"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["type"] == kind))
                    .and_then(|x| x["address"].as_str())
                    .unwrap_or("<none>")
                    .to_owned()
            };
            vec![
                name,
                json!(status),
                or_none(roles.join(",")),
                age,
                text(&["status", "nodeInfo", "kubeletVersion"]),
                json!(address("InternalIP")),
                json!(address("ExternalIP")),
                text(&["status", "nodeInfo", "osImage"]),
                text(&["status", "nodeInfo", "kernelVersion"]),
                text(&["status", "nodeInfo", "containerRuntimeVersion"]),
            ]
        }
        "Pod" => pod_cells(o, name, age),
        "Service" => {
            let ports: Vec<String> = o["spec"]["ports"]
                .as_array()
                .map(|ports| {
                    ports
                        .iter()
                        .map(|p| {
                            let port = p["port"].as_i64().unwrap_or(0);
                            let protocol = p["protocol"].as_str().unwrap_or("TCP");
                            match p["nodePort"].as_i64() {
                                Some(node_port) => format!("{port}:{node_port}/{protocol}"),
                                None => format!("{port}/{protocol}"),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let external: Vec<&str> = o["status"]["loadBalancer"]["ingress"]
                .as_array()
                .map(|i| i.iter().filter_map(|x| x["ip"].as_str()).collect())
                .unwrap_or_default();
            let service_type = o["spec"]["type"].as_str().unwrap_or("ClusterIP");
            let external = if !external.is_empty() {
                external.join(",")
            } else if service_type == "LoadBalancer" {
                "<pending>".to_owned()
            } else {
                "<none>".to_owned()
            };
            vec![
                name,
                json!(service_type),
                json!(o["spec"]["clusterIP"].as_str().unwrap_or("<none>")),
                json!(external),
                or_none(ports.join(",")),
                age,
                or_none(map_text(&o["spec"]["selector"])),
            ]
        }
        "Endpoints" => {
            let mut endpoints = Vec::new();
            for subset in o["subsets"].as_array().into_iter().flatten() {
                for address in subset["addresses"].as_array().into_iter().flatten() {
                    for port in subset["ports"].as_array().into_iter().flatten() {
                        endpoints.push(format!(
                            "{}:{}",
                            address["ip"].as_str().unwrap_or_default(),
                            port["port"]
                        ));
                    }
                }
            }
            vec![name, or_none(endpoints.join(",")), age]
        }
        "ConfigMap" => {
            let data = o["data"].as_object().map_or(0, |m| m.len())
                + o["binaryData"].as_object().map_or(0, |m| m.len());
            vec![name, json!(data), age]
        }
        "Secret" => vec![name, text(&["type"]), count(&o["data"]), age],
        "ServiceAccount" => vec![name, count(&o["secrets"]), age],
        "Event" => {
            let involved = &o["involvedObject"];
            let object = format!(
                "{}/{}",
                involved["kind"].as_str().unwrap_or_default().to_lowercase(),
                involved["name"].as_str().unwrap_or_default()
            );
            let last_seen = ["lastTimestamp", "eventTime"]
                .iter()
                .find_map(|field| o[*field].as_str())
                .or_else(|| o["metadata"]["creationTimestamp"].as_str())
                .map(human_age)
                .unwrap_or_else(|| "<unknown>".to_owned());
            vec![
                json!(last_seen),
                text(&["type"]),
                text(&["reason"]),
                json!(object),
                text(&["message"]),
            ]
        }
        "PersistentVolumeClaim" => vec![
            name,
            text(&["status", "phase"]),
            text(&["spec", "volumeName"]),
            text(&["status", "capacity", "storage"]),
            json!(
                o["spec"]["accessModes"]
                    .as_array()
                    .map(|m| m
                        .iter()
                        .filter_map(|x| x.as_str())
                        .map(access_mode)
                        .collect::<Vec<_>>()
                        .join(","))
                    .unwrap_or_default()
            ),
            json!(o["spec"]["storageClassName"].as_str().unwrap_or("<unset>")),
            json!(
                o["spec"]["volumeAttributesClassName"]
                    .as_str()
                    .unwrap_or("<unset>")
            ),
            age,
            json!(o["spec"]["volumeMode"].as_str().unwrap_or("Filesystem")),
        ],
        "ResourceQuota" => {
            let pairs = |limits: bool| {
                let hard = o["status"]["hard"]
                    .as_object()
                    .or(o["spec"]["hard"].as_object());
                let used = &o["status"]["used"];
                hard.map(|hard| {
                    hard.iter()
                        .filter(|(k, _)| k.starts_with("limits.") == limits)
                        .map(|(k, v)| {
                            format!(
                                "{k}: {}/{}",
                                used[k].as_str().unwrap_or("0"),
                                v.as_str().unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
            };
            vec![name, age, json!(pairs(false)), json!(pairs(true))]
        }
        "Deployment" => {
            let (names, images) = containers(&o["spec"]["template"]["spec"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    o["status"]["readyReplicas"].as_i64().unwrap_or(0),
                    o["spec"]["replicas"].as_i64().unwrap_or(1)
                )),
                number(&["status", "updatedReplicas"]),
                number(&["status", "availableReplicas"]),
                age,
                names,
                images,
                selector(),
            ]
        }
        "ReplicaSet" => {
            let (names, images) = containers(&o["spec"]["template"]["spec"]);
            vec![
                name,
                json!(o["spec"]["replicas"].as_i64().unwrap_or(1)),
                number(&["status", "replicas"]),
                number(&["status", "readyReplicas"]),
                age,
                names,
                images,
                selector(),
            ]
        }
        "StatefulSet" => {
            let (names, images) = containers(&o["spec"]["template"]["spec"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    o["status"]["readyReplicas"].as_i64().unwrap_or(0),
                    o["spec"]["replicas"].as_i64().unwrap_or(1)
                )),
                age,
                names,
                images,
            ]
        }
        "DaemonSet" => {
            let (names, images) = containers(&o["spec"]["template"]["spec"]);
            vec![
                name,
                number(&["status", "desiredNumberScheduled"]),
                number(&["status", "currentNumberScheduled"]),
                number(&["status", "numberReady"]),
                number(&["status", "updatedNumberScheduled"]),
                number(&["status", "numberAvailable"]),
                or_none(map_text(&o["spec"]["template"]["spec"]["nodeSelector"])),
                age,
                names,
                images,
                selector(),
            ]
        }
        "Job" => {
            let (names, images) = containers(&o["spec"]["template"]["spec"]);
            let status = if conditions(o).any(|c| c["type"] == "Complete" && c["status"] == "True")
            {
                "Complete"
            } else if conditions(o).any(|c| c["type"] == "Failed" && c["status"] == "True") {
                "Failed"
            } else {
                "Running"
            };
            let completions = format!(
                "{}/{}",
                o["status"]["succeeded"].as_i64().unwrap_or(0),
                o["spec"]["completions"].as_i64().unwrap_or(1)
            );
            let duration = match (
                o["status"]["startTime"].as_str(),
                o["status"]["completionTime"].as_str(),
            ) {
                (Some(start), Some(end)) => span(start, end),
                (Some(start), None) => human_age(start),
                _ => String::new(),
            };
            vec![
                name,
                json!(status),
                json!(completions),
                json!(duration),
                age,
                names,
                images,
                selector(),
            ]
        }
        "CronJob" => {
            let (names, images) = containers(&o["spec"]["jobTemplate"]["spec"]["template"]["spec"]);
            vec![
                name,
                text(&["spec", "schedule"]),
                json!(o["spec"]["timeZone"].as_str().unwrap_or("<none>")),
                json!(if o["spec"]["suspend"] == json!(true) {
                    "True"
                } else {
                    "False"
                }),
                json!(o["status"]["active"].as_array().map_or(0, Vec::len)),
                json!(
                    o["status"]["lastScheduleTime"]
                        .as_str()
                        .map(human_age)
                        .unwrap_or_else(|| "<none>".into())
                ),
                age,
                names,
                images,
                json!("<none>"),
            ]
        }
        "Ingress" => {
            let hosts: Vec<&str> = o["spec"]["rules"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["host"].as_str()).collect())
                .unwrap_or_default();
            let address: Vec<&str> = o["status"]["loadBalancer"]["ingress"]
                .as_array()
                .map(|i| {
                    i.iter()
                        .filter_map(|x| x["ip"].as_str().or(x["hostname"].as_str()))
                        .collect()
                })
                .unwrap_or_default();
            let ports = if o["spec"]["tls"].as_array().is_some_and(|t| !t.is_empty()) {
                "80, 443"
            } else {
                "80"
            };
            vec![
                name,
                json!(o["spec"]["ingressClassName"].as_str().unwrap_or("<none>")),
                json!(if hosts.is_empty() {
                    "*".to_owned()
                } else {
                    hosts.join(",")
                }),
                json!(address.join(",")),
                json!(ports),
                age,
            ]
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            let subjects = |kind: &str| {
                o["subjects"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .filter(|x| x["kind"] == kind)
                            .map(|x| match x["namespace"].as_str() {
                                Some(ns) if kind == "ServiceAccount" => {
                                    format!("{ns}/{}", x["name"].as_str().unwrap_or_default())
                                }
                                _ => x["name"].as_str().unwrap_or_default().to_owned(),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            };
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    o["roleRef"]["kind"].as_str().unwrap_or_default(),
                    o["roleRef"]["name"].as_str().unwrap_or_default()
                )),
                age,
                json!(subjects("User")),
                json!(subjects("Group")),
                json!(subjects("ServiceAccount")),
            ]
        }
        "Role" | "ClusterRole" | "LimitRange" | "CustomResourceDefinition" => {
            vec![name, text(&["metadata", "creationTimestamp"])]
        }
        "Lease" => vec![name, text(&["spec", "holderIdentity"]), age],
        _ => vec![name, age],
    }
}

fn pod_cells(o: &Value, name: Value, age: Value) -> Vec<Value> {
    let statuses = o["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
    let ready = statuses
        .iter()
        .filter(|s| s["ready"] == json!(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .filter_map(|s| s["restartCount"].as_i64())
        .sum();
    let mut reason = o["status"]["reason"]
        .as_str()
        .or(o["status"]["phase"].as_str())
        .unwrap_or("Pending")
        .to_owned();
    for status in statuses.iter().rev() {
        if let Some(waiting) = status["state"]["waiting"]["reason"].as_str() {
            reason = waiting.to_owned();
        } else if let Some(terminated) = status["state"]["terminated"]["reason"].as_str() {
            reason = terminated.to_owned();
        }
    }
    if o["metadata"]["deletionTimestamp"].is_string() {
        reason = "Terminating".to_owned();
    }
    let none = |value: Option<&str>| json!(value.filter(|v| !v.is_empty()).unwrap_or("<none>"));
    vec![
        name,
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts.to_string()),
        age,
        none(o["status"]["podIP"].as_str()),
        none(o["spec"]["nodeName"].as_str()),
        none(o["status"]["nominatedNodeName"].as_str()),
        json!("<none>"),
    ]
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

fn conditions(o: &Value) -> impl Iterator<Item = &Value> {
    o["status"]["conditions"].as_array().into_iter().flatten()
}

fn labels(o: &Value) -> serde_json::Map<String, Value> {
    o["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn map_text(map: &Value) -> String {
    map.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn match_labels(selector: &Value) -> String {
    map_text(&selector["matchLabels"])
}

fn access_mode(mode: &str) -> &str {
    match mode {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        other => other,
    }
}

/// The object's age, as `kubectl get` prints it.
pub(super) fn age(o: &Value) -> String {
    o["metadata"]["creationTimestamp"]
        .as_str()
        .map(human_age)
        .unwrap_or_else(|| "<unknown>".to_owned())
}

/// How long ago `timestamp` was, in kubectl's short human form (`5s`, `3m20s`, `4d`).
pub fn human_age(timestamp: &str) -> String {
    match timestamp.parse::<jiff::Timestamp>() {
        Ok(then) => human_duration(jiff::Timestamp::now().as_second() - then.as_second()),
        Err(_) => "<unknown>".to_owned(),
    }
}

fn span(start: &str, end: &str) -> String {
    match (
        start.parse::<jiff::Timestamp>(),
        end.parse::<jiff::Timestamp>(),
    ) {
        (Ok(start), Ok(end)) => human_duration(end.as_second() - start.as_second()),
        _ => String::new(),
    }
}

/// Kubernetes' `HumanDuration`.
fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_owned();
    }
    let seconds = seconds.max(0);
    let (minutes, hours) = (seconds / 60, seconds / 3600);
    let days = hours / 24;
    match () {
        () if seconds < 120 => format!("{seconds}s"),
        () if minutes < 10 => two_units(minutes, "m", seconds % 60, "s"),
        () if minutes < 180 => format!("{minutes}m"),
        () if hours < 8 => two_units(hours, "h", minutes % 60, "m"),
        () if hours < 48 => format!("{hours}h"),
        () if hours < 24 * 8 => two_units(days, "d", hours % 24, "h"),
        () if hours < 24 * 365 * 2 => format!("{days}d"),
        () if hours < 24 * 365 * 8 => two_units(days / 365, "y", days % 365, "d"),
        () => format!("{}y", days / 365),
    }
}

/// `3m20s`, or `3m` when the smaller unit is zero.
fn two_units(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(4 * 3600 + 60 * 5), "4h5m");
        assert_eq!(human_duration(30 * 3600), "30h");
        assert_eq!(human_duration(3 * 86400 + 3600), "3d1h");
        assert_eq!(human_duration(100 * 86400), "100d");
        assert_eq!(human_duration(-5), "<invalid>");
    }

    #[test]
    fn every_kind_has_a_cell_per_column() {
        let object =
            json!({"metadata": {"name": "x", "creationTimestamp": "2020-01-01T00:00:00Z"}});
        for kind in [
            "Namespace",
            "Node",
            "Pod",
            "Service",
            "Endpoints",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Event",
            "PersistentVolumeClaim",
            "ResourceQuota",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "Ingress",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Lease",
            "CustomResourceDefinition",
            "LimitRange",
            "Unknown",
        ] {
            assert_eq!(cells(kind, &object).len(), columns(kind).len(), "{kind}");
        }
    }

    #[test]
    fn pod_status_prefers_container_reasons() {
        let pod = json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Running", "containerStatuses": [{"ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        });
        let cells = pod_cells(&pod, json!("p"), json!("1s"));
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "4");
    }
}
