//! The resource browser's server functions against the embedded sandboxes, through the binary:
//! every kind from discovery (a CRD applied a moment ago too), tables with the server's
//! columns, an object's view, YAML saved after a dry run and never over a change made
//! meanwhile, what a workload owns, events, Secrets revealed only on request and audited,
//! objects created from YAML, the actions (scale, rollout undo and restart, cordon, suspend),
//! the command palette's search, the overview of the clusters' load, unhealthy workloads and
//! warnings, and a dead member named at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

fn answer(call: (u16, String)) -> (u16, Value) {
    let (status, body) = call;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn ok(call: (u16, String)) -> Value {
    let (status, body) = answer(call);
    assert_eq!(status, 200, "{body}");
    body
}

fn deployment(name: &str) -> Value {
    json!({"cluster": "member-1", "group": "apps", "version": "v1", "resource": "deployments",
           "namespace": "demo", "name": name})
}

#[test]
fn kinds_tables_views_and_yaml_edits_on_a_member() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);

    // Every kind the cluster serves, by the address pages use.
    let kinds = ok(admin.call_json("objects/kinds", &json!({"cluster": "member-1"})));
    let addresses: Vec<String> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| match kind["group"].as_str().unwrap() {
            "" => kind["resource"].as_str().unwrap().to_owned(),
            group => format!("{}.{group}", kind["resource"].as_str().unwrap()),
        })
        .collect();
    for wanted in [
        "pods",
        "nodes",
        "deployments.apps",
        "cronjobs.batch",
        "customresourcedefinitions.apiextensions.k8s.io",
    ] {
        assert!(
            addresses.iter().any(|a| a == wanted),
            "{wanted} in {addresses:?}"
        );
    }
    let (status, _) = answer(admin.call_json("objects/kinds", &json!({"cluster": "nowhere"})));
    assert_eq!(status, 404);

    // A table with the API server's columns, filtered and sorted on the server.
    let table = |resource: &str, query: Value| {
        answer(admin.call_json(
            "objects/table",
            &json!({"cluster": "member-1", "resource": resource, "query": query}),
        ))
    };
    let (status, pods) = table(
        "pods",
        json!({"namespace": "demo", "name": "web", "sort": "Name"}),
    );
    assert_eq!(status, 200, "{pods}");
    let columns: Vec<&str> = pods["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        &columns[..5],
        ["Name", "Ready", "Status", "Restarts", "Age"]
    );
    let rows = pods["rows"].as_array().unwrap();
    assert_eq!(pods["total"], 3, "the three web pods: {pods}");
    assert!(
        rows.iter()
            .all(|row| row["name"].as_str().unwrap().starts_with("web-"))
    );
    let (_, labelled) = table("deployments.apps", json!({"labels": "tier=backend"}));
    let names: Vec<&str> = labelled["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "cache"]);
    let (status, refused) = table("pods", json!({"labels": "app in (web"}));
    assert_eq!(status, 400, "{refused}");
    let (status, _) = table("gadgets.example.com", json!({}));
    assert_eq!(status, 404);

    // A CRD applied a moment ago is browsable and editable at once.
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                               "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]},
    });
    let crds = json!({"cluster": "member-1", "group": "apiextensions.k8s.io", "version": "v1",
                      "resource": "customresourcedefinitions"});
    ok(admin.call_json("objects/create", &json!({"target": crds, "object": crd})));
    let widgets = json!({"cluster": "member-1", "group": "example.com", "version": "v1",
                         "resource": "widgets", "namespace": "demo"});
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                        "metadata": {"name": "w1", "namespace": "demo"}, "spec": {"size": 3}});
    let created = wait_until(Duration::from_secs(10), || {
        let (status, _) = answer(admin.call_json(
            "objects/create",
            &json!({"target": widgets, "object": widget}),
        ));
        (status == 200).then_some(())
    });
    assert!(created.is_some(), "the CRD's kind is served");
    let (status, listed) = table("widgets.example.com", json!({"namespace": "demo"}));
    assert_eq!(status, 200, "{listed}");
    assert!(
        listed["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Size"),
        "{listed}"
    );
    assert_eq!(listed["rows"][0]["name"], "w1");

    // Across clusters too, at its kubectl address: only member-1 serves it, so the others are
    // left out without a failure; a kind no cluster serves is a 404, a malformed address a 400.
    let across =
        |kind: &str| answer(admin.call("views/list", &format!("kind={kind}&query[page]=1")));
    let (status, page) = across("widgets.example.com");
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (&page["kind"], &page["namespaced"], &page["failed"]),
        (&json!("Widget"), &json!(true), &json!([])),
        "{page}"
    );
    // The CRD's printer columns, with each object's value in them.
    assert_eq!(page["columns"], json!(["Size"]), "{page}");
    assert_eq!(page["rows"][0]["cells"], json!(["3"]), "{page}");
    let rows: Vec<(&str, &str, &str)> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap();
            (text("cluster"), text("namespace"), text("name"))
        })
        .collect();
    assert_eq!(rows, [("member-1", "demo", "w1")]);
    let (status, missing) = across("gadgets.example.com");
    assert_eq!(status, 404, "{missing}");
    assert!(
        missing.to_string().contains("gadgets.example.com"),
        "{missing}"
    );
    let (status, _) = across("Widgets");
    assert_eq!(status, 400);
    let (status, nodes) = across("nodes");
    assert_eq!(status, 200, "{nodes}");
    assert_eq!(
        (&nodes["kind"], &nodes["namespaced"]),
        (&json!("Node"), &json!(false))
    );

    // The view: YAML without managed fields.
    let view = ok(admin.call_json("objects/view", &json!({"target": deployment("web")})));
    let yaml = view["yaml"].as_str().unwrap().to_owned();
    assert!(
        yaml.contains("kind: Deployment") && yaml.contains("replicas: 3"),
        "{yaml}"
    );
    assert!(!yaml.contains("managedFields") && view["hidden"] == false);

    // Saving: a bad document is shown at its line; another name is refused; a good edit saves.
    let save = |original: &str, edited: &str| {
        ok(admin.call_json(
            "objects/save-yaml",
            &json!({"target": deployment("web"), "original": original, "edited": edited}),
        ))
    };
    let broken = yaml.replacen("replicas: 3", "replicas: [3", 1);
    let outcome = save(&yaml, &broken);
    assert!(outcome["Invalid"]["line"].as_u64().is_some(), "{outcome}");
    let renamed = yaml.replacen("\n  name: web\n", "\n  name: other\n", 1);
    let outcome = save(&yaml, &renamed);
    assert!(
        outcome["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("metadata.name"),
        "{outcome}"
    );
    let four = yaml.replacen("replicas: 3", "replicas: 4", 1);
    let outcome = save(&yaml, &four);
    let saved = outcome["Saved"]["yaml"].as_str().unwrap().to_owned();
    assert!(saved.contains("replicas: 4"), "{outcome}");

    // Someone else changes it; an edit of the old version is a conflict showing their change,
    // with the edit made again on the latest version.
    ok(admin.call_json(
        "objects/patch",
        &json!({"target": deployment("web"), "patch": {"metadata": {"labels": {"changed-by": "kubectl"}}}}),
    ));
    let mine = saved.replacen("replicas: 4", "replicas: 5", 1);
    let outcome = save(&saved, &mine);
    let conflict = &outcome["Conflict"];
    let theirs: Vec<&Value> = conflict["theirs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["change"] == "Added")
        .collect();
    assert!(
        theirs.iter().any(|line| line["text"]
            .as_str()
            .unwrap()
            .contains("changed-by: kubectl")),
        "{outcome}"
    );
    let rebased = conflict["rebased"].as_str().unwrap();
    assert!(
        rebased.contains("replicas: 5") && rebased.contains("changed-by: kubectl"),
        "{rebased}"
    );
    let latest = ok(admin.call_json("objects/get", &json!({"target": deployment("web")})));
    assert_eq!(latest["spec"]["replicas"], 4, "nothing was written over");
    let outcome = save(conflict["latest"].as_str().unwrap(), rebased);
    assert!(
        outcome["Saved"]["yaml"]
            .as_str()
            .unwrap()
            .contains("replicas: 5"),
        "{outcome}"
    );
    let latest = ok(admin.call_json("objects/get", &json!({"target": deployment("web")})));
    assert_eq!(latest["spec"]["replicas"], 5);
    assert_eq!(latest["metadata"]["labels"]["changed-by"], "kubectl");

    // What the deployment owns, down to its pods, once they follow.
    let uid = latest["metadata"]["uid"].as_str().unwrap();
    let owned = wait_until(Duration::from_secs(20), || {
        let owned = ok(admin.call_json(
            "objects/owned",
            &json!({"target": deployment("web"), "kind": "Deployment", "uid": uid}),
        ));
        let pods = owned
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["kind"] == "Pod")
            .count();
        (pods == 5).then_some(owned)
    })
    .expect("five pods under the deployment");
    let first = &owned[0];
    assert_eq!(
        (first["kind"].as_str(), first["depth"].as_u64()),
        (Some("ReplicaSet"), Some(1))
    );

    // Events about a pod, by its UID.
    let pod_name = pods["rows"][0]["name"].as_str().unwrap();
    let pod = json!({"cluster": "member-1", "group": "", "version": "v1", "resource": "pods",
                     "namespace": "demo", "name": pod_name});
    let pod_object = ok(admin.call_json("objects/get", &json!({"target": pod})));
    let events = ok(admin.call_json(
        "objects/events",
        &json!({"target": pod, "uid": pod_object["metadata"]["uid"]}),
    ));
    let reasons: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"Scheduled"), "{events}");

    // Logs, as asked.
    let (status, logs) = admin.call_json(
        "objects/logs",
        &json!({"target": pod, "options": {"tail_lines": 2, "timestamps": true}}),
    );
    assert_eq!(status, 200, "{logs}");
    let logs: String = serde_json::from_str(&logs).unwrap();
    assert_eq!(logs.lines().count(), 2, "{logs}");
    assert!(logs.starts_with("20"), "a timestamp first: {logs}");
}

