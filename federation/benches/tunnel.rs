//! The agent tunnel against a direct connection, in one run: latency of a small read and
//! throughput of a large list, each through the console's proxy to a member joined directly and
//! to an identical member joined through its agent (over loopback). Prints numbers; see
//! BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::Request;
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use orbital_agent::{Agent, AgentConfig};
use orbital_federation::{
    AgentJoinRequest, Federation, JoinRequest, Principal, Scope, client_from_kubeconfig,
};
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

/// ConfigMaps in each member, about 1 KiB each: the large list.
const OBJECTS: usize = 2_000;
/// Small reads measured per connection.
const SMALL_READS: usize = 2_000;
/// Large lists measured per connection.
const LARGE_LISTS: usize = 30;

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

async fn fill(member: &Sandbox) {
    let client = client_from_kubeconfig(&member.kubeconfig().to_yaml(), None)
        .await
        .unwrap();
    let config_maps: Api<ConfigMap> = Api::namespaced(client, "default");
    let value = "x".repeat(1000);
    for index in 0..OBJECTS {
        let object: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": format!("object-{index}")}, "data": {"value": value}
        }))
        .unwrap();
        config_maps
            .create(&PostParams::default(), &object)
            .await
            .unwrap();
    }
}

async fn connect(
    State(federation): State<Federation>,
    Path(cluster): Path<String>,
    request: Request<Body>,
) -> Response {
    let agents = federation.agents().unwrap();
    agents.connect(&cluster, request, "bench").await
}

/// Reads `path` through the console's proxy; answers the body's length.
async fn read(scope: &Scope, path: &str) -> usize {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = scope.proxy(request).await;
    assert_eq!(response.status(), 200, "{path}");
    to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .len()
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().unwrap();
    let host = sandbox(dir.path(), "host").await;
    let direct = sandbox(dir.path(), "direct").await;
    let through_agent = sandbox(dir.path(), "edge").await;
    fill(&direct).await;
    fill(&through_agent).await;

    let host_client = client_from_kubeconfig(&host.kubeconfig().to_yaml(), None)
        .await
        .unwrap();
    let federation = Federation::host(host_client, "http://127.0.0.1:3000")
        .await
        .unwrap();
    let scope = federation.scope(Principal::Console);
    let request = JoinRequest {
        name: "direct".into(),
        kubeconfig: direct.kubeconfig().to_yaml(),
        ..JoinRequest::default()
    };
    scope.join(request).await.unwrap();
    let request = AgentJoinRequest {
        name: "edge".into(),
        ..AgentJoinRequest::default()
    };
    let joined = scope.join_agent(request).await.unwrap();

    let router = Router::new()
        .route("/agent/connect/{cluster}", get(connect))
        .with_state(federation.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let console = listener.local_addr().unwrap();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, router).await });
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &joined.token).unwrap();
    let config = AgentConfig {
        host_url: format!("http://{console}"),
        cluster: "edge".into(),
        token_file,
        ca_file: None,
    };
    let agent_client = client_from_kubeconfig(&through_agent.kubeconfig().to_yaml(), None)
        .await
        .unwrap();
    let agent = Agent::new(&config, agent_client).unwrap();
    tokio::spawn(async move { agent.run().await });

    let small = |name: &str| format!("/clusters/{name}/api/v1/namespaces/default");
    let large = |name: &str| format!("/clusters/{name}/api/v1/namespaces/default/configmaps");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let request = Request::get(small("edge")).body(Body::empty()).unwrap();
        if scope.proxy(request).await.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the agent never connected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let names = ["direct", "edge"];
    // Warm both paths, then alternate them round by round so both see the same machine.
    for name in names {
        for _ in 0..100 {
            read(&scope, &small(name)).await;
        }
        read(&scope, &large(name)).await;
    }
    let mut latencies = [Vec::new(), Vec::new()];
    for _ in 0..SMALL_READS {
        for (index, name) in names.iter().enumerate() {
            let started = Instant::now();
            read(&scope, &small(name)).await;
            latencies[index].push(started.elapsed());
        }
    }
    let mut listing = [(0usize, Duration::ZERO); 2];
    for _ in 0..LARGE_LISTS {
        for (index, name) in names.iter().enumerate() {
            let started = Instant::now();
            let bytes = read(&scope, &large(name)).await;
            listing[index].0 += bytes;
            listing[index].1 += started.elapsed();
        }
    }

    println!(
        "through the console's proxy, {SMALL_READS} small reads and {LARGE_LISTS} lists of {OBJECTS} ConfigMaps each way"
    );
    let mut throughput = [0.0; 2];
    let mut medians = [Duration::ZERO; 2];
    for (index, name) in ["direct", "tunnel"].iter().enumerate() {
        latencies[index].sort();
        let (bytes, time) = listing[index];
        throughput[index] = bytes as f64 / time.as_secs_f64() / 1e6;
        medians[index] = percentile(&latencies[index], 0.5);
        println!(
            "{name:>6}: small GET p50 {:.3} ms, p99 {:.3} ms; list of {:.1} MB: {:.1} MB/s",
            medians[index].as_secs_f64() * 1e3,
            percentile(&latencies[index], 0.99).as_secs_f64() * 1e3,
            bytes as f64 / LARGE_LISTS as f64 / 1e6,
            throughput[index]
        );
    }
    println!(
        "tunnel: {:.0} % of direct throughput, {:+.3} ms at p50",
        throughput[1] / throughput[0] * 100.0,
        (medians[1].as_secs_f64() - medians[0].as_secs_f64()) * 1e3
    );
}
