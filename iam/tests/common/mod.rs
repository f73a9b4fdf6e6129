//! What the tests of the kube side share: a sandbox to run against, and waiting on a condition.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use kube::api::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::DynamicObject;
use orbital_iam::crd::IamKind;
use orbital_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use tempfile::TempDir;
use tokio::time::Instant;

const WAIT: Duration = Duration::from_secs(30);

pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn cluster(dir: &TempDir) -> (Sandbox, kube::Client) {
    let sandbox = Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("host"),
        name: "host".into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap();
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig().to_yaml()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    (sandbox, kube::Client::try_from(config).unwrap())
}

pub fn api(client: &kube::Client, kind: IamKind) -> Api<DynamicObject> {
    Api::all_with(client.clone(), &kind.resource())
}

pub fn object(kind: IamKind, name: &str, spec: serde_json::Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "iam.orbital.dev/v1alpha1", "kind": kind.kind(),
        "metadata": {"name": name}, "spec": spec,
    }))
    .unwrap()
}
