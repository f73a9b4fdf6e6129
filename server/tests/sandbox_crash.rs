//! `orbital sandbox` killed mid-load keeps every write it acknowledged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use tempfile::TempDir;

const ORBITAL: &str = env!("CARGO_BIN_EXE_orbital");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data_dir: &Path, kubeconfig: &Path) -> Killed {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _ = std::fs::remove_file(kubeconfig);
    let child = Command::new(ORBITAL)
        .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--kubeconfig-out")
        .arg(kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Killed(child)
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(kubeconfig)
            && let Ok(parsed) = Kubeconfig::from_yaml(&text)
        {
            let config =
                kube::Config::from_custom_kubeconfig(parsed, &KubeConfigOptions::default())
                    .await
                    .unwrap();
            let client = kube::Client::try_from(config).unwrap();
            if client.apiserver_version().await.is_ok() {
                return client;
            }
        }
        assert!(Instant::now() < deadline, "the sandbox did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_a_kill() {
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().join("data");
    let kubeconfig = dir.path().join("kubeconfig");

    let mut process = start(&data_dir, &kubeconfig);
    let configmaps: Api<ConfigMap> = Api::namespaced(client(&kubeconfig).await, "default");
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let highest_version = Arc::new(Mutex::new(0u64));

    let load = {
        let acknowledged = Arc::clone(&acknowledged);
        let highest_version = Arc::clone(&highest_version);
        futures::stream::iter(0..100_000).for_each_concurrent(8, move |i| {
            let configmaps = configmaps.clone();
            let acknowledged = Arc::clone(&acknowledged);
            let highest_version = Arc::clone(&highest_version);
            async move {
                let name = format!("load-{i:06}");
                let object = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        ..ObjectMeta::default()
                    },
                    ..ConfigMap::default()
                };
                if let Ok(created) = configmaps.create(&PostParams::default(), &object).await {
                    let version: u64 = created.metadata.resource_version.unwrap().parse().unwrap();
                    let mut highest = highest_version.lock().unwrap();
                    *highest = (*highest).max(version);
                    acknowledged.lock().unwrap().insert(name);
                }
            }
        })
    };
    let killer = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().unwrap().len() < 300 {
            assert!(
                Instant::now() < deadline,
                "the load never reached 300 writes"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        process.0.kill().unwrap();
        process.0.wait().unwrap();
    };
    tokio::select! {
        () = load => panic!("the load finished before the kill"),
        () = killer => {}
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let highest_version = *highest_version.lock().unwrap();

    let _restarted = start(&data_dir, &kubeconfig);
    let configmaps: Api<ConfigMap> = Api::namespaced(client(&kubeconfig).await, "default");
    let stored: BTreeSet<String> = configmaps
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|cm| cm.metadata.name)
        .collect();
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );

    let after = configmaps
        .create(
            &PostParams::default(),
            &ConfigMap {
                metadata: ObjectMeta {
                    name: Some("after-restart".into()),
                    ..ObjectMeta::default()
                },
                ..ConfigMap::default()
            },
        )
        .await
        .unwrap();
    let version: u64 = after.metadata.resource_version.unwrap().parse().unwrap();
    assert!(
        version > highest_version,
        "resourceVersion went back: {version} <= {highest_version}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_deletes_survive_a_kill() {
    const OBJECTS: usize = 2_000;
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().join("data");
    let kubeconfig = dir.path().join("kubeconfig");

    let mut process = start(&data_dir, &kubeconfig);
    let configmaps: Api<ConfigMap> = Api::namespaced(client(&kubeconfig).await, "default");
    futures::stream::iter(0..OBJECTS)
        .for_each_concurrent(16, |i| {
            let configmaps = configmaps.clone();
            async move {
                let object = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(format!("doomed-{i:05}")),
                        ..ObjectMeta::default()
                    },
                    ..ConfigMap::default()
                };
                configmaps
                    .create(&PostParams::default(), &object)
                    .await
                    .unwrap();
            }
        })
        .await;

    let deleted = Arc::new(Mutex::new(BTreeSet::new()));
    let load = {
        let deleted = Arc::clone(&deleted);
        futures::stream::iter(0..OBJECTS).for_each_concurrent(8, move |i| {
            let configmaps = configmaps.clone();
            let deleted = Arc::clone(&deleted);
            async move {
                let name = format!("doomed-{i:05}");
                if configmaps
                    .delete(&name, &kube::api::DeleteParams::default())
                    .await
                    .is_ok()
                {
                    deleted.lock().unwrap().insert(name);
                }
            }
        })
    };
    let killer = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while deleted.lock().unwrap().len() < 300 {
            assert!(Instant::now() < deadline, "the deletes never reached 300");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        process.0.kill().unwrap();
        process.0.wait().unwrap();
    };
    tokio::select! {
        () = load => panic!("the deletes finished before the kill"),
        () = killer => {}
    }
    let deleted = deleted.lock().unwrap().clone();

    let _restarted = start(&data_dir, &kubeconfig);
    let configmaps: Api<ConfigMap> = Api::namespaced(client(&kubeconfig).await, "default");
    let stored: BTreeSet<String> = configmaps
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|cm| cm.metadata.name)
        .filter(|name| name.starts_with("doomed-"))
        .collect();
    let back: Vec<&String> = deleted.intersection(&stored).collect();
    assert!(
        back.is_empty(),
        "{} acknowledged deletes came back, e.g. {:?}",
        back.len(),
        back.first()
    );
    assert!(
        stored.len() < OBJECTS,
        "the deletes before the kill were kept"
    );
    assert!(!stored.is_empty(), "the kill came before the last delete");
}
