//! The App Store's pool, served by a host console as Helm repositories and used by the real
//! Helm 3 (installed by `scripts/setup --for-tests`) as any repository: `helm repo add` with the
//! console's credentials, `helm search repo`, `helm pull`, and `helm install` of a built-in
//! chart into an embedded member sandbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use tempfile::TempDir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Helm, with its configuration, cache and data in `home` (so no test touches the user's).
fn helm(home: &Path, args: &[&str]) -> Output {
    let installed = root().join("scripts/test-tools/bin/helm");
    let program = std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"));
    Command::new(program)
        .args(args)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap()
}

fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn helm_adds_searches_pulls_and_installs_from_the_served_pool() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let home = TempDir::new().unwrap();
    let home = home.path();
    let repo = format!("http://{addr}/appstore/repos/builtin");

    // Without credentials Helm is asked for them; with wrong ones it is refused.
    let (status, _) = http_get(addr, "/appstore/repos/builtin/index.yaml").unwrap();
    assert_eq!(status, 401);
    let refused = helm(
        home,
        &[
            "repo",
            "add",
            "wrong",
            &repo,
            "--username",
            "admin",
            "--password",
            "nope",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{refused:?}"
    );

    succeeded(
        &helm(
            home,
            &[
                "repo",
                "add",
                "orbital",
                &repo,
                "--username",
                "admin",
                "--password",
                ADMIN_PASSWORD,
            ],
        ),
        "helm repo add",
    );
    let found = succeeded(
        &helm(home, &["search", "repo", "orbital/", "--output", "json"]),
        "helm search repo",
    );
    let found: serde_json::Value = serde_json::from_str(&found).unwrap();
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|chart| chart["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "orbital/cache",
            "orbital/database",
            "orbital/demo-app",
            "orbital/web-server"
        ]
    );

    // The archive Helm pulls is the chart as written: it renders as the source does.
    let pulled = home.join("pulled");
    succeeded(
        &helm(
            home,
            &[
                "pull",
                "orbital/web-server",
                "--untar",
                "--untardir",
                pulled.to_str().unwrap(),
            ],
        ),
        "helm pull",
    );
    let source = root().join("appstore/charts/web-server");
    let from_archive = helm(
        home,
        &[
            "template",
            "demo",
            pulled.join("web-server").to_str().unwrap(),
        ],
    );
    let from_source = helm(home, &["template", "demo", source.to_str().unwrap()]);
    assert_eq!(
        succeeded(&from_archive, "helm template (pulled)"),
        succeeded(&from_source, "helm template (source)")
    );

    // An install from the pool into a member is an ordinary release.
    let kubeconfig = console.sandbox_kubeconfig("member-1");
    succeeded(
        &helm(
            home,
            &[
                "install",
                "demo",
                "orbital/web-server",
                "--namespace",
                "apps",
                "--create-namespace",
                "--kubeconfig",
                &kubeconfig,
            ],
        ),
        "helm install",
    );
    let listed = succeeded(
        &helm(
            home,
            &[
                "list",
                "-n",
                "apps",
                "--kubeconfig",
                &kubeconfig,
                "--output",
                "json",
            ],
        ),
        "helm list",
    );
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["name"], "demo");
    assert_eq!(listed[0]["status"], "deployed");
    assert_eq!(listed[0]["chart"], "web-server-1.0.0");
    let available = wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(&kubeconfig),
            &[
                "get",
                "deployment",
                "demo-web-server",
                "-n",
                "apps",
                "-o",
                "jsonpath={.status.availableReplicas}",
            ],
        );
        (String::from_utf8_lossy(&output.stdout) == "1").then_some(())
    });
    assert!(
        available.is_some(),
        "the release's Deployment became available"
    );

    // The console's installed apps show it too, as Helm's own.
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let listed = post_as(addr, &admin, "/api/appstore/releases", "");
    let rows: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    let demo = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["release_name"] == "demo" && row["namespace"] == "apps")
        .unwrap_or_else(|| panic!("the Helm release is listed: {rows}"));
    assert_eq!(demo["id"], "", "{demo}");
    assert_eq!(demo["cluster"], "member-1", "{demo}");
    assert_eq!(demo["phase"], "Deployed", "{demo}");
    assert_eq!(demo["chart"], "web-server-1.0.0", "{demo}");
}

/// `kubectl` on a cluster of the console, its output as JSON.
fn kubectl_json(kubeconfig: &str, args: &[&str]) -> Option<serde_json::Value> {
    let output = kubectl_on(Path::new(kubeconfig), args);
    output
        .status
        .success()
        .then(|| serde_json::from_slice(&output.stdout).ok())
        .flatten()
}

/// The Deployment `namespace/name` on the cluster of `kubeconfig`, if it exists.
fn deployment_json(kubeconfig: &str, namespace: &str, name: &str) -> Option<serde_json::Value> {
    kubectl_json(
        kubeconfig,
        &["get", "deployment", name, "-n", namespace, "-o", "json"],
    )
}

/// Waits until the host's `Release` `name` has `phase` at `revision`, and returns it.
fn wait_release(host: &str, name: &str, phase: &str, revision: i64) -> serde_json::Value {
    let found = wait_until(Duration::from_secs(60), || {
        let release = kubectl_json(
            host,
            &["get", "releases.appstore.orbital.dev", name, "-o", "json"],
        )?;
        (release["status"]["phase"] == phase && release["status"]["revision"] == revision)
            .then_some(release)
    });
    found.unwrap_or_else(|| {
        let now = kubectl_on(
            Path::new(host),
            &["get", "releases.appstore.orbital.dev", name, "-o", "yaml"],
        );
        panic!(
            "release {name} did not reach {phase} at revision {revision}: {}",
            String::from_utf8_lossy(&now.stdout)
        )
    })
}

