//! Logging in and being authorized, through the binary as users and tools meet it: kubectl with
//! a token, sessions across a restart, disabled users, login limits, and no password anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// Applies `manifest` with kubectl through `--kubeconfig`.
fn apply(console: &Console, kubeconfig: &str, manifest: &str) {
    let mut child = Command::new("kubectl")
        .args(["--kubeconfig", kubeconfig, "apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .current_dir(console.data_dir.path())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(manifest.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A user with `password` and one grant of `role` at `scope` (YAML fields).
fn user_with_grant(name: &str, password: &str, role: &str, scope: &str) -> String {
    format!(
        "apiVersion: iam.orbital.dev/v1alpha1\nkind: User\nmetadata: {{name: {name}}}\n\
         spec: {{email: {name}@example.com, password: {password}}}\n---\n\
         apiVersion: iam.orbital.dev/v1alpha1\nkind: Grant\nmetadata: {{name: {name}-grant}}\n\
         spec: {{user: {name}, role: {role}, {scope}}}\n"
    )
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_project_viewer_reads_their_project_and_nothing_else_through_kubectl() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    apply(
        &console,
        &console.sandbox_kubeconfig("host"),
        &user_with_grant(
            "viewer",
            "viewer-pass-1",
            "project-viewer",
            "cluster: member-1, namespace: demo",
        ),
    );
    let form = "grant_type=password&username=viewer&password=viewer-pass-1";
    let url = format!("https://{}/oauth/token", console.addr);
    let issued = wait_until(STARTUP_TIMEOUT, || {
        (curl(&console, &["-X", "POST", "-d", form, &url]).0 == 200).then_some(())
    });
    assert!(
        issued.is_some(),
        "the viewer's password was hashed and works"
    );
    let viewer = token(&console, "viewer", "viewer-pass-1");
    let (status, body) = curl(
        &console,
        &[
            "-X",
            "POST",
            "-d",
            "grant_type=password&username=viewer&password=nope",
            &url,
        ],
    );
    assert_eq!(status, 401);
    assert!(body.contains(r#""error":"invalid_grant""#), "{body}");

    let on = |cluster: &str, args: &[&str]| kubectl_as(&console, &viewer, cluster, args);
    let pods = on("member-1", &["get", "pods", "-n", "demo", "-o", "name"]);
    assert!(pods.status.success(), "{}", stderr(&pods));
    let first = String::from_utf8_lossy(&pods.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let logs = on("member-1", &["logs", "-n", "demo", &first]);
    assert!(logs.status.success(), "pod logs: {}", stderr(&logs));

    let refused = [
        vec!["delete", "-n", "demo", &first],
        vec!["get", "secrets", "-n", "demo"],
        vec!["get", "pods", "-n", "kube-system"],
        vec!["get", "pods", "-n", "kube-system", "--as", "admin"],
        vec!["get", "nodes"],
    ];
    for args in &refused {
        let output = on("member-1", args);
        assert!(!output.status.success(), "{args:?} was allowed");
        assert!(
            stderr(&output).contains("Error from server (Forbidden)"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let hidden = on("member-2", &["get", "pods", "-n", "demo"]);
    assert!(!hidden.status.success());
    assert!(
        stderr(&hidden).contains("could not find the requested resource"),
        "member-2 does not exist for the viewer: {}",
        stderr(&hidden)
    );

    // The admin reads users through the console, and no password comes with them.
    let admin = token(&console, "admin", ADMIN_PASSWORD);
    let made = kubectl_as(
        &console,
        &admin,
        "member-1",
        &[
            "create",
            "configmap",
            "audited",
            "-n",
            "demo",
            "--from-literal=a=b",
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));

    // Every change is in the audit log, refused or not; reads are not.
    let log = std::fs::read_to_string(console.data().join("audit.log")).unwrap();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let find = |user: &str, verb: &str, resource: &str| {
        events
            .iter()
            .find(|e| {
                e["user"]["username"] == user
                    && e["verb"] == verb
                    && e["objectRef"]["resource"] == resource
            })
            .unwrap_or_else(|| panic!("no {verb} {resource} by {user} in {log}"))
    };
    let refused = find("viewer", "delete", "pods");
    assert_eq!(refused["kind"], "Event");
    assert_eq!(refused["apiVersion"], "audit.k8s.io/v1");
    assert_eq!(refused["stage"], "ResponseComplete");
    assert_eq!(refused["responseStatus"]["code"], 403);
    assert_eq!(refused["objectRef"]["namespace"], "demo");
    assert_eq!(refused["annotations"]["orbital.dev/cluster"], "member-1");
    assert!(
        refused["requestURI"]
            .as_str()
            .unwrap()
            .starts_with("/clusters/member-1/api/v1/namespaces/demo/pods/")
    );
    let allowed = find("admin", "create", "configmaps");
    assert_eq!(allowed["responseStatus"]["code"], 201);
    assert!(
        events
            .iter()
            .all(|e| !matches!(e["verb"].as_str(), Some("get" | "list" | "watch"))),
        "{log}"
    );
    let users = kubectl_as(
        &console,
        &admin,
        "host",
        &["get", "users.iam.orbital.dev", "-o", "json"],
    );
    assert!(users.status.success(), "{}", stderr(&users));
    let listed = String::from_utf8_lossy(&users.stdout);
    assert!(listed.contains("viewer@example.com"), "{listed}");
    for secret in ["argon2", "viewer-pass-1", "\"password\""] {
        assert!(!listed.contains(secret), "{secret} in {listed}");
    }
    let watch = format!(
        "https://{}/clusters/host/apis/iam.orbital.dev/v1alpha1/users?watch=true",
        console.addr
    );
    let bearer = format!("Authorization: Bearer {admin}");
    let (_, events) = curl(&console, &["--max-time", "2", "-H", &bearer, &watch]);
    assert!(events.contains("viewer@example.com"), "{events}");
    assert!(
        !events.contains("argon2") && !events.contains("viewer-pass-1"),
        "{events}"
    );
}

#[test]
fn a_session_outlives_a_restart_and_a_disabled_user_is_out_on_the_next_request() {
    let addr = free_address();
    let mut console = start_console(addr, &["--mode", "member", "--cluster-name", "own"]);
    wait_ready(addr);
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    assert_eq!(get_as(addr, &admin, "/clusters").status, 200);

    Command::new("kill")
        .args(["-TERM", &console.process.id().to_string()])
        .status()
        .unwrap();
    console.process.wait().unwrap();
    console.process = spawn_console(
        addr,
        &console.data(),
        &["--mode", "member", "--cluster-name", "own"],
    );
    wait_ready(addr);
    let page = get_as(addr, &admin, "/clusters");
    assert_eq!(
        page.status, 200,
        "the session survived the restart: {page:?}"
    );
    assert!(
        page.body.contains(r#"data-testid="user-name""#),
        "{}",
        page.body
    );

    let kubeconfig = console.sandbox_kubeconfig("own");
    apply(
        &console,
        &kubeconfig,
        &user_with_grant("ann", "ann-pass-1", "cluster-viewer", "cluster: own"),
    );
    let ann = wait_until(STARTUP_TIMEOUT, || login(addr, "ann", "ann-pass-1").ok()).unwrap();
    assert_eq!(get_as(addr, &ann, "/pods").status, 200);
    let disabled = kubectl(
        &console,
        &[
            "--kubeconfig",
            &kubeconfig,
            "patch",
            "users.iam.orbital.dev",
            "ann",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"disabled":true}}"#,
        ],
    );
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let out = wait_until(STARTUP_TIMEOUT, || {
        let answer = get_as(addr, &ann, "/pods");
        (answer.status == 303).then_some(answer)
    })
    .unwrap();
    assert_eq!(out.header("location"), Some("/login?next=/pods"));
    assert!(
        login(addr, "ann", "ann-pass-1").is_err(),
        "a disabled user cannot log in"
    );
    // The session ended for good: enabling the user again does not bring it back.
    assert_eq!(get_as(addr, &ann, "/pods").status, 303);
}

#[test]
fn the_login_after_twenty_failures_in_a_minute_is_429_and_no_answer_carries_a_hash() {
    let addr = free_address();
    let console = start_console(addr, &["--mode", "member", "--cluster-name", "own"]);
    wait_ready(addr);
    for attempt in 1..=20 {
        let refused = login(addr, "admin", "wrong").unwrap_err();
        assert_eq!(refused.status, 303, "attempt {attempt}");
        assert_eq!(
            refused.header("location"),
            Some("/login?problem=failed&next=/")
        );
    }
    let limited = login(addr, "admin", ADMIN_PASSWORD).unwrap_err();
    assert_eq!(limited.status, 429);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // The limit is per user and per client address: another user from this address waits too.
    let other = login(addr, "someone-else", "x").unwrap_err();
    assert_eq!(other.status, 429, "this address is limited too");
    drop(console);

    let console = start_console(
        free_address(),
        &["--mode", "member", "--cluster-name", "own"],
    );
    wait_ready(console.addr);
    let admin = login(console.addr, "admin", ADMIN_PASSWORD).unwrap();
    for path in ["/", "/clusters", "/pods", "/login"] {
        let answer = get_as(console.addr, &admin, path);
        assert!(!answer.body.contains("argon2"), "{path}");
    }
    for function in [
        "/api/console/me",
        "/api/console/status",
        "/api/clusters/list",
    ] {
        let answer = post_as(console.addr, &admin, function, "");
        assert_eq!(answer.status, 200, "{function}: {answer:?}");
        assert!(!answer.body.contains("argon2"), "{function}");
    }
}
