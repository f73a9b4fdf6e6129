//! The defaults a real API server fills into new workloads and pods, so that what is stored
//! and shown (`kubectl describe`, the console) reads as it does on a real cluster.

use serde_json::{Value, json};

/// Pod defaults: restart policy, scheduler, service account, the tolerations every pod gets
/// for unreachable and not-ready nodes, image pull policy, and the QoS class.
pub(super) fn pod(pod: &mut Value) {
    let spec = &mut pod["spec"];
    pod_spec(spec);
    let tolerations = spec["tolerations"].as_array().cloned().unwrap_or_default();
    let mut added = tolerations.clone();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = tolerations.iter().any(|t| {
            (t["key"] == key || (t["key"].is_null() && t["operator"] == "Exists"))
                && t["effect"]
                    .as_str()
                    .is_none_or(|e| e.is_empty() || e == "NoExecute")
        });
        if !tolerated {
            added.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
    spec["tolerations"] = json!(added);
    let qos = qos_class(spec);
    pod["status"] = json!({"phase": "Pending", "qosClass": qos});
}

/// The defaults of a pod spec, in a pod or a template.
fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        *spec = json!({});
    }
    for (field, value) in [
        ("restartPolicy", json!("Always")),
        ("dnsPolicy", json!("ClusterFirst")),
        ("schedulerName", json!("default-scheduler")),
        ("serviceAccountName", json!("default")),
        ("terminationGracePeriodSeconds", json!(30)),
        ("securityContext", json!({})),
    ] {
        if spec[field].is_null() {
            spec[field] = value;
        }
    }
    for field in ["containers", "initContainers"] {
        for container in spec[field].as_array_mut().into_iter().flatten() {
            if container["imagePullPolicy"].is_null() {
                let image = container["image"].as_str().unwrap_or_default();
                let tag = image
                    .rsplit_once(':')
                    .map(|(_, tag)| tag)
                    .filter(|t| !t.contains('/'));
                let policy = if tag.is_none_or(|t| t == "latest") {
                    "Always"
                } else {
                    "IfNotPresent"
                };
                container["imagePullPolicy"] = json!(policy);
            }
            if container["terminationMessagePath"].is_null() {
                container["terminationMessagePath"] = json!("/dev/termination-log");
                container["terminationMessagePolicy"] = json!("File");
            }
        }
    }
}

