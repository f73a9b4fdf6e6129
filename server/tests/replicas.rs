//! Two console replicas against one host cluster: both serve everything, one does the work
//! that must happen once, and the other takes it over when that one dies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// How long the console's lease lasts without a renewal: the other replica takes over within it.
const LEASE_DURATION: Duration = Duration::from_secs(15);
/// How soon the health loop or the copy loop shows a change.
const WAIT: Duration = Duration::from_secs(30);
/// What the log says when a replica takes the lead, and each status write.
const TOOK_THE_LEASE: &str = "this replica took the lease orbital-console";
const RECORDED_STATUS: &str = "recorded the cluster's status";

/// A console replica whose log is kept.
struct Replica {
    console: Console,
    log: PathBuf,
}

impl Replica {
    /// A replica of the console over the host cluster of `kubeconfig`; with `peers`, it tells
    /// the other replicas its own address for relaying.
    fn start(kubeconfig: &Path, peers: bool) -> Self {
        let addr = free_address();
        let data_dir = TempDir::new().unwrap();
        let log = data_dir.path().join("console.log");
        let own_url = format!("http://{addr}");
        let kubeconfig = kubeconfig.to_string_lossy();
        let mut args = vec![
            "--kubeconfig",
            &kubeconfig,
            "--host-url",
            "http://console.replicas.test",
        ];
        if peers {
            args.extend(["--peer-url", &own_url]);
        }
        let process = console_command(addr, &data_dir.path().join("data"), &args)
            .env("RUST_LOG", "info,orbital_federation::health=debug")
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self {
            console: Console {
                process,
                data_dir,
                addr,
            },
            log,
        }
    }

    fn addr(&self) -> SocketAddr {
        self.console.addr
    }

    /// How many lines of its log contain `text`.
    fn logged(&self, text: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(text))
            .count()
    }
}

