//! The host console's side of the federation: the registry and client pool over the host
//! cluster, and who the host is, as it marks the members it manages.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;

use std::sync::OnceLock;

use orbital_agent::Tunnels;

use crate::agents::Agents;
use crate::host_mark::HostMark;
use crate::links::Links;
use crate::pool::ClientPool;
use crate::registry::{Registry, RegistryError};

/// The host: its registry, its pool of member clients, and its identity.
pub(crate) struct Host {
    pool: ClientPool,
    agents: Agents,
    identity: String,
    url: String,
    /// The host cluster, for what replicas record of each other.
    client: kube::Client,
    /// How this replica relays agent members' requests to the replica holding their
    /// connection, once set up.
    links: OnceLock<Links>,
}

impl Host {
    /// The host kept in the cluster `client` reaches, with the registry installed there;
    /// `url` is where its console is, for the marks it leaves on members.
    pub async fn connect(client: kube::Client, url: String) -> Result<Self, RegistryError> {
        let registry = Registry::new(client.clone());
        registry.install().await?;
        let tunnels = Tunnels::default();
        let agents = Agents::new(registry.clone(), client.clone(), tunnels.clone());
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let identity = namespaces
            .get("kube-system")
            .await?
            .metadata
            .uid
            .unwrap_or_default();
        Ok(Self {
            pool: ClientPool::new(registry, tunnels),
            agents,
            identity,
            url,
            client,
            links: OnceLock::new(),
        })
    }

    /// Has this replica, `replica` to the others and reached by them at `peer_url`, record
    /// the agent connections it holds and relay the others' members to their holders.
    pub async fn link(
        &self,
        replica: &str,
        peer_url: &str,
    ) -> Result<tokio::task::JoinHandle<()>, RegistryError> {
        let (links, task) =
            Links::start(&self.client, self.pool.tunnels(), replica, peer_url).await?;
        if self.links.set(links).is_err() {
            task.abort();
            return Err(RegistryError::AlreadyLinked);
        }
        Ok(task)
    }

    /// How this replica takes the requests other replicas relay, once linked.
    pub fn links(&self) -> Option<&Links> {
        self.links.get()
    }

    /// The registry of members.
    pub fn registry(&self) -> &Registry {
        self.pool.registry()
    }

    /// The members' clients.
    pub fn pool(&self) -> &ClientPool {
        &self.pool
    }

    /// The members joined through an agent.
    pub fn agents(&self) -> &Agents {
        &self.agents
    }

    /// The host cluster's identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The mark this host leaves on the member it calls `cluster_name`.
    pub fn mark_for(&self, cluster_name: &str) -> HostMark {
        HostMark {
            identity: self.identity.clone(),
            url: self.url.clone(),
            cluster_name: cluster_name.to_owned(),
        }
    }
}
