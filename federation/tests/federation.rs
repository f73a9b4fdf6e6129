//! The federation core against sandbox clusters started in-process: joining, host marks,
//! health as members go down and come back, caches, and kubectl through the proxy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::routing::any;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;
use orbital_federation::{
    Federation, JoinError, JoinRequest, Principal, Scope, client_from_kubeconfig,
};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use orbital_types::{Cluster, Kind, Query, Reason, Sort};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const WAIT: Duration = Duration::from_secs(30);
const CONSOLE_URL: &str = "https://console.example.com";

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

async fn client_of(sandbox: &Sandbox) -> kube::Client {
    client_from_kubeconfig(&sandbox.kubeconfig().to_yaml(), None)
        .await
        .unwrap()
}

fn join_request(name: &str, member: &Sandbox) -> JoinRequest {
    JoinRequest {
        name: name.into(),
        kubeconfig: member.kubeconfig().to_yaml(),
        provider: "sandbox".into(),
        ..JoinRequest::default()
    }
}

struct Fixture {
    dir: TempDir,
    host: Sandbox,
    members: Vec<Sandbox>,
    federation: Federation,
    scope: Scope,
}

impl Fixture {
    async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        let any_port = "127.0.0.1:0".parse().unwrap();
        let host = sandbox(dir.path(), "host", any_port).await;
        let federation = Federation::host(client_of(&host).await, CONSOLE_URL)
            .await
            .unwrap();
        let scope = federation.scope(Principal::Console);
        let mut members = Vec::new();
        for name in ["member-1", "member-2"] {
            let member = sandbox(dir.path(), name, any_port).await;
            scope.join(join_request(name, &member)).await.unwrap();
            members.push(member);
        }
        Self {
            dir,
            host,
            members,
            federation,
            scope,
        }
    }

    async fn ready(&self, name: &str, ready: bool) -> Cluster {
        eventually(&format!("{name} ready={ready}"), || async {
            let cluster = self.scope.cluster(name).await.ok()??;
            (cluster.status.ready == ready && cluster.status.reason != Reason::Pending)
                .then_some(cluster)
        })
        .await
    }

    /// The kubeconfig the host cluster holds for `name`, read as any client of it would.
    async fn stored_kubeconfig(&self, name: &str) -> Option<Secret> {
        let secrets: Api<Secret> = Api::namespaced(client_of(&self.host).await, "orbital-system");
        secrets
            .get_opt(&format!("{name}-kubeconfig"))
            .await
            .unwrap()
    }
}

fn kubeconfig_text(secret: &Secret) -> String {
    let data = secret.data.as_ref().unwrap();
    String::from_utf8(data["kubeconfig"].0.clone()).unwrap()
}

