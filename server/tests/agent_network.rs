//! A member in a network of its own, which the host console cannot dial: a network namespace
//! whose only way out is a link to the host, with the member's API server on the namespace's
//! own loopback. It joins through its agent, and kubectl reaches it through the host console's
//! proxy: get, apply, a watch that sees a change, and a followed log that sees new lines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

/// How long a watched change or new log lines may take to arrive.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(30);
/// How soon a lost agent must be recorded.
const AGENT_LOST_WITHIN: Duration = Duration::from_secs(10);
/// How soon agents must be back after the host console restarts.
const AGENT_BACK_WITHIN: Duration = Duration::from_secs(30);

/// A network namespace joined to the host by a veth pair, removed when dropped.
struct Network {
    namespace: String,
    host_link: String,
    host_ip: Ipv4Addr,
}

impl Drop for Network {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_link])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.namespace])
            .status();
    }
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A namespace of its own with `10.213.N.2`, reaching the host at `10.213.N.1`; `None` where
/// this machine cannot make one.
fn isolated_network() -> Option<Network> {
    let id = std::process::id();
    let octet = (id % 250 + 1).to_string();
    let network = Network {
        namespace: format!("orbital-edge-{id}"),
        host_link: format!("orbh{id}"),
        host_ip: format!("10.213.{octet}.1").parse().unwrap(),
    };
    let member_link = format!("orbm{id}");
    let ns = network.namespace.as_str();
    let made = ip(&["netns", "add", ns])
        && ip(&[
            "link",
            "add",
            &network.host_link,
            "type",
            "veth",
            "peer",
            "name",
            &member_link,
        ])
        && ip(&["link", "set", &member_link, "netns", ns])
        && ip(&[
            "addr",
            "add",
            &format!("10.213.{octet}.1/30"),
            "dev",
            &network.host_link,
        ])
        && ip(&["link", "set", &network.host_link, "up"])
        && ip(&[
            "netns",
            "exec",
            ns,
            "ip",
            "addr",
            "add",
            &format!("10.213.{octet}.2/30"),
            "dev",
            &member_link,
        ])
        && ip(&["netns", "exec", ns, "ip", "link", "set", &member_link, "up"])
        && ip(&["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    made.then_some(network)
}

/// `orbital` with `args`, inside `network` when there is one; killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn orbital_in(network: Option<&Network>, args: &[&str]) -> Process {
    let mut command = match network {
        Some(network) => {
            let mut command = Command::new("ip");
            command.args(["netns", "exec", &network.namespace, ORBITAL]);
            command
        }
        None => Command::new(ORBITAL),
    };
    let child = command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Process(child)
}

/// kubectl through the console to the member, with stdout read line by line as it comes.
fn follow(console: &Console, token: &str, args: &[&str]) -> (Process, mpsc::Receiver<String>) {
    let server = format!("https://{}/clusters/edge", console.addr);
    let ca = console.data().join("tls/ca.crt");
    let mut child = Command::new("kubectl")
        .env("KUBECONFIG", console.data_dir.path().join("no-kubeconfig"))
        .arg("--server")
        .arg(&server)
        .arg("--certificate-authority")
        .arg(&ca)
        .args(["--token", token])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    (Process(child), received)
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_member_in_its_own_network_joins_through_its_agent() {
    let network = isolated_network();
    if network.is_none() {
        eprintln!("this machine cannot make network namespaces: the member runs on loopback");
    }
    let console_ip = network
        .as_ref()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |n| IpAddr::V4(n.host_ip));
    let addr = TcpListener::bind((console_ip, 0))
        .unwrap()
        .local_addr()
        .unwrap();
    let console = start_console(addr, &["--tls-self-signed"]);
    wait_ready_tls(&console);

    // The member: an API server on a loopback the host console cannot reach.
    let member = console.data_dir.path().join("edge");
    let member_listen = match &network {
        Some(_) => "127.0.0.1:6443".to_owned(),
        None => free_address().to_string(),
    };
    let member_kubeconfig = member.join("kubeconfig");
    let _sandbox = orbital_in(
        network.as_ref(),
        &[
            "sandbox",
            "--listen",
            &member_listen,
            "--data-dir",
            &member.to_string_lossy(),
            "--name",
            "edge",
            "--nodes",
            "1",
        ],
    );
    let written = wait_until(STARTUP_TIMEOUT, || member_kubeconfig.exists().then_some(()));
    assert!(written.is_some(), "the member's sandbox started");

    // Joined on the host as an operator would: the Cluster and its token, with kubectl.
    let token = "orbital-agent-edge-token-for-tests";
    let join = write(
        &console.data_dir.path().join("join.yaml"),
        &format!(
            "apiVersion: cluster.orbital.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: edge}}\n\
             spec: {{connection: {{type: Agent}}, provider: edge-dc}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: agent-edge, namespace: orbital-system}}\n\
             stringData: {{token: {token}}}\n"
        ),
    );
    let host = console.sandbox_kubeconfig("host");
    stdout_of(&kubectl(
        &console,
        &["--kubeconfig", &host, "apply", "-f", &join],
    ));
    let token_file = write(&member.join("agent-token"), token);
    let ca = console.data().join("tls/ca.crt");
    let start_agent = || {
        orbital_in(
            network.as_ref(),
            &[
                "agent",
                "--host-url",
                &format!("https://{addr}"),
                "--cluster",
                "edge",
                "--token-file",
                &token_file,
                "--kubeconfig",
                &member_kubeconfig.to_string_lossy(),
                "--ca-file",
                &ca.to_string_lossy(),
            ],
        )
    };
    let agent = start_agent();

    // get
    let admin = common::token(&console, "admin", ADMIN_PASSWORD);
    let namespaces = wait_until(STARTUP_TIMEOUT, || {
        let output = kubectl_as(
            &console,
            &admin,
            "edge",
            &["get", "namespaces", "-o", "name"],
        );
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.contains("namespace/demo").then_some(text)
    });
    assert!(namespaces.is_some(), "the member answers through its agent");

    // apply, and a watch that sees the change
    let config_map = |value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: through-the-agent, namespace: default}}\n\
             data: {{a: '{value}'}}\n"
        )
    };
    let first = write(&member.join("first.yaml"), &config_map("1"));
    stdout_of(&kubectl_as(
        &console,
        &admin,
        "edge",
        &["apply", "-f", &first],
    ));
    let (_watch, watched) = follow(
        &console,
        &admin,
        &[
            "get",
            "configmap",
            "through-the-agent",
            "-n",
            "default",
            "-w",
            "-o",
            "jsonpath={.data.a}{\"\\n\"}",
        ],
    );
    assert_eq!(watched.recv_timeout(FOLLOW_TIMEOUT).unwrap(), "1");
    let second = write(&member.join("second.yaml"), &config_map("2"));
    stdout_of(&kubectl_as(
        &console,
        &admin,
        "edge",
        &["apply", "-f", &second],
    ));
    assert_eq!(watched.recv_timeout(FOLLOW_TIMEOUT).unwrap(), "2");

    // logs -f sees new lines
    let pod = wait_until(STARTUP_TIMEOUT, || {
        let output = kubectl_as(
            &console,
            &admin,
            "edge",
            &[
                "get",
                "pods",
                "-n",
                "demo",
                "--field-selector",
                "status.phase=Running",
                "-o",
                "name",
            ],
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .find(|line| line.starts_with("pod/web-"))
            .map(str::to_owned)
    })
    .expect("a running web pod on the member");
    let (_logs, lines) = follow(
        &console,
        &admin,
        &["logs", "-f", "--tail=1", "-n", "demo", &pod],
    );
    for seen in 0..3 {
        lines
            .recv_timeout(FOLLOW_TIMEOUT)
            .unwrap_or_else(|_| panic!("{seen} log lines of 3 arrived"));
    }

    // The aggregated view, from the console's cache of the member's ConfigMaps.
    let browser = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let names = || -> Option<Vec<String>> {
        let (status, body) = browser.call(
            "views/list",
            "kind=configmaps&query[cluster]=edge&query[namespace]=default&query[page]=1",
        );
        let page: serde_json::Value = serde_json::from_str(&body).ok()?;
        let failed = page["failed"].as_array().is_none_or(|f| !f.is_empty());
        if status != 200 || failed {
            return None;
        }
        let mut names: Vec<String> = page["rows"]
            .as_array()?
            .iter()
            .filter_map(|row| row["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        Some(names)
    };
    let before = wait_until(STARTUP_TIMEOUT, || {
        names().filter(|n| n.contains(&"through-the-agent".to_owned()))
    })
    .expect("the view lists the member's ConfigMaps");

    // The agent stops: within 10 s the member is recorded without its agent, and not ready.
    drop(agent);
    let conditions = || {
        let output = kubectl(
            &console,
            &[
                "--kubeconfig",
                &host,
                "get",
                "cluster",
                "edge",
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="AgentAvailable")].status} {.status.conditions[?(@.type=="Ready")].status}"#,
            ],
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let lost = wait_until(AGENT_LOST_WITHIN, || {
        (conditions() == "False False").then_some(())
    });
    assert!(lost.is_some(), "recorded within 10 s: {}", conditions());

    // Meanwhile the member changes; once its agent is back, the view has that change, and
    // every object once.
    let apart = write(
        &member.join("apart.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made-while-apart, namespace: default}\n",
    );
    let mut direct = match &network {
        Some(network) => {
            let mut command = Command::new("ip");
            command.args(["netns", "exec", &network.namespace, "kubectl"]);
            command
        }
        None => Command::new("kubectl"),
    };
    let made = direct
        .arg("--kubeconfig")
        .arg(&member_kubeconfig)
        .args(["apply", "-f", &apart])
        .output()
        .unwrap();
    stdout_of(&made);
    let agent = start_agent();
    let back = wait_until(STARTUP_TIMEOUT, || {
        (conditions() == "True True").then_some(())
    });
    assert!(back.is_some(), "the agent is back: {}", conditions());
    let mut expected = before.clone();
    expected.push("made-while-apart".to_owned());
    expected.sort();
    let after = wait_until(STARTUP_TIMEOUT, || names().filter(|n| *n == expected));
    assert!(after.is_some(), "no object lost or doubled: {:?}", names());

    // The host console restarts: the agent is back within 30 s.
    let mut console = console;
    let _ = console.process.kill();
    let _ = console.process.wait();
    console.process = spawn_console(addr, &console.data(), &["--tls-self-signed"]);
    let reconnected = wait_until(AGENT_BACK_WITHIN, || {
        let output = kubectl_as(
            &console,
            &admin,
            "edge",
            &["get", "configmaps", "-o", "name"],
        );
        String::from_utf8_lossy(&output.stdout)
            .contains("configmap/made-while-apart")
            .then_some(())
    });
    assert!(
        reconnected.is_some(),
        "the agent reconnected within 30 s of the console's restart"
    );

    // Without a network of its own, the member's port was reached by its agent only.
    if network.is_none() {
        let port = member_listen.rsplit(':').next().unwrap_or_default();
        let sockets = Command::new("ss")
            .args([
                "-Htnp",
                "state",
                "established",
                "dst",
                &format!("127.0.0.1:{port}"),
            ])
            .output()
            .unwrap();
        let sockets = String::from_utf8_lossy(&sockets.stdout);
        let agent_pid = format!("pid={}", agent.0.id());
        for socket in sockets.lines() {
            assert!(
                socket.contains(&agent_pid),
                "only the agent dials the member: {socket}"
            );
        }
    }
}