fn encoded(value: &Value) -> String {
    form_urlencoded(&value.to_string())
}

/// What the event stream at `path` sends until it ends, once `change` has been made after it
/// opened.
fn stream_around(admin: &Browser, path: &str, change: impl FnOnce()) -> String {
    let mut stream = admin.stream(path, 6);
    let mut reader = std::io::BufReader::new(stream.stdout.take().unwrap());
    let mut output = String::new();
    while !output.contains("event: open") {
        assert!(
            std::io::BufRead::read_line(&mut reader, &mut output).unwrap() > 0,
            "{output}"
        );
    }
    change();
    std::io::Read::read_to_string(&mut reader, &mut output).unwrap();
    stream.wait().unwrap();
    output
}

#[test]
fn pages_follow_changes_and_logs_as_they_happen() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let web = json!({"cluster": "member-1", "resource": "deployments.apps", "namespace": "demo", "name": "web"});
    let pods = json!({"cluster": "member-1", "resource": "pods", "namespace": "demo"});
    let nothing = json!({"cluster": "member-1", "resource": "gadgets.example.com"});
    let path = format!(
        "/live/changes?target={}&target={}&target={}",
        encoded(&web),
        encoded(&pods),
        encoded(&nothing)
    );
    // Once the stream is open, a change to the deployment and the pods it makes are sent.
    let output = stream_around(&admin, &path, || {
        ok(admin.call_json(
            "objects/patch",
            &json!({"target": deployment("web"), "patch": {"spec": {"replicas": 4}}}),
        ));
    });
    assert!(output.starts_with("event: open"), "{output}");
    assert!(
        output.contains("event: refused"),
        "an unknown kind is refused: {output}"
    );
    let changes: Vec<Value> = output
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|pair| pair[0] == "event: change")
        .map(|pair| serde_json::from_str(pair[1].trim_start_matches("data: ")).unwrap())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c["name"] == "web" && c["type"] == "MODIFIED"),
        "{output}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["type"] == "ADDED" && c["name"].as_str().unwrap().starts_with("web-")),
        "the new pod: {output}"
    );
    assert!(
        !output.contains("\"spec\""),
        "changes carry no objects: {output}"
    );
    let (status, _) = admin.get("/live/changes?target=not-json");
    assert_eq!(status, 400);

    // A list across clusters follows what the caches hear, on the clusters it shows.
    let mut on_member_2 = deployment("api");
    on_member_2["cluster"] = json!("member-2");
    let output = stream_around(
        &admin,
        "/live/view?kind=deployments.apps&namespace=demo",
        || {
            ok(admin.call_json(
                "objects/patch",
                &json!({"target": on_member_2, "patch": {"metadata": {"labels": {"seen": "yes"}}}}),
            ));
        },
    );
    let change =
        json!({"type": "Object", "cluster": "member-2", "namespace": "demo", "name": "api"});
    assert!(
        output
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .any(|data| serde_json::from_str::<Value>(data).ok() == Some(change.clone())),
        "{output}"
    );
    assert!(
        !output.contains("\"labels\""),
        "changes carry no objects: {output}"
    );
    let (status, _) = admin.get("/live/view?kind=Deployments");
    assert_eq!(status, 400);

    // A followed log sends what is there and then new lines as they are written.
    let table = ok(admin.call_json(
        "objects/table",
        &json!({"cluster": "member-1", "resource": "pods", "query": {"namespace": "demo", "name": "web-"}}),
    ));
    let pod = json!({"cluster": "member-1", "group": "", "version": "v1", "resource": "pods",
                     "namespace": "demo", "name": table["rows"][0]["name"]});
    let (status, file) = admin.get(&format!(
        "/live/logs?target={}&tailLines=3&download=1",
        encoded(&pod)
    ));
    assert_eq!((status, file.lines().count()), (200, 3), "{file}");
    let followed = admin.stream(
        &format!("/live/logs?target={}&tailLines=1", encoded(&pod)),
        8,
    );
    let output = String::from_utf8(followed.wait_with_output().unwrap().stdout).unwrap();
    let lines = output.lines().filter(|line| *line == "event: line").count();
    assert!(
        lines >= 2,
        "the last line and at least one new one in 8 s: {output}"
    );

    // A workload's logs are its pods', in one order by time, each line labelled with its pod
    // and container.
    let web = json!({"cluster": "member-1", "group": "apps", "version": "v1",
                     "resource": "deployments", "namespace": "demo", "name": "web"});
    let labelled = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .map(|line| {
                let (label, rest) = line
                    .strip_prefix('[')
                    .and_then(|line| line.split_once("] "))
                    .unwrap_or_else(|| panic!("a labelled line: {line:?}"));
                (label.to_owned(), rest.to_owned())
            })
            .collect()
    };
    let text = ok(admin.call_json(
        "objects/logs",
        &json!({"target": web, "options": {"tail_lines": 3, "timestamps": true}}),
    ));
    let lines = labelled(text.as_str().unwrap());
    let pods: std::collections::BTreeSet<&str> =
        lines.iter().map(|(label, _)| label.as_str()).collect();
    assert!(pods.len() >= 2, "lines of several pods: {text}");
    for label in &pods {
        assert!(
            label.starts_with("pod/web-") && label.ends_with("/nginx"),
            "{label}"
        );
    }
    let times: Vec<jiff::Timestamp> = lines
        .iter()
        .map(|(_, rest)| rest.split_once(' ').unwrap().0.parse().unwrap())
        .collect();
    assert!(times.is_sorted(), "interleaved by time: {text}");
    let untimed = ok(admin.call_json(
        "objects/logs",
        &json!({"target": web, "options": {"tail_lines": 3}}),
    ));
    let untimed = labelled(untimed.as_str().unwrap());
    assert_eq!(untimed.len(), lines.len());
    assert!(
        untimed.iter().all(|(_, rest)| rest
            .split_once(' ')
            .unwrap()
            .0
            .parse::<jiff::Timestamp>()
            .is_err()),
        "no times unless asked: {untimed:?}"
    );
    let (status, file) = admin.get(&format!(
        "/live/logs?target={}&tailLines=2&download=1",
        encoded(&web)
    ));
    assert_eq!(status, 200);
    let mut per_pod = std::collections::BTreeMap::<String, usize>::new();
    for (label, _) in labelled(&file) {
        *per_pod.entry(label).or_default() += 1;
    }
    assert!(per_pod.len() >= 2, "{file}");
    assert!(per_pod.values().all(|lines| *lines <= 2), "{file}");
    let followed = admin.stream(
        &format!("/live/logs?target={}&tailLines=1", encoded(&web)),
        8,
    );
    let output = String::from_utf8(followed.wait_with_output().unwrap().stdout).unwrap();
    let followed: Vec<&str> = output
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect();
    assert!(
        followed.len() > pods.len(),
        "each pod's last line and new ones: {output}"
    );
    assert!(
        followed.iter().all(|line| line.starts_with("[pod/web-")),
        "{output}"
    );
    // A kind that makes no pods of its own has no logs.
    let service = json!({"cluster": "member-1", "group": "", "version": "v1",
                         "resource": "services", "namespace": "demo", "name": "web"});
    let (status, body) =
        answer(admin.call_json("objects/logs", &json!({"target": service, "options": {}})));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn secrets_are_revealed_only_on_request_and_each_reveal_is_audited() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let secret = json!({"cluster": "member-1", "group": "", "version": "v1", "resource": "secrets",
                        "namespace": "demo", "name": "db-credentials"});
    let view = ok(admin.call_json("objects/view", &json!({"target": secret})));
    let shown = view.to_string();
    assert!(
        view["hidden"] == true
            && !shown.contains("c2FuZGJveC1vbmx5")
            && !shown.contains("sandbox-only"),
        "{shown}"
    );
    let outcome = ok(admin.call_json(
        "objects/save-yaml",
        &json!({"target": secret, "original": view["yaml"], "edited": view["yaml"]}),
    ));
    assert!(
        outcome["Invalid"].is_object(),
        "a Secret is not saved without its values: {outcome}"
    );

    let values = ok(admin.call_json("objects/reveal", &json!({"target": secret})));
    assert_eq!(values["password"], "sandbox-only");
    let (status, _) =
        answer(admin.call_json("objects/reveal", &json!({"target": deployment("web")})));
    assert_eq!(status, 400, "only Secrets are revealed");
    let audited = wait_until(Duration::from_secs(5), || {
        let entries = ok(admin.call(
            "audit/list",
            "filter[resource]=secrets&filter[refused]=false",
        ));
        entries
            .as_array()
            .unwrap()
            .iter()
            .any(|e| {
                e["verb"] == "get" && e["name"] == "db-credentials" && e["cluster"] == "member-1"
            })
            .then_some(())
    });
    assert!(audited.is_some(), "the reveal is in the audit log");
}