/// The `Ready` condition's status of the member `name` as the host cluster records it.
fn ready(host: &Path, name: &str) -> Option<String> {
    let output = kubectl_on(
        host,
        &["get", "clusters.cluster.orbital.dev", name, "-o", "json"],
    );
    let cluster: Value = serde_json::from_slice(&output.stdout).ok()?;
    cluster["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|condition| condition["type"] == "Ready")
        .map(|condition| condition["status"].as_str().unwrap_or_default().to_owned())
}

/// A GET of `path` on the console at `addr` with a bearer token.
fn get_with_token(addr: SocketAddr, token: &str, path: &str) -> u16 {
    let output = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(format!("http://{addr}{path}"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).parse().unwrap()
}

fn call(addr: SocketAddr, cookie: &str, endpoint: &str, form: &str) {
    let answer = post_as(addr, cookie, &format!("/api/{endpoint}"), form);
    assert_eq!(answer.status, 200, "{endpoint}: {}", answer.body);
}

#[test]
fn two_replicas_share_the_host_cluster_and_one_takes_over_the_others_work() {
    let dir = TempDir::new().unwrap();
    let host_dir = dir.path().join("host");
    let _host = start_sandbox(free_address(), &host_dir, &["--no-simulation", "--empty"]);
    let host = host_dir.join("kubeconfig");
    let member_dir = dir.path().join("member");
    let member = start_sandbox(free_address(), &member_dir, &["--empty", "--nodes", "1"]);
    let member_kubeconfig = member_dir.join("kubeconfig");

    let mut replicas = [Replica::start(&host, false), Replica::start(&host, false)];
    for replica in &replicas {
        wait_ready(replica.addr());
    }

    // A session made on one replica is honoured by the other, and so is a token.
    let cookie = login(replicas[0].addr(), "admin", ADMIN_PASSWORD).unwrap();
    let page = get_as(replicas[1].addr(), &cookie, "/clusters");
    assert_eq!(page.status, 200, "{page:?}");
    let form = format!(
        "name=member&kubeconfig={}&labels=&provider=&description=",
        form_urlencoded(&std::fs::read_to_string(&member_kubeconfig).unwrap())
    );
    call(replicas[1].addr(), &cookie, "clusters/join", &form);
    let joined = wait_until(WAIT, || {
        (ready(&host, "member").as_deref() == Some("True")).then_some(())
    });
    assert!(joined.is_some(), "the member is recorded ready");
    let answer = http(
        replicas[1].addr(),
        "POST",
        "/oauth/token",
        &format!("grant_type=password&username=admin&password={ADMIN_PASSWORD}"),
        None,
    )
    .unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let token: Value = serde_json::from_str(&answer.body).unwrap();
    let token = token["access_token"].as_str().unwrap();
    for replica in &replicas {
        let status = get_with_token(
            replica.addr(),
            token,
            "/clusters/member/api/v1/namespaces/default",
        );
        assert_eq!(status, 200, "the proxy answers on {}", replica.addr());
    }

    // Exactly one leads; only it writes statuses, while both live.
    let leader = wait_until(WAIT, || {
        let leading: Vec<usize> = (0..2)
            .filter(|&i| replicas[i].logged(TOOK_THE_LEASE) > 0)
            .collect();
        (leading.len() == 1 && replicas[leading[0]].logged(RECORDED_STATUS) > 0).then(|| leading[0])
    })
    .expect("one replica leads and records the member's status");
    let follower = 1 - leader;
    assert_eq!(replicas[follower].logged(TOOK_THE_LEASE), 0);
    assert_eq!(
        replicas[follower].logged(RECORDED_STATUS),
        0,
        "the replica that does not lead writes no status"
    );

    // The leader dies without a word: the other takes over within the lease's duration.
    replicas[leader].console.process.kill().unwrap();
    let killed = Instant::now();
    let took = wait_until(LEASE_DURATION + Duration::from_secs(5), || {
        (replicas[follower].logged(TOOK_THE_LEASE) > 0).then(|| killed.elapsed())
    })
    .expect("the other replica takes over");
    assert!(
        took <= LEASE_DURATION + Duration::from_secs(1),
        "took over after {took:?}"
    );
    let survivor = &mut replicas[follower];
    wait_ready(survivor.addr());

    // Its work goes on: a user granted the member meanwhile is copied there, and the member's
    // death is recorded.
    call(
        survivor.addr(),
        &cookie,
        "users/create",
        "name=carol&email=&display_name=Carol&password=carol-pass-1",
    );
    call(
        survivor.addr(),
        &cookie,
        "members/grant",
        "user=carol&role=cluster-viewer&cluster=member",
    );
    let copied = wait_until(WAIT, || {
        kubectl_on(
            &member_kubeconfig,
            &["get", "users.iam.orbital.dev", "carol"],
        )
        .status
        .success()
        .then_some(())
    });
    assert!(
        copied.is_some(),
        "the new leader copies the user to the member"
    );
    drop(member);
    let recorded = wait_until(WAIT, || {
        (ready(&host, "member").as_deref() == Some("False")).then_some(())
    });
    assert!(recorded.is_some(), "the new leader records the member down");
    assert!(survivor.logged(RECORDED_STATUS) > 0);
}

#[test]
fn every_replica_reaches_a_member_whose_agent_connected_to_another() {
    let dir = TempDir::new().unwrap();
    let host_dir = dir.path().join("host");
    let _host = start_sandbox(free_address(), &host_dir, &["--no-simulation", "--empty"]);
    let host = host_dir.join("kubeconfig");
    let member_dir = dir.path().join("member");
    let _member = start_sandbox(free_address(), &member_dir, &["--empty", "--nodes", "1"]);

    // The first replica leads before the second starts, so the agent can be sent to the one
    // that does not lead: the leader's health loop then reaches the member only by relaying.
    let leader = Replica::start(&host, true);
    wait_ready(leader.addr());
    let led = wait_until(WAIT, || (leader.logged(TOOK_THE_LEASE) > 0).then_some(()));
    assert!(led.is_some(), "the first replica leads");
    let follower = Replica::start(&host, true);
    wait_ready(follower.addr());
    let cookie = login(leader.addr(), "admin", ADMIN_PASSWORD).unwrap();
    call(
        leader.addr(),
        &cookie,
        "clusters/join-agent",
        "name=edge&labels=&provider=&description=",
    );
    let token = kubectl_on(
        &host,
        &[
            "get",
            "secret",
            "agent-edge",
            "-n",
            "orbital-system",
            "-o",
            "jsonpath={.data.token}",
        ],
    );
    let token = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        token.stdout.trim_ascii(),
    )
    .unwrap();
    let token_file = dir.path().join("agent-token");
    std::fs::write(&token_file, token).unwrap();
    let mut agent = Command::new(ORBITAL)
        .args(["agent", "--host-url"])
        .arg(format!("http://{}", follower.addr()))
        .args(["--cluster", "edge", "--token-file"])
        .arg(&token_file)
        .arg("--kubeconfig")
        .arg(member_dir.join("kubeconfig"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let ready_now = wait_until(WAIT, || {
        (ready(&host, "edge").as_deref() == Some("True")).then_some(())
    });
    assert!(
        ready_now.is_some(),
        "the leader records the member ready through the replica its agent connected to"
    );
    assert_eq!(follower.logged(RECORDED_STATUS), 0);
    for replica in [&leader, &follower] {
        let page = get_as(
            replica.addr(),
            &cookie,
            "/clusters/edge/api/v1/namespaces/default",
        );
        assert_eq!(page.status, 200, "{}: {page:?}", replica.addr());
    }
    // Only another replica may relay.
    let refused = get_as(
        follower.addr(),
        "orbital_session=none",
        "/peer/clusters/edge/api/v1/namespaces/default",
    );
    assert_eq!(refused.status, 401, "{refused:?}");
    let _ = (agent.kill(), agent.wait());
}
