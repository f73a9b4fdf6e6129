//! A user's scope: only the clusters their grants reach, only the objects they may list, and
//! every proxied call decided before it leaves the host.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::api::{Api, PostParams};
use orbital_federation::{
    Federation, JoinError, JoinRequest, Principal, Scope, User, ViewChange, client_from_kubeconfig,
};
use orbital_iam::{Grant, GrantScope, Policy, Role, Workspace, WorkspaceSpec};
use orbital_sandbox::{Sandbox, SandboxConfig};
use orbital_types::{Kind, Query};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::time::Instant;

const WAIT: Duration = Duration::from_secs(30);

async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sandbox(dir: &TempDir, name: &str) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join(name),
        name: name.into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap()
}

async fn client_of(sandbox: &Sandbox) -> kube::Client {
    client_from_kubeconfig(&sandbox.kubeconfig().to_yaml(), None)
        .await
        .unwrap()
}

/// Creates the object written as `object` through `api`.
async fn create<K>(api: &Api<K>, object: Value)
where
    K: Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    api.create(
        &PostParams::default(),
        &serde_json::from_value(object).unwrap(),
    )
    .await
    .unwrap();
}

/// Namespaces `demo` (a project of `team`), `other` and `kube-system`, each with a Service.
async fn populate(member: &Sandbox) {
    let client = client_of(member).await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for (name, workspace) in [("demo", Some("team")), ("other", None)] {
        let mut namespace = json!({"metadata": {"name": name}});
        if let Some(workspace) = workspace {
            namespace["metadata"]["labels"] = json!({"iam.orbital.dev/workspace": workspace});
        }
        create(&namespaces, namespace).await;
    }
    for namespace in ["demo", "other", "kube-system"] {
        let services: Api<Service> = Api::namespaced(client.clone(), namespace);
        let service = json!({"metadata": {"name": format!("svc-{namespace}")},
                             "spec": {"ports": [{"port": 80}]}});
        create(&services, service).await;
    }
}

struct Fixture {
    _dir: TempDir,
    clusters: Vec<Sandbox>,
    federation: Federation,
}

impl Fixture {
    async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        let host = sandbox(&dir, "host").await;
        let federation = Federation::host(client_of(&host).await, "http://console.test")
            .await
            .unwrap();
        let console = federation.scope(Principal::Console);
        let mut clusters = vec![host];
        for name in ["member-1", "member-2"] {
            let member = sandbox(&dir, name).await;
            populate(&member).await;
            let request = JoinRequest {
                name: name.into(),
                kubeconfig: member.kubeconfig().to_yaml(),
                ..JoinRequest::default()
            };
            console.join(request).await.unwrap();
            clusters.push(member);
        }
        federation
            .spawn_health(&orbital_lease::Leadership::alone())
            .unwrap();
        for name in ["member-1", "member-2"] {
            eventually(&format!("{name} to be ready"), || async {
                console
                    .cluster(name)
                    .await
                    .unwrap()
                    .filter(|c| c.status.ready)
            })
            .await;
        }
        Self {
            _dir: dir,
            clusters,
            federation,
        }
    }

    fn scope_of(&self, role: Role, scope: GrantScope) -> Scope {
        let team = Workspace {
            name: "team".into(),
            spec: WorkspaceSpec {
                clusters: vec!["member-1".into()],
                description: String::new(),
            },
        };
        let grant = Grant {
            user: "ann".into(),
            role,
            scope,
        };
        let policy = Policy::new([grant], [team]);
        self.federation
            .scope(Principal::User(User::new("ann", Arc::new(policy))))
    }
}

fn project(namespace: &str) -> GrantScope {
    GrantScope::Project {
        cluster: "member-1".into(),
        namespace: namespace.into(),
    }
}

