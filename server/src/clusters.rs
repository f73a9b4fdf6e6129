//! The clusters a console serves: in host mode the federation over the host cluster (registry,
//! client pool, health loop), in member mode only its own cluster. Without a kubeconfig and
//! outside a cluster, builds with the `sandbox` feature start the embedded default.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use orbital_app::ConsoleMode;
use orbital_federation::{Federation, client_from_kubeconfig};
#[cfg(feature = "sandbox")]
use orbital_sandbox::{Sandbox, SandboxError};
use tokio::task::JoinHandle;

use orbital_appstore::{
    ClusterClients, Pool, ensure_definition, ensure_repo_definition, reconcile_releases, sync_repos,
};
use orbital_iam::copies::Copier;
use orbital_iam::credentials::Credentials;
use orbital_iam::credentials::SYSTEM_NAMESPACE;
use orbital_iam::{Directory, Tenancy};
use orbital_lease::{Candidate, Leadership, LeaseSettings, while_leading};

use crate::admin::{self, AdminError};
use crate::auth::Auth;
use crate::cli::ServeArgs;
#[cfg(feature = "sandbox")]
use crate::embedded;

/// Why the console could not reach its clusters.
#[derive(Debug, thiserror::Error)]
pub enum ClustersError {
    /// No cluster was named, and this build has no embedded sandboxes.
    #[cfg(not(feature = "sandbox"))]
    #[error(
        "no cluster to serve: pass --kubeconfig FILE or run inside a cluster (this build has no embedded sandbox clusters)"
    )]
    NoCluster,
    /// An embedded sandbox did not start.
    #[cfg(feature = "sandbox")]
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
    /// The users, grants and workspaces could not be read from the console's cluster.
    #[error("cannot read users and grants from the console's cluster: {0}")]
    Directory(#[from] orbital_iam::DirectoryError),
    /// The first admin could not be made.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// An embedded member could not be registered.
    #[cfg(feature = "sandbox")]
    #[error("cannot register the embedded {name} cluster: {source}")]
    Join {
        /// Which one.
        name: String,
        /// Why.
        source: orbital_federation::JoinError,
    },
    /// An embedded member's agent could not be set up.
    #[cfg(feature = "sandbox")]
    #[error("cannot start the agent of the embedded {name} cluster: {source}")]
    Agent {
        /// Which one.
        name: String,
        /// Why.
        source: orbital_agent::AgentError,
    },
    /// A file in the data directory could not be written.
    #[cfg(feature = "sandbox")]
    #[error("cannot write {}: {source}", path.display())]
    DataDir {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// How this console reaches clusters, and what it started to do so.
pub struct Clusters {
    federation: Federation,
    /// The console's own cluster (the host cluster, or a member console's own).
    host: kube::Client,
    /// Who may log in, from the users of the console's own cluster.
    auth: Auth,
    /// The users, grants and workspaces, changed for one caller at a time.
    tenancy: Tenancy,
    /// This replica's campaign for the work done once among replicas.
    candidate: Candidate,
    /// Keeps member statuses true (host mode).
    monitor: Option<JoinHandle<()>>,
    /// Keeps the members' copies of users, grants and workspaces (host mode).
    copies: Option<JoinHandle<()>>,
    /// Hands each member console its credential at this host (host mode, App Store on).
    credentials: Option<JoinHandle<()>>,
    /// Installs, upgrades and uninstalls the App Store's releases (host mode, App Store on).
    releases: Option<JoinHandle<()>>,
    /// Keeps this replica's catalogues of other sites' repositories synced (same).
    repos: Option<JoinHandle<()>>,
    /// Records the agent connections this replica holds, for its peers (with --peer-url).
    links: Option<JoinHandle<()>>,
    /// The embedded sandboxes, if any.
    #[cfg(feature = "sandbox")]
    sandboxes: Vec<Sandbox>,
    /// The in-process agents of embedded members joined through one.
    #[cfg(feature = "sandbox")]
    agents: Vec<JoinHandle<()>>,
}

/// Reconciles the host's `Release` objects while this replica leads: each installed on its
/// member with the console's own authority (who may ask for an install is checked when it is
/// asked for).
fn spawn_releases(
    host: kube::Client,
    federation: &Federation,
    pool: Arc<Pool>,
    leadership: &Leadership,
) -> JoinHandle<()> {
    let clients = console_clients(federation);
    while_leading(leadership.clone(), "the App Store's releases", move || {
        let (host, pool, clients) = (host.clone(), pool.clone(), clients.clone());
        tokio::spawn(async move {
            if let Err(error) = ensure_definition(&host).await {
                tracing::error!("the App Store cannot install releases: {error}");
                return;
            }
            reconcile_releases(host, pool, clients).await;
        })
    })
}

/// The console's own clients of the clusters of `federation`, for the App Store's own work on
/// them (installing releases; finding those Helm itself made).
pub fn console_clients(federation: &Federation) -> ClusterClients {
    let scope = federation.scope(orbital_federation::Principal::Console);
    Arc::new(move |name: String| {
        let scope = scope.clone();
        Box::pin(async move { scope.console_client(&name).await })
    })
}

/// Syncs the catalogues of other sites' repositories on this replica (every replica serves
/// the pool); only the leading one writes their status.
fn spawn_repos(host: kube::Client, pool: Arc<Pool>, leadership: &Leadership) -> JoinHandle<()> {
    let leadership = leadership.clone();
    tokio::spawn(async move {
        if let Err(error) = ensure_repo_definition(&host).await {
            tracing::error!("the App Store cannot sync repositories: {error}");
            return;
        }
        sync_repos(host, pool, Arc::new(move || leadership.is_leading())).await;
    })
}

/// The `Lease` in `orbital-system` whose holder does the work done once among replicas.
const LEASE_NAME: &str = "orbital-console";

/// This replica's name in the lease: its pod's name (`POD_NAME`, which the chart sets) or the
/// machine's, with a random suffix, so that two processes on one machine differ too.
fn replica_identity() -> String {
    let base = std::env::var("POD_NAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "orbital".to_owned());
    let key = orbital_iam::credentials::new_key("");
    format!("{base}-{}", &key[..8])
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

/// The cluster named on the command line or, inside a cluster, the one the console runs in.
async fn given_cluster(args: &ServeArgs) -> Option<Result<kube::Client, ClustersError>> {
    match &args.kubeconfig {
        Some(path) => Some(client_from_file(path, args.context.as_deref()).await),
        None => in_cluster_client(),
    }
}

impl Clusters {
    /// Connects to the clusters `args` name, or starts the embedded ones; with the App Store's
    /// `pool`, the host's releases are installed from it.
    pub async fn start(args: &ServeArgs, pool: Option<Arc<Pool>>) -> Result<Self, ClustersError> {
        #[cfg(feature = "sandbox")]
        let mut sandboxes = Vec::new();
        #[cfg(feature = "sandbox")]
        let root = args.data_dir.join("sandboxes");
        let client = match given_cluster(args).await {
            Some(client) => client?,
            #[cfg(feature = "sandbox")]
            None => {
                let own = [args.cluster_name.as_str()];
                let names: &[&str] = match args.mode {
                    ConsoleMode::Host => embedded::EMBEDDED,
                    ConsoleMode::Member => &own,
                };
                for name in names {
                    sandboxes.push(embedded::start_sandbox(&root, name).await?);
                }
                let first = names.first().copied().unwrap_or_default();
                client_from_file(&root.join(first).join("kubeconfig"), None).await?
            }
            #[cfg(not(feature = "sandbox"))]
            None => return Err(ClustersError::NoCluster),
        };
        let directory = Directory::start(client.clone()).await?;
        let identity = replica_identity();
        let candidate = Candidate::start(
            client.clone(),
            &identity,
            LeaseSettings::new(SYSTEM_NAMESPACE, LEASE_NAME),
        );
        let leadership = candidate.leadership();
        admin::ensure(&directory, &args.data_dir).await?;
        let copier = Copier::new(directory.clone());
        let tenancy = Tenancy::new(
            directory.clone(),
            Credentials::new(client.clone()),
            args.mode == ConsoleMode::Host,
        );
        let auth = Auth::new(directory, client.clone(), &leadership);
        let host = client.clone();
        let federation = match args.mode {
            ConsoleMode::Member => Federation::member(&args.cluster_name, client),
            ConsoleMode::Host => {
                let url = args
                    .host_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", args.listen));
                let federation = Federation::host(client, &url).await?;
                #[cfg(feature = "sandbox")]
                if !sandboxes.is_empty() {
                    let scope = federation.scope(orbital_federation::Principal::Console);
                    embedded::register(&scope, &root, &sandboxes).await?;
                }
                federation
            }
        };
        let links = match &args.peer_url {
            Some(url) => federation.link_replicas(&identity, url).await?,
            None => None,
        };
        let monitor = federation.spawn_health(&leadership);
        let copies = federation.spawn_copies(copier, &leadership);
        // The member consoles' credentials are for the App Store alone, so they are issued
        // only while it is on.
        let credentials = pool
            .as_ref()
            .and_then(|_| federation.spawn_member_credentials(&leadership));
        let releases = pool
            .clone()
            .map(|pool| spawn_releases(host.clone(), &federation, pool, &leadership));
        let repos = pool.map(|pool| spawn_repos(host.clone(), pool, &leadership));
        Ok(Self {
            candidate,
            federation,
            host,
            auth,
            tenancy,
            monitor,
            copies,
            credentials,
            releases,
            repos,
            links,
            #[cfg(feature = "sandbox")]
            sandboxes,
            #[cfg(feature = "sandbox")]
            agents: Vec::new(),
        })
    }

    /// Starts the agents of the embedded members joined through one, which dial this console
    /// at `console_url` now that it listens there (host mode; nothing otherwise).
    #[cfg(feature = "sandbox")]
    pub async fn start_embedded_agents(
        &mut self,
        data_dir: &Path,
        console_url: &str,
        ca_pem: Option<&str>,
    ) -> Result<(), ClustersError> {
        if self.sandboxes.is_empty() || self.federation.agents().is_none() {
            return Ok(());
        }
        let scope = self
            .federation
            .scope(orbital_federation::Principal::Console);
        self.agents = embedded::start_agents(
            &scope,
            &data_dir.join("sandboxes"),
            &self.sandboxes,
            console_url,
            ca_pem,
        )
        .await?;
        Ok(())
    }

    /// A client of the console's own cluster, with the console's authority.
    pub fn host(&self) -> &kube::Client {
        &self.host
    }

    /// What the console reaches its clusters with.
    pub fn federation(&self) -> &Federation {
        &self.federation
    }

    /// Who may log in.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The users, grants and workspaces.
    pub fn tenancy(&self) -> &Tenancy {
        &self.tenancy
    }

    /// Stops the health and copy loops, gives up the lease so another replica takes over at
    /// once, and stops the embedded sandboxes.
    pub async fn shutdown(self) {
        for task in [
            self.monitor,
            self.copies,
            self.credentials,
            self.releases,
            self.repos,
            self.links,
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
        if let Err(error) = self.candidate.resign().await {
            tracing::warn!(
                "cannot give up the lease; another replica takes over when it runs out: {error}"
            );
        }
        #[cfg(feature = "sandbox")]
        for agent in self.agents {
            agent.abort();
        }
        #[cfg(feature = "sandbox")]
        for sandbox in self.sandboxes {
            sandbox.shutdown().await;
        }
    }
}
