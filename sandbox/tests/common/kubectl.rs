//! The real `kubectl`, run with default flags against a test sandbox.

use std::process::{Output, Stdio};

use serde_json::Value;
use tokio::process::Command;

use super::TestSandbox;

/// kubectl with its own kubeconfig and cache, against a sandbox of the test's.
pub struct Kubectl {
    pub sandbox: TestSandbox,
}

impl Kubectl {
    /// kubectl against a fresh sandbox without simulation.
    pub async fn start() -> Self {
        Self::over(TestSandbox::start().await)
    }

    /// kubectl against `sandbox`.
    pub fn over(sandbox: TestSandbox) -> Self {
        Self { sandbox }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .arg("--kubeconfig")
            .arg(&self.sandbox.kubeconfig_path)
            .arg("--cache-dir")
            .arg(self.sandbox.dir.path().join("kube-cache"))
            .args(args)
            .stdin(Stdio::null());
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .await
            .expect("kubectl must be installed (scripts/setup installs it)")
    }

    /// Runs kubectl, expects success with nothing on standard error, returns standard output.
    pub async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "kubectl {args:?} failed: {stderr}");
        assert!(
            stderr.trim().is_empty(),
            "kubectl {args:?} warned: {stderr}"
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub async fn apply_stdin(&self, args: &[&str], manifest: &str) -> String {
        let path = self.sandbox.dir.path().join("manifest.yaml");
        std::fs::write(&path, manifest).unwrap();
        let mut all = args.to_vec();
        let path = path.to_string_lossy().into_owned();
        all.extend(["-f", &path]);
        self.ok(&all).await
    }

    pub async fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all).await).unwrap()
    }
}