#[test]
fn a_release_on_the_host_installs_upgrades_and_uninstalls_an_app_on_a_member() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let home = TempDir::new().unwrap();
    let home = home.path();
    let host = console.sandbox_kubeconfig("host");
    let member = console.sandbox_kubeconfig("member-1");
    let apply = |manifest: &str| {
        let path = home.join("release.yaml");
        std::fs::write(&path, manifest).unwrap();
        let output = kubectl_on(Path::new(&host), &["apply", "-f", path.to_str().unwrap()]);
        assert!(output.status.success(), "{output:?}");
    };
    // The type is installed on the host once the App Store's reconciler leads.
    let served = wait_until(Duration::from_secs(30), || {
        kubectl_json(
            &host,
            &["get", "releases.appstore.orbital.dev", "-o", "json"],
        )
    });
    assert!(served.is_some(), "the Release type is served on the host");

    let release = |replicas: u32| {
        format!(
            "apiVersion: appstore.orbital.dev/v1alpha1\nkind: Release\nmetadata:\n  name: guestbook\nspec:\n  repo: builtin\n  chart: demo-app\n  cluster: member-1\n  namespace: shop\n  createNamespace: true\n  values:\n    replicaCount: {replicas}\n    title: From the host\n"
        )
    };
    apply(&release(1));
    let deployed = wait_release(&host, "guestbook", "Deployed", 1);
    assert_eq!(deployed["status"]["chartVersion"], "0.2.0");
    assert!(
        deployed["status"]["resources"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("shop/Deployment/guestbook-demo-app")),
        "{deployed}"
    );
    let deployment = deployment_json(&member, "shop", "guestbook-demo-app").unwrap();
    assert_eq!(deployment["spec"]["replicas"], 1);
    let listed = helm(
        home,
        &["list", "-n", "shop", "--kubeconfig", &member, "-o", "json"],
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["name"], "guestbook");
    assert_eq!(listed[0]["status"], "deployed");

    // A changed spec is an upgrade: revision 2 in Helm's history.
    apply(&release(2));
    wait_release(&host, "guestbook", "Deployed", 2);
    let history = helm(
        home,
        &[
            "history",
            "guestbook",
            "-n",
            "shop",
            "--kubeconfig",
            &member,
            "-o",
            "json",
        ],
    );
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    assert_eq!(history[1]["status"], "deployed");
    let replicas =
        deployment_json(&member, "shop", "guestbook-demo-app").unwrap()["spec"]["replicas"].clone();
    assert_eq!(replicas, 2);

    // A chart the pool lacks fails, saying so.
    apply(
        "apiVersion: appstore.orbital.dev/v1alpha1\nkind: Release\nmetadata:\n  name: missing\nspec:\n  repo: builtin\n  chart: nothing-here\n  cluster: member-1\n  namespace: shop\n",
    );
    let failed = wait_until(Duration::from_secs(30), || {
        let release = kubectl_json(
            &host,
            &[
                "get",
                "releases.appstore.orbital.dev",
                "missing",
                "-o",
                "json",
            ],
        )?;
        (release["status"]["phase"] == "Failed").then_some(release)
    })
    .unwrap();
    assert_eq!(
        failed["status"]["message"],
        "the repository \"builtin\" has no chart \"nothing-here\""
    );

    // Deleting the Release uninstalls the app.
    let output = kubectl_on(
        Path::new(&host),
        &[
            "delete",
            "releases.appstore.orbital.dev",
            "guestbook",
            "missing",
            "--wait=true",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let gone = wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(&member),
            &["get", "deployment", "guestbook-demo-app", "-n", "shop"],
        );
        (!output.status.success()).then_some(())
    });
    assert!(gone.is_some(), "the app's Deployment was deleted");
    let listed = helm(
        home,
        &["list", "-n", "shop", "--kubeconfig", &member, "-o", "json"],
    );
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "[]");
}

