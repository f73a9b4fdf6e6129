//! Which clusters a console serves: all registered members (host mode), or only its own
//! (member mode). Every page, server function and proxied call asks the scope, so a member
//! console never names, lists or reaches another cluster.

use std::collections::BTreeMap;
use std::fmt;

use axum::body::Body;
use axum::http::{Request, Response};

use crate::cluster::{Cluster, ClusterStatus};
use crate::health::probe_client;
use crate::join::{self, JoinError, JoinRequest};
use crate::pool::{ClientPool, PoolError};
use crate::proxy;
use crate::registry::RegistryError;

/// The clusters a console serves. Cheap to clone.
#[derive(Clone)]
pub enum Scope {
    /// The host: every registered member, through the pool.
    Federation(ClientPool),
    /// A member console: only its own cluster, by the name it goes by in URLs.
    Own {
        /// The name.
        name: String,
        /// Its client.
        client: kube::Client,
    },
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Federation(_) => f.write_str("Scope::Federation"),
            Self::Own { name, .. } => write!(f, "Scope::Own({name})"),
        }
    }
}

impl Scope {
    /// The clusters in scope, with their last known status (member mode probes its own now).
    pub async fn clusters(&self) -> Result<Vec<Cluster>, RegistryError> {
        match self {
            Self::Federation(pool) => pool.registry().list().await,
            Self::Own { name, client } => Ok(vec![own_cluster(name, probe_client(client).await)]),
        }
    }

    /// The cluster `name`, if it is in scope.
    pub async fn cluster(&self, name: &str) -> Result<Option<Cluster>, RegistryError> {
        match self {
            Self::Federation(pool) => pool.registry().get(name).await,
            Self::Own { name: own, client } if own == name => {
                Ok(Some(own_cluster(own, probe_client(client).await)))
            }
            Self::Own { .. } => Ok(None),
        }
    }

    /// The client of the cluster `name`, if it is in scope.
    pub async fn client(&self, name: &str) -> Result<kube::Client, PoolError> {
        match self {
            Self::Federation(pool) => pool.client(name).await,
            Self::Own { name: own, client } if own == name => Ok(client.clone()),
            Self::Own { .. } => Err(PoolError::Unknown(name.to_owned())),
        }
    }

    /// The members' pool, where members are managed: on the host only.
    fn host(&self) -> Result<&ClientPool, JoinError> {
        match self {
            Self::Federation(pool) => Ok(pool),
            Self::Own { .. } => Err(JoinError::NotHost),
        }
    }

    /// Joins a member (host mode only).
    pub async fn join(&self, request: JoinRequest) -> Result<Cluster, JoinError> {
        join::join(self.host()?.registry(), request).await
    }

    /// Changes a member's labels, provider and description (host mode only).
    pub async fn update_details(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
        provider: &str,
        description: &str,
    ) -> Result<Cluster, JoinError> {
        join::update_details(self.host()?.registry(), name, labels, provider, description).await
    }

    /// Replaces a member's kubeconfig with one for the same cluster (host mode only).
    pub async fn rotate_kubeconfig(&self, name: &str, kubeconfig: &str) -> Result<(), JoinError> {
        join::rotate_kubeconfig(self.host()?, name, kubeconfig).await
    }

    /// Removes a member, reachable or not (host mode only).
    pub async fn remove(&self, name: &str) -> Result<(), JoinError> {
        join::remove(self.host()?, name).await
    }

    /// Passes a Kubernetes API call to the cluster `name`; a cluster out of scope is a 404,
    /// whether or not it exists elsewhere.
    pub async fn proxy(
        &self,
        name: &str,
        path_and_query: &str,
        request: Request<Body>,
    ) -> Response<Body> {
        match self {
            Self::Federation(pool) => proxy::forward(pool, name, path_and_query, request).await,
            Self::Own { name: own, client } if own == name => {
                proxy::forward_to(client, name, path_and_query, request).await
            }
            Self::Own { .. } => proxy::unknown_cluster(name),
        }
    }
}

fn own_cluster(name: &str, status: ClusterStatus) -> Cluster {
    Cluster {
        name: name.to_owned(),
        connection: "Local".to_owned(),
        status,
        ..Cluster::default()
    }
}
