//! The whole matrix through the console's proxy with kubectl and through its object server
//! functions: every built-in role × every verb (and pod logs) × a Secret, a Pod, a Node and a
//! custom resource, in scope and out of it, each cell asserted against the table the
//! authorizer's own test uses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[path = "../../iam/tests/matrix/table.rs"]
#[allow(dead_code)]
mod table;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use orbital_iam::{Role, Verb};
use serde_json::json;

use common::*;
use table::{IN_SCOPE, OTHER_CLUSTER, OTHER_NAMESPACE, Row, VERBS};

const PASSWORD: &str = "matrix-password";

/// The user holding `role`.
fn user_of(role: Role) -> String {
    format!("m-{role}")
}

/// The users, each with one grant of their role at the in-scope place, and the workspace.
fn tenancy_manifest() -> String {
    let mut manifest = String::from(
        "apiVersion: iam.orbital.dev/v1alpha1\nkind: Workspace\nmetadata: {name: team}\n\
         spec: {clusters: [member-1]}\n",
    );
    for role in Role::ALL {
        let user = user_of(role);
        let scope = match role.scope() {
            orbital_iam::RoleScope::Platform => "",
            orbital_iam::RoleScope::Cluster => ", cluster: member-1",
            orbital_iam::RoleScope::Workspace => ", workspace: team",
            orbital_iam::RoleScope::Project => ", cluster: member-1, namespace: demo",
        };
        manifest += &format!(
            "---\napiVersion: iam.orbital.dev/v1alpha1\nkind: User\nmetadata: {{name: {user}}}\n\
             spec: {{password: {PASSWORD}}}\n---\n\
             apiVersion: iam.orbital.dev/v1alpha1\nkind: Grant\nmetadata: {{name: {user}}}\n\
             spec: {{user: {user}, role: {role}{scope}}}\n"
        );
    }
    manifest
}