#[test]
fn objects_are_created_from_yaml_each_on_its_own() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: '1'\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata:\n  name: made-here\n---\n\
                apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n---\n\
                kind: [broken\n";
    let planned = ok(admin.call_json(
        "objects/plan",
        &json!({"cluster": "member-1", "namespace": "demo", "yaml": yaml}),
    ));
    let planned = planned.as_array().unwrap();
    assert_eq!(planned.len(), 4, "{planned:?}");
    assert_eq!(planned[0]["summary"], "ConfigMap demo/one");
    assert_eq!(planned[0]["target"]["namespace"], "demo");
    assert_eq!(planned[1]["summary"], "Namespace made-here");
    assert!(planned[1]["target"]["namespace"].is_null());
    assert!(planned[2]["problem"].as_str().unwrap().contains("Gadget"));
    // Lines count over the whole text: the broken document starts on line 18.
    assert!(
        planned[3]["problem"].as_str().unwrap().contains("line 18"),
        "{:?}",
        planned[3]
    );
    for document in &planned[..2] {
        ok(admin.call_json(
            "objects/create",
            &json!({"target": document["target"], "object": document["object"]}),
        ));
    }
    let made = ok(admin.call_json(
        "objects/get",
        &json!({"target": {"cluster": "member-1", "group": "", "version": "v1", "resource": "configmaps",
                           "namespace": "demo", "name": "one"}}),
    ));
    assert_eq!(made["data"]["a"], "1");
}

