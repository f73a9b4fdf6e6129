//! What Orbital needs per replica, measured: the host console with 1, 10 and 50 members, a
//! member console and an agent, each a process of its own whose resident memory and CPU are
//! read from /proc while it idles and while it serves pages and the proxy; and how the host's
//! memory grows with 10,000 more cached objects. The member clusters are sandboxes in this
//! process, each with the seed workloads. Prints numbers; see BENCHMARKS.md and the README's
//! "Before you enable multi-cluster management".
//!
//! `cargo bench -p orbital-server --bench footprint` (all of it, about 10 minutes), or with
//! the member counts to run as arguments: `... --bench footprint -- 1 10`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;
use kube::api::{ListParams, PostParams};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;

/// How long the console idles before and while it is measured.
const SETTLE: Duration = Duration::from_secs(15);
const IDLE: Duration = Duration::from_secs(20);
/// How long it is under load, and by how many clients at once.
const LOAD: Duration = Duration::from_secs(20);
const CLIENTS: usize = 4;
/// The objects added to measure the cost of caching them.
const OBJECTS: usize = 10_000;

/// What /proc says of a process.
struct Usage {
    rss_mib: f64,
    peak_mib: f64,
    cpu_seconds: f64,
}

fn usage(pid: u32) -> Usage {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |field: &str| -> f64 {
        status
            .lines()
            .find(|line| line.starts_with(field))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse().ok())
            .unwrap()
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    Usage {
        rss_mib: kib("VmRSS:") / 1024.0,
        peak_mib: kib("VmHWM:") / 1024.0,
        cpu_seconds: ticks / clock_ticks(),
    }
}

fn clock_ticks() -> f64 {
    let output = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap()
}

/// CPU used by `pid` while `during` runs, in cores, and the process's usage at the end.
fn measure(pid: u32, during: impl FnOnce()) -> (f64, Usage) {
    let (start, before) = (Instant::now(), usage(pid).cpu_seconds);
    during();
    let after = usage(pid);
    (
        (after.cpu_seconds - before) / start.elapsed().as_secs_f64(),
        after,
    )
}

/// Asks for `paths` round-robin from `CLIENTS` threads for [`LOAD`]; requests per second.
fn load(addr: std::net::SocketAddr, cookie: &str, paths: &[String]) -> f64 {
    let served = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + LOAD;
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let served = served.clone();
            scope.spawn(move || {
                let mut at = client;
                while Instant::now() < deadline {
                    let answer = get_as(addr, cookie, &paths[at % paths.len()]);
                    assert_eq!(answer.status, 200, "{}", paths[at % paths.len()]);
                    served.fetch_add(1, Ordering::Relaxed);
                    at += 1;
                }
            });
        }
    });
    served.load(Ordering::Relaxed) as f64 / LOAD.as_secs_f64()
}

/// Visits `paths` once so the caches behind them run, lets `pid` settle, then measures it idle
/// and while `paths` are asked of the console at `addr`, and prints one line for `what`.
async fn idle_and_busy(
    what: &str,
    pid: u32,
    addr: std::net::SocketAddr,
    cookie: &str,
    paths: &[String],
) {
    for path in paths {
        get_as(addr, cookie, path);
    }
    tokio::time::sleep(SETTLE).await;
    // The sandboxes of this process keep running on the other workers meanwhile.
    let (idle_cpu, idle) =
        tokio::task::block_in_place(|| measure(pid, || std::thread::sleep(IDLE)));
    let mut rate = 0.0;
    let (busy_cpu, busy) =
        tokio::task::block_in_place(|| measure(pid, || rate = load(addr, cookie, paths)));
    println!(
        "{what:<28} idle {:>6.1} MiB {:>5.0}m CPU | load {:>6.1} MiB (peak {:>6.1}) {:>5.0}m CPU at {rate:.0} req/s",
        idle.rss_mib,
        idle_cpu * 1000.0,
        busy.rss_mib,
        busy.peak_mib,
        busy_cpu * 1000.0,
    );
}

