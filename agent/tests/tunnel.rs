//! A sandbox cluster reached only through its agent: the host's client sends reads, writes,
//! watches and followed logs through one agent connection, many at once, and the connection
//! comes and goes with the agent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod};
use kube::api::{Api, ListParams, LogParams, PostParams, WatchEvent, WatchParams};
use orbital_agent::{Agent, AgentConfig, AgentError, Tunnels, upgrade};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(30);
const TOKEN: &str = "s3cret-join-token";

async fn client_of(sandbox: &Sandbox) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&sandbox.kubeconfig().to_yaml()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The host's end: accepts agents of any cluster that present `TOKEN`.
async fn connect(
    State(tunnels): State<Tunnels>,
    Path(cluster): Path<String>,
    mut request: Request,
) -> Response {
    let presented = request.headers().get(axum::http::header::AUTHORIZATION);
    if presented.is_none_or(|value| value.as_bytes() != format!("Bearer {TOKEN}").as_bytes()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok((answer, connection)) = upgrade(&mut request) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    tokio::spawn(async move {
        let socket = TokioIo::new(connection.await.unwrap());
        let accepted = tunnels.accept();
        let _ = tunnels.serve(&cluster, accepted, socket).await;
    });
    answer.map(|()| Body::empty())
}

async fn host(tunnels: Tunnels) -> SocketAddr {
    let router = Router::new()
        .route("/agent/connect/{cluster}", get(connect))
        .with_state(tunnels);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

struct Member {
    _dir: TempDir,
    sandbox: Sandbox,
    token_file: std::path::PathBuf,
}

async fn member() -> Member {
    let dir = TempDir::new().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("member"),
        name: "member".into(),
        simulation: Some(SimulationConfig { nodes: 1 }),
        seed: true,
    })
    .await
    .unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    Member {
        _dir: dir,
        sandbox,
        token_file,
    }
}

async fn agent_of(member: &Member, host: SocketAddr) -> Agent {
    let client = client_of(&member.sandbox).await;
    let config = AgentConfig {
        host_url: format!("http://{host}"),
        cluster: "member-2".into(),
        token_file: member.token_file.clone(),
        ca_file: None,
    };
    Agent::new(&config, client).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_reaches_the_member_only_through_its_agent() {
    let member = member().await;
    let tunnels = Tunnels::default();
    let host = host(tunnels.clone()).await;
    let client = tunnels.client("member-2");

    // Before the agent dials, the cluster cannot be reached.
    assert!(client.apiserver_version().await.is_err());
    let agent = agent_of(&member, host).await;
    let running = tokio::spawn(async move { agent.run().await });
    eventually("the agent to connect", || async {
        tunnels.connected("member-2").then_some(())
    })
    .await;

    // Reads and writes.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(names.contains(&"demo".to_owned()), "{names:?}");
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let made: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "through-the-agent"}, "data": {"a": "1"}
    }))
    .unwrap();
    config_maps
        .create(&PostParams::default(), &made)
        .await
        .unwrap();
    let direct = client_of(&member.sandbox).await;
    let seen = Api::<ConfigMap>::namespaced(direct.clone(), "default")
        .get("through-the-agent")
        .await
        .unwrap();
    assert_eq!(seen.data.unwrap()["a"], "1");

    // 50 requests at once over the one connection: 10 watches, a followed log and 39 reads.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "demo");
    let pod = eventually("a running web pod", || async {
        pods.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|p| {
                p.metadata.name.as_deref().unwrap_or("").starts_with("web-")
                    && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
            })
            .and_then(|p| p.metadata.name)
    })
    .await;
    let version = config_maps
        .get("through-the-agent")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut watches = Vec::new();
    for _ in 0..10 {
        let config_maps = config_maps.clone();
        let version = version.clone();
        watches.push(tokio::spawn(async move {
            let params = WatchParams::default()
                .fields("metadata.name=through-the-agent")
                .timeout(20);
            let mut stream = config_maps.watch(&params, &version).await.unwrap().boxed();
            while let Some(event) = stream.try_next().await.unwrap() {
                if let WatchEvent::Modified(changed) = event {
                    return changed.data.unwrap()["a"].clone();
                }
            }
            panic!("the watch ended without seeing the change");
        }));
    }
    let followed = {
        let pods = pods.clone();
        let pod = pod.clone();
        tokio::spawn(async move {
            let params = LogParams {
                follow: true,
                tail_lines: Some(1),
                ..LogParams::default()
            };
            let mut lines = pods.log_stream(&pod, &params).await.unwrap().lines();
            let mut seen = 0;
            while seen < 3 {
                lines
                    .try_next()
                    .await
                    .unwrap()
                    .expect("the followed log ended");
                seen += 1;
            }
            seen
        })
    };
    let reads: Vec<_> = (0..39)
        .map(|i| {
            let namespaces = namespaces.clone();
            tokio::spawn(async move {
                let name = ["default", "demo", "kube-system"][i % 3];
                namespaces.get(name).await.unwrap().metadata.name.unwrap()
            })
        })
        .collect();
    for (i, read) in reads.into_iter().enumerate() {
        assert_eq!(
            read.await.unwrap(),
            ["default", "demo", "kube-system"][i % 3]
        );
    }
    // Each watch starts at the version read above, so it sees the change whenever it opens.
    let mut changed = made.clone();
    changed.metadata.resource_version = Some(version);
    changed.data = Some([("a".to_owned(), "2".to_owned())].into());
    Api::<ConfigMap>::namespaced(direct, "default")
        .replace("through-the-agent", &PostParams::default(), &changed)
        .await
        .unwrap();
    for watch in watches {
        assert_eq!(
            tokio::time::timeout(WAIT, watch).await.unwrap().unwrap(),
            "2"
        );
    }
    assert_eq!(
        tokio::time::timeout(WAIT, followed).await.unwrap().unwrap(),
        3
    );

    // The agent stops: the connection goes, and requests fail at once.
    running.abort();
    eventually("the connection to end", || async {
        (!tunnels.connected("member-2")).then_some(())
    })
    .await;
    assert!(namespaces.get("demo").await.is_err());

    // It comes back: the same client works again.
    let agent = agent_of(&member, host).await;
    let running = tokio::spawn(async move { agent.run().await });
    eventually("the agent to connect again", || async {
        namespaces.get("demo").await.ok()
    })
    .await;
    running.abort();
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_no_connection_is_made() {
    let member = member().await;
    let tunnels = Tunnels::default();
    let host = host(tunnels.clone()).await;
    std::fs::write(&member.token_file, "not-the-token").unwrap();
    let agent = agent_of(&member, host).await;
    match agent.connect_once().await {
        Err(AgentError::Refused(status)) => assert_eq!(status, 401),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!tunnels.connected("member-2"));
}