const WIDGETS: &str = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
 "metadata": {"name": "widgets.example.dev"},
 "spec": {"group": "example.dev", "scope": "Namespaced",
  "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
  "versions": [{"name": "v1", "served": true, "storage": true,
   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}"#;

fn apply(console: &Console, cluster: &str, manifest: &str) {
    let file = console.data().join(format!("{cluster}-manifest.yaml"));
    std::fs::write(&file, manifest).unwrap();
    let kubeconfig = console.sandbox_kubeconfig(cluster);
    let file = file.to_string_lossy().into_owned();
    let output = kubectl(
        console,
        &["--kubeconfig", &kubeconfig, "apply", "-f", &file],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// kubectl through the console as the holder of `token`, with a discovery cache of its own.
fn kubectl_through(
    console: &Console,
    token: &str,
    cluster: &str,
    cache: &Path,
    args: &[&str],
) -> Output {
    let server = format!("https://{}/clusters/{cluster}", console.addr);
    Command::new("kubectl")
        .env("KUBECONFIG", console.data_dir.path().join("no-kubeconfig"))
        .arg("--cache-dir")
        .arg(cache)
        .args([
            "--server",
            &server,
            "--token",
            token,
            "--request-timeout",
            "10s",
        ])
        .arg("--certificate-authority")
        .arg(console.data().join("tls/ca.crt"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// What a kubectl run says of its request: `.` refused, `h` no such cluster, `y` it reached
/// the cluster (which answered or refused it on its own terms); anything else is a failure
/// of the test, reported with what kubectl said.
fn cell(output: &Output, cluster: &str) -> Result<char, String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reached = [
        "(NotFound)",
        "(AlreadyExists)",
        "(Invalid)",
        "(BadRequest)",
        "(Conflict)",
        "(MethodNotAllowed)",
        "Timeout exceeded",
        "context deadline exceeded",
    ];
    if stderr.contains("(Forbidden)") {
        Ok('.')
    } else if stderr.contains(&format!("clusters \"{cluster}\" not found"))
        || stderr.contains("doesn't have a resource type")
        || stderr.contains("could not find the requested resource")
    {
        Ok('h')
    } else if output.status.success() || reached.iter().any(|answer| stderr.contains(answer)) {
        Ok('y')
    } else {
        Err(stderr.into_owned())
    }
}

/// A manifest to create or replace: `kind` named `name`, in `namespace` unless cluster-scoped.
fn manifest(kind: &str, name: &str, namespace: Option<&str>) -> String {
    let api_version = match kind {
        "Widget" => "example.dev/v1",
        _ => "v1",
    };
    let namespace = namespace.map_or(String::new(), |n| format!(", namespace: {n}"));
    let body = match kind {
        "Pod" => "\nspec: {containers: [{name: c, image: nginx}]}",
        _ => "",
    };
    format!(
        "apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: {name}{namespace}}}{body}\n"
    )
}

/// The kubectl arguments of each cell of one column: `resource` of `kind`, in `namespace`
/// unless cluster-scoped, `pod` naming a pod there for the logs cell.
fn column_runs(
    dir: &Path,
    resource: &str,
    kind: &str,
    namespace: Option<&str>,
    unique: &str,
    existing: &str,
    pod: Option<&str>,
) -> Vec<Vec<String>> {
    let ns: Vec<String> = namespace.map_or(Vec::new(), |n| vec!["-n".into(), n.into()]);
    let file = |name: &str, what: &str| {
        let path = dir.join(format!("{unique}-{resource}-{what}.yaml"));
        std::fs::write(&path, manifest(kind, name, namespace)).unwrap();
        path.to_string_lossy().into_owned()
    };
    let with_ns = |mut args: Vec<String>| {
        args.extend(ns.iter().cloned());
        args
    };
    let mut runs: Vec<Vec<String>> = VERBS
        .iter()
        .map(|verb| {
            let strings = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
            match verb {
                Verb::Get => with_ns(strings(&["get", resource, existing])),
                Verb::List => with_ns(strings(&["get", resource])),
                Verb::Watch => with_ns(strings(&[
                    "get",
                    resource,
                    "--watch-only",
                    "--request-timeout",
                    "1s",
                ])),
                Verb::Create => strings(&["create", "-f", &file(unique, "create")]),
                Verb::Update => strings(&["replace", "-f", &file(existing, "replace")]),
                Verb::Patch => with_ns(strings(&[
                    "patch",
                    resource,
                    existing,
                    "--type",
                    "merge",
                    "-p",
                    r#"{"metadata":{"labels":{"m":"x"}}}"#,
                ])),
                Verb::Delete => with_ns(strings(&["delete", resource, existing, "--wait=false"])),
                other => panic!("no kubectl run for {other:?}"),
            }
        })
        .collect();
    if let Some(pod) = pod {
        runs.push(with_ns(vec!["logs".into(), pod.into()]));
    }
    runs
}

/// The first pod of `namespace` on `cluster`, as its admin sees it.
fn a_pod(console: &Console, cluster: &str, namespace: &str) -> String {
    let kubeconfig = console.sandbox_kubeconfig(cluster);
    let pod = wait_until(STARTUP_TIMEOUT, || {
        let output = kubectl(
            console,
            &[
                "--kubeconfig",
                &kubeconfig,
                "get",
                "pods",
                "-n",
                namespace,
                "-o",
                "name",
            ],
        );
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.lines()
            .next()
            .map(|line| line.trim_start_matches("pod/").to_owned())
    });
    pod.unwrap_or_else(|| panic!("no pod in {cluster}/{namespace}"))
}

/// What a server function's answer says of its call: `.` refused, `h` no such cluster, `y`
/// it reached the cluster; anything else is a failure of the test.
fn function_cell(status: u16, body: &str, cluster: &str) -> Result<char, String> {
    match status {
        403 => Ok('.'),
        404 if body.contains(&format!("clusters \\\"{cluster}\\\" not found")) => Ok('h'),
        200..=299 | 404 | 409 | 422 => Ok('y'),
        _ => Err(format!("{status}: {body}")),
    }
}

/// The server function calls of each cell of one column: endpoint and JSON body.
fn column_calls(
    cluster: &str,
    (group, resource, kind): (&str, &str, &str),
    namespace: Option<&str>,
    unique: &str,
    existing: &str,
    pod: Option<&str>,
) -> Vec<(&'static str, serde_json::Value)> {
    let target = |name: Option<&str>| {
        json!({"cluster": cluster, "group": group, "version": "v1", "resource": resource,
               "namespace": namespace, "name": name})
    };
    let object = |name: &str| {
        let mut object = json!({"apiVersion": if group.is_empty() { "v1".to_owned() } else { format!("{group}/v1") },
                                "kind": kind, "metadata": {"name": name, "namespace": namespace}});
        if kind == "Pod" {
            object["spec"] = json!({"containers": [{"name": "c", "image": "nginx"}]});
        }
        object
    };
    let mut calls: Vec<(&'static str, serde_json::Value)> = VERBS
        .iter()
        .map(|verb| match verb {
            Verb::Get => ("objects/get", json!({"target": target(Some(existing))})),
            Verb::List => ("objects/list", json!({"target": target(None)})),
            Verb::Watch => ("objects/watch", json!({"target": target(None), "resource_version": "", "seconds": 1})),
            Verb::Create => ("objects/create", json!({"target": target(None), "object": object(&format!("f{unique}"))})),
            Verb::Update => ("objects/replace", json!({"target": target(Some(existing)), "object": object(existing)})),
            Verb::Patch => ("objects/patch", json!({"target": target(Some(existing)), "patch": {"metadata": {"labels": {"m": "y"}}}})),
            Verb::Delete => ("objects/delete", json!({"target": target(Some(existing))})),
            other => panic!("no server function for {other:?}"),
        })
        .collect();
    if let Some(pod) = pod {
        calls.push((
            "objects/logs",
            json!({"target": target(Some(pod)), "options": {"tail_lines": 5}}),
        ));
    }
    calls
}

/// The objects role number `index` gets, patches, replaces and deletes: its own, so that no
/// other role's run changes what it finds.
fn existing_name(index: usize) -> String {
    format!("one-{index}")
}

/// Every role's own Secret, Pod and Widget in each namespace of the matrix on `cluster`, and
/// its own Node there.
fn existing_objects(namespaces: &[&str]) -> String {
    let mut documents = Vec::new();
    for index in 0..Role::ALL.len() {
        let name = existing_name(index);
        documents.push(manifest("Node", &name, None));
        for namespace in namespaces {
            for kind in ["Secret", "Pod", "Widget"] {
                documents.push(manifest(kind, &name, Some(namespace)));
            }
        }
    }
    documents.join("---\n")
}

#[test]
fn every_role_verb_and_resource_through_kubectl_and_server_functions() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    apply(&console, "host", &tenancy_manifest());
    for cluster in ["member-1", "member-2"] {
        apply(&console, cluster, WIDGETS);
    }
    let label = kubectl(
        &console,
        &[
            "--kubeconfig",
            &console.sandbox_kubeconfig("member-1"),
            "label",
            "namespace",
            "demo",
            "iam.orbital.dev/workspace=team",
        ],
    );
    assert!(
        label.status.success(),
        "{}",
        String::from_utf8_lossy(&label.stderr)
    );
    apply(
        &console,
        "member-1",
        &existing_objects(&["demo", "kube-system"]),
    );
    apply(&console, "member-2", &existing_objects(&["demo"]));
    let pods = [
        ("member-1", "demo", a_pod(&console, "member-1", "demo")),
        (
            "member-1",
            "kube-system",
            a_pod(&console, "member-1", "kube-system"),
        ),
        ("member-2", "demo", a_pod(&console, "member-2", "demo")),
    ];
    let pod_in = |cluster: &str, namespace: &str| {
        pods.iter()
            .find(|(c, n, _)| *c == cluster && *n == namespace)
            .map(|(_, _, pod)| pod.clone())
            .unwrap()
    };

    let places: [(&[Row; 9], &str, &str); 3] = [
        (&IN_SCOPE, "member-1", "demo"),
        (&OTHER_NAMESPACE, "member-1", "kube-system"),
        (&OTHER_CLUSTER, "member-2", "demo"),
    ];
    let wrong: Vec<String> = std::thread::scope(|threads| {
        let runs: Vec<_> = Role::ALL
            .into_iter()
            .enumerate()
            .map(|(index, role)| {
                let console = &console;
                let pod_in = &pod_in;
                threads.spawn(move || {
                    let token = wait_until(STARTUP_TIMEOUT, || {
                        let url = format!("https://{}/oauth/token", console.addr);
                        let form = format!("grant_type=password&username={}&password={PASSWORD}", user_of(role));
                        let (status, body) = curl(console, &["-X", "POST", "-d", &form, &url]);
                        let answer: serde_json::Value = serde_json::from_str(&body).ok()?;
                        (status == 200).then(|| answer["access_token"].as_str().unwrap().to_owned())
                    })
                    .expect("a token for every role's user");
                    let dir = console.data().join(format!("matrix-{index}"));
                    std::fs::create_dir_all(&dir).unwrap();
                    let mut wrong = Vec::new();
                    for (table, cluster, namespace) in places {
                        let row = table.iter().find(|row| row.role == role).unwrap();
                        let unique = format!("m{index}-{}", namespace.replace('-', ""));
                        let existing = existing_name(index);
                        let pod = pod_in(cluster, namespace);
                        let columns = [
                            ("secret", row.secret, column_runs(&dir, "secrets", "Secret", Some(namespace), &unique, &existing, None)),
                            ("pod", row.pod, column_runs(&dir, "pods", "Pod", Some(namespace), &unique, &existing, Some(&pod))),
                            ("node", row.node, column_runs(&dir, "nodes", "Node", None, &unique, &existing, None)),
                            ("widget", row.widget, column_runs(&dir, "widgets", "Widget", Some(namespace), &unique, &existing, None)),
                        ];
                        for (column, expected, runs) in columns {
                            if expected.is_empty() {
                                continue;
                            }
                            let mut got = String::new();
                            let mut said = Vec::new();
                            for args in &runs {
                                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                                let output = kubectl_through(console, &token, cluster, &dir.join("cache"), &args);
                                match cell(&output, cluster) {
                                    Ok(cell) => {
                                        got.push(cell);
                                        said.push(format!("{args:?}: {}", String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("ok")));
                                    }
                                    Err(said) => {
                                        got.push('?');
                                        wrong.push(format!("{role} {args:?} on {cluster}: {said}"));
                                    }
                                }
                            }
                            if got != expected {
                                wrong.push(format!("{role} {column} on {cluster}/{namespace}: expected {expected}, got {got}\n  {}", said.join("\n  ")));
                            }
                        }
                    }
                    let browser = Browser::login(console, &user_of(role), PASSWORD);
                    for (table, cluster, namespace) in places {
                        let row = table.iter().find(|row| row.role == role).unwrap();
                        let unique = format!("m{index}-{}", namespace.replace('-', ""));
                        let existing = existing_name(index);
                        let pod = pod_in(cluster, namespace);
                        let columns = [
                            ("secret", row.secret, column_calls(cluster, ("", "secrets", "Secret"), Some(namespace), &unique, &existing, None)),
                            ("pod", row.pod, column_calls(cluster, ("", "pods", "Pod"), Some(namespace), &unique, &existing, Some(&pod))),
                            ("node", row.node, column_calls(cluster, ("", "nodes", "Node"), None, &unique, &existing, None)),
                            ("widget", row.widget, column_calls(cluster, ("example.dev", "widgets", "Widget"), Some(namespace), &unique, &existing, None)),
                        ];
                        for (column, expected, calls) in columns {
                            if expected.is_empty() {
                                continue;
                            }
                            let mut got = String::new();
                            for (endpoint, body) in &calls {
                                let (status, answer) = browser.call_json(endpoint, body);
                                match function_cell(status, &answer, cluster) {
                                    Ok(cell) => got.push(cell),
                                    Err(said) => {
                                        got.push('?');
                                        wrong.push(format!("{role} {endpoint} on {cluster}: {said}"));
                                    }
                                }
                            }
                            if got != expected {
                                wrong.push(format!("server functions: {role} {column} on {cluster}/{namespace}: expected {expected}, got {got}"));
                            }
                        }
                    }
                    wrong
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().unwrap())
            .collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
