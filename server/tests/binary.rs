//! The `orbital` binary as a user runs it: flags, probes, and shutdown on a signal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Output};
use std::time::Duration;

use common::*;
use tempfile::TempDir;

fn run(args: &[&str]) -> Output {
    Command::new(ORBITAL).args(args).output().unwrap()
}

fn wait_for_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    wait_until(timeout, || child.try_wait().unwrap())
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let output = run(&["--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument '--no-such-flag'"),
        "{stderr}"
    );
    assert!(stderr.contains("--help"), "{stderr}");
}

#[test]
fn invalid_mode_names_the_choices() {
    let output = run(&["serve", "--mode", "leader"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[possible values: host, member]"),
        "{stderr}"
    );
}

#[test]
fn sandbox_node_count_must_be_in_range() {
    let output = run(&["sandbox", "--nodes", "0"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--nodes"), "{stderr}");
    assert!(stderr.contains("1..=1000"), "{stderr}");
}

#[test]
fn unusable_data_dir_is_reported() {
    let output = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        "/dev/null/orbital",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot create the data directory /dev/null/orbital"),
        "{stderr}"
    );
}

#[test]
fn options_are_read_from_the_environment() {
    let output = Command::new(ORBITAL)
        .env("ORBITAL_MODE", "sideways")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("sideways"));
}

#[test]
fn serves_probes_and_pages_then_stops_on_sigterm() {
    let addr = free_address();
    let mut console = start_console(addr, &["--mode", "member"]);

    let ready = wait_until(STARTUP_TIMEOUT, || {
        http_get(addr, "/readyz").filter(|(status, _)| *status == 200)
    });
    assert!(ready.is_some(), "console never became ready on {addr}");
    assert_eq!(http_get(addr, "/healthz"), Some((200, "ok".to_owned())));
    let home = http(addr, "GET", "/", "", None).unwrap();
    assert_eq!(home.status, 303, "a page asks who you are first");
    assert_eq!(home.header("location"), Some("/login?next=/"));
    let (status, page) = http_get(addr, "/login").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("member mode"), "{page}");
    assert!(page.contains(r#"action="/login""#), "{page}");
    assert!(console.data_dir.path().join("data").is_dir());

    let signal = Command::new("kill")
        .args(["-TERM", &console.process.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let exit = wait_for_exit(&mut console.process, Duration::from_secs(10));
    assert!(exit.is_some_and(|status| status.success()), "{exit:?}");
}

#[test]
fn host_console_registers_the_embedded_members_and_proxies_to_them() {
    let addr = free_address();
    let console = start_console(addr, &["--tls-self-signed"]);
    wait_ready_tls(&console);

    let host_kubeconfig = console.sandbox_kubeconfig("host");
    // What kubectl prints of `what` on the host cluster, printed by `jsonpath`.
    let on_host = |what: &[&str], jsonpath: &str| {
        let mut args = vec!["--kubeconfig", &host_kubeconfig, "get"];
        args.extend_from_slice(what);
        let jsonpath = format!("jsonpath={jsonpath}");
        args.extend(["-o", &jsonpath]);
        let output = kubectl(&console, &args);
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let ready = wait_until(STARTUP_TIMEOUT, || {
        let listed = on_host(
            &["clusters"],
            "{range .items[*]}{.metadata.name}={.status.conditions[0].status} {end}",
        );
        (listed == "host=True member-1=True member-2=True").then_some(listed)
    });
    assert!(
        ready.is_some(),
        "the host and both members registered and Ready"
    );

    let admin = token(&console, "admin", ADMIN_PASSWORD);
    let nodes = kubectl_as(&console, &admin, "member-1", &["get", "nodes"]);
    assert!(
        nodes.status.success(),
        "{}",
        String::from_utf8_lossy(&nodes.stderr)
    );
    assert!(String::from_utf8_lossy(&nodes.stdout).contains("node-1"));
    // member-2 is reached through its in-process agent, which dialled the console itself;
    // the proxy serves it as any member.
    assert_eq!(
        on_host(
            &["clusters"],
            "{range .items[*]}{.metadata.name}={.spec.connection.type} {end}"
        ),
        "host=Direct member-1=Direct member-2=Agent"
    );
    assert_eq!(
        on_host(
            &["cluster", "member-2"],
            r#"{.status.conditions[?(@.type=="AgentAvailable")].status}"#
        ),
        "True"
    );
    let pods = kubectl_as(&console, &admin, "member-2", &["get", "pods", "-n", "demo"]);
    assert!(
        String::from_utf8_lossy(&pods.stdout).contains("web-"),
        "{}",
        String::from_utf8_lossy(&pods.stderr)
    );
    // An agent with a wrong token learns nothing, not even whether its cluster exists.
    for cluster in ["member-2", "member-9"] {
        let url = format!("https://{addr}/agent/connect/{cluster}");
        let (status, body) = curl(
            &console,
            &[
                "--http1.1",
                "-H",
                "Connection: Upgrade",
                "-H",
                "Upgrade: websocket",
                "-H",
                "Sec-WebSocket-Version: 13",
                "-H",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "-H",
                "Authorization: Bearer orbital-agent-wrong",
                &url,
            ],
        );
        assert_eq!(
            (status, body.as_str()),
            (401, "the cluster name or the token is not valid"),
            "{cluster}"
        );
    }

    let bearer = format!("Authorization: Bearer {admin}");
    let url = format!("https://{addr}/clusters/nowhere/api");
    let (status, body) = curl(&console, &["-H", &bearer, &url]);
    assert_eq!(status, 404);
    assert!(
        body.contains(r#""message":"clusters \"nowhere\" not found""#),
        "{body}"
    );
}

/// A page with `name` and the per-response nonces masked, to compare two answers. What follows
/// the document is the streamed resources' scripts: their statements are compared as a set, as
/// resources resolve in any order and the scripts that carry them are cut as they come.
fn comparable(body: &str, name: &str) -> String {
    let (document, scripts) = body.split_once("</html>").unwrap_or((body, ""));
    let mut statements: Vec<String> = scripts
        .split("</script>")
        .filter_map(|script| script.split_once('>').map(|(_, code)| code))
        .flat_map(|code| code.split(";__"))
        .map(|statement| {
            statement
                .trim_start_matches("__")
                .trim_end_matches(';')
                .to_owned()
        })
        .filter(|statement| !statement.is_empty())
        .collect();
    statements.sort();
    let mut masked = format!("{document}</html>{}", statements.join("\n")).replace(name, "NAME");
    for attribute in ["nonce=\"", "crossorigin=\""] {
        let mut from = 0;
        while let Some(start) = masked[from..]
            .find(attribute)
            .map(|i| from + i + attribute.len())
        {
            let end = start + masked[start..].find('"').unwrap_or(0);
            masked.replace_range(start..end, "*");
            from = start + 1;
        }
    }
    masked
}

#[test]
fn member_console_serves_only_its_own_cluster() {
    let addr = free_address();
    let console = start_console(
        addr,
        &[
            "--mode",
            "member",
            "--cluster-name",
            "member-2",
            "--host-url",
            "https://console.example.com/",
        ],
    );
    wait_ready(addr);
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let get = |path: &str| {
        let answer = get_as(addr, &admin, path);
        (answer.status, answer.body)
    };
    let post = |path: &str, form: &str| {
        let answer = post_as(addr, &admin, path, form);
        (answer.status, answer.body)
    };

    // Another cluster's name, and one that never existed of the same length: every answer
    // about the first must be the answer about the second, word for word.
    let (other, never) = ("member-1", "absent-9");
    let same_answer = |ask: &dyn Fn(&str) -> (u16, String)| {
        let (status, body) = ask(other);
        assert_eq!(status, 404, "{body}");
        let (never_status, never_body) = ask(never);
        assert_eq!(
            (status, comparable(&body, other)),
            (never_status, comparable(&never_body, never))
        );
        body
    };
    let page = same_answer(&|name| get(&format!("/clusters/{name}")));
    assert!(
        page.contains("Page not found") && !page.contains(other),
        "{page}"
    );
    let answer = same_answer(&|name| post("/api/clusters/get", &format!("name={name}")));
    assert!(!answer.contains(other), "{answer}");
    same_answer(&|name| get(&format!("/clusters/{name}/api")));
    let (status, refused) = post(
        "/api/clusters/remove",
        &format!("name={other}&confirm={other}"),
    );
    assert_eq!(status, 422);
    assert!(refused.contains("host console") && !refused.contains(other));
    let audit = std::fs::read_to_string(console.data().join("audit.log")).unwrap();
    let removal: serde_json::Value = audit
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|event| event["verb"] == "delete")
        .unwrap_or_else(|| panic!("the refused removal is audited: {audit}"));
    assert_eq!(removal["user"]["username"], "admin");
    assert_eq!(removal["objectRef"]["resource"], "clusters");
    assert_eq!(removal["objectRef"]["name"], other);
    assert_eq!(removal["responseStatus"]["code"], 422);
    assert_eq!(removal["requestURI"], "/api/clusters/remove");

    let (status, _) = get("/clusters/member-2/api");
    assert_eq!(status, 200);
    let (status, own) = get("/clusters/member-2");
    assert_eq!(status, 200);
    assert!(own.contains("Local"), "{own}");
    for path in [
        "/",
        "/clusters",
        "/nodes",
        "/namespaces",
        "/pods",
        "/deployments",
        "/services",
    ] {
        let (status, body) = get(path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains(other) && !body.contains("Cluster</th>"),
            "{path}: {body}"
        );
        assert!(
            !body.contains(r#"name="cluster""#),
            "{path} offers no cluster filter"
        );
    }
    let (_, list) = get("/clusters");
    assert!(list.contains(r#"data-testid="cluster-member-2""#), "{list}");
    let (_, home) = get("/");
    assert!(
        home.contains(r#"href="https://console.example.com""#),
        "{home}"
    );
    assert!(
        !console
            .data_dir
            .path()
            .join("data/sandboxes/member-1")
            .exists()
    );
}

fn readyz(addr: SocketAddr) -> Option<u16> {
    http_get(addr, "/readyz").map(|(status, _)| status)
}

#[test]
fn readiness_follows_the_host_cluster() {
    let cluster_dir = TempDir::new().unwrap();
    let cluster_addr = free_address();
    let cluster = start_sandbox(
        cluster_addr,
        cluster_dir.path(),
        &["--no-simulation", "--empty"],
    );
    let addr = free_address();
    let kubeconfig = cluster_dir.path().join("kubeconfig");
    let console = start_console(addr, &["--kubeconfig", &kubeconfig.to_string_lossy()]);
    wait_ready(addr);

    drop(cluster);
    let unready = wait_until(STARTUP_TIMEOUT, || {
        (readyz(addr) == Some(503)).then_some(())
    });
    assert!(
        unready.is_some(),
        "/readyz is 503 while the host cluster is down"
    );
    let (status, _) = http_get(addr, "/healthz").unwrap();
    assert_eq!(status, 200, "still alive");

    let _cluster = start_sandbox(
        cluster_addr,
        cluster_dir.path(),
        &["--no-simulation", "--empty"],
    );
    wait_ready(addr);
    drop(console);
}

#[test]
fn a_malformed_label_selector_or_kind_is_a_400_that_says_why() {
    let addr = free_address();
    let _console = start_console(addr, &["--mode", "member", "--cluster-name", "own"]);
    wait_ready(addr);
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let answer = post_as(
        addr,
        &admin,
        "/api/views/list",
        "kind=pods&query[labels]=app+in+%28web",
    );
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(
        answer.body.contains("the label selector is not valid"),
        "{answer:?}"
    );
    let answer = post_as(
        addr,
        &admin,
        "/api/views/list",
        "kind=pods&query[labels]=app%3Dweb",
    );
    assert_eq!(answer.status, 200, "{answer:?}");
    let answer = post_as(addr, &admin, "/api/views/list", "kind=Pods");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("write the plural"), "{answer:?}");
}