async fn host_mark(member: &Sandbox) -> Option<ConfigMap> {
    let maps: Api<ConfigMap> = Api::namespaced(client_of(member).await, "orbital-system");
    maps.get_opt("orbital-host").await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn members_turn_unready_when_down_and_ready_when_back() {
    let mut fixture = Fixture::start().await;
    let monitor = fixture
        .federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    for (name, member) in ["member-1", "member-2"].into_iter().zip(&fixture.members) {
        let cluster = fixture.ready(name, true).await;
        // Capacity and allocatable are the sums over the member's nodes.
        let nodes = Api::<k8s_openapi::api::core::v1::Node>::all(client_of(member).await)
            .list(&Default::default())
            .await
            .unwrap();
        let sum = |field: &str, resource: &str| -> u64 {
            nodes
                .items
                .iter()
                .map(|node| {
                    let status = node.status.as_ref().unwrap();
                    let map = if field == "capacity" {
                        &status.capacity
                    } else {
                        &status.allocatable
                    };
                    let quantity = &map.as_ref().unwrap()[resource].0;
                    if resource == "cpu" {
                        orbital_syntax::millicores(quantity)
                    } else {
                        orbital_syntax::bytes(quantity)
                    }
                })
                .sum()
        };
        let status = &cluster.status;
        assert_eq!(
            [
                status.cpu_capacity_millis,
                status.memory_capacity_bytes,
                status.cpu_allocatable_millis,
                status.memory_allocatable_bytes,
            ],
            [
                sum("capacity", "cpu"),
                sum("capacity", "memory"),
                sum("allocatable", "cpu"),
                sum("allocatable", "memory"),
            ]
        );
        assert_eq!(cluster.status.kubernetes_version, "v1.32.0");
        assert_eq!(cluster.status.message, "the API server answers");
        assert_eq!(cluster.status.node_count, 2);
        assert_eq!(cluster.status.cpu_capacity_millis, 8_000);
        assert!(cluster.status.memory_allocatable_bytes > 0);
        assert!(!cluster.status.last_heartbeat_time.is_empty());
    }
    let answered = fixture.ready("member-2", true).await.status;

    let stopped = fixture.members.pop().unwrap();
    let addr = stopped.addr();
    stopped.shutdown().await;
    let went_down = Instant::now();
    let cluster = fixture.ready("member-2", false).await;
    assert!(
        went_down.elapsed() < Duration::from_secs(15),
        "unready after {:?}",
        went_down.elapsed()
    );
    assert_eq!(cluster.status.reason, Reason::Unreachable);
    assert_eq!(
        cluster.status.message,
        "the API server cannot be reached from the console"
    );
    // The heartbeat still says when it last answered.
    assert_eq!(
        cluster.status.last_heartbeat_time,
        answered.last_heartbeat_time
    );
    assert_ne!(
        cluster.status.last_transition_time,
        answered.last_transition_time
    );
    assert!(fixture.ready("member-1", true).await.status.ready);

    let restarted = sandbox(fixture.dir.path(), "member-2", addr).await;
    let came_back = Instant::now();
    fixture.ready("member-2", true).await;
    assert!(
        came_back.elapsed() < Duration::from_secs(15),
        "ready after {:?}",
        came_back.elapsed()
    );
    fixture.members.push(restarted);
    monitor.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn joining_checks_everything_before_storing_anything() {
    let fixture = Fixture::start().await;
    assert!(
        fixture.federation.reachable().await,
        "the host registry answers"
    );
    let scope = &fixture.scope;
    match scope.join(join_request("again", &fixture.members[0])).await {
        Err(JoinError::AlreadyJoined(existing)) => assert_eq!(existing, "member-1"),
        other => panic!("expected AlreadyJoined, got {other:?}"),
    }
    assert!(matches!(
        scope.join(join_request("Member_3", &fixture.host)).await,
        Err(JoinError::InvalidName(_))
    ));
    assert!(matches!(
        scope.join(join_request("member-2", &fixture.host)).await,
        Err(JoinError::NameTaken(_))
    ));
    let garbage = JoinRequest {
        name: "member-3".into(),
        kubeconfig: "clusters: [nonsense".into(),
        ..JoinRequest::default()
    };
    let error = scope.join(garbage).await.unwrap_err();
    assert!(matches!(error, JoinError::InvalidKubeconfig(_)), "{error}");
    assert!(
        error.to_string().contains("paste a complete kubeconfig"),
        "{error}"
    );
    let names: Vec<String> = scope
        .clusters()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["member-1", "member-2"]);

    // Each member's kubeconfig Secret is owned by its Cluster object.
    let secret = fixture.stored_kubeconfig("member-1").await.unwrap();
    let owners = secret.metadata.owner_references.unwrap();
    assert_eq!(
        (owners[0].kind.as_str(), owners[0].name.as_str()),
        ("Cluster", "member-1")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn joins_racing_for_one_name_leave_one_member_with_its_own_kubeconfig() {
    let fixture = Fixture::start().await;
    let any_port = "127.0.0.1:0".parse().unwrap();
    let mut contenders = Vec::new();
    for name in ["contender-a", "contender-b"] {
        contenders.push(sandbox(fixture.dir.path(), name, any_port).await);
    }
    for round in 0..5 {
        let name = format!("raced-{round}");
        let (first, second) = tokio::join!(
            fixture.scope.join(join_request(&name, &contenders[0])),
            fixture.scope.join(join_request(&name, &contenders[1])),
        );
        let (winner, loser) = match (first, second) {
            (Ok(_), Err(error)) => (&contenders[0], error),
            (Err(error), Ok(_)) => (&contenders[1], error),
            other => panic!("round {round}: expected one join to win, got {other:?}"),
        };
        assert!(
            matches!(loser, JoinError::NameTaken(_)),
            "round {round}: {loser}"
        );
        let stored = fixture.stored_kubeconfig(&name).await.unwrap();
        assert_eq!(
            kubeconfig_text(&stored),
            winner.kubeconfig().to_yaml(),
            "round {round}: the winner's kubeconfig is the one stored"
        );
        // Free both contenders for the next round.
        fixture.scope.remove(&name).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_has_one_host_unless_taken_over() {
    let fixture = Fixture::start().await;
    let member = &fixture.members[0];
    let mark = host_mark(member).await.expect("joining marks the member");
    let data = mark.data.unwrap();
    assert_eq!(data["hostURL"], CONSOLE_URL);
    assert_eq!(data["clusterName"], "member-1");
    assert!(!data["hostIdentity"].is_empty());

    let any_port = "127.0.0.1:0".parse().unwrap();
    let other_host = sandbox(fixture.dir.path(), "other-host", any_port).await;
    let other = Federation::host(client_of(&other_host).await, "https://other.example.com")
        .await
        .unwrap()
        .scope(Principal::Console);
    let error = other.join(join_request("taken", member)).await.unwrap_err();
    assert!(matches!(error, JoinError::ManagedElsewhere(_)), "{error}");
    assert!(
        error.to_string().contains(CONSOLE_URL),
        "names the host that manages it: {error}"
    );
    assert!(other.clusters().await.unwrap().is_empty());

    let take_over = JoinRequest {
        take_over: true,
        ..join_request("taken", member)
    };
    other.join(take_over).await.unwrap();
    let data = host_mark(member).await.unwrap().data.unwrap();
    assert_eq!(data["hostURL"], "https://other.example.com");

    // Removing a reachable member clears the mark of the host that removes it.
    other.remove("taken").await.unwrap();
    assert!(host_mark(member).await.is_none());
    // The first host's own mark on member-2 stays until it removes member-2 itself.
    assert!(host_mark(&fixture.members[1]).await.is_some());
    fixture.scope.remove("member-2").await.unwrap();
    assert!(host_mark(&fixture.members[1]).await.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn members_are_edited_rotated_and_removed_even_when_down() {
    let mut fixture = Fixture::start().await;
    let scope = fixture.scope.clone();

    let labels = orbital_syntax::parse_label_set("env=prod, team=payments").unwrap();
    let edited = scope
        .update_details("member-1", &labels, "aws", "Payments EU")
        .await
        .unwrap();
    assert_eq!(edited.labels, labels);
    assert_eq!(
        (edited.provider.as_str(), edited.description.as_str()),
        ("aws", "Payments EU")
    );
    // Labels are replaced as a whole: one left out is removed.
    let fewer = orbital_syntax::parse_label_set("env=staging").unwrap();
    let edited = scope
        .update_details("member-1", &fewer, "aws", "")
        .await
        .unwrap();
    assert_eq!(edited.labels, fewer);
    for unknown in ["nowhere", "../member-1", "member-1%2F"] {
        assert!(
            matches!(
                scope.update_details(unknown, &fewer, "", "").await,
                Err(JoinError::Unknown(_))
            ),
            "{unknown}"
        );
    }

    let before = kubeconfig_text(&fixture.stored_kubeconfig("member-1").await.unwrap());
    let other = fixture.members[1].kubeconfig().to_yaml();
    let error = scope
        .rotate_kubeconfig("member-1", &other)
        .await
        .unwrap_err();
    assert!(matches!(error, JoinError::OtherCluster(_)), "{error}");
    let after = kubeconfig_text(&fixture.stored_kubeconfig("member-1").await.unwrap());
    assert_eq!(after, before);
    let same = fixture.members[0].kubeconfig().to_yaml();
    let rotated = format!("# rotated\n{same}");
    scope.rotate_kubeconfig("member-1", &rotated).await.unwrap();
    let stored = fixture.stored_kubeconfig("member-1").await.unwrap();
    assert_eq!(kubeconfig_text(&stored), rotated);
    assert!(
        stored.metadata.owner_references.is_some(),
        "still owned by its Cluster"
    );

    // A member that cannot be reached is removed all the same.
    fixture.members.pop().unwrap().shutdown().await;
    scope.remove("member-2").await.unwrap();
    assert!(fixture.stored_kubeconfig("member-2").await.is_none());
    assert!(scope.cluster("member-2").await.unwrap().is_none());
    assert!(matches!(
        scope.remove("member-2").await,
        Err(JoinError::Unknown(_))
    ));
}

/// A bare HTTP/1.1 GET of `target`, exactly as written, and the whole answer.
async fn raw_get(addr: SocketAddr, target: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

async fn proxy_route(
    State(scope): State<Scope>,
    request: Request<Body>,
) -> axum::response::Response {
    scope.proxy(request).await
}

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: through-the-proxy, namespace: default}\ndata: {mode: blue}\n";

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_works_through_the_proxy() {
    let fixture = Fixture::start().await;
    let router = Router::new()
        .route("/clusters/{name}/{*rest}", any(proxy_route))
        .with_state(fixture.scope.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = fixture.dir.path().to_owned();
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
    let columns: Vec<&str> = seen.split_whitespace().collect();
    assert_eq!(columns[..3], ["ADDED", "through-the-proxy", "1"], "{seen}");
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
    assert!(!ok, "member-2 has no such configmap");
    assert!(
        err.contains(r#"configmaps "through-the-proxy" not found"#),
        "{err}"
    );
    // An encoded slash stays one name segment on the member. (kubectl decodes `%2F` itself
    // before sending, so a plain HTTP request shows what the proxy does with it.)
    let answer = raw_get(
        addr,
        "/clusters/member-1/api/v1/namespaces/default/configmaps/a%2Fb",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(
        answer.contains(r#"configmaps \"a%2Fb\" not found"#),
        "the member was asked for the name a%2Fb: {answer}"
    );
    let (ok, _, err) = run(
        "member-1",
        &["delete", "configmap", "through-the-proxy", "-n", "default"],
    )
    .await;
    assert!(ok, "{err}");
    let (ok, _, err) = run("nowhere", &["get", "pods"]).await;
    assert!(!ok);
    assert!(
        err.contains("the server could not find the requested resource"),
        "{err}"
    );
    let answer = raw_get(addr, "/clusters/nowhere/api").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(
        answer.contains(r#""message":"clusters \"nowhere\" not found""#),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn views_read_caches_filter_by_cluster_and_name_clusters_that_fail() {
    let mut fixture = Fixture::start().await;
    let monitor = fixture
        .federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    fixture.ready("member-1", true).await;
    fixture.ready("member-2", true).await;
    // Namespaces stand in for any kind: every member has the system ones.
    let query = Query {
        name: Some("kube-".into()),
        sort: Sort::Cluster,
        ..Query::default()
    };
    let scope = &fixture.scope;
    let page = scope.view(&Kind::NAMESPACES, &query).await.unwrap();
    let rows: Vec<(&str, &str)> = page
        .rows
        .iter()
        .map(|r| (r.cluster.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("member-1", "kube-node-lease"),
            ("member-1", "kube-public"),
            ("member-1", "kube-system"),
            ("member-2", "kube-node-lease"),
            ("member-2", "kube-public"),
            ("member-2", "kube-system"),
        ]
    );
    assert!(page.rows.iter().all(|r| r.status == "Active"));
    assert!(page.failed.is_empty() && page.multi_cluster);
    assert_eq!(
        page,
        scope
            .view_uncached(&Kind::NAMESPACES, &query)
            .await
            .unwrap()
    );

    let only_member_2 = Query {
        cluster: Some("member-2".into()),
        ..query.clone()
    };
    let page = scope.view(&Kind::NAMESPACES, &only_member_2).await.unwrap();
    assert_eq!(page.total, 3);
    assert!(page.rows.iter().all(|r| r.cluster == "member-2"));

    let bad = Query {
        labels: Some("app in (web".into()),
        ..Query::default()
    };
    assert!(matches!(
        scope.view(&Kind::PODS, &bad).await,
        Err(orbital_federation::ViewError::Selector(_))
    ));

    // With the health loop stopped, member-2 stays Ready in the registry: only its cache can
    // tell that it is gone, and it must, rather than serve what it held.
    monitor.abort();
    let stopped = fixture.members.pop().unwrap();
    stopped.shutdown().await;
    let page = eventually("member-2's cache reports its failure", || async {
        let page = scope.view(&Kind::NAMESPACES, &query).await.unwrap();
        (!page.failed.is_empty()).then_some(page)
    })
    .await;
    assert!(page.rows.iter().all(|r| r.cluster == "member-1") && page.total == 3);
    assert_eq!(page.failed[0].cluster, "member-2");
    assert_eq!(page.failed[0].error, "the cluster cannot be reached");
}

/// Registers `name` the way GitOps would, without the console's checks: a `Cluster` object and
/// its kubeconfig Secret, written straight to the host cluster.
async fn register_directly(fixture: &Fixture, name: &str, kubeconfig: &str) {
    use kube::api::PostParams;
    use kube::core::{ApiResource, DynamicObject};

    let host = client_of(&fixture.host).await;
    let resource = ApiResource {
        group: "cluster.orbital.dev".into(),
        version: "v1alpha1".into(),
        api_version: "cluster.orbital.dev/v1alpha1".into(),
        kind: "Cluster".into(),
        plural: "clusters".into(),
    };
    let cluster: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "cluster.orbital.dev/v1alpha1", "kind": "Cluster",
        "metadata": {"name": name},
        "spec": {"connection": {"type": "Direct"}},
    }))
    .unwrap();
    Api::<DynamicObject>::all_with(host.clone(), &resource)
        .create(&PostParams::default(), &cluster)
        .await
        .unwrap();
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{name}-kubeconfig"), "namespace": "orbital-system"},
        "stringData": {"kubeconfig": kubeconfig},
    }))
    .unwrap();
    Api::<Secret>::namespaced(host, "orbital-system")
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_that_hang_or_are_refused_hold_up_no_other_member() {
    let mut fixture = Fixture::start().await;
    // A member whose API server accepts connections and never answers.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hanging_addr = hanging.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = hanging.accept().await {
            open.push(stream);
        }
    });
    let silent = format!(
        "apiVersion: v1\nkind: Config\nclusters: [{{name: s, cluster: {{server: 'http://{hanging_addr}'}}}}]\n\
         users: [{{name: s, user: {{token: t}}}}]\n\
         contexts: [{{name: s, context: {{cluster: s, user: s}}}}]\ncurrent-context: s\n"
    );
    register_directly(&fixture, "silent", &silent).await;
    // A member that refuses the stored credentials.
    let mut wrong = fixture.members[0].kubeconfig().clone();
    wrong.token = "not-the-token".into();
    register_directly(&fixture, "refusing", &wrong.to_yaml()).await;

    let monitor = fixture
        .federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    let silent = fixture.ready("silent", false).await;
    assert_eq!(silent.status.reason, Reason::Timeout, "{:?}", silent.status);
    let refusing = fixture.ready("refusing", false).await;
    assert_eq!(
        refusing.status.reason,
        Reason::Unauthorized,
        "{:?}",
        refusing.status
    );
    assert!(
        refusing.status.message.contains("replace the kubeconfig"),
        "{}",
        refusing.status.message
    );
    fixture.ready("member-1", true).await;
    fixture.ready("member-2", true).await;

    // With the silent member's probes still hanging, another member going down is seen as soon
    // as ever.
    fixture.members.pop().unwrap().shutdown().await;
    let went_down = Instant::now();
    fixture.ready("member-2", false).await;
    assert!(
        went_down.elapsed() < Duration::from_secs(12),
        "unready after {:?}",
        went_down.elapsed()
    );
    assert!(fixture.ready("member-1", true).await.status.ready);
    monitor.abort();
    held.abort();
}

/// Passes every connection to `127.0.0.1:{to}` on until aborted: a second address for a cluster.
async fn forwarder(to: u16) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((mut inbound, _)) = listener.accept().await {
            connections.spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_built_from_a_replaced_kubeconfig_is_used_again() {
    let dir = TempDir::new().unwrap();
    let any_port = "127.0.0.1:0".parse().unwrap();
    let host = sandbox(dir.path(), "host", any_port).await;
    let federation = Federation::host(client_of(&host).await, CONSOLE_URL)
        .await
        .unwrap();
    let scope = federation.scope(Principal::Console);
    let member = sandbox(dir.path(), "member", any_port).await;
    // Joined through a second address, which then goes away.
    let (detour, detour_task) = forwarder(member.addr().port()).await;
    let direct = member.kubeconfig().to_yaml();
    let through_detour = direct.replace(&member.addr().to_string(), &detour.to_string());
    assert_ne!(through_detour, direct);
    scope
        .join(JoinRequest {
            kubeconfig: through_detour,
            ..join_request("member", &member)
        })
        .await
        .unwrap();
    let monitor = federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    let query = Query::default();
    eventually("a view through the detour", || async {
        let page = scope.view(&Kind::NAMESPACES, &query).await.unwrap();
        (page.failed.is_empty() && page.total > 0).then_some(())
    })
    .await;
    let router = Router::new()
        .route("/clusters/{name}/{*rest}", any(proxy_route))
        .with_state(scope.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let console = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    assert!(
        raw_get(console, "/clusters/member/version")
            .await
            .starts_with("HTTP/1.1 200")
    );

    scope.rotate_kubeconfig("member", &direct).await.unwrap();
    detour_task.abort();
    // Open connections through the detour end with it.
    let answer = eventually("the proxy on the new kubeconfig", || async {
        let answer = raw_get(console, "/clusters/member/version").await;
        answer.starts_with("HTTP/1.1 200").then_some(answer)
    })
    .await;
    assert!(answer.contains("v1.32.0"), "{answer}");
    let page = eventually("the view on the new kubeconfig", || async {
        let page = scope.view(&Kind::NAMESPACES, &query).await.unwrap();
        page.failed.is_empty().then_some(page)
    })
    .await;
    assert!(page.total > 0);
    monitor.abort();
}
