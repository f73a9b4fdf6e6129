//! One Kubernetes client per member, built from its stored kubeconfig (or, for a member reached
//! through an agent, over its agent's connections) and kept until the kubeconfig changes or
//! the member is removed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use orbital_agent::Tunnels;
use orbital_types::Connection;
use tokio::sync::RwLock;

use crate::registry::{Registry, RegistryError};

/// How long connecting to a member may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why no client could be had for a member.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PoolError {
    /// No member has that name.
    #[error("no cluster named {0:?} is registered")]
    Unknown(String),
    /// The registry could not be read.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The stored kubeconfig is not usable.
    #[error("the kubeconfig of {name:?} is not usable: {reason}")]
    Kubeconfig {
        /// The member.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Clients for members, by name. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ClientPool(Arc<Pool>);

struct Pool {
    registry: Registry,
    tunnels: Tunnels,
    clients: RwLock<HashMap<String, kube::Client>>,
    /// Counts `forget` calls: a client built from a kubeconfig read before one is not kept.
    forgotten: AtomicU64,
}

/// A client for the cluster a kubeconfig describes, using `context` or its current one.
pub async fn client_from_kubeconfig(
    kubeconfig: &str,
    context: Option<&str>,
) -> Result<kube::Client, String> {
    let parsed = Kubeconfig::from_yaml(kubeconfig).map_err(|e| e.to_string())?;
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(parsed, &options)
        .await
        .map_err(|e| e.to_string())?;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    // The console answers for the member at once: whoever called decides whether to retry.
    config.default_retry = false;
    kube::Client::try_from(config).map_err(|e| e.to_string())
}

impl ClientPool {
    /// A pool whose members are those `registry` holds, those joined through an agent reached
    /// over `tunnels`.
    pub fn new(registry: Registry, tunnels: Tunnels) -> Self {
        Self(Arc::new(Pool {
            registry,
            tunnels,
            clients: RwLock::default(),
            forgotten: AtomicU64::new(0),
        }))
    }

    /// The registry the pool reads kubeconfigs from.
    pub fn registry(&self) -> &Registry {
        &self.0.registry
    }

    /// The connections of the members reached through an agent.
    pub fn tunnels(&self) -> &Tunnels {
        &self.0.tunnels
    }

    /// The client for member `name`, built on first use.
    pub async fn client(&self, name: &str) -> Result<kube::Client, PoolError> {
        if let Some(client) = self.0.clients.read().await.get(name) {
            return Ok(client.clone());
        }
        let forgotten = self.0.forgotten.load(Ordering::Acquire);
        let member = self
            .0
            .registry
            .get(name)
            .await?
            .ok_or_else(|| PoolError::Unknown(name.to_owned()))?;
        let client = if member.connection == Connection::Agent {
            self.0.tunnels.client(name)
        } else {
            let kubeconfig = self
                .0
                .registry
                .kubeconfig(name)
                .await?
                .ok_or_else(|| PoolError::Unknown(name.to_owned()))?;
            client_from_kubeconfig(&kubeconfig, None)
                .await
                .map_err(|reason| PoolError::Kubeconfig {
                    name: name.to_owned(),
                    reason,
                })?
        };
        let mut clients = self.0.clients.write().await;
        // A kubeconfig rotated or removed meanwhile: serve this request, keep nothing stale.
        if self.0.forgotten.load(Ordering::Acquire) == forgotten {
            clients.insert(name.to_owned(), client.clone());
        }
        Ok(client)
    }

    /// Drops the client of `name`, after its kubeconfig changed or it was removed.
    pub async fn forget(&self, name: &str) {
        let mut clients = self.0.clients.write().await;
        self.0.forgotten.fetch_add(1, Ordering::AcqRel);
        clients.remove(name);
    }
}