/// A Helm repository of another site, served from `dir` on a loopback port: every file, to a
/// client that sends `user:password` as Basic credentials; 401 to any other.
fn serve_repository(dir: PathBuf, credentials: &'static str) -> std::net::SocketAddr {
    use base64::Engine as _;
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut authorized = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("authorization")
                {
                    authorized = value.trim() == expected;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let (status, body) = if !authorized {
                ("401 Unauthorized", Vec::new())
            } else {
                match std::fs::read(&file) {
                    Ok(body) => ("200 OK", body),
                    Err(_) => ("404 Not Found", Vec::new()),
                }
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    addr
}

#[test]
fn a_repository_of_another_site_is_synced_and_installed_from() {
    // The repository is made by Helm itself: `helm package` and `helm repo index`.
    let work = TempDir::new().unwrap();
    let served = work.path().join("repo");
    std::fs::create_dir_all(&served).unwrap();
    let chart = root().join("appstore/charts/web-server");
    let packaged = helm(
        work.path(),
        &[
            "package",
            chart.to_str().unwrap(),
            "--version",
            "2.0.0",
            "--destination",
            served.to_str().unwrap(),
        ],
    );
    assert!(packaged.status.success(), "{packaged:?}");
    let indexed = helm(work.path(), &["repo", "index", served.to_str().unwrap()]);
    assert!(indexed.status.success(), "{indexed:?}");
    let repository = serve_repository(served, "reader:s3cret");

    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let host = console.sandbox_kubeconfig("host");
    let member = console.sandbox_kubeconfig("member-1");
    let apply = |manifest: String| {
        let path = work.path().join("object.yaml");
        std::fs::write(&path, manifest).unwrap();
        let output = kubectl_on(Path::new(&host), &["apply", "-f", path.to_str().unwrap()]);
        assert!(output.status.success(), "{output:?}");
    };
    let wait_repo = |name: &str, done: &dyn Fn(&serde_json::Value) -> bool| {
        wait_until(Duration::from_secs(30), || {
            let repo = kubectl_json(
                &host,
                &["get", "repos.appstore.orbital.dev", name, "-o", "json"],
            )?;
            done(&repo["status"]).then_some(repo)
        })
        .unwrap_or_else(|| panic!("repository {name} did not sync"))
    };
    let served_at = format!("http://{repository}");
    apply(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: partner-charts, namespace: orbital-system}\nstringData: {username: reader, password: s3cret}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: wrong-charts, namespace: orbital-system}\nstringData: {username: reader, password: nope}\n"
            .to_owned(),
    );
    apply(format!(
        "apiVersion: appstore.orbital.dev/v1alpha1\nkind: Repo\nmetadata: {{name: partner}}\nspec: {{url: {served_at}, credentialsSecret: partner-charts, syncInterval: 5m}}\n---\napiVersion: appstore.orbital.dev/v1alpha1\nkind: Repo\nmetadata: {{name: refused}}\nspec: {{url: {served_at}, credentialsSecret: wrong-charts}}\n---\napiVersion: appstore.orbital.dev/v1alpha1\nkind: Repo\nmetadata: {{name: installed}}\nspec: {{url: {served_at}}}\n"
    ));
    let synced = wait_repo("partner", &|status| status["appCount"] == 1);
    assert_eq!(synced["status"]["versionCount"], 1);
    assert!(synced["status"]["lastSyncTime"].is_string(), "{synced}");
    let refused = wait_repo("refused", &|status| status["error"].is_string());
    assert!(
        refused["status"]["error"].as_str().unwrap().contains("401"),
        "{refused}"
    );
    // A name whose apps' pages the installed apps' pages would hide is refused made this way
    // too, and nothing of it joins the pool.
    let shadowed = wait_repo("installed", &|status| status["error"].is_string());
    assert!(
        shadowed["status"]["error"]
            .as_str()
            .unwrap()
            .contains("page of installed apps"),
        "{shadowed}"
    );
    assert!(shadowed["status"]["lastSyncTime"].is_null(), "{shadowed}");

    // A release from it: the archive is fetched with the credentials and checked.
    apply("apiVersion: appstore.orbital.dev/v1alpha1\nkind: Release\nmetadata: {name: partner-web}\nspec: {repo: partner, chart: web-server, version: 2.0.0, cluster: member-1, namespace: partner, createNamespace: true}\n".to_owned());
    let deployed = wait_release(&host, "partner-web", "Deployed", 1);
    assert_eq!(deployed["status"]["chartVersion"], "2.0.0");
    let deployment = deployment_json(&member, "partner", "partner-web-web-server");
    assert!(deployment.is_some(), "the app is on the member");
}

/// Makes the users and grants of `manifest` on the host cluster of `kubeconfig`.
fn apply_users(kubeconfig: &str, dir: &Path, manifest: &str) {
    let users = dir.join("users.yaml");
    std::fs::write(&users, manifest).unwrap();
    let output = kubectl_on(
        Path::new(kubeconfig),
        &["apply", "-f", users.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
}

/// A user with `password` and one grant of `role` at `scope` (YAML fields).
fn user_with_grant(name: &str, password: &str, role: &str, scope: &str) -> String {
    format!(
        "apiVersion: iam.orbital.dev/v1alpha1\nkind: User\nmetadata: {{name: {name}}}\n\
         spec: {{email: {name}@example.com, password: {password}}}\n---\n\
         apiVersion: iam.orbital.dev/v1alpha1\nkind: Grant\nmetadata: {{name: {name}-grant}}\n\
         spec: {{user: {name}, role: {role}, {scope}}}\n"
    )
}

/// Whether the host's `Release` `name` is gone within 30 s.
fn release_gone(host: &str, name: &str) -> Option<()> {
    wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(host),
            &["get", "releases.appstore.orbital.dev", name],
        );
        (!output.status.success()).then_some(())
    })
}

