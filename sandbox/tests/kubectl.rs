//! The real `kubectl`, with default flags, against a sandbox started by the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::eventually;
use common::kubectl::Kubectl;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

const MANIFEST: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo}
data: {mode: "blue"}
"#;

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn api_resources_lists_the_served_types() {
    let kubectl = Kubectl::start().await;
    let out = kubectl.ok(&["api-resources"]).await;
    let deployments = out
        .lines()
        .find(|line| line.starts_with("deployments "))
        .expect("deployments listed");
    let columns: Vec<&str> = deployments.split_whitespace().collect();
    assert_eq!(
        columns,
        ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("customresourcedefinitions "))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_apply_label_annotate_patch_scale_delete() {
    let kubectl = Kubectl::start().await;
    let created = kubectl
        .apply_stdin(&["create", "--save-config"], MANIFEST)
        .await;
    assert!(created.contains("namespace/demo created"), "{created}");
    assert!(created.contains("deployment.apps/web created"), "{created}");

    let listed = kubectl.ok(&["get", "deployments", "-n", "demo"]).await;
    let header: Vec<&str> = listed.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);

    let changed = MANIFEST.replace("mode: \"blue\"", "mode: \"green\"");
    let output = kubectl.apply_stdin(&["apply"], &changed).await;
    assert!(output.contains("configmap/settings configured"), "{output}");
    let settings = kubectl
        .json(&["get", "configmap", "settings", "-n", "demo"])
        .await;
    assert_eq!(settings["data"]["mode"], "green");

    // `kubectl create` owns spec.replicas, so taking it over needs --force-conflicts.
    let server_side = changed.replace("replicas: 3", "replicas: 4");
    let path = kubectl.sandbox.dir.path().join("server-side.yaml");
    std::fs::write(&path, &server_side).unwrap();
    let refused = kubectl
        .run(&["apply", "--server-side", "-f", &path.to_string_lossy()])
        .await;
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("conflict with \"kubectl-create\"") && message.contains(".spec.replicas"),
        "{message}"
    );
    let output = kubectl
        .apply_stdin(
            &["apply", "--server-side", "--force-conflicts"],
            &server_side,
        )
        .await;
    assert!(
        output.contains("deployment.apps/web serverside-applied"),
        "{output}"
    );

    let yaml = kubectl
        .ok(&["get", "deployment", "web", "-n", "demo", "-o", "yaml"])
        .await;
    assert!(yaml.contains("replicas: 4"), "{yaml}");
    assert!(yaml.contains("kind: Deployment"), "{yaml}");

    kubectl
        .ok(&["label", "deployment", "web", "-n", "demo", "tier=front"])
        .await;
    kubectl
        .ok(&[
            "annotate",
            "deployment",
            "web",
            "-n",
            "demo",
            "owner=team-a",
        ])
        .await;
    let merge = r#"{"spec":{"minReadySeconds":5}}"#;
    kubectl
        .ok(&[
            "patch",
            "deployment",
            "web",
            "-n",
            "demo",
            "--type=merge",
            "-p",
            merge,
        ])
        .await;
    let json_patch = r#"[{"op":"add","path":"/metadata/labels/patched","value":"json"}]"#;
    kubectl
        .ok(&[
            "patch",
            "deployment",
            "web",
            "-n",
            "demo",
            "--type=json",
            "-p",
            json_patch,
        ])
        .await;
    let strategic =
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}"#;
    kubectl
        .ok(&["patch", "deployment", "web", "-n", "demo", "-p", strategic])
        .await;
    kubectl
        .ok(&["scale", "deployment", "web", "-n", "demo", "--replicas=5"])
        .await;

    let web = kubectl
        .json(&["get", "deployment", "web", "-n", "demo"])
        .await;
    assert_eq!(web["metadata"]["labels"]["tier"], "front");
    assert_eq!(web["metadata"]["labels"]["patched"], "json");
    assert_eq!(web["metadata"]["annotations"]["owner"], "team-a");
    assert_eq!(web["spec"]["minReadySeconds"], 5);
    assert_eq!(web["spec"]["replicas"], 5);
    let containers = web["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    assert_eq!(containers[0]["image"], "nginx:1.28");
    assert_eq!(containers[0]["ports"][0]["containerPort"], 80);

    let deleted = kubectl
        .ok(&["delete", "deployment", "web", "-n", "demo"])
        .await;
    assert!(
        deleted.contains("deployment.apps \"web\" deleted"),
        "{deleted}"
    );
    let missing = kubectl
        .run(&["get", "deployment", "web", "-n", "demo"])
        .await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("NotFound"));
}