/// `Guaranteed` when every container limits and requests CPU and memory equally,
/// `BestEffort` when none requests or limits anything, `Burstable` otherwise.
fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let resources = |c: &Value, kind: &str, name: &str| c["resources"][kind].get(name).cloned();
    let nothing = containers.iter().all(|c| {
        ["requests", "limits"].iter().all(|kind| {
            c["resources"][*kind]
                .as_object()
                .is_none_or(|m| m.is_empty())
        })
    });
    if nothing {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|name| {
            let limit = resources(c, "limits", name);
            limit.is_some()
                && resources(c, "requests", name).is_none_or(|request| Some(request) == limit)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Deployment defaults: one replica, a 25%/25% rolling update, ten revisions of history and a
/// ten-minute progress deadline.
/// A Secret's `stringData`, a write-only convenience, merged into `data` (base64) as an API
/// server does; its keys win over the same keys in `data`.
pub(super) fn secret(secret: &mut Value) {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    let Some(Value::Object(strings)) = secret.as_object_mut().and_then(|s| s.remove("stringData"))
    else {
        return;
    };
    if !secret["data"].is_object() {
        secret["data"] = json!({});
    }
    for (key, value) in strings {
        let text = value.as_str().unwrap_or_default().to_owned();
        secret["data"][key] = json!(STANDARD.encode(text));
    }
}

pub(super) fn deployment(deployment: &mut Value) {
    let spec = &mut deployment["spec"];
    if spec["replicas"].is_null() {
        spec["replicas"] = json!(1);
    }
    if spec["strategy"]["type"].is_null() {
        spec["strategy"]["type"] = json!("RollingUpdate");
    }
    if spec["strategy"]["type"] == "RollingUpdate" {
        for field in ["maxSurge", "maxUnavailable"] {
            if spec["strategy"]["rollingUpdate"][field].is_null() {
                spec["strategy"]["rollingUpdate"][field] = json!("25%");
            }
        }
    }
    for (field, value) in [
        ("revisionHistoryLimit", 10),
        ("progressDeadlineSeconds", 600),
    ] {
        if spec[field].is_null() {
            spec[field] = json!(value);
        }
    }
    pod_spec(&mut spec["template"]["spec"]);
}

/// Workload defaults shared by the kinds with a pod template and replicas.
pub(super) fn replicated(workload: &mut Value) {
    if workload["spec"]["replicas"].is_null() {
        workload["spec"]["replicas"] = json!(1);
    }
    pod_spec(&mut workload["spec"]["template"]["spec"]);
}

/// StatefulSet defaults: one replica, ordered pod management and rolling updates.
pub(super) fn stateful_set(set: &mut Value) {
    replicated(set);
    let spec = &mut set["spec"];
    if spec["podManagementPolicy"].is_null() {
        spec["podManagementPolicy"] = json!("OrderedReady");
    }
    if spec["updateStrategy"]["type"].is_null() {
        spec["updateStrategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}});
    }
    if spec["revisionHistoryLimit"].is_null() {
        spec["revisionHistoryLimit"] = json!(10);
    }
}

/// DaemonSet defaults: rolling updates one node at a time.
pub(super) fn daemon_set(set: &mut Value) {
    let spec = &mut set["spec"];
    if spec["updateStrategy"]["type"].is_null() {
        spec["updateStrategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}});
    }
    if spec["revisionHistoryLimit"].is_null() {
        spec["revisionHistoryLimit"] = json!(10);
    }
    pod_spec(&mut spec["template"]["spec"]);
}

/// Job defaults: one completion, no parallelism, six retries, and a selector on the Job's own
/// UID, added to the pod template's labels, unless the Job chose its selector.
pub(super) fn job(job: &mut Value) {
    let uid = job["metadata"]["uid"].clone();
    let name = job["metadata"]["name"].clone();
    let spec = &mut job["spec"];
    for (field, value) in [("parallelism", 1), ("backoffLimit", 6)] {
        if spec[field].is_null() {
            spec[field] = json!(value);
        }
    }
    if spec["completions"].is_null() && spec["parallelism"] == 1 {
        spec["completions"] = json!(1);
    }
    if spec["completionMode"].is_null() {
        spec["completionMode"] = json!("NonIndexed");
    }
    if spec["suspend"].is_null() {
        spec["suspend"] = json!(false);
    }
    if spec["manualSelector"] != true {
        spec["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
        let labels = &mut spec["template"]["metadata"]["labels"];
        for (key, value) in [
            ("batch.kubernetes.io/controller-uid", &uid),
            ("batch.kubernetes.io/job-name", &name),
            ("controller-uid", &uid),
            ("job-name", &name),
        ] {
            labels[key] = value.clone();
        }
    }
    pod_spec(&mut spec["template"]["spec"]);
    // A Job without labels of its own carries its pods' labels, as the API server defaults it.
    if job["metadata"]["labels"]
        .as_object()
        .is_none_or(|l| l.is_empty())
    {
        job["metadata"]["labels"] = job["spec"]["template"]["metadata"]["labels"].clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_get_tolerations_policies_and_a_qos_class() {
        let mut new = json!({"spec": {"containers": [{"name": "c", "image": "nginx:1.27",
            "resources": {"requests": {"cpu": "100m"}}}]}});
        pod(&mut new);
        assert_eq!(new["spec"]["restartPolicy"], "Always");
        assert_eq!(
            new["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        assert_eq!(new["spec"]["tolerations"].as_array().unwrap().len(), 2);
        assert_eq!(new["status"]["qosClass"], "Burstable");
        let limited =
            json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&limited), "Guaranteed");
        assert_eq!(
            qos_class(&json!({"containers": [{"image": "x"}]})),
            "BestEffort"
        );
    }

    #[test]
    fn string_data_is_merged_into_data() {
        let mut new = json!({"data": {"a": "b2xk", "b": "a2VwdA=="}, "stringData": {"a": "new"}});
        secret(&mut new);
        assert_eq!(new, json!({"data": {"a": "bmV3", "b": "a2VwdA=="}}));
        let mut only = json!({"stringData": {"token": "t"}});
        secret(&mut only);
        assert_eq!(only, json!({"data": {"token": "dA=="}}));
    }

    #[test]
    fn jobs_select_their_own_pods() {
        let mut new = json!({"metadata": {"name": "pi", "uid": "u-1"}, "spec": {"template": {"spec": {"containers": []}}}});
        job(&mut new);
        assert_eq!(new["metadata"]["labels"]["job-name"], "pi");
        assert_eq!(
            new["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
            "u-1"
        );
        assert_eq!(
            new["spec"]["template"]["metadata"]["labels"]["job-name"],
            "pi"
        );
        assert_eq!(new["spec"]["completions"], 1);
    }
}
