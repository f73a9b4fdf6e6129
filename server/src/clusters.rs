//! The clusters a console serves: in host mode the federation (registry, client pool, health
//! loop), in member mode only its own cluster. Without a kubeconfig, the embedded default
//! starts sandbox clusters in-process: `host`, `member-1` and `member-2`, or in member mode one.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use orbital_app::ConsoleMode;
use orbital_federation::pool::client_from_kubeconfig;
use orbital_federation::{ClientPool, Registry, Scope, health, join};
use orbital_sandbox::simulation::SimulationConfig;
use orbital_sandbox::{Sandbox, SandboxConfig, SandboxError};
use tokio::task::JoinHandle;

use crate::cli::ServeArgs;

/// The clusters the embedded default starts, the host first; all are registered on first
/// start, the host too, so that it is managed like any other cluster.
const EMBEDDED: &[&str] = &["host", "member-1", "member-2"];
/// Written once the embedded clusters were registered, so one removed by the user stays removed.
const REGISTERED_MARKER: &str = "clusters-registered";

/// Why the console could not reach its clusters.
#[derive(Debug, thiserror::Error)]
pub enum ClustersError {
    /// An embedded sandbox did not start.
    #[error("the embedded {name} cluster did not start: {source}")]
    Sandbox {
        /// Which one.
        name: String,
        /// Why.
        source: SandboxError,
    },
    /// The kubeconfig could not be read or used.
    #[error("cannot use the kubeconfig {}: {reason}", path.display())]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The registry could not be set up on the host cluster.
    #[error("cannot set up the cluster registry on the host cluster: {0}")]
    Registry(#[from] orbital_federation::RegistryError),
    /// An embedded member could not be registered.
    #[error("cannot register the embedded {name} cluster: {source}")]
    Join {
        /// Which one.
        name: String,
        /// Why.
        source: orbital_federation::JoinError,
    },
    /// A file in the data directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    DataDir {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
}

/// How this console reaches clusters, and what it started to do so.
pub struct Clusters {
    scope: Scope,
    /// Keeps member statuses true (host mode).
    monitor: Option<JoinHandle<()>>,
    /// The embedded sandboxes, if any.
    sandboxes: Vec<Sandbox>,
}

async fn start_sandbox(root: &Path, name: &str) -> Result<Sandbox, ClustersError> {
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

async fn client_from_file(
    path: &Path,
    context: Option<&str>,
) -> Result<kube::Client, ClustersError> {
    let text = std::fs::read_to_string(path).map_err(|e| ClustersError::Kubeconfig {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    client_from_kubeconfig(&text, context)
        .await
        .map_err(|reason| ClustersError::Kubeconfig {
            path: path.to_owned(),
            reason,
        })
}

/// The cluster the console runs in, when it runs in a pod with a service account.
fn in_cluster_client() -> Option<Result<kube::Client, ClustersError>> {
    std::env::var_os("KUBERNETES_SERVICE_HOST")?;
    let failed = |reason: String| ClustersError::Kubeconfig {
        path: PathBuf::from("/var/run/secrets/kubernetes.io/serviceaccount"),
        reason,
    };
    Some(
        kube::Config::incluster()
            .map_err(|e| failed(e.to_string()))
            .and_then(|config| kube::Client::try_from(config).map_err(|e| failed(e.to_string()))),
    )
}

impl Clusters {
    /// Connects to the clusters `args` name, or starts the embedded ones.
    pub async fn start(args: &ServeArgs) -> Result<Self, ClustersError> {
        let root = args.data_dir.join("sandboxes");
        match args.mode {
            ConsoleMode::Member => {
                let (client, sandbox) = match (&args.kubeconfig, in_cluster_client()) {
                    (Some(path), _) => {
                        (client_from_file(path, args.context.as_deref()).await?, None)
                    }
                    (None, Some(client)) => (client?, None),
                    (None, None) => {
                        let sandbox = start_sandbox(&root, &args.cluster_name).await?;
                        let path = root.join(&args.cluster_name).join("kubeconfig");
                        (client_from_file(&path, None).await?, Some(sandbox))
                    }
                };
                Ok(Self {
                    scope: Scope::Own {
                        name: args.cluster_name.clone(),
                        client,
                    },
                    monitor: None,
                    sandboxes: sandbox.into_iter().collect(),
                })
            }
            ConsoleMode::Host => {
                let (host, sandboxes) = match (&args.kubeconfig, in_cluster_client()) {
                    (Some(path), _) => (
                        client_from_file(path, args.context.as_deref()).await?,
                        Vec::new(),
                    ),
                    (None, Some(client)) => (client?, Vec::new()),
                    (None, None) => {
                        let mut sandboxes = Vec::new();
                        for name in EMBEDDED {
                            sandboxes.push(start_sandbox(&root, name).await?);
                        }
                        (
                            client_from_file(&root.join("host").join("kubeconfig"), None).await?,
                            sandboxes,
                        )
                    }
                };
                let registry = Registry::new(host);
                registry.install().await?;
                if !sandboxes.is_empty() {
                    register_embedded(&registry, &root, &sandboxes).await?;
                }
                let pool = ClientPool::new(registry);
                let monitor = health::spawn(pool.clone());
                Ok(Self {
                    scope: Scope::Federation(pool),
                    monitor: Some(monitor),
                    sandboxes,
                })
            }
        }
    }

    /// Which clusters the console serves.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Stops the health loop and the embedded sandboxes.
    pub async fn shutdown(self) {
        if let Some(monitor) = self.monitor {
            monitor.abort();
        }
        for sandbox in self.sandboxes {
            sandbox.shutdown().await;
        }
    }
}

/// Registers the embedded clusters on first start; later, brings the kubeconfigs of those
/// still registered up to date (their ports change with every start).
async fn register_embedded(
    registry: &Registry,
    root: &Path,
    sandboxes: &[Sandbox],
) -> Result<(), ClustersError> {
    let marker = root.join(REGISTERED_MARKER);
    let first_start = !marker.exists();
    for (name, sandbox) in EMBEDDED.iter().zip(sandboxes) {
        let kubeconfig = sandbox.kubeconfig().to_yaml();
        if registry.get(name).await?.is_some() {
            registry.write_kubeconfig(name, &kubeconfig).await?;
        } else if first_start {
            let request = orbital_federation::JoinRequest {
                name: (*name).to_owned(),
                kubeconfig,
                labels: BTreeMap::from([("orbital.dev/embedded".to_owned(), "true".to_owned())]),
                provider: "sandbox".to_owned(),
                description: "Embedded sandbox cluster".to_owned(),
                context: None,
            };
            join::join(registry, request)
                .await
                .map_err(|source| ClustersError::Join {
                    name: (*name).to_owned(),
                    source,
                })?;
        }
    }
    std::fs::write(&marker, "").map_err(|source| ClustersError::DataDir {
        path: marker,
        source,
    })
}