#[test]
fn actions_scale_roll_back_cordon_and_suspend_until_the_cluster_reflects_them() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let act = |target: &Value, action: Value| {
        answer(admin.call_json("objects/act", &json!({"target": target, "action": action})))
    };
    let get = |target: &Value| ok(admin.call_json("objects/get", &json!({"target": target})));
    let wait_for = |what: &str, target: &Value, done: &dyn Fn(&Value) -> bool| {
        wait_until(Duration::from_secs(60), || {
            Some(get(target)).filter(|o| done(o))
        })
        .unwrap_or_else(|| panic!("{what}: {}", get(target)))
    };
    let collection = json!({"cluster": "member-1", "group": "apps", "version": "v1",
                            "resource": "deployments", "namespace": "demo"});
    let rolled = deployment("rolled");
    let template = |image: &str| {
        json!({"metadata": {"labels": {"app": "rolled"}},
        "spec": {"containers": [{"name": "web", "image": image}]}})
    };
    ok(admin.call_json(
        "objects/create",
        &json!({"target": collection, "object": {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "rolled", "namespace": "demo"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "rolled"}},
                 "template": template("nginx:1.27")}}}),
    ));
    let available = |wanted: i64| {
        move |o: &Value| {
            o["status"]["availableReplicas"] == wanted
                && o["status"]["updatedReplicas"] == wanted
                && o["status"]["replicas"] == wanted
        }
    };
    wait_for("one replica available", &rolled, &available(1));

    // A single revision has nothing to go back to.
    let (status, refused) = act(&rolled, json!("Undo"));
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no earlier revision"),
        "{refused}"
    );

    let (status, body) = act(&rolled, json!({"Scale": 3}));
    assert_eq!(status, 200, "{body}");
    wait_for("scaled to three", &rolled, &available(3));

    ok(admin.call_json(
        "objects/patch",
        &json!({"target": rolled,
        "patch": {"spec": {"template": template("nginx:1.28")}}}),
    ));
    wait_for("rolled out to 1.28", &rolled, &|o| {
        o["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2" && available(3)(o)
    });
    let (status, body) = act(&rolled, json!("Undo"));
    assert_eq!(status, 200, "{body}");
    let image = |o: &Value| o["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    // Revision 3 says the controller saw the undo; a restart before that would make the
    // restarted template revision 3 itself, the undone one never having been rolled out.
    let undone = wait_for("back on 1.27", &rolled, &|o| {
        image(o) == "nginx:1.27"
            && o["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
            && available(3)(o)
    });
    assert!(
        undone["spec"]["template"]["metadata"]["labels"]["pod-template-hash"].is_null(),
        "{undone}"
    );

    let (status, body) = act(&rolled, json!("Restart"));
    assert_eq!(status, 200, "{body}");
    let restarted = wait_for("restarted", &rolled, &|o| {
        o["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4" && available(3)(o)
    });
    let stamp = &restarted["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"];
    assert!(stamp.as_str().unwrap().ends_with('Z'), "{restarted}");

    // A StatefulSet and a DaemonSet go back to their previous template, found in their
    // ControllerRevisions.
    for (resource, kind, extra) in [
        (
            "statefulsets",
            "StatefulSet",
            json!({"replicas": 1, "serviceName": "ledger"}),
        ),
        ("daemonsets", "DaemonSet", json!({})),
    ] {
        let name = format!("ledger-{}", &resource[..1]);
        let collection = json!({"cluster": "member-1", "group": "apps", "version": "v1",
                                "resource": resource, "namespace": "demo"});
        let mut spec = extra;
        spec["selector"] = json!({"matchLabels": {"app": name}});
        spec["template"] = json!({"metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "main", "image": "ledger:1"}]}});
        ok(admin.call_json(
            "objects/create",
            &json!({"target": collection, "object": {"apiVersion": "apps/v1", "kind": kind,
                "metadata": {"name": name, "namespace": "demo"}, "spec": spec}}),
        ));
        let mut set = collection.clone();
        set["name"] = json!(name);
        let observed = |o: &Value| o["status"]["observedGeneration"] == o["metadata"]["generation"];
        wait_for("first revision recorded", &set, &observed);
        let (status, refused) = act(&set, json!("Undo"));
        assert_eq!(status, 400, "{kind}: {refused}");
        ok(admin.call_json(
            "objects/patch",
            &json!({"target": set, "patch": {"spec": {"template": {"spec": {
                "containers": [{"name": "main", "image": "ledger:2"}]}}}}}),
        ));
        wait_for("second revision seen", &set, &observed);
        let (status, body) = act(&set, json!("Undo"));
        assert_eq!(status, 200, "{kind}: {body}");
        wait_for("back on ledger:1", &set, &|o| {
            image(o) == "ledger:1" && observed(o)
        });
    }

    // Nodes are cordoned and uncordoned; a node cannot be scaled.
    let nodes = json!({"cluster": "member-1", "group": "", "version": "v1", "resource": "nodes"});
    let listed = ok(admin.call_json("objects/list", &json!({"target": nodes})));
    let mut node = nodes.clone();
    node["name"] = listed["items"][0]["metadata"]["name"].clone();
    let (status, refused) = act(&node, json!({"Scale": 2}));
    assert_eq!(status, 400, "{refused}");
    assert_eq!(act(&node, json!("Cordon")).0, 200);
    wait_for("cordoned", &node, &|o| o["spec"]["unschedulable"] == true);
    assert_eq!(act(&node, json!("Uncordon")).0, 200);
    wait_for("uncordoned", &node, &|o| {
        o["spec"]["unschedulable"].is_null()
    });

    let cronjobs = json!({"cluster": "member-1", "group": "batch", "version": "v1",
                          "resource": "cronjobs", "namespace": "demo"});
    ok(admin.call_json(
        "objects/create",
        &json!({"target": cronjobs, "object": {
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "demo"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "job", "image": "busybox"}]}}}}}}}),
    ));
    let mut cronjob = cronjobs.clone();
    cronjob["name"] = json!("nightly");
    assert_eq!(act(&cronjob, json!("Suspend")).0, 200);
    wait_for("suspended", &cronjob, &|o| o["spec"]["suspend"] == true);
    assert_eq!(act(&cronjob, json!("Resume")).0, 200);
    wait_for("resumed", &cronjob, &|o| o["spec"]["suspend"] == false);
}