async fn call(scope: &Scope, method: Method, path: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("impersonate-user", "admin")
        .body(Body::empty())
        .unwrap();
    let response = scope.proxy(request).await;
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn rows(page: &orbital_types::Page) -> Vec<String> {
    let mut rows: Vec<String> = page
        .rows
        .iter()
        .map(|row| format!("{}/{}/{}", row.cluster, row.namespace, row.name))
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_viewer_reads_their_project_and_nothing_else() {
    let fixture = Fixture::start().await;
    let viewer = fixture.scope_of(Role::ProjectViewer, project("demo"));

    let clusters = viewer.clusters().await.unwrap();
    let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["member-1"]);
    assert!(viewer.cluster("member-2").await.unwrap().is_none());

    let (status, _) = call(
        &viewer,
        Method::GET,
        "/clusters/member-1/api/v1/namespaces/demo/services",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&viewer, Method::GET, "/clusters/member-1/api").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "discovery is open on a visible cluster"
    );
    let (status, body) = call(
        &viewer,
        Method::DELETE,
        "/clusters/member-1/api/v1/namespaces/demo/services/svc-demo",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["reason"], "Forbidden");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("cannot delete resource \"services\""),
        "{message}"
    );
    for path in [
        "/clusters/member-1/api/v1/namespaces/demo/secrets",
        "/clusters/member-1/api/v1/namespaces/demo/secret%73",
        "/clusters/member-1/api/v1/namespaces/kube-system/services",
        "/clusters/member-1/api/v1/services",
    ] {
        let (status, _) = call(&viewer, Method::GET, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // Another cluster does not exist for them: the same answer as a name that never existed.
    let (status, hidden) = call(
        &viewer,
        Method::GET,
        "/clusters/member-2/api/v1/namespaces/demo/services",
    )
    .await;
    let (never_status, never) = call(
        &viewer,
        Method::GET,
        "/clusters/member-9/api/v1/namespaces/demo/services",
    )
    .await;
    assert_eq!(
        (status, never_status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(
        hidden["message"]
            .as_str()
            .unwrap()
            .replace("member-2", "member-9"),
        never["message"].as_str().unwrap()
    );

    let page = viewer
        .view(&Kind::SERVICES, &Query::default())
        .await
        .unwrap();
    assert_eq!(rows(&page), ["member-1/demo/svc-demo"]);
    assert!(page.failed.is_empty(), "{:?}", page.failed);
    let namespaces = viewer
        .view(&Kind::NAMESPACES, &Query::default())
        .await
        .unwrap();
    assert_eq!(rows(&namespaces), ["member-1//demo"]);
    let nodes = viewer.view(&Kind::NODES, &Query::default()).await.unwrap();
    assert!(nodes.rows.is_empty());

    // Following the view tells them of changes they may see, and of no other.
    let mut changes = viewer
        .follow_view(&Kind::SERVICES, &Query::default())
        .await
        .unwrap();
    let member = client_of(&fixture.clusters[1]).await;
    for namespace in ["other", "demo"] {
        let services: Api<Service> = Api::namespaced(member.clone(), namespace);
        let service = json!({"metadata": {"name": "added"}, "spec": {"ports": [{"port": 80}]}});
        create(&services, service).await;
    }
    let first = tokio::time::timeout(WAIT, async {
        loop {
            match changes.next().await {
                Some(ViewChange::Relisted { .. }) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("a change within the wait");
    assert_eq!(
        first,
        Some(ViewChange::Object {
            cluster: "member-1".into(),
            namespace: "demo".into(),
            name: "added".into(),
        }),
        "the change in `other` is not told"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn workspace_and_cluster_grants_reach_as_far_as_their_scope() {
    let fixture = Fixture::start().await;
    let workspace = fixture.scope_of(Role::WorkspaceViewer, GrantScope::Workspace("team".into()));
    let page = workspace
        .view(&Kind::SERVICES, &Query::default())
        .await
        .unwrap();
    assert_eq!(
        rows(&page),
        ["member-1/demo/svc-demo"],
        "only the labelled namespace, only on the cluster the workspace is placed on"
    );
    let (status, _) = call(
        &workspace,
        Method::GET,
        "/clusters/member-1/api/v1/namespaces/demo/services/svc-demo",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &workspace,
        Method::GET,
        "/clusters/member-1/api/v1/namespaces/other/services/svc-other",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let viewer = fixture.scope_of(Role::ClusterViewer, GrantScope::Cluster("member-2".into()));
    let page = viewer
        .view(&Kind::SERVICES, &Query::default())
        .await
        .unwrap();
    assert_eq!(
        rows(&page),
        [
            "member-2/default/kubernetes",
            "member-2/demo/svc-demo",
            "member-2/kube-system/svc-kube-system",
            "member-2/other/svc-other"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_platform_admin_manages_members() {
    let fixture = Fixture::start().await;
    let cluster_admin =
        fixture.scope_of(Role::ClusterAdmin, GrantScope::Cluster("member-1".into()));
    assert!(matches!(
        cluster_admin.remove("member-1").await,
        Err(JoinError::Forbidden)
    ));
    assert!(matches!(
        cluster_admin.remove("member-2").await,
        Err(JoinError::Unknown(_))
    ));
    assert!(matches!(
        cluster_admin.join(JoinRequest::default()).await,
        Err(JoinError::Forbidden)
    ));
    let admin = fixture.scope_of(Role::PlatformAdmin, GrantScope::Platform);
    assert_eq!(admin.clusters().await.unwrap().len(), 2);
    admin.remove("member-2").await.unwrap();
}
