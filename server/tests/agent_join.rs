//! Joining a member through an agent from the Clusters page's form: the console answers the
//! command and the manifest that run its agent, the manifest is one the API server accepts,
//! and the command, run as it is written, connects the member.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use common::*;

/// Stops the shell the test started and the agent it runs, its whole process group, when the
/// test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

#[test]
fn the_join_form_answers_how_to_run_the_agent_and_that_connects_the_member() {
    let addr = free_address();
    let console = start_console(addr, &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);

    let (status, body) = admin.call(
        "clusters/join-agent",
        "name=edge-1&labels=site%3Dlab&provider=on-prem&description=",
    );
    assert_eq!(status, 200, "{body}");
    let joined: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(joined["cluster"], "edge-1");
    let command = joined["command"].as_str().unwrap();
    assert!(
        command.contains(&format!("--host-url 'https://{addr}'"))
            && command.contains("--ca-file orbital-host-ca.crt"),
        "{command}"
    );
    let (status, again) = admin.call(
        "clusters/join-agent",
        "name=edge-1&labels=&provider=&description=",
    );
    assert_eq!(status, 422, "{again}");
    assert!(again.contains("already joined"), "{again}");

    // The manifest is one a cluster accepts as it is.
    let manifest = console.data_dir.path().join("agent.yaml");
    std::fs::write(&manifest, joined["manifest"].as_str().unwrap()).unwrap();
    let member = console.sandbox_kubeconfig("member-1");
    let applied = kubectl(
        &console,
        &[
            "--kubeconfig",
            &member,
            "apply",
            "-f",
            &manifest.to_string_lossy(),
        ],
    );
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(String::from_utf8_lossy(&applied.stdout).contains("deployment.apps/orbital-agent"));

    // The command, run as written where `orbital` is on the PATH and ~/.kube/config reaches
    // the member (here the sandbox member-1 stands in for it), connects the member.
    let home = console.data_dir.path().join("operator");
    let bin = home.join("bin");
    std::fs::create_dir_all(home.join(".kube")).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(&member, home.join(".kube/config")).unwrap();
    std::os::unix::fs::symlink(ORBITAL, bin.join("orbital")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let _agent = Running(
        Command::new("sh")
            .args(["-c", command])
            .process_group(0)
            .current_dir(&home)
            .env("HOME", &home)
            .env("PATH", path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let token = token(&console, "admin", ADMIN_PASSWORD);
    let nodes = wait_until(STARTUP_TIMEOUT, || {
        let output = kubectl_as(&console, &token, "edge-1", &["get", "nodes", "-o", "name"]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.contains("node/").then_some(text)
    });
    assert!(
        nodes.is_some(),
        "edge-1 answers through the agent its command started"
    );
}