#[test]
fn installs_and_uninstalls_are_decided_by_the_callers_grants() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let host = console.sandbox_kubeconfig("host");
    let work = TempDir::new().unwrap();
    apply_users(
        &host,
        work.path(),
        &format!(
            "{}---\n{}",
            user_with_grant(
                "viewer",
                "viewer-pass-1",
                "project-viewer",
                "cluster: member-1, namespace: demo"
            ),
            user_with_grant(
                "owner",
                "owner-pass-1",
                "project-admin",
                "cluster: member-1, namespace: demo"
            ),
        ),
    );
    let session = |user: &str, password: &str| {
        wait_until(Duration::from_secs(30), || login(addr, user, password).ok())
            .unwrap_or_else(|| panic!("{user} cannot log in"))
    };
    let (viewer, owner) = (
        session("viewer", "viewer-pass-1"),
        session("owner", "owner-pass-1"),
    );
    let install = |namespace: &str| {
        format!(
            "repo=builtin&chart=web-server&version=&clusters%5B%5D=member-1&namespace={namespace}&release_name=web&values=replicaCount%3A+1"
        )
    };

    let refused = post_as(addr, &viewer, "/api/appstore/install", &install("demo"));
    assert_eq!(refused.status, 403, "{refused:?}");
    let elsewhere = post_as(
        addr,
        &owner,
        "/api/appstore/install",
        &install("kube-system"),
    );
    assert_eq!(elsewhere.status, 403, "{elsewhere:?}");
    let nowhere = post_as(
        addr,
        &owner,
        "/api/appstore/install",
        &install("demo").replace("member-1", "member-2"),
    );
    assert_eq!(nowhere.status, 404, "{nowhere:?}");
    let asked = post_as(addr, &owner, "/api/appstore/install", &install("demo"));
    assert_eq!(asked.status, 200, "{asked:?}");
    assert!(asked.body.contains("web.demo.member-1"), "{asked:?}");
    let deployed = wait_release(&host, "web.demo.member-1", "Deployed", 1);
    assert_eq!(
        deployed["metadata"]["annotations"]["appstore.orbital.dev/requested-by"],
        "owner"
    );
    assert_eq!(deployed["spec"]["createNamespace"], false);

    // The viewer sees it, but may neither change nor remove it; its owner may.
    let unchanged = post_as(
        addr,
        &viewer,
        "/api/appstore/upgrade",
        "id=web.demo.member-1&version=&values=replicaCount%3A+3",
    );
    assert_eq!(unchanged.status, 403, "{unchanged:?}");
    let listed = post_as(addr, &viewer, "/api/appstore/releases", "");
    assert!(listed.body.contains("web.demo.member-1"), "{listed:?}");
    let kept = post_as(
        addr,
        &viewer,
        "/api/appstore/uninstall",
        "id=web.demo.member-1",
    );
    assert_eq!(kept.status, 403, "{kept:?}");
    let removed = post_as(
        addr,
        &owner,
        "/api/appstore/uninstall",
        "id=web.demo.member-1",
    );
    assert_eq!(removed.status, 200, "{removed:?}");
    let gone = release_gone(&host, "web.demo.member-1");
    assert!(
        gone.is_some(),
        "the release was uninstalled and its record removed"
    );
}

