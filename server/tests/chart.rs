//! Orbital's own chart, judged by real Helm 3 and installed into sandboxes as into real
//! clusters: host, member and agent each become an Available Deployment with the resources the
//! README's requirements table states.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn chart() -> String {
    root()
        .join("deploy/chart/orbital")
        .to_string_lossy()
        .into_owned()
}

/// Helm 3 as `scripts/setup --for-tests` installs it, else `ORBITAL_HELM`, else `helm` on PATH.
fn helm(args: &[&str]) -> Output {
    let installed = root().join("scripts/test-tools/bin/helm");
    let program = std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"));
    Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {}: {error}; scripts/setup --for-tests installs Helm",
                program.display()
            )
        })
}

/// The values of each mode's test install.
fn values(mode: &str) -> Vec<&'static str> {
    match mode {
        "host" => vec!["--set", "replicas=2"],
        "member" => vec![
            "--set",
            "mode=member,member.clusterName=east,hostUrl=https://console.example.com",
        ],
        "agent" => vec![
            "--set",
            "mode=agent,hostUrl=https://console.example.com,agent.cluster=east,agent.token=join-token",
        ],
        other => panic!("no mode {other}"),
    }
}

/// The requests and limits the README's table states for `component`, as a container's
/// `resources`.
fn stated_resources(component: &str) -> Value {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let row = readme
        .lines()
        .find(|line| line.starts_with(&format!("| {component} |")))
        .unwrap_or_else(|| panic!("the README's requirements table has no row {component}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // | component | CPU request | CPU limit | memory request | memory limit | ...
    json!({
        "requests": {"cpu": cells[2], "memory": cells[4]},
        "limits": {"cpu": cells[3], "memory": cells[5]},
    })
}

fn kubectl_with(kubeconfig: &Path, args: &[&str], input: Option<&[u8]>) -> Output {
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.unwrap_or_default()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Renders the chart for `mode` into `namespace`, applies it, and waits until its Deployment
/// is Available with every replica; returns the Deployment.
fn install(kubeconfig: &Path, mode: &str, namespace: &str) -> Value {
    let chart = chart();
    let mut args = vec!["template", "orbital", &chart, "--namespace", namespace];
    args.extend(values(mode));
    let rendered = succeeded(&helm(&args), "helm template");
    succeeded(
        &kubectl_with(kubeconfig, &["create", "namespace", namespace], None),
        "kubectl create namespace",
    );
    succeeded(
        &kubectl_with(kubeconfig, &["apply", "-f", "-"], Some(rendered.as_bytes())),
        "kubectl apply",
    );
    let get = || {
        let output = kubectl_with(
            kubeconfig,
            &[
                "get",
                "deployment",
                "orbital",
                "--namespace",
                namespace,
                "-o",
                "json",
            ],
            None,
        );
        serde_json::from_str::<Value>(&succeeded(&output, "kubectl get")).unwrap()
    };
    wait_until(Duration::from_secs(60), || {
        let deployment = get();
        let available = deployment["status"]["conditions"]
            .as_array()?
            .iter()
            .any(|c| c["type"] == "Available" && c["status"] == "True");
        (available && deployment["status"]["availableReplicas"] == deployment["spec"]["replicas"])
            .then_some(deployment)
    })
    .unwrap_or_else(|| panic!("the {mode} Deployment never became Available: {}", get()))
}

/// `orbital chart template` with `args`.
fn orbital_chart_template(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orbital"))
        .args(["chart", "template"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn orbital_chart_template_prints_what_helm_template_prints_for_this_chart() {
    let chart = chart();
    for mode in ["host", "member", "agent"] {
        // A password given, as the generated one differs on every render.
        let mut args = vec![
            "orbital",
            &chart,
            "--namespace",
            "orbital-system",
            "--set",
            "admin.password=compared",
        ];
        args.extend(values(mode));
        let ours = orbital_chart_template(&args);
        let mut helm_args = vec!["template"];
        helm_args.extend(&args);
        let theirs = succeeded(&helm(&helm_args), &format!("helm template ({mode})"));
        assert_eq!(succeeded(&ours, "orbital chart template"), theirs, "{mode}");
    }
    // Failures are printed as Helm prints them, and fail the command.
    for args in [
        vec![chart.as_str(), "--set", "mode=agent"],
        vec!["Bad_Name", chart.as_str()],
        vec![chart.as_str(), "-f", "/nonexistent/values.yaml"],
    ] {
        let ours = orbital_chart_template(&args);
        let mut helm_args = vec!["template"];
        helm_args.extend(&args);
        let theirs = helm(&helm_args);
        assert!(
            !ours.status.success() && !theirs.status.success(),
            "{args:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&theirs.stderr),
            "{args:?}"
        );
        assert!(ours.stdout.is_empty());
    }
}

#[test]
fn helm_lints_the_chart_cleanly_in_every_mode() {
    let chart = chart();
    for mode in ["host", "member", "agent"] {
        let mut args = vec!["lint", &chart, "--strict"];
        let values = values(mode);
        args.extend(values.iter().copied());
        let output = succeeded(&helm(&args), &format!("helm lint ({mode})"));
        assert!(
            !output.contains("[WARNING]") && !output.contains("[ERROR]"),
            "{mode}: {output}"
        );
    }
    // A value the chart cannot work with is refused by name.
    let output = helm(&["template", "orbital", &chart, "--set", "mode=leader"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("mode must be host, member or agent"),
        "{output:?}"
    );
    let output = helm(&["template", "orbital", &chart, "--set", "mode=agent"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("the agent needs hostUrl"));
}

#[test]
fn each_mode_installs_into_a_sandbox_and_becomes_available_with_the_stated_resources() {
    let dir = TempDir::new().unwrap();
    let host_dir = dir.path().join("host");
    let _host = start_sandbox(free_address(), &host_dir, &["--empty", "--nodes", "3"]);
    let member_dir = dir.path().join("member");
    let _member = start_sandbox(free_address(), &member_dir, &["--empty", "--nodes", "2"]);

    let host = install(&host_dir.join("kubeconfig"), "host", "orbital");
    let member = install(&member_dir.join("kubeconfig"), "member", "orbital");
    let agent = install(&member_dir.join("kubeconfig"), "agent", "orbital-agent");

    for (deployment, component, replicas) in [
        (&host, "Host console", 2),
        (&member, "Member console", 1),
        (&agent, "Agent", 1),
    ] {
        assert_eq!(deployment["spec"]["replicas"], replicas, "{component}");
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["resources"],
            stated_resources(component),
            "{component}"
        );
        let security = &container["securityContext"];
        assert_eq!(security["readOnlyRootFilesystem"], true, "{component}");
        assert_eq!(security["allowPrivilegeEscalation"], false, "{component}");
        assert_eq!(
            security["capabilities"]["drop"],
            json!(["ALL"]),
            "{component}"
        );
        assert_eq!(
            deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
            true
        );
    }
    // Two host replicas get a disruption budget; the one-replica member does not.
    let budgets = |kubeconfig: &Path, namespace: &str| -> Value {
        let output = kubectl_with(
            kubeconfig,
            &["get", "poddisruptionbudgets", "-n", namespace, "-o", "json"],
            None,
        );
        serde_json::from_str(&succeeded(&output, "kubectl get pdb")).unwrap()
    };
    let host_budgets = budgets(&host_dir.join("kubeconfig"), "orbital");
    assert_eq!(host_budgets["items"][0]["spec"]["minAvailable"], 1);
    assert_eq!(
        budgets(&member_dir.join("kubeconfig"), "orbital")["items"],
        json!([])
    );
}