async fn sandbox(dir: &Path, name: &str, seed: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join(name),
        name: name.into(),
        simulation: seed.then_some(SimulationConfig { nodes: 2 }),
        seed,
    })
    .await
    .unwrap()
}

async fn client_of(sandbox: &Sandbox) -> kube::Client {
    orbital_federation::client_from_kubeconfig(&sandbox.kubeconfig().to_yaml(), None)
        .await
        .unwrap()
}

/// A console process with its output thrown away, killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn console(addr: std::net::SocketAddr, data: &Path, kubeconfig: &Path, extra: &[&str]) -> Process {
    let mut args = vec!["--kubeconfig", kubeconfig.to_str().unwrap()];
    args.extend_from_slice(extra);
    let process = console_command(addr, data, &args).spawn().unwrap();
    wait_ready(addr);
    Process(process)
}

/// Waits until every registered member is recorded ready.
async fn members_ready(host: &kube::Client, count: usize) {
    let clusters: Api<kube::api::DynamicObject> = Api::all_with(
        host.clone(),
        &kube::api::ApiResource {
            group: "cluster.orbital.dev".into(),
            version: "v1alpha1".into(),
            api_version: "cluster.orbital.dev/v1alpha1".into(),
            kind: "Cluster".into(),
            plural: "clusters".into(),
        },
    );
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let ready = clusters
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .iter()
            .filter(|cluster| {
                cluster.data["status"]["conditions"]
                    .as_array()
                    .is_some_and(|conditions| {
                        conditions
                            .iter()
                            .any(|c| c["type"] == "Ready" && c["status"] == "True")
                    })
            })
            .count();
        if ready >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{ready} of {count} members ready"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The pages and proxy calls a user of `members` makes.
fn host_paths(members: &[String]) -> Vec<String> {
    let mut paths: Vec<String> = ["/", "/clusters", "/pods", "/deployments.apps", "/services"]
        .map(str::to_owned)
        .to_vec();
    for member in members.iter().take(5) {
        paths.push(format!("/clusters/{member}/pods"));
        paths.push(format!(
            "/clusters/{member}/namespaces/demo/deployments.apps/web"
        ));
        paths.push(format!("/clusters/{member}/api/v1/namespaces/demo/pods"));
        paths.push(format!("/clusters/{member}/apis/apps/v1/deployments"));
    }
    paths
}

/// The host console with `count` members.
async fn host_console(count: usize) {
    let dir = TempDir::new().unwrap();
    let host = sandbox(dir.path(), "host", false).await;
    let mut members = Vec::new();
    for at in 0..count {
        members.push(sandbox(dir.path(), &format!("m-{at:03}"), true).await);
    }
    let host_kubeconfig = dir.path().join("host.kubeconfig");
    std::fs::write(&host_kubeconfig, host.kubeconfig().to_yaml()).unwrap();
    let addr = free_address();
    let console = console(addr, &dir.path().join("console"), &host_kubeconfig, &[]);
    let cookie = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let names: Vec<String> = (0..count).map(|at| format!("m-{at:03}")).collect();
    for (name, member) in names.iter().zip(&members) {
        let form = format!(
            "name={name}&kubeconfig={}&labels=&provider=&description=",
            form_urlencoded(&member.kubeconfig().to_yaml())
        );
        let answer = post_as(addr, &cookie, "/api/clusters/join", &form);
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let host_client = client_of(&host).await;
    members_ready(&host_client, count).await;
    let pid = console.0.id();
    let what = format!("host console, {count} member(s)");
    idle_and_busy(&what, pid, addr, &cookie, &host_paths(&names)).await;

    if count == 1 {
        cached_objects(addr, &cookie, pid, &members[0]).await;
        agent(addr, &cookie, &host_client, &members[0], dir.path()).await;
    }
    drop(console);
}

/// How the host's memory grows with [`OBJECTS`] more objects in a cache it keeps.
async fn cached_objects(addr: std::net::SocketAddr, cookie: &str, pid: u32, member: &Sandbox) {
    let list = |expected: usize| {
        let answer = post_as(
            addr,
            cookie,
            "/api/views/list",
            "kind=configmaps&query[page]=1",
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        page["total"].as_u64().unwrap() as usize >= expected
    };
    assert!(list(1));
    tokio::time::sleep(SETTLE).await;
    let before = usage(pid).rss_mib;
    let configmaps: Api<ConfigMap> = Api::namespaced(client_of(member).await, "default");
    futures::stream::iter(0..OBJECTS)
        .map(|at| {
            let configmaps = configmaps.clone();
            async move {
                let object: ConfigMap = serde_json::from_value(serde_json::json!({
                    "metadata": {"name": format!("settings-{at:05}"),
                                 "labels": {"app": format!("app-{}", at % 50), "tier": "backend"}},
                    "data": {"level": "info", "replicas": "3"},
                }))
                .unwrap();
                configmaps
                    .create(&PostParams::default(), &object)
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(16)
        .collect::<()>()
        .await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !list(OBJECTS) {
        assert!(Instant::now() < deadline, "the cache never held them all");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(SETTLE).await;
    let after = usage(pid).rss_mib;
    println!(
        "host console, +{OBJECTS} cached ConfigMaps: {:+.1} MiB resident ({before:.1} -> {after:.1})",
        after - before
    );
}

/// An agent serving the host's requests to a member, idle and under the host's load.
async fn agent(
    addr: std::net::SocketAddr,
    cookie: &str,
    host: &kube::Client,
    member: &Sandbox,
    dir: &Path,
) {
    let answer = post_as(
        addr,
        cookie,
        "/api/clusters/join-agent",
        "name=edge&labels=&provider=&description=",
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let secret = Api::<Secret>::namespaced(host.clone(), "orbital-system")
        .get("agent-edge")
        .await
        .unwrap();
    let token = secret.data.unwrap()["token"].0.clone();
    let token_file = dir.join("agent-token");
    std::fs::write(&token_file, token).unwrap();
    let kubeconfig = dir.join("edge.kubeconfig");
    std::fs::write(&kubeconfig, member.kubeconfig().to_yaml()).unwrap();
    let process = Process(
        Command::new(ORBITAL)
            .args([
                "agent",
                "--host-url",
                &format!("http://{addr}"),
                "--cluster",
                "edge",
            ])
            .arg("--token-file")
            .arg(&token_file)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    members_ready(host, 2).await;
    let paths = host_paths(&["edge".to_owned()])
        .into_iter()
        .filter(|path| path.starts_with("/clusters/edge"))
        .collect::<Vec<_>>();
    idle_and_busy(
        "agent (its member's load)",
        process.0.id(),
        addr,
        cookie,
        &paths,
    )
    .await;
}

/// A member cluster's own console.
async fn member_console() {
    let dir = TempDir::new().unwrap();
    let member = sandbox(dir.path(), "member", true).await;
    let kubeconfig = dir.path().join("member.kubeconfig");
    std::fs::write(&kubeconfig, member.kubeconfig().to_yaml()).unwrap();
    let addr = free_address();
    let console = console(
        addr,
        &dir.path().join("console"),
        &kubeconfig,
        &["--mode", "member", "--cluster-name", "local"],
    );
    let cookie = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let paths: Vec<String> = [
        "/",
        "/pods",
        "/deployments.apps",
        "/services",
        "/clusters/local/pods",
        "/clusters/local/namespaces/demo/deployments.apps/web",
        "/clusters/local/api/v1/namespaces/demo/pods",
        "/clusters/local/apis/apps/v1/deployments",
    ]
    .map(str::to_owned)
    .to_vec();
    idle_and_busy("member console", console.0.id(), addr, &cookie, &paths).await;
}

#[tokio::main]
async fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let counts = if counts.is_empty() {
        vec![1, 10, 50]
    } else {
        counts
    };
    println!(
        "resident memory and CPU of each process alone; load is {CLIENTS} clients for {}s",
        LOAD.as_secs()
    );
    member_console().await;
    for count in counts {
        host_console(count).await;
    }
}
