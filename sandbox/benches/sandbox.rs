//! Sandbox API server figures: listing 10,000 pods (whole and paged), one change fanned out to
//! 100 watchers, and the memory 10,000 pods take. Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use http::Request;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use orbital_sandbox::cluster::WriteOptions;
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

const PODS: usize = 10_000;
const WATCHERS: usize = 100;
const ROUNDS: usize = 5;

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn pod(i: usize) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": format!("pod-{i:05}"), "namespace": "bench",
                     "labels": {"app": format!("app-{}", i % 50), "tier": "web"}},
        "spec": {"nodeName": format!("node-{}", i % 3), "containers": [{
            "name": "main", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
            "env": [{"name": "MODE", "value": "production"}]
        }]}
    })
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
        name: "bench".into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap();
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig().to_yaml()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let cluster = sandbox.cluster().clone();

    let namespaces = cluster.resource_type("", "v1", "namespaces").unwrap();
    let options = WriteOptions::default();
    cluster
        .create(
            &namespaces,
            None,
            json!({"metadata": {"name": "bench"}}),
            &options,
        )
        .await
        .unwrap();
    let pods = cluster.resource_type("", "v1", "pods").unwrap();
    let before = resident_bytes();
    let started = Instant::now();
    futures::stream::iter(0..PODS)
        .map(|i| {
            let (cluster, pods, options) = (cluster.clone(), Arc::clone(&pods), options.clone());
            async move {
                cluster
                    .create(&pods, Some("bench"), pod(i), &options)
                    .await
                    .unwrap()
            }
        })
        .buffer_unordered(64)
        .collect::<Vec<_>>()
        .await;
    let created = started.elapsed();
    let after = resident_bytes();
    println!(
        "create {PODS} pods (each write committed durably): {:.1} s",
        created.as_secs_f64()
    );
    println!(
        "resident memory: {:.0} MiB before, {:.0} MiB after, {:.1} KiB per pod",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        (after.saturating_sub(before)) as f64 / 1024.0 / PODS as f64
    );

    let mut full = Vec::new();
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let body = client
            .request_text(Request::get("/api/v1/pods").body(Vec::new()).unwrap())
            .await
            .unwrap();
        full.push(started.elapsed());
        bytes = body.len();
    }
    println!(
        "list {PODS} pods in one request: median {:.0} ms ({:.1} MiB of JSON)",
        median(full).as_secs_f64() * 1000.0,
        bytes as f64 / 1048576.0
    );

    let mut paged = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut token = String::new();
        let mut seen = 0;
        loop {
            let path = format!("/api/v1/pods?limit=500&continue={token}");
            let body = client
                .request_text(Request::get(path).body(Vec::new()).unwrap())
                .await
                .unwrap();
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            seen += page["items"].as_array().map_or(0, Vec::len);
            match page["metadata"]["continue"].as_str() {
                Some(next) if !next.is_empty() => token = next.to_owned(),
                _ => break,
            }
        }
        assert_eq!(seen, PODS);
        paged.push(started.elapsed());
    }
    println!(
        "list {PODS} pods in pages of 500: median {:.0} ms for all 20 pages",
        median(paged).as_secs_f64() * 1000.0
    );

    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "bench");
    configmaps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "watched"}, "data": {"n": "0"}}))
                .unwrap(),
        )
        .await
        .unwrap();
    let version = configmaps
        .get("watched")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut streams = Vec::new();
    for _ in 0..WATCHERS {
        streams.push(
            configmaps
                .watch(&WatchParams::default(), &version)
                .await
                .unwrap()
                .boxed(),
        );
    }
    let changed_at = Instant::now();
    configmaps
        .patch(
            "watched",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"n": "1"}})),
        )
        .await
        .unwrap();
    let arrivals = futures::future::join_all(streams.into_iter().map(|mut stream| async move {
        loop {
            if let Some(WatchEvent::Modified(_)) = stream.try_next().await.unwrap() {
                return changed_at.elapsed();
            }
        }
    }))
    .await;
    let last = arrivals.iter().max().copied().unwrap_or_default();
    println!(
        "one change fanned out to {WATCHERS} watchers: median {:.1} ms, last {:.1} ms after the write was sent",
        median(arrivals).as_secs_f64() * 1000.0,
        last.as_secs_f64() * 1000.0
    );
    sandbox.shutdown().await;
}