#[tokio::test]
async fn a_closed_connection_ends_for_the_agent_too() {
    let member = member().await;
    let tunnels = Tunnels::default();
    let host = host(tunnels.clone()).await;
    let agent = agent_of(&member, host).await;
    let connection = tokio::spawn(async move { agent.connect_once().await });
    eventually("the agent to connect", || async {
        tunnels.connected("member-2").then_some(())
    })
    .await;
    tunnels.close("member-2");
    let ended = tokio::time::timeout(WAIT, connection)
        .await
        .unwrap()
        .unwrap();
    assert!(ended.is_ok(), "{ended:?}");
    assert!(!tunnels.connected("member-2"));
}

/// Tells sandboxes apart: the UID of their `kube-system` namespace.
async fn kube_system_uid(member: &Member) -> String {
    Api::<Namespace>::all(client_of(&member.sandbox).await)
        .get("kube-system")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_connection_carries_the_requests_and_an_older_one_serves_again_when_it_goes() {
    // Two agent replicas for one cluster; each forwards to a sandbox of its own here, so the
    // answers tell which connection carried a request.
    let (first, second) = (member().await, member().await);
    let (first_uid, second_uid) = (
        kube_system_uid(&first).await,
        kube_system_uid(&second).await,
    );
    let tunnels = Tunnels::default();
    let host = host(tunnels.clone()).await;
    let namespaces: Api<Namespace> = Api::all(tunnels.client("member-2"));
    let answered_by = |uid: String| {
        let namespaces = namespaces.clone();
        move || {
            let namespaces = namespaces.clone();
            let uid = uid.clone();
            async move {
                let read = namespaces.get("kube-system").await.ok()?;
                (read.metadata.uid? == uid).then_some(())
            }
        }
    };

    let older = agent_of(&first, host).await;
    let older = tokio::spawn(async move { older.run().await });
    eventually("the first agent to answer", answered_by(first_uid.clone())).await;
    let newer = agent_of(&second, host).await;
    let newer = tokio::spawn(async move { newer.run().await });
    eventually("the newer connection to win", answered_by(second_uid)).await;
    newer.abort();
    eventually(
        "the older connection to serve again",
        answered_by(first_uid),
    )
    .await;
    older.abort();
}