/// Asks the host at `addr`, as the member console of `cluster` does, with `token` for `user`:
/// status and body.
fn ask_host_as_member(
    addr: std::net::SocketAddr,
    cluster: &str,
    token: &str,
    user: &str,
) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg("-H")
        .arg(format!("orbital-user: {user}"))
        .args(["-H", "Content-Type: application/json", "-d", "\"Releases\""])
        .arg(format!("http://{addr}/appstore/member/{cluster}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.trim().parse().unwrap(), body.to_owned())
}

/// The credential the host handed the member whose kubeconfig is `member`, once it is there.
fn member_credential(member: &str) -> Option<String> {
    let secret = kubectl_json(
        member,
        &[
            "get",
            "secret",
            "-n",
            "orbital-system",
            "orbital-host-credential",
            "-o",
            "json",
        ],
    )?;
    let encoded = secret["data"]["token"].as_str()?;
    let output = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(encoded.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    Some(String::from_utf8(output.stdout).unwrap())
}

/// A member console for the cluster of kubeconfig `member`, named `member-1` on the host at
/// `host_addr`, with `extra` flags.
fn start_member_console(
    member: &str,
    host_addr: std::net::SocketAddr,
    extra: &[&str],
) -> (Console, std::net::SocketAddr) {
    let addr = free_address();
    let host_url = format!("http://{host_addr}");
    let mut flags = vec![
        "--mode",
        "member",
        "--cluster-name",
        "member-1",
        "--kubeconfig",
        member,
        "--host-url",
        &host_url,
    ];
    flags.extend_from_slice(extra);
    let console = start_console(addr, &flags);
    wait_ready(addr);
    (console, addr)
}

#[test]
fn a_member_console_lists_its_hosts_apps_and_installs_into_its_own_cluster() {
    let host_addr = free_address();
    let host_console = start_console(host_addr, &["--app-store"]);
    wait_ready(host_addr);
    let host = host_console.sandbox_kubeconfig("host");
    let member = host_console.sandbox_kubeconfig("member-1");
    let work = TempDir::new().unwrap();
    apply_users(
        &host,
        work.path(),
        &user_with_grant(
            "owner",
            "owner-pass-1",
            "project-admin",
            "cluster: member-1, namespace: demo",
        ),
    );
    let credential = wait_until(Duration::from_secs(30), || member_credential(&member))
        .expect("the host hands member-1's console its credential");
    let copied = wait_until(Duration::from_secs(30), || {
        kubectl_json(
            &member,
            &["get", "users.iam.orbital.dev", "owner", "-o", "json"],
        )
    });
    assert!(copied.is_some(), "the owner is copied to member-1");

    let (_member_console, addr) = start_member_console(&member, host_addr, &[]);
    let owner = login(addr, "owner", "owner-pass-1").expect("the owner logs in to the member");
    let admin = login(addr, "admin", ADMIN_PASSWORD).expect("the admin logs in to the member");
    let page = get_as(addr, &owner, "/appstore");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("web-server"), "{}", page.body);
    assert!(!page.body.contains("appstore-unavailable"), "{}", page.body);
    let app = post_as(addr, &owner, "/api/appstore/app", "repo=builtin&name=cache");
    assert!(app.body.contains("maxMemory"), "{app:?}");

    let install = |session: &str, cluster: &str, namespace: &str| {
        let form = format!(
            "repo=builtin&chart=web-server&version=&clusters%5B%5D={cluster}&namespace={namespace}&release_name=web&values=replicaCount%3A+1"
        );
        post_as(addr, session, "/api/appstore/install", &form)
    };
    let refused = install(&owner, "member-1", "kube-system");
    assert_eq!(refused.status, 403, "{refused:?}");
    // Not even a platform admin reaches another cluster through a member's console.
    let elsewhere = install(&admin, "member-2", "demo");
    assert_eq!(elsewhere.status, 404, "{elsewhere:?}");
    let asked = install(&owner, "member-1", "demo");
    assert_eq!(asked.status, 200, "{asked:?}");
    let deployed = wait_release(&host, "web.demo.member-1", "Deployed", 1);
    assert_eq!(
        deployed["metadata"]["annotations"]["appstore.orbital.dev/requested-by"],
        "owner"
    );
    let deployment = deployment_json(&member, "demo", "web-web-server");
    assert!(deployment.is_some(), "the app is on member-1");
    let listed = post_as(addr, &owner, "/api/appstore/releases", "");
    assert!(listed.body.contains("web.demo.member-1"), "{listed:?}");

    // Upgraded to other values, then rolled back: each a new revision, as Helm does it.
    let upgraded = post_as(
        addr,
        &owner,
        "/api/appstore/upgrade",
        "id=web.demo.member-1&version=&values=replicaCount%3A+2",
    );
    assert_eq!(upgraded.status, 200, "{upgraded:?}");
    let second = wait_release(&host, "web.demo.member-1", "Deployed", 2);
    assert_eq!(second["spec"]["values"]["replicaCount"], 2);
    let page = get_as(addr, &owner, "/appstore/installed/web.demo.member-1");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("Roll back to revision 1"),
        "{}",
        page.body
    );
    let rolled_back = post_as(
        addr,
        &owner,
        "/api/appstore/rollback",
        "id=web.demo.member-1&revision=1",
    );
    assert_eq!(rolled_back.status, 200, "{rolled_back:?}");
    let third = wait_release(&host, "web.demo.member-1", "Deployed", 3);
    assert_eq!(third["spec"]["values"]["replicaCount"], 1);
    let replicas = deployment_json(&member, "demo", "web-web-server").unwrap();
    assert_eq!(
        replicas["spec"]["replicas"], 1,
        "the rollback's values are applied"
    );

    // The credential is the member's own: refused for another cluster or once revoked, and
    // the host hands over a new one.
    let (status, _) = ask_host_as_member(host_addr, "member-2", &credential, "admin");
    assert_eq!(status, 401);
    let (status, body) = ask_host_as_member(host_addr, "member-1", &credential, "admin");
    assert_eq!(status, 200, "{body}");
    let deleted = kubectl_on(
        Path::new(&host),
        &[
            "delete",
            "secret",
            "-n",
            "orbital-system",
            "console-member-1",
        ],
    );
    assert!(deleted.status.success(), "{deleted:?}");
    let (status, _) = ask_host_as_member(host_addr, "member-1", &credential, "admin");
    assert_eq!(status, 401, "a revoked credential is refused at once");
    let renewed = wait_until(Duration::from_secs(30), || {
        member_credential(&member).filter(|token| *token != credential)
    });
    assert!(renewed.is_some(), "the host hands over a new credential");

    let removed = post_as(
        addr,
        &owner,
        "/api/appstore/uninstall",
        "id=web.demo.member-1",
    );
    assert_eq!(removed.status, 200, "{removed:?}");
    let gone = release_gone(&host, "web.demo.member-1");
    assert!(gone.is_some(), "the release was uninstalled");

    // The host's audit log has what the member's console asked of it for its users, refused
    // or not, named by the member console it came through.
    let audit = std::fs::read_to_string(host_console.data().join("audit.log")).unwrap();
    let through_member: Vec<serde_json::Value> = audit
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|event| event["annotations"]["orbital.dev/through-member-console"] == "member-1")
        .collect();
    let calls: Vec<(&str, &str, u64)> = through_member
        .iter()
        .map(|event| {
            (
                event["verb"].as_str().unwrap(),
                event["user"]["username"].as_str().unwrap(),
                event["responseStatus"]["code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(calls.contains(&("create", "owner", 403)), "{audit}");
    assert!(calls.contains(&("create", "owner", 200)), "{audit}");
    assert!(calls.contains(&("update", "owner", 200)), "{audit}");
    assert!(calls.contains(&("delete", "owner", 200)), "{audit}");
    let installed = &through_member[calls
        .iter()
        .position(|call| *call == ("create", "owner", 200))
        .unwrap()];
    assert_eq!(installed["objectRef"]["resource"], "releases");
    assert_eq!(installed["objectRef"]["name"], "web");
    assert_eq!(installed["objectRef"]["namespace"], "demo");
    assert_eq!(installed["annotations"]["orbital.dev/cluster"], "member-1");
}

#[test]
fn a_member_console_says_the_app_store_needs_the_host_when_the_host_has_none() {
    let host_addr = free_address();
    let host_console = start_console(host_addr, &[]);
    wait_ready(host_addr);
    let member = host_console.sandbox_kubeconfig("member-1");
    // The member's own switch changes nothing: its App Store is its host's.
    let (_member_console, addr) = start_member_console(&member, host_addr, &["--app-store"]);
    let admin = login(addr, "admin", ADMIN_PASSWORD).expect("the admin logs in to the member");
    let page = get_as(addr, &admin, "/appstore");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("appstore-unavailable"), "{}", page.body);
    assert!(
        page.body
            .contains("the App Store must be enabled on the host console"),
        "{}",
        page.body
    );
    let refused = post_as(
        addr,
        &admin,
        "/api/appstore/install",
        "repo=builtin&chart=web-server&version=&clusters%5B%5D=member-1&namespace=demo&release_name=web&values=",
    );
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(
        refused
            .body
            .contains("the App Store must be enabled on the host console"),
        "{refused:?}"
    );
}

#[test]
fn one_install_reaches_several_clusters_with_values_of_their_own() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let host = console.sandbox_kubeconfig("host");
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let install = |form: &str| post_as(addr, &admin, "/api/appstore/install", form);
    let form = |overrides: &str| {
        format!(
            "repo=builtin&chart=web-server&version=&clusters%5B%5D=member-1&clusters%5B%5D=member-2\
             &namespace=demo&release_name=multi&values=replicaCount%3A+1&overrides={}",
            form_urlencoded(overrides)
        )
    };
    let typo = install(&form("member-9: {replicaCount: 3}"));
    assert_eq!(typo.status, 422, "{typo:?}");
    assert!(typo.body.contains("member-9"), "{typo:?}");

    let asked = install(&form("member-2: {replicaCount: 2}"));
    assert_eq!(asked.status, 200, "{asked:?}");
    let outcomes: serde_json::Value = serde_json::from_str(&asked.body).unwrap();
    assert_eq!(
        outcomes[0]["outcome"]["Ok"], "multi.demo.member-1",
        "{outcomes}"
    );
    assert_eq!(
        outcomes[1]["outcome"]["Ok"], "multi.demo.member-2",
        "{outcomes}"
    );
    let first = wait_release(&host, "multi.demo.member-1", "Deployed", 1);
    let second = wait_release(&host, "multi.demo.member-2", "Deployed", 1);
    assert_eq!(first["spec"]["values"]["replicaCount"], 1);
    assert_eq!(second["spec"]["values"]["replicaCount"], 2);
    let replicas = |cluster: &str| {
        deployment_json(
            &console.sandbox_kubeconfig(cluster),
            "demo",
            "multi-web-server",
        )
        .map(|deployment| deployment["spec"]["replicas"].clone())
    };
    assert_eq!(replicas("member-1"), Some(serde_json::json!(1)));
    assert_eq!(replicas("member-2"), Some(serde_json::json!(2)));
    let listed = post_as(addr, &admin, "/api/appstore/releases", "");
    assert!(
        listed.body.contains("multi.demo.member-1") && listed.body.contains("multi.demo.member-2"),
        "{listed:?}"
    );

    // The settings a chart's values schema describes are offered with its defaults, and what
    // the form gives them goes into the values with the schema's types.
    let page = post_as(addr, &admin, "/api/appstore/app", "repo=builtin&name=cache");
    let page: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    let port = page["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|setting| setting["path"] == "service.port")
        .unwrap_or_else(|| panic!("the schema's settings: {page}"));
    assert_eq!(port["kind"], "Integer");
    assert_eq!(port["default"], "6379");
    let settings_form = |port: &str| {
        format!(
            "repo=builtin&chart=cache&version=&clusters%5B%5D=member-1&namespace=demo\
             &release_name=tuned&values=&settings%5Bservice.port%5D={port}\
             &settings%5BevictionPolicy%5D=noeviction&settings%5Bpersistence.enabled%5D="
        )
    };
    let refused = install(&settings_form("many"));
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.body.contains("takes a whole number"), "{refused:?}");
    let asked = install(&settings_form("7000"));
    assert_eq!(asked.status, 200, "{asked:?}");
    let tuned = wait_release(&host, "tuned.demo.member-1", "Deployed", 1);
    assert_eq!(
        tuned["spec"]["values"],
        serde_json::json!({"evictionPolicy": "noeviction", "service": {"port": 7000}})
    );
}

/// `curl` against the plain-HTTP console at `addr` as `user` (`name:password`): status and
/// body.
fn curl_as(addr: std::net::SocketAddr, user: &str, path: &str, args: &[&str]) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-sS", "-u", user, "-w", "\n%{http_code}"])
        .args(args)
        .arg(format!("http://{addr}{path}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn platform_admins_upload_charts_and_manage_repositories_which_outlive_a_restart() {
    let work = TempDir::new().unwrap();
    // Charts packaged by Helm itself, in versions the built-in repository does not have.
    let packaged = work.path().join("packaged");
    for version in ["0.9.0", "0.9.1"] {
        let output = helm(
            work.path(),
            &[
                "package",
                root().join("appstore/charts/cache").to_str().unwrap(),
                "--version",
                version,
                "--destination",
                packaged.to_str().unwrap(),
            ],
        );
        assert!(output.status.success(), "{output:?}");
    }
    let archive = |version: &str| {
        format!(
            "@{}",
            packaged.join(format!("cache-{version}.tgz")).display()
        )
    };
    let not_a_chart = work.path().join("not-a-chart.tgz");
    std::fs::write(&not_a_chart, b"plain text").unwrap();

    let addr = free_address();
    let mut console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let host = console.sandbox_kubeconfig("host");
    apply_users(
        &host,
        work.path(),
        &user_with_grant(
            "viewer",
            "viewer-pass-1",
            "cluster-viewer",
            "cluster: member-1",
        ),
    );
    let admin = format!("admin:{ADMIN_PASSWORD}");
    let upload_path = "/appstore/repos/uploads/api/charts";

    // ChartMuseum's upload: the body is the archive.
    let (status, body) = curl_as(
        addr,
        &admin,
        upload_path,
        &["--data-binary", &archive("0.9.0")],
    );
    assert_eq!(status, 201, "{body}");
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["name"], "cache");
    assert_eq!(saved["version"], "0.9.0");
    let (status, body) = curl_as(
        addr,
        &admin,
        upload_path,
        &["--data-binary", &archive("0.9.0")],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("already in the repository"), "{body}");
    let forced = format!("{upload_path}?force=true");
    let (status, body) = curl_as(addr, &admin, &forced, &["--data-binary", &archive("0.9.0")]);
    assert_eq!(status, 201, "{body}");
    // A multipart form's `chart` field, as Helm's push plugin sends it.
    let field = format!("chart={}", archive("0.9.1"));
    let (status, body) = curl_as(addr, &admin, upload_path, &["-F", &field]);
    assert_eq!(status, 201, "{body}");
    // The repositories page's form sent by the browser itself (without script): it is sent
    // back to the page, which reads the outcome from its address; the form's box replaces.
    let from_page = |fields: &[&str]| {
        let mut args = vec!["-D", "-", "-H", "Accept: text/html,*/*"];
        for field in fields {
            args.extend(["-F", field]);
        }
        curl_as(addr, &admin, upload_path, &args)
    };
    let (status, headers) = from_page(&[&field]);
    assert_eq!(status, 303, "{headers}");
    assert!(
        headers
            .contains("location: /appstore/repositories?upload_error=cache%200.9.1%20is%20already"),
        "{headers}"
    );
    let (status, headers) = from_page(&[&field, "force=true"]);
    assert_eq!(status, 303, "{headers}");
    assert!(
        headers.contains("location: /appstore/repositories?uploaded=cache%200.9.1"),
        "{headers}"
    );
    let junk = format!("@{}", not_a_chart.display());
    let (status, body) = curl_as(addr, &admin, upload_path, &["--data-binary", &junk]);
    assert_eq!(status, 400, "{body}");
    let (status, body) = curl_as(
        addr,
        &admin,
        "/appstore/repos/builtin/api/charts",
        &["--data-binary", &archive("0.9.0")],
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = curl_as(
        addr,
        "viewer:viewer-pass-1",
        upload_path,
        &["--data-binary", &archive("0.9.0")],
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("only a platform admin"), "{body}");

    // Helm finds them in the served repository of uploads.
    let home = work.path().join("helm");
    let search_uploads = |home: &Path| {
        succeeded(
            &helm(
                home,
                &[
                    "repo",
                    "add",
                    "uploads",
                    &format!("http://{}/appstore/repos/uploads", console_addr(home)),
                    "--username",
                    "admin",
                    "--password",
                    ADMIN_PASSWORD,
                    "--force-update",
                ],
            ),
            "helm repo add",
        );
        let found = succeeded(
            &helm(
                home,
                &[
                    "search",
                    "repo",
                    "uploads/",
                    "--versions",
                    "--output",
                    "json",
                ],
            ),
            "helm search repo",
        );
        let found: serde_json::Value = serde_json::from_str(&found).unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|chart| {
                format!(
                    "{} {}",
                    chart["name"].as_str().unwrap(),
                    chart["version"].as_str().unwrap()
                )
            })
            .collect::<Vec<String>>()
    };
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("addr"), addr.to_string()).unwrap();
    assert_eq!(
        search_uploads(&home),
        ["uploads/cache 0.9.1", "uploads/cache 0.9.0"]
    );

    // The repositories' page: another site's repository added with credentials, synced,
    // synced again on request, removed with its credentials.
    let site = work.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::copy(
        packaged.join("cache-0.9.0.tgz"),
        site.join("cache-0.9.0.tgz"),
    )
    .unwrap();
    let indexed = helm(work.path(), &["repo", "index", site.to_str().unwrap()]);
    assert!(indexed.status.success(), "{indexed:?}");
    let served_at = serve_repository(site, "reader:s3cret");
    let session = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    let viewer = wait_until(Duration::from_secs(30), || {
        login(addr, "viewer", "viewer-pass-1").ok()
    })
    .unwrap();
    let refused = post_as(addr, &viewer, "/api/appstore/repositories", "");
    assert_eq!(refused.status, 403, "{}", refused.body);
    let form = format!(
        "name=partner&url={}&sync_interval=5m&username=reader&password=s3cret",
        form_urlencoded(&format!("http://{served_at}/"))
    );
    let added = post_as(addr, &session, "/api/appstore/repositories/add", &form);
    assert_eq!(added.status, 200, "{}", added.body);
    let again = post_as(addr, &session, "/api/appstore/repositories/add", &form);
    assert!(again.body.contains("already"), "{}", again.body);
    let taken = post_as(
        addr,
        &session,
        "/api/appstore/repositories/add",
        "name=uploads&url=http%3A%2F%2Fexample.com&sync_interval=&username=&password=",
    );
    assert!(taken.body.contains("keeps itself"), "{}", taken.body);
    let shadowed = post_as(
        addr,
        &session,
        "/api/appstore/repositories/add",
        "name=installed&url=http%3A%2F%2Fexample.com&sync_interval=&username=&password=",
    );
    assert!(
        shadowed.body.contains("installed apps"),
        "{}",
        shadowed.body
    );
    let rows = || -> Vec<serde_json::Value> {
        let listed = post_as(addr, &session, "/api/appstore/repositories", "");
        assert_eq!(listed.status, 200, "{}", listed.body);
        serde_json::from_str(&listed.body).unwrap()
    };
    let partner_row = || rows().into_iter().find(|row| row["name"] == "partner");
    let partner = wait_until(Duration::from_secs(30), || {
        partner_row().filter(|partner| partner["last_sync"] != "")
    })
    .expect("the added repository synced");
    assert_eq!(partner["apps"], 1, "{partner}");
    assert_eq!(partner["with_credentials"], true, "{partner}");
    assert_eq!(partner["error"], "", "{partner}");
    let listed = rows();
    assert_eq!(listed[0]["name"], "builtin");
    assert_eq!(listed[1]["name"], "uploads");
    assert_eq!(listed[1]["versions"], 2, "{:?}", listed[1]);
    let secret = kubectl_json(
        &host,
        &[
            "get",
            "secret",
            "repo-partner-credentials",
            "-n",
            "orbital-system",
            "-o",
            "json",
        ],
    )
    .expect("the credentials are kept in a Secret");
    assert_eq!(secret["metadata"]["ownerReferences"][0]["name"], "partner");
    let last_sync = partner["last_sync"].as_str().unwrap().to_owned();
    let synced = post_as(
        addr,
        &session,
        "/api/appstore/repositories/sync",
        "name=partner",
    );
    assert_eq!(synced.status, 200, "{}", synced.body);
    let resynced = wait_until(Duration::from_secs(30), || {
        (partner_row()?["last_sync"].as_str()? != last_sync).then_some(())
    });
    assert!(resynced.is_some(), "a sync asked for ran at once");

    // Another site's repository is served by the host too, its archives fetched with the
    // site's credentials: Helm needs only the console's.
    succeeded(
        &helm(
            &home,
            &[
                "repo",
                "add",
                "partner",
                &format!("http://{addr}/appstore/repos/partner"),
                "--username",
                "admin",
                "--password",
                ADMIN_PASSWORD,
            ],
        ),
        "helm repo add (another site's, through the host)",
    );
    let pulled = work.path().join("pulled");
    std::fs::create_dir_all(&pulled).unwrap();
    succeeded(
        &helm(
            &home,
            &[
                "pull",
                "partner/cache",
                "--version",
                "0.9.0",
                "--destination",
                pulled.to_str().unwrap(),
            ],
        ),
        "helm pull (through the host)",
    );
    assert_eq!(
        std::fs::read(pulled.join("cache-0.9.0.tgz")).unwrap(),
        std::fs::read(packaged.join("cache-0.9.0.tgz")).unwrap()
    );

    let removed = post_as(
        addr,
        &session,
        "/api/appstore/repositories/remove",
        "name=partner",
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    let gone = wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(&host),
            &[
                "get",
                "secret",
                "repo-partner-credentials",
                "-n",
                "orbital-system",
            ],
        );
        (!output.status.success()).then_some(())
    });
    assert!(gone.is_some(), "the credentials went with the repository");

    // A restart keeps the uploads; a deleted version is gone for good.
    let _ = console.process.kill();
    let _ = console.process.wait();
    let restarted = free_address();
    console.process = spawn_console(restarted, &console.data(), &["--app-store"]);
    console.addr = restarted;
    wait_ready(restarted);
    std::fs::write(home.join("addr"), restarted.to_string()).unwrap();
    let kept = wait_until(Duration::from_secs(30), || {
        let found = search_uploads(&home);
        (found.len() == 2).then_some(found)
    });
    assert_eq!(
        kept.unwrap(),
        ["uploads/cache 0.9.1", "uploads/cache 0.9.0"]
    );
    let (status, body) = curl_as(
        restarted,
        &admin,
        &format!("{upload_path}/cache/0.9.0"),
        &["-X", "DELETE"],
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = curl_as(
        restarted,
        &admin,
        &format!("{upload_path}/cache/0.9.0"),
        &["-X", "DELETE"],
    );
    assert_eq!(status, 404, "{body}");
    assert_eq!(search_uploads(&home), ["uploads/cache 0.9.1"]);

    // Every change to the pool is in the audit log, refused or not.
    let audit = std::fs::read_to_string(console.data().join("audit.log")).unwrap();
    let events: Vec<serde_json::Value> = audit
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let audited = |uri: &str, verb: &str, user: &str, code: u16| {
        events.iter().any(|event| {
            event["requestURI"] == uri
                && event["verb"] == verb
                && event["user"]["username"] == user
                && event["responseStatus"]["code"] == code
        })
    };
    assert!(audited(upload_path, "create", "admin", 201), "{audit}");
    assert!(audited(upload_path, "create", "admin", 409), "{audit}");
    assert!(audited(upload_path, "create", "viewer", 403), "{audit}");
    let deleted = format!("{upload_path}/cache/0.9.0");
    assert!(audited(&deleted, "delete", "admin", 200), "{audit}");
    assert!(audited(&deleted, "delete", "admin", 404), "{audit}");
    let added = "/api/appstore/repositories/add";
    assert!(
        events.iter().any(|event| event["requestURI"] == added
            && event["objectRef"]["resource"] == "repos"
            && event["objectRef"]["name"] == "partner"),
        "{audit}"
    );
}

/// The address of the console a test's Helm home is for (kept in the home, as it changes when
/// the console restarts).
fn console_addr(home: &Path) -> String {
    std::fs::read_to_string(home.join("addr")).unwrap()
}
