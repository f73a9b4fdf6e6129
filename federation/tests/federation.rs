//! The federation core against sandbox clusters started in-process: joining, health as
//! members go down and come back, and kubectl through the proxy.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::Request;
use axum::routing::any;
use orbital_federation::{ClientPool, JoinError, JoinRequest, Registry, health, join, proxy};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const WAIT: Duration = Duration::from_secs(30);

async fn sandbox(dir: &Path, name: &str, listen: SocketAddr) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen,
        data_dir: dir.join(name),
        name: name.into(),
        simulation: Some(SimulationConfig { nodes: 2 }),
        seed: false,
    })
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
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Federation {
    dir: TempDir,
    host: Sandbox,
    members: Vec<Sandbox>,
    pool: ClientPool,
}

impl Federation {
    async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        let any_port = "127.0.0.1:0".parse().unwrap();
        let host = sandbox(dir.path(), "host", any_port).await;
        let host_client =
            orbital_federation::pool::client_from_kubeconfig(&host.kubeconfig().to_yaml(), None)
                .await
                .unwrap();
        let registry = Registry::new(host_client);
        registry.install().await.unwrap();
        let mut members = Vec::new();
        for name in ["member-1", "member-2"] {
            let member = sandbox(dir.path(), name, any_port).await;
            let request = JoinRequest {
                name: name.into(),
                kubeconfig: member.kubeconfig().to_yaml(),
                provider: "sandbox".into(),
                ..JoinRequest::default()
            };
            join::join(&registry, request).await.unwrap();
            members.push(member);
        }
        Self {
            dir,
            host,
            members,
            pool: ClientPool::new(registry),
        }
    }

    async fn ready(&self, name: &str, ready: bool) -> orbital_federation::Cluster {
        eventually(&format!("{name} ready={ready}"), || async {
            let cluster = self.pool.registry().get(name).await.ok()??;
            (cluster.status.ready == ready && !cluster.status.reason.is_empty()).then_some(cluster)
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn members_turn_unready_when_down_and_ready_when_back() {
    let mut federation = Federation::start().await;
    let monitor = health::spawn(federation.pool.clone());
    for name in ["member-1", "member-2"] {
        let cluster = federation.ready(name, true).await;
        assert_eq!(cluster.status.kubernetes_version, "v1.32.0");
        assert_eq!(cluster.status.node_count, 2);
        assert_eq!(cluster.status.cpu_capacity_millis, 8_000);
        assert!(cluster.status.memory_allocatable_bytes > 0);
    }

    let stopped = federation.members.pop().unwrap();
    let addr = stopped.addr();
    stopped.shutdown().await;
    let went_down = Instant::now();
    let cluster = federation.ready("member-2", false).await;
    assert!(
        went_down.elapsed() < Duration::from_secs(15),
        "unready after {:?}",
        went_down.elapsed()
    );
    assert_eq!(cluster.status.reason, "Unreachable");
    // The other member answers as before: nothing waits on the dead one.
    let started = Instant::now();
    let up = health::probe(&federation.pool, "member-1").await;
    assert!(up.ready, "{up:?}");
    assert!(
        started.elapsed() < health::PROBE_TIMEOUT,
        "took {:?}",
        started.elapsed()
    );

    let restarted = sandbox(federation.dir.path(), "member-2", addr).await;
    let came_back = Instant::now();
    federation.ready("member-2", true).await;
    assert!(
        came_back.elapsed() < Duration::from_secs(15),
        "ready after {:?}",
        came_back.elapsed()
    );
    federation.members.push(restarted);
    monitor.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn joining_checks_everything_before_storing_anything() {
    let federation = Federation::start().await;
    let registry = federation.pool.registry();
    let twice = JoinRequest {
        name: "again".into(),
        kubeconfig: federation.members[0].kubeconfig().to_yaml(),
        ..JoinRequest::default()
    };
    match join::join(registry, twice).await {
        Err(JoinError::AlreadyJoined(existing)) => assert_eq!(existing, "member-1"),
        other => panic!("expected AlreadyJoined, got {other:?}"),
    }
    let bad_name = JoinRequest {
        name: "Member_3".into(),
        kubeconfig: federation.host.kubeconfig().to_yaml(),
        ..JoinRequest::default()
    };
    assert!(matches!(
        join::join(registry, bad_name).await,
        Err(JoinError::InvalidName(_))
    ));
    let taken = JoinRequest {
        name: "member-2".into(),
        kubeconfig: federation.host.kubeconfig().to_yaml(),
        ..JoinRequest::default()
    };
    assert!(matches!(
        join::join(registry, taken).await,
        Err(JoinError::NameTaken(_))
    ));
    let garbage = JoinRequest {
        name: "member-3".into(),
        kubeconfig: "clusters: [nonsense".into(),
        ..JoinRequest::default()
    };
    let error = join::join(registry, garbage).await.unwrap_err();
    assert!(matches!(error, JoinError::InvalidKubeconfig(_)), "{error}");
    assert!(
        error.to_string().contains("paste a complete kubeconfig"),
        "{error}"
    );
    let names: Vec<String> = registry
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["member-1", "member-2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn members_are_edited_rotated_and_removed_even_when_down() {
    let mut federation = Federation::start().await;
    let pool = &federation.pool;
    let registry = pool.registry();

    let labels = orbital_syntax::parse_label_set("env=prod, team=payments").unwrap();
    let edited = join::update_details(registry, "member-1", &labels, "aws", "Payments EU")
        .await
        .unwrap();
    assert_eq!(edited.labels, labels);
    assert_eq!(
        (edited.provider.as_str(), edited.description.as_str()),
        ("aws", "Payments EU")
    );
    // Labels are replaced as a whole: one left out is removed.
    let fewer = orbital_syntax::parse_label_set("env=staging").unwrap();
    let edited = join::update_details(registry, "member-1", &fewer, "aws", "")
        .await
        .unwrap();
    assert_eq!(edited.labels, fewer);
    assert!(matches!(
        join::update_details(registry, "nowhere", &fewer, "", "").await,
        Err(JoinError::Unknown(_))
    ));

    let before = registry.kubeconfig("member-1").await.unwrap().unwrap();
    let other = federation.members[1].kubeconfig().to_yaml();
    let error = join::rotate_kubeconfig(pool, "member-1", &other)
        .await
        .unwrap_err();
    assert!(matches!(error, JoinError::OtherCluster(_)), "{error}");
    assert_eq!(
        registry.kubeconfig("member-1").await.unwrap().unwrap(),
        before
    );
    let same = federation.members[0].kubeconfig().to_yaml();
    let rotated = format!("# rotated\n{same}");
    join::rotate_kubeconfig(pool, "member-1", &rotated)
        .await
        .unwrap();
    assert_eq!(
        registry.kubeconfig("member-1").await.unwrap().unwrap(),
        rotated
    );
    assert!(health::probe(pool, "member-1").await.ready);

    // A member that cannot be reached is removed all the same.
    federation.members.pop().unwrap().shutdown().await;
    join::remove(pool, "member-2").await.unwrap();
    assert!(registry.kubeconfig("member-2").await.unwrap().is_none());
    assert!(registry.get("member-2").await.unwrap().is_none());
    assert!(matches!(
        join::remove(pool, "member-2").await,
        Err(JoinError::Unknown(_))
    ));
}

async fn proxy_route(
    State(pool): State<ClientPool>,
    UrlPath((name, rest)): UrlPath<(String, String)>,
    request: Request<Body>,
) -> axum::response::Response {
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    proxy::forward(&pool, &name, &format!("/{rest}{query}"), request).await
}

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: through-the-proxy, namespace: default}\ndata: {mode: blue}\n";

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_works_through_the_proxy() {
    let federation = Federation::start().await;
    let router = Router::new()
        .route("/clusters/{name}/{*rest}", any(proxy_route))
        .with_state(federation.pool.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = federation.dir.path().to_owned();
    let kubectl = |cluster: &str| {
        let mut command = Command::new("kubectl");
        command
            .env("KUBECONFIG", dir.join("no-kubeconfig"))
            .arg("--server")
            .arg(format!("http://{addr}/clusters/{cluster}"))
            .arg("--cache-dir")
            .arg(dir.join("kube-cache"))
            .stdin(Stdio::null());
        command
    };
    let run = |cluster: &'static str, args: &'static [&'static str]| {
        let mut command = kubectl(cluster);
        async move {
            let output = command.args(args).output().await.unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            (
                output.status.success(),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr,
            )
        }
    };

    let (ok, out, err) = run("member-1", &["get", "nodes"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("node-1") && out.contains("Ready"), "{out}");

    let mut watch = kubectl("member-1")
        .args([
            "get",
            "configmaps",
            "-n",
            "default",
            "-w",
            "--output-watch-events",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let manifest = dir.join("configmap.yaml");
    std::fs::write(&manifest, CONFIGMAP).unwrap();
    let applied = kubectl("member-1")
        .args(["apply", "-f"])
        .arg(&manifest)
        .output()
        .await
        .unwrap();
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let seen = tokio::time::timeout(WAIT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("through-the-proxy") {
                return line;
            }
        }
        String::new()
    })
    .await
    .expect("the watch sees the applied object");
    assert!(seen.contains("ADDED"), "{seen}");
    watch.kill().await.unwrap();

    let (ok, out, _) = run(
        "member-1",
        &[
            "get",
            "configmap",
            "through-the-proxy",
            "-n",
            "default",
            "-o",
            "jsonpath={.data.mode}",
        ],
    )
    .await;
    assert!(ok);
    assert_eq!(out, "blue");
    let (ok, _, err) = run(
        "member-2",
        &["get", "configmap", "through-the-proxy", "-n", "default"],
    )
    .await;
    assert!(!ok && err.contains("not found"), "{err}");
    let (ok, _, err) = run(
        "member-1",
        &["delete", "configmap", "through-the-proxy", "-n", "default"],
    )
    .await;
    assert!(ok, "{err}");
    let (ok, _, err) = run("nowhere", &["get", "pods"]).await;
    assert!(!ok);
    assert!(
        err.contains("clusters \"nowhere\" not found")
            || err.contains("NotFound")
            || err.contains("not found"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn views_read_lazily_started_caches_and_name_clusters_that_are_down() {
    use orbital_federation::views::{self, Query, Sort};
    use orbital_federation::{Caches, Kind, Scope};

    let mut federation = Federation::start().await;
    let monitor = health::spawn(federation.pool.clone());
    federation.ready("member-1", true).await;
    federation.ready("member-2", true).await;
    // Namespaces stand in for any kind: every member has the system ones.
    let caches = Caches::new(Scope::Federation(federation.pool.clone()));
    assert_eq!(
        caches.stop_idle(Duration::from_secs(3600)),
        0,
        "nothing is cached before use"
    );
    let query = Query {
        name_contains: Some("kube-".into()),
        sort: Sort::Cluster,
        limit: 50,
        ..Query::default()
    };
    let page = views::cached(&caches, Kind::Namespaces, &query)
        .await
        .unwrap();
    let clusters: std::collections::BTreeSet<&str> =
        page.rows.iter().map(|r| r.cluster.as_str()).collect();
    assert_eq!(
        clusters.into_iter().collect::<Vec<_>>(),
        ["member-1", "member-2"]
    );
    assert!(
        page.rows
            .iter()
            .all(|r| r.name.starts_with("kube-") && r.status == "Active")
    );
    assert!(page.failed.is_empty());
    assert_eq!(
        caches.stop_idle(Duration::from_secs(3600)),
        2,
        "one cache per cluster and kind"
    );
    assert_eq!(
        page,
        views::live(caches.scope(), Kind::Namespaces, &query)
            .await
            .unwrap()
    );

    let stopped = federation.members.pop().unwrap();
    stopped.shutdown().await;
    federation.ready("member-2", false).await;
    let started = Instant::now();
    let page = views::cached(&caches, Kind::Namespaces, &query)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(page.rows.iter().all(|r| r.cluster == "member-1") && !page.rows.is_empty());
    assert_eq!(page.failed.len(), 1);
    assert_eq!(page.failed[0].cluster, "member-2");
    assert_eq!(
        caches.stop_idle(Duration::ZERO),
        0,
        "idle caches are stopped"
    );
    monitor.abort();
}
