//! `orbital agent`: runs on a member cluster whose network the host console cannot dial. It
//! dials out to the host and serves the host's requests to this cluster over that connection,
//! forwarding each to this cluster's API server with its own credentials.

use std::path::PathBuf;

use orbital_agent::{Agent, AgentConfig, AgentError};
use orbital_federation::client_from_kubeconfig;

use crate::cli::AgentArgs;
use crate::shutdown;

/// Why the agent could not run.
#[derive(Debug, thiserror::Error)]
pub enum AgentRunError {
    /// The kubeconfig could not be read or used.
    #[error("the kubeconfig {path} cannot be used: {reason}")]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// There is no kubeconfig and no service account of a pod to use.
    #[error("no --kubeconfig was given and this is not a pod with a service account: {0}")]
    InCluster(String),
    /// The agent's own settings are wrong.
    #[error(transparent)]
    Agent(#[from] AgentError),
}

/// The client of this cluster: from `--kubeconfig`, else the pod's service account.
async fn cluster_client(args: &AgentArgs) -> Result<kube::Client, AgentRunError> {
    let Some(path) = &args.kubeconfig else {
        let config =
            kube::Config::incluster().map_err(|e| AgentRunError::InCluster(e.to_string()))?;
        return kube::Client::try_from(config).map_err(|e| AgentRunError::InCluster(e.to_string()));
    };
    let failed = |reason: String| AgentRunError::Kubeconfig {
        path: path.clone(),
        reason,
    };
    let kubeconfig = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    client_from_kubeconfig(&kubeconfig, args.context.as_deref())
        .await
        .map_err(failed)
}

/// Runs the agent until Ctrl-C or SIGTERM.
pub async fn run(args: AgentArgs) -> Result<(), AgentRunError> {
    let client = cluster_client(&args).await?;
    let config = AgentConfig {
        host_url: args.host_url,
        cluster: args.cluster,
        token_file: args.token_file,
        ca_file: args.ca_file,
    };
    let agent = Agent::new(&config, client)?;
    tracing::info!(cluster = %config.cluster, host = %config.host_url, "the agent is dialling the host console");
    tokio::select! {
        () = agent.run() => {}
        () = shutdown::signal_received() => tracing::info!("the agent stops"),
    }
    Ok(())
}
