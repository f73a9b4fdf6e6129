//! An aggregated, filtered, sorted page of 50 pods out of 10 clusters × 10,000 pods: served
//! from the reflector caches, against the same page assembled by listing every cluster on each
//! request; then the cached page for a user among 10,000 grants against the unchecked one; and
//! the memory the caches hold per pod against the pod's JSON. Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cap::Cap;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};

use orbital_federation::{Federation, JoinRequest, Principal, User, client_from_kubeconfig};
use orbital_iam::{Grant, GrantScope, Policy, Role};
use orbital_sandbox::cluster::WriteOptions;
use orbital_sandbox::{Sandbox, SandboxConfig};
use orbital_types::{Kind, Query, Sort};
use serde_json::json;

const CLUSTERS: usize = 10;
const PODS: usize = 10_000;
const ROUNDS: usize = 5;

/// Counts the bytes the program holds, so what the caches keep can be told.
#[global_allocator]
static ALLOCATED: Cap<System> = Cap::new(System, usize::MAX);

async fn sandbox(dir: &std::path::Path, name: &str) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join(name),
        name: name.into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap()
}

/// Fills `sandbox` with pods, 32 writes in flight.
async fn fill(sandbox: &Sandbox) {
    let cluster = sandbox.cluster().clone();
    let pods = cluster.resource_type("", "v1", "pods").unwrap();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..32)
        .map(|_| {
            let (cluster, pods, next) = (cluster.clone(), Arc::clone(&pods), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= PODS {
                        return;
                    }
                    let pod = json!({
                        "apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": format!("pod-{i:05}"), "labels": {"app": format!("web-{}", i % 10)}},
                        "spec": {"nodeName": format!("node-{}", i % 3), "containers": [{"name": "web", "image": "nginx:1.27"}]},
                    });
                    cluster
                        .create(&pods, Some("default"), pod, &WriteOptions::default())
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
}

/// The pods of every member as JSON, in bytes, and what holding them all as parsed objects
/// takes.
async fn sizes(members: &[Sandbox]) -> (usize, usize) {
    let pods = ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Pod".into(),
        plural: "pods".into(),
    };
    let mut json = 0;
    let mut whole = 0;
    for member in members {
        let client = client_from_kubeconfig(&member.kubeconfig().to_yaml(), None)
            .await
            .unwrap();
        let api: Api<DynamicObject> = Api::all_with(client, &pods);
        let before = ALLOCATED.allocated();
        let list = api.list(&ListParams::default()).await.unwrap().items;
        whole += ALLOCATED.allocated().saturating_sub(before);
        json += list
            .iter()
            .map(|pod| serde_json::to_vec(pod).unwrap().len())
            .sum::<usize>();
    }
    (json, whole)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().unwrap();
    let host = sandbox(dir.path(), "host").await;
    let host_client = client_from_kubeconfig(&host.kubeconfig().to_yaml(), None)
        .await
        .unwrap();
    let federation = Federation::host(host_client, "http://127.0.0.1:3000")
        .await
        .unwrap();
    let scope = federation.scope(Principal::Console);
    let started = Instant::now();
    let mut members = Vec::new();
    for index in 0..CLUSTERS {
        let name = format!("member-{index}");
        let member = sandbox(dir.path(), &name).await;
        fill(&member).await;
        let request = JoinRequest {
            name: name.clone(),
            kubeconfig: member.kubeconfig().to_yaml(),
            ..JoinRequest::default()
        };
        scope.join(request).await.unwrap();
        members.push(member);
    }
    println!(
        "setup: {CLUSTERS} clusters x {PODS} pods in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let health = federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    while scope
        .clusters()
        .await
        .unwrap()
        .iter()
        .any(|c| !c.status.ready)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    health.abort();
    let query = Query {
        labels: Some("app=web-7".into()),
        name: Some("pod-0".into()),
        sort: Sort::Name,
        descending: true,
        ..Query::default()
    };

    let held_before = ALLOCATED.allocated();
    let cold = Instant::now();
    let first = scope.view(&Kind::PODS, &query).await.unwrap();
    let cold = cold.elapsed();
    let cached_bytes = ALLOCATED.allocated().saturating_sub(held_before);
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    let (json_bytes, whole_bytes) = sizes(&members).await;
    let pods = (CLUSTERS * PODS) as f64;
    println!(
        "memory per pod: caches {:.0} B, the pod's JSON {:.0} B, caches / JSON = {:.2}; whole parsed objects {:.0} B ({:.2}x the JSON)",
        cached_bytes as f64 / pods,
        json_bytes as f64 / pods,
        cached_bytes as f64 / json_bytes as f64,
        whole_bytes as f64 / pods,
        whole_bytes as f64 / json_bytes as f64,
    );
    let mut cached_samples = Vec::new();
    let mut live_samples = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let cached = scope.view(&Kind::PODS, &query).await.unwrap();
        cached_samples.push(started.elapsed());
        let started = Instant::now();
        let live = scope.view_uncached(&Kind::PODS, &query).await.unwrap();
        live_samples.push(started.elapsed());
        assert_eq!(cached, live, "both ways give the same page");
    }
    let (cached, live) = (median(cached_samples), median(live_samples));

    // A page no index narrows: a name substring, sorted by age, so every cached pod is tested.
    let unindexed = Query {
        name: Some("pod-00".into()),
        sort: Sort::Age,
        page: 3,
        ..Query::default()
    };
    let scanned = scope.view(&Kind::PODS, &unindexed).await.unwrap();
    assert_eq!(
        scanned,
        scope.view_uncached(&Kind::PODS, &unindexed).await.unwrap(),
        "both ways give the same page"
    );
    let mut scan_samples = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        scope.view(&Kind::PODS, &unindexed).await.unwrap();
        scan_samples.push(started.elapsed());
    }
    println!(
        "page 3 of pods whose names contain pod-00, by age ({} match, no label or namespace to narrow by): cached {:.1} ms (median of {ROUNDS})",
        scanned.total,
        median(scan_samples).as_secs_f64() * 1000.0,
    );

    // The same page for a user who may read namespace `default` of every cluster, decided
    // among 10,000 grants: what authorization adds.
    let mut grants: Vec<Grant> = (0..CLUSTERS)
        .map(|index| Grant {
            user: "viewer".into(),
            role: Role::ProjectViewer,
            scope: GrantScope::Project {
                cluster: format!("member-{index}"),
                namespace: "default".into(),
            },
        })
        .collect();
    grants.extend((grants.len()..10_000).map(|other| Grant {
        user: format!("user-{other}"),
        role: Role::ClusterAdmin,
        scope: GrantScope::Cluster(format!("member-{}", other % CLUSTERS)),
    }));
    let viewer = federation.scope(Principal::User(User::new(
        "viewer",
        Arc::new(Policy::new(grants, [])),
    )));
    let mut authorized_samples = Vec::new();
    let mut console_samples = Vec::new();
    // Each round in both orders, so neither way gains from caches the other warmed.
    for round in 0..ROUNDS * 2 {
        let authorized = async {
            let started = Instant::now();
            let page = viewer.view(&Kind::PODS, &query).await.unwrap();
            (page, started.elapsed())
        };
        let unchecked = async {
            let started = Instant::now();
            let page = scope.view(&Kind::PODS, &query).await.unwrap();
            (page, started.elapsed())
        };
        let ((page, authorized), (expected, unchecked)) = if round % 2 == 0 {
            let first = authorized.await;
            (first, unchecked.await)
        } else {
            let second = unchecked.await;
            (authorized.await, second)
        };
        authorized_samples.push(authorized);
        console_samples.push(unchecked);
        assert_eq!(page, expected, "every pod is in namespace default");
    }
    let (authorized, unchecked) = (median(authorized_samples), median(console_samples));
    println!(
        "the same page for a project viewer among 10,000 grants: {:.1} ms, unchecked {:.1} ms (median of {}): authorization adds {:.1} ms",
        authorized.as_secs_f64() * 1000.0,
        unchecked.as_secs_f64() * 1000.0,
        ROUNDS * 2,
        (authorized.as_secs_f64() - unchecked.as_secs_f64()) * 1000.0,
    );
    println!(
        "page of {} rows out of {} matching ({} pods in all): cached {:.1} ms, live {:.1} ms (median of {ROUNDS}); live / cached = {:.0}x; first cached request, starting {CLUSTERS} caches: {:.2} s",
        first.rows.len(),
        first.total,
        CLUSTERS * PODS,
        cached.as_secs_f64() * 1000.0,
        live.as_secs_f64() * 1000.0,
        live.as_secs_f64() / cached.as_secs_f64(),
        cold.as_secs_f64()
    );
}
