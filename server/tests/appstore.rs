//! The App Store's pool, served by a host console as Helm repositories and used by the real
//! Helm 3 (installed by `scripts/setup --for-tests`) as any repository: `helm repo add` with the
//! console's credentials, `helm search repo`, `helm pull`, and `helm install` of a built-in
//! chart into an embedded member sandbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use tempfile::TempDir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Helm, with its configuration, cache and data in `home` (so no test touches the user's).
fn helm(home: &Path, args: &[&str]) -> Output {
    let installed = root().join("scripts/test-tools/bin/helm");
    let program = std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"));
    Command::new(program)
        .args(args)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap()
}

fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn helm_adds_searches_pulls_and_installs_from_the_served_pool() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let home = TempDir::new().unwrap();
    let home = home.path();
    let repo = format!("http://{addr}/appstore/repos/builtin");

    // Without credentials Helm is asked for them; with wrong ones it is refused.
    let (status, _) = http_get(addr, "/appstore/repos/builtin/index.yaml").unwrap();
    assert_eq!(status, 401);
    let refused = helm(
        home,
        &[
            "repo",
            "add",
            "wrong",
            &repo,
            "--username",
            "admin",
            "--password",
            "nope",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{refused:?}"
    );

    succeeded(
        &helm(
            home,
            &[
                "repo",
                "add",
                "orbital",
                &repo,
                "--username",
                "admin",
                "--password",
                ADMIN_PASSWORD,
            ],
        ),
        "helm repo add",
    );
    let found = succeeded(
        &helm(home, &["search", "repo", "orbital/", "--output", "json"]),
        "helm search repo",
    );
    let found: serde_json::Value = serde_json::from_str(&found).unwrap();
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|chart| chart["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "orbital/cache",
            "orbital/database",
            "orbital/demo-app",
            "orbital/web-server"
        ]
    );

    // The archive Helm pulls is the chart as written: it renders as the source does.
    let pulled = home.join("pulled");
    succeeded(
        &helm(
            home,
            &[
                "pull",
                "orbital/web-server",
                "--untar",
                "--untardir",
                pulled.to_str().unwrap(),
            ],
        ),
        "helm pull",
    );
    let source = root().join("appstore/charts/web-server");
    let from_archive = helm(
        home,
        &[
            "template",
            "demo",
            pulled.join("web-server").to_str().unwrap(),
        ],
    );
    let from_source = helm(home, &["template", "demo", source.to_str().unwrap()]);
    assert_eq!(
        succeeded(&from_archive, "helm template (pulled)"),
        succeeded(&from_source, "helm template (source)")
    );

    // An install from the pool into a member is an ordinary release.
    let kubeconfig = console.sandbox_kubeconfig("member-1");
    succeeded(
        &helm(
            home,
            &[
                "install",
                "demo",
                "orbital/web-server",
                "--namespace",
                "apps",
                "--create-namespace",
                "--kubeconfig",
                &kubeconfig,
            ],
        ),
        "helm install",
    );
    let listed = succeeded(
        &helm(
            home,
            &[
                "list",
                "-n",
                "apps",
                "--kubeconfig",
                &kubeconfig,
                "--output",
                "json",
            ],
        ),
        "helm list",
    );
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["name"], "demo");
    assert_eq!(listed[0]["status"], "deployed");
    assert_eq!(listed[0]["chart"], "web-server-1.0.0");
    let available = wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(&kubeconfig),
            &[
                "get",
                "deployment",
                "demo-web-server",
                "-n",
                "apps",
                "-o",
                "jsonpath={.status.availableReplicas}",
            ],
        );
        (String::from_utf8_lossy(&output.stdout) == "1").then_some(())
    });
    assert!(
        available.is_some(),
        "the release's Deployment became available"
    );
}
