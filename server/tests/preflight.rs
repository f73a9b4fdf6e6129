//! `orbital preflight` against sandbox clusters: one with room passes, one whose node's CPU is
//! nearly all requested fails and names the shortfall.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use tempfile::TempDir;

fn preflight(kubeconfig: &Path, extra: &[&str]) -> (bool, String) {
    let output = Command::new(ORBITAL)
        .arg("preflight")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn a_roomy_cluster_passes_every_check() {
    let dir = TempDir::new().unwrap();
    let _cluster = start_sandbox(free_address(), dir.path(), &["--empty", "--nodes", "3"]);
    let kubeconfig = dir.path().join("kubeconfig");
    // The access reviews the permission check asks are kubectl's too.
    let can = kubectl_on(
        &kubeconfig,
        &["auth", "can-i", "create", "deployments.apps"],
    );
    assert_eq!(
        String::from_utf8_lossy(&can.stdout).trim(),
        "yes",
        "{can:?}"
    );

    for mode in ["host", "member", "agent"] {
        let (passed, report) = preflight(&kubeconfig, &["--mode", mode, "--replicas", "2"]);
        assert!(passed, "{report}");
        assert_eq!(report.matches("\nPASS  ").count(), 4, "{report}");
        assert!(report.contains("Result: PASS"), "{report}");
    }
}

#[test]
fn a_cluster_without_room_fails_naming_the_shortfall() {
    let dir = TempDir::new().unwrap();
    let _cluster = start_sandbox(free_address(), dir.path(), &["--empty", "--nodes", "1"]);
    let kubeconfig = dir.path().join("kubeconfig");
    let allocatable = kubectl_on(
        &kubeconfig,
        &[
            "get",
            "nodes",
            "-o",
            "jsonpath={.items[0].status.allocatable.cpu}",
        ],
    );
    let allocatable = orbital_syntax::millicores(&String::from_utf8_lossy(&allocatable.stdout));
    assert!(allocatable > 100);
    // Everything but 40m is requested: the host console's 100m request is 60m short.
    let hog = format!(
        r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "hog", "namespace": "default"}},
            "spec": {{"containers": [{{"name": "hog", "image": "busybox",
                      "resources": {{"requests": {{"cpu": "{}m"}}}}}}]}}}}"#,
        allocatable - 40
    );
    let path = dir.path().join("hog.json");
    std::fs::write(&path, hog).unwrap();
    let made = kubectl_on(&kubeconfig, &["create", "-f", &path.to_string_lossy()]);
    assert!(made.status.success(), "{made:?}");
    let scheduled = wait_until(Duration::from_secs(20), || {
        let node = kubectl_on(
            &kubeconfig,
            &[
                "get",
                "pod",
                "hog",
                "-n",
                "default",
                "-o",
                "jsonpath={.spec.nodeName}",
            ],
        );
        (!node.stdout.is_empty()).then_some(())
    });
    assert!(scheduled.is_some(), "the hog is placed on the node");

    let (passed, report) = preflight(&kubeconfig, &["--mode", "host"]);
    assert!(!passed, "{report}");
    let room = report
        .lines()
        .find(|line| line.contains("Room on the nodes"))
        .unwrap();
    assert!(room.starts_with("FAIL"), "{report}");
    assert!(room.contains("short by 60m CPU"), "{report}");
    assert!(report.contains("what to do: free or add"), "{report}");
    assert!(report.contains("Result: FAIL"), "{report}");
    // The agent's smaller request still fits.
    let (passed, report) = preflight(&kubeconfig, &["--mode", "agent"]);
    assert!(passed, "{report}");
}