#[test]
fn the_palette_finds_clusters_namespaces_kinds_and_objects_within_the_callers_rights() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let find = |browser: &Browser, text: &str| {
        ok(browser.call("find", &format!("text={}", form_urlencoded(text))))
    };
    let found = |findings: &Value| -> Vec<(String, String, String)> {
        findings["found"]
            .as_array()
            .unwrap()
            .iter()
            .map(|found| {
                let text = |key: &str| found[key].as_str().unwrap().to_owned();
                (text("what"), text("name"), text("href"))
            })
            .collect()
    };

    let pods = ok(admin.call(
        "views/list",
        "kind=pods&query[cluster]=member-2&query[namespace]=demo",
    ));
    let pod = pods["rows"][0]["name"].as_str().unwrap().to_owned();
    let pod_page = format!("/clusters/member-2/namespaces/demo/pods/{pod}");
    // Whatever the case typed, the exact name comes first, leading to the object's page.
    let findings = found(&find(&admin, &pod.to_uppercase()));
    assert_eq!(findings.first().map(|(_, name, _)| name), Some(&pod));
    assert!(
        findings.contains(&("Object".to_owned(), pod.clone(), pod_page.clone())),
        "{findings:?}"
    );

    let clusters = found(&find(&admin, "member"));
    let names: Vec<&str> = clusters
        .iter()
        .filter(|(what, ..)| what == "Cluster")
        .map(|(_, name, _)| name.as_str())
        .collect();
    assert!(names.starts_with(&["member-1", "member-2"]), "{clusters:?}");
    let namespaces = found(&find(&admin, "demo"));
    for cluster in ["member-1", "member-2"] {
        let page = format!("/clusters/{cluster}/namespaces/demo");
        assert!(
            namespaces
                .iter()
                .any(|(what, _, href)| what == "Namespace" && *href == page),
            "{page} in {namespaces:?}"
        );
    }
    let kinds = found(&find(&admin, "cronjob"));
    assert!(
        kinds.contains(&(
            "Kind".to_owned(),
            "CronJob".to_owned(),
            "/clusters/member-1/cronjobs.batch".to_owned()
        )),
        "{kinds:?}"
    );
    assert!(found(&find(&admin, "  ")).is_empty());
    let (status, _) = answer(admin.call("find", &format!("text={}", "x".repeat(101))));
    assert_eq!(status, 400);

    // Without JavaScript the same search is a page of links.
    let (status, html) = admin.get(&format!("/find?q={pod}"));
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"{pod_page}\"")), "{html}");

    // A user with no role sees no cluster, so finds nothing of them.
    let (status, body) = admin.call(
        "users/create",
        "name=nobody&email=n%40example.com&display_name=Nobody&password=nobody-pass-1",
    );
    assert_eq!(status, 200, "{body}");
    let nobody = Browser::login(&console, "nobody", "nobody-pass-1");
    for text in [pod.as_str(), "member", "demo", "cronjob"] {
        let findings = find(&nobody, text);
        assert_eq!(findings["found"], json!([]), "{text}: {findings}");
    }
}

