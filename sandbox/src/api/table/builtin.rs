//! Columns and cells of the built-in kinds, as a real API server prints them.

use serde_json::{Value, json};

use super::format::{
    access_mode, age, conditions, human_age, labels, lookup, map_text, match_labels, pod_cells,
    span,
};

/// The cells of a built-in kind's row, in the order of its columns.
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
                ready_of_desired(o),
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
            vec![name, ready_of_desired(o), age, names, images]
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
        "PodDisruptionBudget" => {
            // An int or a percentage, as written.
            let bound = |field: &str| match &o["spec"][field] {
                Value::Null => json!("N/A"),
                Value::String(text) => json!(text),
                other => json!(other.to_string()),
            };
            vec![
                name,
                bound("minAvailable"),
                bound("maxUnavailable"),
                json!(o["status"]["disruptionsAllowed"].as_i64().unwrap_or(0)),
                age,
            ]
        }
        _ => vec![name, age],
    }
}

/// `ready/desired` replicas, as workloads print them.
fn ready_of_desired(o: &Value) -> Value {
    json!(format!(
        "{}/{}",
        o["status"]["readyReplicas"].as_i64().unwrap_or(0),
        o["spec"]["replicas"].as_i64().unwrap_or(1)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::columns::columns;
    use super::*;

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
            "PodDisruptionBudget",
            "CustomResourceDefinition",
            "LimitRange",
            "Unknown",
        ] {
            let row = cells(kind, &object);
            assert_eq!(row.len(), columns(kind).len(), "{kind}");
            let cell = |column: &str| {
                columns(kind)
                    .iter()
                    .position(|c| c.name == column)
                    .map(|at| row[at].clone())
            };
            // Events are listed by what they are about, not by their own names.
            let name = if kind == "Event" {
                None
            } else {
                Some(json!("x"))
            };
            assert_eq!(cell("Name"), name, "{kind}");
            if let Some(age) = cell("Age") {
                assert_eq!(age, json!(super::age(&object)), "{kind}");
            }
        }
    }

    /// The cells of `kind` for `object`, by column name.
    fn named_cells(kind: &str, object: &Value) -> Vec<(&'static str, Value)> {
        columns(kind)
            .iter()
            .map(|c| c.name)
            .zip(cells(kind, object))
            .collect()
    }

    #[test]
    fn cells_hold_what_kubectl_prints() {
        let deployment = json!({
            "metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [
                         {"name": "web", "image": "nginx:1.27"},
                         {"name": "log", "image": "busybox"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 1},
        });
        let row = named_cells("Deployment", &deployment);
        assert_eq!(row[1], ("Ready", json!("2/3")));
        assert_eq!(row[2], ("Up-to-date", json!(3)));
        assert_eq!(row[3], ("Available", json!(1)));
        assert_eq!(row[5], ("Containers", json!("web,log")));
        assert_eq!(row[6], ("Images", json!("nginx:1.27,busybox")));
        assert_eq!(row[7], ("Selector", json!("app=web")));

        let service = json!({
            "metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"type": "NodePort", "clusterIP": "10.96.0.7",
                     "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
                     "selector": {"app": "web"}},
        });
        let row = named_cells("Service", &service);
        assert_eq!(row[1], ("Type", json!("NodePort")));
        assert_eq!(row[2], ("Cluster-IP", json!("10.96.0.7")));
        assert_eq!(row[4], ("Port(s)", json!("80:30080/TCP,53/UDP")));

        let configmap = json!({
            "metadata": {"name": "settings", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "data": {"a": "1", "b": "2"},
        });
        assert_eq!(named_cells("ConfigMap", &configmap)[1], ("Data", json!(2)));
    }
}
