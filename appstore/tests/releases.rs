//! Releases installed by Orbital are ordinary Helm releases: judged by the real Helm 3
//! (installed by `scripts/setup --for-tests`) against a sandbox cluster started in-process —
//! `helm list`, `helm history`, `helm get values` read them, `helm upgrade` and
//! `helm uninstall` work on them, and releases `helm` installed are listed by Orbital.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use orbital_appstore::{InstallRequest, Installer, builtin_repository, values_from_json};
use orbital_chart::Chart;
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tempfile::TempDir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn helm(home: &Path, kubeconfig: &Path, args: &[&str]) -> Output {
    let installed = root().join("scripts/test-tools/bin/helm");
    let program = std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"));
    Command::new(program)
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap()
}

fn helm_json(home: &Path, kubeconfig: &Path, args: &[&str]) -> Value {
    let output = helm(home, kubeconfig, args);
    assert!(
        output.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn builtin(name: &str) -> Chart {
    let repository = builtin_repository().unwrap();
    let chart = repository
        .charts
        .iter()
        .find(|chart| chart.metadata.name == name)
        .unwrap();
    Chart::from_archive(&chart.archive).unwrap()
}

async fn client_of(kubeconfig: &str) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::from_yaml(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orbital_releases_are_helm_releases_and_helm_releases_are_listed() {
    let dir = TempDir::new().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("sandbox"),
        name: "member-1".into(),
        simulation: Some(SimulationConfig { nodes: 2 }),
        seed: false,
    })
    .await
    .unwrap();
    let kubeconfig_text = sandbox.kubeconfig().to_yaml();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, &kubeconfig_text).unwrap();
    let home = dir.path().join("helm");
    let client = client_of(&kubeconfig_text).await;
    let installer = Installer::new(client.clone());

    // Install: the objects are there, marked as Helm marks its own, and Helm lists it.
    let request = InstallRequest {
        chart: builtin("web-server"),
        values: values_from_json(&json!({"replicaCount": 2, "indexPage": "<h1>hi</h1>"})),
        release_name: "demo".to_owned(),
        namespace: "apps".to_owned(),
        create_namespace: true,
    };
    let installed = installer.install_or_upgrade(&request).await.unwrap();
    assert_eq!(installed.revision, 1);
    assert!(
        installed
            .objects
            .contains(&"apps/Deployment/demo-web-server".to_owned()),
        "{:?}",
        installed.objects
    );
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "apps");
    let deployment = deployments.get("demo-web-server").await.unwrap();
    assert_eq!(deployment.spec.unwrap().replicas, Some(2));
    let labels = deployment.metadata.labels.unwrap();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "Helm");
    let annotations = deployment.metadata.annotations.unwrap();
    assert_eq!(annotations["meta.helm.sh/release-name"], "demo");
    let listed = helm_json(&home, &kubeconfig, &["list", "-n", "apps", "-o", "json"]);
    assert_eq!(listed[0]["name"], "demo");
    assert_eq!(listed[0]["revision"], "1");
    assert_eq!(listed[0]["status"], "deployed");
    assert_eq!(listed[0]["chart"], "web-server-1.0.0");
    let values = helm_json(
        &home,
        &kubeconfig,
        &["get", "values", "demo", "-n", "apps", "-o", "json"],
    );
    assert_eq!(
        values,
        json!({"replicaCount": 2, "indexPage": "<h1>hi</h1>"})
    );

    // Upgrade: revision 2, the first superseded, the change applied.
    let upgraded = installer
        .install_or_upgrade(&InstallRequest {
            values: values_from_json(&json!({"replicaCount": 3})),
            ..request.clone()
        })
        .await
        .unwrap();
    assert_eq!(upgraded.revision, 2);
    let history = helm_json(
        &home,
        &kubeconfig,
        &["history", "demo", "-n", "apps", "-o", "json"],
    );
    let statuses: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["status"].as_str().unwrap(),
                entry["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("superseded", "Install complete"),
            ("deployed", "Upgrade complete")
        ]
    );
    let replicas = deployments
        .get("demo-web-server")
        .await
        .unwrap()
        .spec
        .unwrap()
        .replicas;
    assert_eq!(replicas, Some(3));

    // Helm upgrades it on its own, then Orbital sees revision 3.
    let chart_dir = root().join("appstore/charts/web-server");
    let output = helm(
        &home,
        &kubeconfig,
        &[
            "upgrade",
            "demo",
            chart_dir.to_str().unwrap(),
            "-n",
            "apps",
            "--reuse-values",
            "--set",
            "service.port=8080",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let releases = installer.list(Some("apps")).await.unwrap();
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0].revision, 3);
    assert_eq!(releases[0].status, "deployed");

    // A release Helm installed is listed too, and Helm uninstalls Orbital's.
    let cache_dir = root().join("appstore/charts/cache");
    let output = helm(
        &home,
        &kubeconfig,
        &[
            "install",
            "sessions",
            cache_dir.to_str().unwrap(),
            "-n",
            "apps",
            "--set",
            "auth.password=secret",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let names: Vec<String> = installer
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|release| format!("{}/{} {}", release.namespace, release.name, release.chart))
        .collect();
    assert_eq!(
        names,
        ["apps/demo web-server-1.0.0", "apps/sessions cache-1.0.0"]
    );

    // Orbital uninstalls: objects gone, records gone, Helm lists only the other release.
    let deleted = installer.uninstall("demo", "apps").await.unwrap();
    assert!(deleted.contains(&"apps/Deployment/demo-web-server".to_owned()));
    assert!(
        deployments
            .get_opt("demo-web-server")
            .await
            .unwrap()
            .is_none()
    );
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "apps");
    assert!(
        configmaps
            .get_opt("demo-web-server")
            .await
            .unwrap()
            .is_none()
    );
    let listed = helm_json(&home, &kubeconfig, &["list", "-n", "apps", "-o", "json"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|release| release["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sessions"]);

    // A generated password is read back with `lookup` on upgrade, so it stays the same.
    let cache = InstallRequest {
        chart: builtin("cache"),
        values: values_from_json(&json!({})),
        release_name: "sessions".to_owned(),
        namespace: "cache".to_owned(),
        create_namespace: true,
    };
    installer.install_or_upgrade(&cache).await.unwrap();
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client.clone(), "cache");
    let password =
        |secret: k8s_openapi::api::core::v1::Secret| secret.data.unwrap()["password"].0.clone();
    let generated = password(secrets.get("sessions-cache").await.unwrap());
    assert_eq!(generated.len(), 20);
    installer
        .install_or_upgrade(&InstallRequest {
            values: values_from_json(&json!({"maxMemory": "128mb"})),
            ..cache
        })
        .await
        .unwrap();
    assert_eq!(
        password(secrets.get("sessions-cache").await.unwrap()),
        generated
    );

    // A database: a kept Secret survives, a StatefulSet becomes ready, Helm uninstalls it.
    let database = InstallRequest {
        chart: builtin("database"),
        values: values_from_json(&json!({"auth": {"password": "given"}})),
        release_name: "db".to_owned(),
        namespace: "data".to_owned(),
        create_namespace: true,
    };
    installer.install_or_upgrade(&database).await.unwrap();
    let output = helm(&home, &kubeconfig, &["uninstall", "db", "-n", "data"]);
    assert!(output.status.success(), "{output:?}");
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client, "data");
    assert!(secrets.get_opt("db-database").await.unwrap().is_some());
    assert!(installer.list(Some("data")).await.unwrap().is_empty());
}
