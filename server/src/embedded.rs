//! The embedded default: sandbox clusters started in-process when the console is given no
//! cluster — `host`, `member-1` and `member-2`, or in member mode one — kept under the data
//! directory and registered through the federation like any other cluster.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use orbital_federation::{JoinRequest, Scope};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig};

use crate::clusters::ClustersError;

/// The clusters the embedded default starts, the host first; all are registered on first
/// start, the host too, so that it is managed like any other cluster.
pub const EMBEDDED: &[&str] = &["host", "member-1", "member-2"];
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
        if scope.cluster(name).await?.is_some() {
            scope
                .rotate_kubeconfig(name, &kubeconfig)
                .await
                .map_err(failed)?;
        } else if first_start {
            let request = JoinRequest {
                name: (*name).to_owned(),
                kubeconfig,
                labels: BTreeMap::from([("orbital.dev/embedded".to_owned(), "true".to_owned())]),
                provider: "sandbox".to_owned(),
                description: "Embedded sandbox cluster".to_owned(),
                ..JoinRequest::default()
            };
            scope.join(request).await.map_err(failed)?;
        }
    }
    std::fs::write(&marker, "").map_err(|source| ClustersError::DataDir {
        path: marker,
        source,
    })
}
