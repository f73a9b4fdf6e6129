//! Members joined through an agent: the join token, the agent admitted with it and refused
//! without it, the member reached through the agent's connection, and that connection closed
//! as soon as the token is replaced or deleted, or the member removed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::Request;
use axum::response::Response;
use axum::routing::get;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use orbital_agent::{Agent, AgentConfig, AgentError};
use orbital_federation::agents::{TOKEN_KEY, token_secret_name};
use orbital_federation::{
    AgentJoinRequest, Federation, JoinError, Principal, Scope, client_from_kubeconfig,
};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use orbital_types::{ClusterStatus, Connection, Reason};
use serde_json::json;
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(30);
/// How soon a lost agent must be recorded.
const AGENT_LOST_WITHIN: Duration = Duration::from_secs(10);
/// How soon a revoked token's connection must be closed.
const REVOKED_WITHIN: Duration = Duration::from_secs(5);

async fn sandbox(dir: &Path, name: &str, seed: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join(name),
        name: name.into(),
        simulation: Some(SimulationConfig { nodes: 1 }),
        seed,
    })
    .await
    .unwrap()
}

async fn client_of(sandbox: &Sandbox) -> kube::Client {
    client_from_kubeconfig(&sandbox.kubeconfig().to_yaml(), None)
        .await
        .unwrap()
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

/// The host console's agent endpoint, as the console routes it.
async fn connect(
    State(federation): State<Federation>,
    UrlPath(cluster): UrlPath<String>,
    request: Request<Body>,
) -> Response {
    let agents = federation.agents().unwrap();
    agents.connect(&cluster, request, "test").await
}

struct Fixture {
    dir: TempDir,
    host: Sandbox,
    member: Sandbox,
    federation: Federation,
    scope: Scope,
    console: SocketAddr,
}

/// A host console's federation and a member for it; `seed` gives the member the demo workloads.
async fn fixture_with(seed: bool) -> Fixture {
    let dir = TempDir::new().unwrap();
    let host = sandbox(dir.path(), "host", false).await;
    let member = sandbox(dir.path(), "member", seed).await;
    let federation = Federation::host(client_of(&host).await, "http://console.test")
        .await
        .unwrap();
    let router = Router::new()
        .route("/agent/connect/{cluster}", get(connect))
        .with_state(federation.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let console = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Fixture {
        dir,
        host,
        member,
        scope: federation.scope(Principal::Console),
        federation,
        console,
    }
}

impl Fixture {
    async fn agent(&self, token: &str) -> Agent {
        let token_file = self.dir.path().join("token");
        std::fs::write(&token_file, token).unwrap();
        let config = AgentConfig {
            host_url: format!("http://{}", self.console),
            cluster: "edge".into(),
            token_file,
            ca_file: None,
        };
        Agent::new(&config, client_of(&self.member).await).unwrap()
    }

    async fn secrets(&self) -> Api<Secret> {
        Api::namespaced(client_of(&self.host).await, "orbital-system")
    }

    /// A read through the console's proxy.
    async fn get(&self, path: &str) -> Response {
        let request = Request::get(format!("/clusters/edge{path}"))
            .body(Body::empty())
            .unwrap();
        self.scope.proxy(request).await
    }

    /// Whether the member answers a read through the console's proxy.
    async fn answers(&self) -> bool {
        self.get("/api/v1/namespaces/default").await.status() == 200
    }
}

fn join(name: &str) -> AgentJoinRequest {
    AgentJoinRequest {
        name: name.into(),
        provider: "edge-dc".into(),
        ..AgentJoinRequest::default()
    }
}

async fn fixture() -> Fixture {
    fixture_with(false).await
}

/// Reads a streamed answer until `enough` says what was read is enough; the text read.
async fn read_until(response: Response, enough: impl Fn(&str) -> bool) -> String {
    let mut body = response.into_body().into_data_stream();
    let mut text = String::new();
    while !enough(&text) {
        let chunk = body.next().await.expect("the stream ended early").unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_proxied_requests_at_once_travel_through_one_agent_connection() {
    let fixture = std::sync::Arc::new(fixture_with(true).await);
    let joined = fixture.scope.join_agent(join("edge")).await.unwrap();
    let agent = fixture.agent(&joined.token).await;
    let running = tokio::spawn(async move { agent.run().await });
    eventually("the member to answer through its agent", || async {
        fixture.answers().await.then_some(())
    })
    .await;
    let member = client_of(&fixture.member).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(member.clone(), "default");
    let made: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "shared"}, "data": {"a": "1"}}))
            .unwrap();
    let made = config_maps
        .create(&PostParams::default(), &made)
        .await
        .unwrap();
    let version = made.metadata.resource_version.clone().unwrap();
    let pods: Api<Pod> = Api::namespaced(member, "demo");
    let pod = eventually("a running web pod", || async {
        pods.list(&Default::default())
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

    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let fixture = fixture.clone();
        let path = format!(
            "/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dshared\
             &resourceVersion={version}&timeoutSeconds=30"
        );
        requests.spawn(async move {
            let response = fixture.get(&path).await;
            assert_eq!(response.status(), 200);
            read_until(response, |text| text.contains("MODIFIED")).await;
            "watch"
        });
    }
    {
        let fixture = fixture.clone();
        let path = format!("/api/v1/namespaces/demo/pods/{pod}/log?follow=true&tailLines=1");
        requests.spawn(async move {
            let response = fixture.get(&path).await;
            assert_eq!(response.status(), 200);
            read_until(response, |text| text.lines().count() >= 3).await;
            "log"
        });
    }
    for index in 0..39 {
        let fixture = fixture.clone();
        requests.spawn(async move {
            let name = ["default", "demo", "kube-system"][index % 3];
            let response = fixture.get(&format!("/api/v1/namespaces/{name}")).await;
            assert_eq!(response.status(), 200);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let read: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(read["metadata"]["name"], name);
            "read"
        });
    }
    // Every watch starts at the version created above, so it sees the change whenever it opens.
    let mut changed = made;
    changed.data = Some([("a".to_owned(), "2".to_owned())].into());
    config_maps
        .replace("shared", &PostParams::default(), &changed)
        .await
        .unwrap();
    let mut done = std::collections::BTreeMap::new();
    while let Some(finished) = tokio::time::timeout(WAIT, requests.join_next())
        .await
        .unwrap()
    {
        *done.entry(finished.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(
        done,
        std::collections::BTreeMap::from([("log", 1), ("read", 39), ("watch", 10)])
    );
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_member_is_reached_through_its_agent_while_its_token_holds() {
    let fixture = fixture().await;
    let joined = fixture.scope.join_agent(join("edge")).await.unwrap();
    assert_eq!(joined.cluster.connection, Connection::Agent);
    let stored = fixture.scope.cluster("edge").await.unwrap().unwrap();
    assert_eq!(stored.connection, Connection::Agent);
    let secret = fixture
        .secrets()
        .await
        .get(&token_secret_name("edge"))
        .await
        .unwrap();
    assert_eq!(
        secret.data.unwrap()[TOKEN_KEY].0,
        joined.token.as_bytes(),
        "the token is kept in the cluster's Secret"
    );
    assert_eq!(
        fixture.scope.agent_token("edge").await.unwrap(),
        joined.token
    );
    assert!(matches!(
        fixture.scope.join_agent(join("edge")).await,
        Err(JoinError::NameTaken(_))
    ));
    assert!(matches!(
        fixture.scope.rotate_kubeconfig("edge", "kubeconfig").await,
        Err(JoinError::ThroughAgent(_))
    ));
    assert!(!fixture.answers().await, "no agent has connected yet");

    // A wrong token, or a cluster that is not an agent member, is refused alike.
    let wrong = fixture.agent("orbital-agent-wrong").await;
    assert!(matches!(
        wrong.connect_once().await,
        Err(AgentError::Refused(status)) if status == 401
    ));

    // The right token: the member answers through the agent.
    let agent = fixture.agent(&joined.token).await;
    let connection = tokio::spawn(async move { agent.connect_once().await });
    eventually("the member to answer through its agent", || async {
        fixture.answers().await.then_some(())
    })
    .await;

    // A replaced token closes the connection made with the old one.
    let secrets = fixture.secrets().await;
    let patch = json!({"stringData": {TOKEN_KEY: "orbital-agent-replaced"}});
    secrets
        .patch(
            &token_secret_name("edge"),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .unwrap();
    let ended = tokio::time::timeout(REVOKED_WITHIN, connection)
        .await
        .expect("the connection closed within 5 s of the token's replacement")
        .unwrap();
    assert!(ended.is_ok(), "{ended:?}");
    assert!(!fixture.answers().await);
    let stale = fixture.agent(&joined.token).await;
    assert!(matches!(
        stale.connect_once().await,
        Err(AgentError::Refused(_))
    ));

    // The new token works; deleting the Secret revokes it too.
    let agent = fixture.agent("orbital-agent-replaced").await;
    let connection = tokio::spawn(async move { agent.connect_once().await });
    eventually("the member to answer again", || async {
        fixture.answers().await.then_some(())
    })
    .await;
    secrets
        .delete(&token_secret_name("edge"), &DeleteParams::default())
        .await
        .unwrap();
    tokio::time::timeout(REVOKED_WITHIN, connection)
        .await
        .expect("the connection closed within 5 s of the Secret's deletion")
        .unwrap()
        .unwrap();

    // A new token is made for it when asked; removing the member closes its connection.
    let token = fixture.scope.agent_token("edge").await.unwrap();
    assert_ne!(token, joined.token);
    let agent = fixture.agent(&token).await;
    let connection = tokio::spawn(async move { agent.connect_once().await });
    eventually("the member to answer with its new token", || async {
        fixture.answers().await.then_some(())
    })
    .await;
    fixture.scope.remove("edge").await.unwrap();
    tokio::time::timeout(REVOKED_WITHIN, connection)
        .await
        .expect("the connection closed when the member was removed")
        .unwrap()
        .unwrap();
}

/// Waits until the recorded status of `edge` satisfies `wanted`, for at most `within`.
async fn recorded(fixture: &Fixture, within: Duration, wanted: impl Fn(&ClusterStatus) -> bool) {
    let deadline = Instant::now() + within;
    loop {
        let status = fixture.scope.cluster("edge").await.unwrap().unwrap().status;
        if wanted(&status) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not recorded in time: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_available_condition_follows_the_agent() {
    let fixture = fixture().await;
    let joined = fixture.scope.join_agent(join("edge")).await.unwrap();
    let health = fixture
        .federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    let connected = |connected: bool| {
        move |status: &ClusterStatus| {
            status
                .agent
                .as_ref()
                .is_some_and(|agent| agent.connected == connected)
                && status.ready == connected
        }
    };
    recorded(&fixture, WAIT, connected(false)).await;
    let status = fixture.scope.cluster("edge").await.unwrap().unwrap().status;
    assert_eq!(status.reason, Reason::AgentDisconnected);

    let agent = fixture.agent(&joined.token).await;
    let running = tokio::spawn(async move { agent.run().await });
    recorded(&fixture, WAIT, connected(true)).await;
    let status = fixture.scope.cluster("edge").await.unwrap().unwrap().status;
    assert_eq!(status.node_count, 1, "probed through the agent");

    // The agent stops: within 10 s the member is recorded as without its agent, and not ready.
    running.abort();
    recorded(&fixture, AGENT_LOST_WITHIN, connected(false)).await;

    // It comes back.
    let agent = fixture.agent(&joined.token).await;
    let running = tokio::spawn(async move { agent.run().await });
    recorded(&fixture, WAIT, connected(true)).await;
    running.abort();
    health.abort();
}

#[tokio::test]
async fn a_direct_member_has_no_agent_token() {
    let fixture = fixture().await;
    assert!(matches!(
        fixture.scope.agent_token("absent").await,
        Err(JoinError::Unknown(_))
    ));
    let request = orbital_federation::JoinRequest {
        name: "direct".into(),
        kubeconfig: fixture.member.kubeconfig().to_yaml(),
        ..Default::default()
    };
    fixture.scope.join(request).await.unwrap();
    assert!(matches!(
        fixture.scope.agent_token("direct").await,
        Err(JoinError::NotThroughAgent(_))
    ));
    let agent = fixture.agent("anything").await;
    assert!(matches!(
        agent.connect_once().await,
        Err(AgentError::Refused(_))
    ));
}
