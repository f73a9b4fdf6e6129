//! `orbital sandbox`: a sandbox cluster on its own.

use std::io;
use std::path::PathBuf;

use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig, SandboxError};

use crate::cli::SandboxArgs;
use crate::shutdown;

/// Why the sandbox could not run.
#[derive(Debug, thiserror::Error)]
pub enum SandboxCommandError {
    /// The sandbox did not start.
    #[error("the sandbox did not start: {0}")]
    Start(#[from] SandboxError),
    /// The kubeconfig could not be written.
    #[error("cannot write the kubeconfig to {}: {source}", path.display())]
    Kubeconfig {
        /// Where it was to go.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
}

/// Runs a sandbox until SIGINT or SIGTERM.
pub async fn run(args: SandboxArgs) -> Result<(), SandboxCommandError> {
    let sandbox = Sandbox::start(SandboxConfig {
        listen: args.listen,
        data_dir: args.data_dir.clone(),
        name: args.name,
        simulation: (!args.no_simulation).then(|| SimulationConfig {
            nodes: usize::from(args.nodes),
        }),
        seed: !args.empty,
    })
    .await?;
    let path = args
        .kubeconfig_out
        .unwrap_or_else(|| args.data_dir.join("kubeconfig"));
    sandbox
        .kubeconfig()
        .write(&path)
        .map_err(|source| SandboxCommandError::Kubeconfig {
            path: path.clone(),
            source,
        })?;
    tracing::info!("kubeconfig written to {}", path.display());
    shutdown::signal_received().await;
    sandbox.shutdown().await;
    Ok(())
}