#[tokio::test(flavor = "multi_thread")]
async fn get_watch_sees_a_change() {
    let kubectl = Kubectl::start().await;
    let mut watch = kubectl
        .command(&["get", "configmaps", "-n", "default", "-w"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    kubectl
        .apply_stdin(
            &["create"],
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n",
        )
        .await;
    let seen = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("watched ") {
                return line;
            }
        }
        panic!("the watch ended without showing the change");
    })
    .await
    .expect("kubectl get -w showed the new configmap");
    assert!(seen.split_whitespace().count() >= 3, "{seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn edit_through_an_editor_script() {
    let kubectl = Kubectl::start().await;
    kubectl
        .apply_stdin(
            &["create"],
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edited}\ndata: {colour: red}\n",
        )
        .await;
    let editor = kubectl.sandbox.dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/colour: red/colour: teal/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = kubectl
        .command(&["edit", "configmap", "edited"])
        .env("KUBE_EDITOR", &editor)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let edited = kubectl.json(&["get", "configmap", "edited"]).await;
    assert_eq!(edited["data"]["colour"], "teal");
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_paginated_list_covers_every_object_once() {
    let kubectl = Kubectl::start().await;
    let mut manifest = String::new();
    for i in 0..7 {
        manifest.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: page-{i}}}\n"
        ));
    }
    kubectl.apply_stdin(&["create"], &manifest).await;
    let mut names = Vec::new();
    let mut token = String::new();
    loop {
        let path = format!("/api/v1/namespaces/default/configmaps?limit=3&continue={token}");
        let page: Value =
            serde_json::from_str(&kubectl.ok(&["get", "--raw", &path]).await).unwrap();
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["metadata"]["name"].clone()),
        );
        match page["metadata"]["continue"].as_str() {
            Some(next) if !next.is_empty() => token = next.to_owned(),
            _ => break,
        }
    }
    let expected: Vec<Value> = (0..7).map(|i| Value::from(format!("page-{i}"))).collect();
    assert_eq!(names, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_crd_is_served_and_listed_by_its_plural() {
    let kubectl = Kubectl::start().await;
    let output = kubectl.apply_stdin(&["apply"], CRD).await;
    assert!(
        output
            .contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created")
    );
    kubectl
        .apply_stdin(
            &["apply"],
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n",
        )
        .await;
    let table = eventually(Duration::from_secs(5), "widgets to be listed", || async {
        let output = kubectl.run(&["get", "widgets"]).await;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    })
    .await;
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "SIZE", "AGE"]);
    assert_eq!(&rows[1][..2], ["w1", "3"]);
    let short = kubectl
        .ok(&["get", "wd", "w1", "-o", "jsonpath={.spec.size}"])
        .await;
    assert_eq!(short, "3");
}

#[tokio::test(flavor = "multi_thread")]
async fn generator_commands_that_send_protobuf() {
    let kubectl = Kubectl::start().await;
    assert!(
        kubectl
            .ok(&["create", "namespace", "tools"])
            .await
            .contains("namespace/tools created")
    );
    kubectl
        .ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=3",
            "-n",
            "tools",
        ])
        .await;
    kubectl
        .ok(&[
            "create",
            "configmap",
            "settings",
            "--from-literal=mode=blue",
            "-n",
            "tools",
        ])
        .await;
    kubectl
        .ok(&[
            "create",
            "secret",
            "generic",
            "token",
            "--from-literal=key=s3cret",
            "-n",
            "tools",
        ])
        .await;
    kubectl
        .ok(&[
            "create",
            "service",
            "clusterip",
            "web",
            "--tcp=80:8080",
            "-n",
            "tools",
        ])
        .await;
    kubectl
        .ok(&["create", "serviceaccount", "robot", "-n", "tools"])
        .await;
    kubectl
        .ok(&[
            "create",
            "ingress",
            "web",
            "--rule=shop.example/cart*=web:80",
            "-n",
            "tools",
        ])
        .await;

    let web = kubectl
        .json(&["get", "deployment", "web", "-n", "tools"])
        .await;
    assert_eq!(web["spec"]["replicas"], 3);
    assert_eq!(web["spec"]["selector"]["matchLabels"]["app"], "web");
    assert_eq!(
        web["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx"
    );
    let settings = kubectl
        .json(&["get", "configmap", "settings", "-n", "tools"])
        .await;
    assert_eq!(settings["data"]["mode"], "blue");
    let secret = kubectl
        .json(&["get", "secret", "token", "-n", "tools"])
        .await;
    assert_eq!(secret["data"]["key"], "czNjcmV0");
    let service = kubectl
        .json(&["get", "service", "web", "-n", "tools"])
        .await;
    assert_eq!(service["spec"]["ports"][0]["port"], 80);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], 8080);
    let ingress = kubectl
        .json(&["get", "ingress", "web", "-n", "tools"])
        .await;
    let rule = &ingress["spec"]["rules"][0];
    assert_eq!(rule["host"], "shop.example");
    assert_eq!(rule["http"]["paths"][0]["path"], "/cart");
    assert_eq!(rule["http"]["paths"][0]["pathType"], "Prefix");
    assert_eq!(
        rule["http"]["paths"][0]["backend"]["service"]["port"]["number"],
        80
    );
    let cluster_ip = service["spec"]["clusterIP"].as_str().unwrap();
    assert!(
        cluster_ip.starts_with("10.96.") && cluster_ip != "10.96.0.1",
        "{cluster_ip}"
    );
    let apiserver = kubectl
        .ok(&[
            "get",
            "service",
            "kubernetes",
            "-n",
            "default",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .await;
    assert_eq!(apiserver, "10.96.0.1");
}
