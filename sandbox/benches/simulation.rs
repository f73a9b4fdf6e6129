//! Simulation figures: how long a 1,000-replica Deployment takes to become Available, and the
//! CPU an idle sandbox with 10,000 running pods uses. Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use orbital_sandbox::cluster::{Cluster, WriteOptions};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::store::ObjectKey;
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// How long the idle sandbox is watched.
const IDLE_WINDOW: Duration = Duration::from_secs(60);

async fn sandbox(dir: &tempfile::TempDir, nodes: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
        name: "bench".into(),
        simulation: Some(SimulationConfig { nodes }),
        seed: false,
    })
    .await
    .unwrap()
}

fn deployment(name: &str, replicas: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                       "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}},
    })
}

async fn create(
    cluster: &Cluster,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
    object: Value,
) {
    let resource_type = cluster.resource_type(group, "v1", plural).unwrap();
    cluster
        .create(&resource_type, namespace, object, &WriteOptions::default())
        .await
        .unwrap();
}

/// Waits until every named deployment in `bench` reports all `replicas` available.
async fn wait_available(cluster: &Cluster, names: &[String], replicas: usize) {
    let deadline = Instant::now() + Duration::from_secs(1_800);
    loop {
        let done = names.iter().all(|name| {
            cluster
                .store()
                .get(&ObjectKey::new("apps", "deployments", "bench", name))
                .is_some_and(|d| {
                    d["status"]["availableReplicas"] == replicas
                        && d["status"]["conditions"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|c| c["type"] == "Available" && c["status"] == "True")
                })
        });
        if done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "deployments did not become available"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// CPU time this process has used (user + system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn running_pods(cluster: &Cluster) -> usize {
    let pods = cluster.resource_type("", "v1", "pods").unwrap();
    cluster
        .list(&pods, Some("bench"), None, None, |p| {
            p["status"]["phase"] == "Running"
        })
        .items
        .len()
}

#[tokio::main]
async fn main() {
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}});

    let dir = tempfile::TempDir::new().unwrap();
    let small = sandbox(&dir, 10).await;
    create(small.cluster(), "", "namespaces", None, namespace.clone()).await;
    let started = Instant::now();
    create(
        small.cluster(),
        "apps",
        "deployments",
        Some("bench"),
        deployment("big", 1_000),
    )
    .await;
    wait_available(small.cluster(), &["big".to_owned()], 1_000).await;
    println!(
        "1,000-replica deployment on 10 nodes: Available after {:.1} s ({} pods running)",
        started.elapsed().as_secs_f64(),
        running_pods(small.cluster())
    );
    small.shutdown().await;

    let dir = tempfile::TempDir::new().unwrap();
    let large = sandbox(&dir, 100).await;
    create(large.cluster(), "", "namespaces", None, namespace).await;
    let started = Instant::now();
    let names: Vec<String> = (0..10).map(|i| format!("app-{i}")).collect();
    for name in &names {
        create(
            large.cluster(),
            "apps",
            "deployments",
            Some("bench"),
            deployment(name, 1_000),
        )
        .await;
    }
    wait_available(large.cluster(), &names, 1_000).await;
    println!(
        "10 deployments x 1,000 replicas on 100 nodes: Available after {:.1} s ({} pods running)",
        started.elapsed().as_secs_f64(),
        running_pods(large.cluster())
    );
    // Let the last status writes and events settle before measuring.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let before = cpu_time();
    let version_before = large.cluster().store().resource_version();
    tokio::time::sleep(IDLE_WINDOW).await;
    let used = cpu_time() - before;
    let writes = large.cluster().store().resource_version() - version_before;
    println!(
        "idle with 10,000 pods and 100 nodes: {:.2} s CPU in {} s = {:.1}% of one core; {} writes ({:.1}/s, lease and node heartbeats)",
        used.as_secs_f64(),
        IDLE_WINDOW.as_secs(),
        100.0 * used.as_secs_f64() / IDLE_WINDOW.as_secs_f64(),
        writes,
        writes as f64 / IDLE_WINDOW.as_secs_f64()
    );
    large.shutdown().await;
}
