//! The embedded default: sandbox clusters started in-process when the console is given no
//! cluster — `host`, `member-1` and `member-2`, or in member mode one — kept under the data
//! directory and registered through the federation like any other cluster. `member-2` is
//! joined through an agent, run in-process but dialling the console's own address like any
//! agent, so a newcomer sees both kinds of connection at once.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use orbital_agent::{Agent, AgentConfig};
use orbital_federation::{AgentJoinRequest, JoinRequest, Scope, client_from_kubeconfig};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};
use orbital_types::Connection;
use tokio::task::JoinHandle;

use crate::clusters::ClustersError;
use crate::files::write_private;

/// The clusters the embedded default starts, the host first; all are registered on first
/// start, the host too, so that it is managed like any other cluster.
pub const EMBEDDED: &[&str] = &["host", "member-1", "member-2"];
/// The embedded member joined through an agent.
pub const THROUGH_AGENT: &str = "member-2";
/// Written once the embedded clusters were registered, so one removed by the user stays removed.
const REGISTERED_MARKER: &str = "clusters-registered";

/// Starts the sandbox `name` under `root`, writing its kubeconfig beside its data.
pub async fn start_sandbox(root: &Path, name: &str) -> Result<Sandbox, ClustersError> {
    let any_port: SocketAddr = ([127, 0, 0, 1], 0).into();
    let sandbox = Sandbox::start(SandboxConfig {
        listen: any_port,
        data_dir: root.join(name),
        name: name.to_owned(),
        simulation: Some(SimulationConfig::default()),
        seed: true,
    })
    .await
    .map_err(|source| ClustersError::Sandbox {
        name: name.to_owned(),
        source,
    })?;
    let path = root.join(name).join("kubeconfig");
    sandbox
        .kubeconfig()
        .write(&path)
        .map_err(|source| ClustersError::DataDir { path, source })?;
    Ok(sandbox)
}

/// Registers the embedded clusters on first start; later, brings the kubeconfigs of those
/// still registered up to date (their ports change with every start).
pub async fn register(
    scope: &Scope,
    root: &Path,
    sandboxes: &[Sandbox],
) -> Result<(), ClustersError> {
    let marker = root.join(REGISTERED_MARKER);
    let first_start = !marker.exists();
    for (name, sandbox) in EMBEDDED.iter().zip(sandboxes) {
        let kubeconfig = sandbox.kubeconfig().to_yaml();
        let failed = |source| ClustersError::Join {
            name: (*name).to_owned(),
            source,
        };
        let labels = BTreeMap::from([("orbital.dev/embedded".to_owned(), "true".to_owned())]);
        let description = "Embedded sandbox cluster".to_owned();
        match scope.cluster(name).await? {
            // Reached through its agent: the host keeps no address of it.
            Some(cluster) if cluster.connection == Connection::Agent => {}
            Some(_) => scope
                .rotate_kubeconfig(name, &kubeconfig)
                .await
                .map_err(failed)?,
            None if first_start && *name == THROUGH_AGENT => {
                let request = AgentJoinRequest {
                    name: (*name).to_owned(),
                    labels,
                    provider: "sandbox".to_owned(),
                    description,
                };
                scope.join_agent(request).await.map_err(failed)?;
            }
            None if first_start => {
                let request = JoinRequest {
                    name: (*name).to_owned(),
                    kubeconfig,
                    labels,
                    provider: "sandbox".to_owned(),
                    description,
                    ..JoinRequest::default()
                };
                scope.join(request).await.map_err(failed)?;
            }
            None => {}
        }
    }
    std::fs::write(&marker, "").map_err(|source| ClustersError::DataDir {
        path: marker,
        source,
    })
}

/// Starts an agent, in this process, for each embedded member joined through one, dialling
/// the console at `console_url` (trusting `ca_pem` besides the system's CAs) with its
/// cluster's current token, written beside the member's data as an operator would.
pub async fn start_agents(
    scope: &Scope,
    root: &Path,
    sandboxes: &[Sandbox],
    console_url: &str,
    ca_pem: Option<&str>,
) -> Result<Vec<JoinHandle<()>>, ClustersError> {
    let mut agents = Vec::new();
    for (name, sandbox) in EMBEDDED.iter().zip(sandboxes) {
        let through_agent = scope
            .cluster(name)
            .await?
            .is_some_and(|cluster| cluster.connection == Connection::Agent);
        if !through_agent {
            continue;
        }
        let failed = |source| ClustersError::Join {
            name: (*name).to_owned(),
            source,
        };
        let token = scope.agent_token(name).await.map_err(failed)?;
        let token_file = root.join(name).join("agent-token");
        write_private(&token_file, &token).map_err(|source| ClustersError::DataDir {
            path: token_file.clone(),
            source,
        })?;
        let ca_file = match ca_pem {
            Some(pem) => {
                let path = root.join(name).join("host-ca.crt");
                write_private(&path, pem).map_err(|source| ClustersError::DataDir {
                    path: path.clone(),
                    source,
                })?;
                Some(path)
            }
            None => None,
        };
        let config = AgentConfig {
            host_url: console_url.to_owned(),
            cluster: (*name).to_owned(),
            token_file,
            ca_file,
        };
        let client = client_from_kubeconfig(&sandbox.kubeconfig().to_yaml(), None)
            .await
            .map_err(|reason| ClustersError::Kubeconfig {
                path: root.join(name).join("kubeconfig"),
                reason,
            })?;
        let agent = Agent::new(&config, client).map_err(|source| ClustersError::Agent {
            name: (*name).to_owned(),
            source,
        })?;
        agents.push(tokio::spawn(async move { agent.run().await }));
    }
    Ok(agents)
}