/// A Deployment of `replicas` pods of `image` in `namespace` on `cluster`, each requesting
/// `cpu`.
fn create_deployment(
    admin: &Browser,
    cluster: &str,
    namespace: &str,
    name: &str,
    (replicas, image, cpu): (u32, &str, &str),
) {
    let collection = json!({"cluster": cluster, "group": "apps", "version": "v1",
                            "resource": "deployments", "namespace": namespace});
    ok(admin.call_json(
        "objects/create",
        &json!({"target": collection, "object": {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "main", "image": image,
                                  "resources": {"requests": {"cpu": cpu}}}]}}}}}),
    ));
}

/// The load `overview` gives `cluster`: requested millicores and pods, summed over its nodes.
fn requested(overview: &Value, cluster: &str) -> Option<(u64, u64)> {
    let load = overview["loads"]
        .as_array()?
        .iter()
        .find(|load| load["cluster"] == cluster)?;
    let nodes = load["nodes"].as_array()?;
    Some(nodes.iter().fold((0, 0), |(cpu, pods), node| {
        let load = &node["load"];
        (
            cpu + load["requested"]["cpu_millis"].as_u64().unwrap(),
            pods + load["pods"].as_u64().unwrap(),
        )
    }))
}

#[test]
fn the_overview_shows_load_unhealthy_workloads_and_warnings_within_the_callers_rights() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let overview = |browser: &Browser, form: &str| ok(browser.call("overview", form));

    let all = overview(&admin, "");
    assert_eq!(all["multi_cluster"], true);
    for cluster in ["host", "member-1", "member-2"] {
        let (cpu, pods) = requested(&all, cluster).unwrap_or_else(|| panic!("{cluster}: {all}"));
        assert!(cpu > 0 && pods > 0, "{cluster} has seed pods: {all}");
    }
    let node = &all["loads"][0]["nodes"][0];
    assert_eq!(node["load"]["pod_capacity"], 110, "{node}");
    assert_eq!(node["load"]["capacity"]["cpu_millis"], 4000, "{node}");

    // Two pods of 300m each, once bound, add exactly that to member-2's requests.
    let before = requested(&all, "member-2").unwrap();
    create_deployment(
        &admin,
        "member-2",
        "demo",
        "hungry",
        (2, "nginx:1.27", "300m"),
    );
    let after = wait_until(Duration::from_secs(30), || {
        let now = requested(&overview(&admin, "cluster=member-2"), "member-2")?;
        (now.1 == before.1 + 2).then_some(now)
    })
    .expect("the new pods are counted on their nodes");
    assert_eq!(after.0, before.0 + 600);

    // An image that cannot be pulled leaves its Deployment short, and its pods' warnings
    // link to them.
    create_deployment(
        &admin,
        "member-1",
        "demo",
        "broken",
        (1, "example.com/missing:1", "10m"),
    );
    create_deployment(
        &admin,
        "member-1",
        "default",
        "elsewhere",
        (1, "example.com/missing:2", "10m"),
    );
    // Both Deployments' pods are warned of, each as its events reach the console's cache.
    let one = wait_until(Duration::from_secs(30), || {
        let one = overview(&admin, "cluster=member-1");
        let warnings = one["warnings"].as_array()?;
        let elsewhere = warnings.iter().any(|warning| {
            warning["namespace"] == "default" && warning["message"] == "Error: ImagePullBackOff"
        });
        let broken = warnings.iter().any(|warning| {
            warning["namespace"] == "demo"
                && warning["object"]
                    .as_str()
                    .is_some_and(|object| object.starts_with("Pod/broken-"))
        });
        (elsewhere && broken).then_some(one)
    })
    .expect("the failed pulls are warned of");
    assert_eq!(one["loads"].as_array().unwrap().len(), 1, "{one}");
    let unhealthy: Vec<(&str, &str, &str)> = one["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|workload| {
            let row = &workload["row"];
            (
                workload["kind"].as_str().unwrap(),
                row["namespace"].as_str().unwrap(),
                row["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        unhealthy.contains(&("deployments.apps", "demo", "broken"))
            && unhealthy.contains(&("deployments.apps", "default", "elsewhere")),
        "{one}"
    );
    let broken = one["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|warning| {
            warning["namespace"] == "demo"
                && warning["object"]
                    .as_str()
                    .unwrap()
                    .starts_with("Pod/broken-")
        })
        .unwrap_or_else(|| panic!("{one}"));
    let pod = broken["object"]
        .as_str()
        .unwrap()
        .trim_start_matches("Pod/");
    assert_eq!(
        broken["href"],
        format!("/clusters/member-1/namespaces/demo/pods/{pod}")
    );
    assert_eq!(broken["cluster"], "member-1");

    // Without JavaScript the cluster's page shows the same: its nodes, the short Deployment.
    let (status, html) = admin.get("/clusters/member-1");
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"node-loads\""), "{html}");
    assert!(
        html.contains("href=\"/clusters/member-1/namespaces/demo/deployments.apps/broken\""),
        "{html}"
    );

    // A project viewer sees the workloads and warnings of their project only, and no load:
    // summed over some pods it would mislead.
    for (endpoint, form) in [
        (
            "users/create",
            "name=viewer&email=v%40example.com&display_name=Viewer&password=viewer-pass-1",
        ),
        (
            "members/grant",
            "user=viewer&role=project-viewer&cluster=member-1&namespace=demo",
        ),
    ] {
        let (status, body) = admin.call(endpoint, form);
        assert_eq!(status, 200, "{body}");
    }
    let viewer = Browser::login(&console, "viewer", "viewer-pass-1");
    let seen = overview(&viewer, "");
    let loads = seen["loads"].as_array().unwrap();
    assert_eq!(loads.len(), 1, "only member-1 is in their scope: {seen}");
    assert_eq!(loads[0]["nodes"], Value::Null, "{seen}");
    let places = |list: &str| -> Vec<String> {
        seen[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                let item = if list == "unhealthy" {
                    &item["row"]
                } else {
                    item
                };
                item["namespace"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert!(places("unhealthy").contains(&"demo".to_owned()), "{seen}");
    assert!(places("warnings").contains(&"demo".to_owned()), "{seen}");
    for list in ["unhealthy", "warnings"] {
        assert!(
            places(list).iter().all(|namespace| namespace == "demo"),
            "{list}: {seen}"
        );
    }
    // A cluster outside their scope has no overview, as if it did not exist.
    let other = overview(&viewer, "cluster=member-2");
    assert_eq!(other["loads"], json!([]), "{other}");
}

#[test]
fn a_dead_member_is_named_at_once() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let sandbox_dir = tempfile::TempDir::new().unwrap();
    let data = sandbox_dir.path().join("data");
    let sandbox = start_sandbox(free_address(), &data, &["--empty"]);
    let text = std::fs::read_to_string(data.join("kubeconfig")).unwrap();
    let form = format!(
        "name=doomed&kubeconfig={}&labels=&provider=&description=",
        form_urlencoded(&text)
    );
    let (status, body) = admin.call("clusters/join", &form);
    assert_eq!(status, 200, "{body}");
    let served = wait_until(Duration::from_secs(20), || {
        let (status, _) = answer(admin.call_json("objects/kinds", &json!({"cluster": "doomed"})));
        (status == 200).then_some(())
    });
    assert!(
        served.is_some(),
        "the new member's kinds are served once its health is known"
    );

    drop(sandbox);
    // Once the health loop has seen it go, every page about it answers at once, naming it.
    let named = wait_until(Duration::from_secs(30), || {
        let started = Instant::now();
        let (status, body) = answer(admin.call_json(
            "objects/table",
            &json!({"cluster": "doomed", "resource": "pods", "query": {}}),
        ));
        (status == 503
            && body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("doomed is not ready"))
        .then(|| started.elapsed())
    })
    .expect("the dead member is named");
    assert!(named < Duration::from_secs(2), "answered in {named:?}");
    let started = Instant::now();
    let (status, body) = answer(admin.call_json("objects/kinds", &json!({"cluster": "doomed"})));
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The palette names it as left out and still finds the others.
    let started = Instant::now();
    let findings = ok(admin.call("find", "text=demo"));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        findings["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|failure| failure["cluster"] == "doomed"),
        "{findings}"
    );
    assert!(
        findings["found"]
            .as_array()
            .unwrap()
            .iter()
            .any(|found| found["href"] == "/clusters/member-2/namespaces/demo"),
        "{findings}"
    );
    // The overview names it and shows the others.
    let started = Instant::now();
    let overview = ok(admin.call("overview", ""));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        overview["failed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|failure| failure["cluster"] == "doomed"),
        "{overview}"
    );
    assert!(requested(&overview, "member-2").is_some(), "{overview}");
    // The other members answer as before.
    ok(admin.call_json(
        "objects/table",
        &json!({"cluster": "member-2", "resource": "pods", "query": {}}),
    ));
}
