//! A sandbox started in-process on a free loopback port, with clients for it.

#![allow(dead_code)]

pub mod kubectl;

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;

/// A running sandbox, its data directory and a kubeconfig file for it.
pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub dir: TempDir,
    pub kubeconfig_path: PathBuf,
}

impl TestSandbox {
    /// Starts a fresh sandbox without simulation or seed: objects stay as clients write them.
    pub async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        Self::start_in(dir).await
    }

    /// Starts a sandbox without simulation over the data in `dir`.
    pub async fn start_in(dir: TempDir) -> Self {
        Self::start_with(dir, None, false).await
    }

    /// Starts a fresh simulated sandbox with three nodes and no seed.
    pub async fn start_simulated() -> Self {
        Self::start_with(
            TempDir::new().unwrap(),
            Some(SimulationConfig::default()),
            false,
        )
        .await
    }

    /// Starts a sandbox over the data in `dir` with the given simulation and seed.
    pub async fn start_with(
        dir: TempDir,
        simulation: Option<SimulationConfig>,
        seed: bool,
    ) -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            name: "test".into(),
            simulation,
            seed,
        })
        .await
        .unwrap();
        let kubeconfig_path = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig_path, sandbox.kubeconfig().to_yaml()).unwrap();
        Self {
            sandbox,
            dir,
            kubeconfig_path,
        }
    }

    /// A kube-rs client for the sandbox.
    pub async fn client(&self) -> kube::Client {
        let kubeconfig = Kubeconfig::from_yaml(&self.sandbox.kubeconfig().to_yaml()).unwrap();
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .unwrap();
        kube::Client::try_from(config).unwrap()
    }
}

/// Polls `probe` until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
