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
    let deployment = kubectl_json(
        &member,
        &[
            "get",
            "deployment",
            "guestbook-demo-app",
            "-n",
            "shop",
            "-o",
            "json",
        ],
    )
    .unwrap();
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
    let replicas = kubectl_json(
        &member,
        &[
            "get",
            "deployment",
            "guestbook-demo-app",
            "-n",
            "shop",
            "-o",
            "json",
        ],
    )
    .unwrap()["spec"]["replicas"]
        .clone();
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
        "apiVersion: appstore.orbital.dev/v1alpha1\nkind: Repo\nmetadata: {{name: partner}}\nspec: {{url: {served_at}, credentialsSecret: partner-charts, syncInterval: 5m}}\n---\napiVersion: appstore.orbital.dev/v1alpha1\nkind: Repo\nmetadata: {{name: refused}}\nspec: {{url: {served_at}, credentialsSecret: wrong-charts}}\n"
    ));
    let synced = wait_repo("partner", &|status| status["appCount"] == 1);
    assert_eq!(synced["status"]["versionCount"], 1);
    assert!(synced["status"]["lastSyncTime"].is_string(), "{synced}");
    let refused = wait_repo("refused", &|status| status["error"].is_string());
    assert!(
        refused["status"]["error"].as_str().unwrap().contains("401"),
        "{refused}"
    );

    // A release from it: the archive is fetched with the credentials and checked.
    apply("apiVersion: appstore.orbital.dev/v1alpha1\nkind: Release\nmetadata: {name: partner-web}\nspec: {repo: partner, chart: web-server, version: 2.0.0, cluster: member-1, namespace: partner, createNamespace: true}\n".to_owned());
    let deployed = wait_release(&host, "partner-web", "Deployed", 1);
    assert_eq!(deployed["status"]["chartVersion"], "2.0.0");
    let deployment = kubectl_json(
        &member,
        &[
            "get",
            "deployment",
            "partner-web-web-server",
            "-n",
            "partner",
            "-o",
            "json",
        ],
    );
    assert!(deployment.is_some(), "the app is on the member");
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

#[test]
fn installs_and_uninstalls_are_decided_by_the_callers_grants() {
    let addr = free_address();
    let console = start_console(addr, &["--app-store"]);
    wait_ready(addr);
    let host = console.sandbox_kubeconfig("host");
    let work = TempDir::new().unwrap();
    let users = work.path().join("users.yaml");
    std::fs::write(
        &users,
        format!(
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
    )
    .unwrap();
    let output = kubectl_on(Path::new(&host), &["apply", "-f", users.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
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
            "repo=builtin&chart=web-server&version=&cluster=member-1&namespace={namespace}&release_name=web&values=replicaCount%3A+1"
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

    // The viewer sees it, but may not remove it; its owner may.
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
    let gone = wait_until(Duration::from_secs(30), || {
        let output = kubectl_on(
            Path::new(&host),
            &["get", "releases.appstore.orbital.dev", "web.demo.member-1"],
        );
        (!output.status.success()).then_some(())
    });
    assert!(
        gone.is_some(),
        "the release was uninstalled and its record removed"
    );
}
