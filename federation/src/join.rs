//! Joining a member over a direct connection, changing its details or kubeconfig, removing it:
//! everything is checked before anything is stored.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use orbital_syntax::is_dns_label;

use crate::cluster::Cluster;
use crate::pool::{ClientPool, client_from_kubeconfig};
use crate::registry::{Registry, RegistryError};

/// How long a member may take to answer while it is being joined.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// What joining a member needs.
#[derive(Clone, Debug, Default)]
pub struct JoinRequest {
    /// The name the member gets on the host.
    pub name: String,
    /// Its kubeconfig, as YAML.
    pub kubeconfig: String,
    /// The context to use; the kubeconfig's current one when `None`.
    pub context: Option<String>,
    /// Labels for the member.
    pub labels: BTreeMap<String, String>,
    /// Where it runs.
    pub provider: String,
    /// Free text.
    pub description: String,
}

/// Why a member was not joined or changed. Every message says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The name is not a DNS-1123 label.
    #[error(
        "{0:?} is not a valid cluster name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
    )]
    InvalidName(String),
    /// Another member has the name.
    #[error(
        "a cluster named {0:?} is already joined: choose another name, or remove that cluster first"
    )]
    NameTaken(String),
    /// The kubeconfig cannot be read or used.
    #[error(
        "the kubeconfig cannot be used: {0}; paste a complete kubeconfig with a cluster, a user and a current context"
    )]
    InvalidKubeconfig(String),
    /// The API server did not answer.
    #[error(
        "the cluster's API server did not answer: {0}; check the server address in the kubeconfig and that the host console can reach it"
    )]
    Unreachable(String),
    /// The credentials were refused.
    #[error(
        "the cluster refused the kubeconfig's credentials ({0}); use credentials that may read namespaces"
    )]
    Unauthorized(String),
    /// The cluster is already a member, perhaps under another name.
    #[error("this cluster is already joined as {0:?}: a cluster can be joined only once")]
    AlreadyJoined(String),
    /// No member has that name.
    #[error("no cluster named {0:?} is joined")]
    Unknown(String),
    /// A new kubeconfig reaches another cluster than the member's.
    #[error(
        "this kubeconfig reaches a different cluster than the one joined as {0:?}: use a kubeconfig for that same cluster, or remove it and join the other one"
    )]
    OtherCluster(String),
    /// Clusters are joined and changed on the host console.
    #[error(
        "clusters are joined and changed from the host console; this is a member cluster's own console"
    )]
    NotHost,
    /// The registry on the host failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// The identity of the cluster `client` reaches: the UID of its `kube-system` namespace.
pub async fn identity(client: &kube::Client) -> Result<String, JoinError> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let probe = tokio::time::timeout(PROBE_TIMEOUT, namespaces.get("kube-system")).await;
    let namespace = match probe {
        Err(_) => {
            return Err(JoinError::Unreachable(format!(
                "no answer within {} s",
                PROBE_TIMEOUT.as_secs()
            )));
        }
        Ok(Err(kube::Error::Api(status))) if matches!(status.code, 401 | 403) => {
            return Err(JoinError::Unauthorized(status.message.clone()));
        }
        Ok(Err(kube::Error::Api(status))) => {
            return Err(JoinError::Unreachable(status.message.clone()));
        }
        Ok(Err(error)) => return Err(JoinError::Unreachable(error.to_string())),
        Ok(Ok(namespace)) => namespace,
    };
    namespace
        .metadata
        .uid
        .ok_or_else(|| JoinError::Unreachable("its kube-system namespace has no UID".into()))
}

/// The kubeconfig as stored: with the chosen context made current, so that later clients
/// need nothing else. (JSON is YAML, so it stays a valid kubeconfig file.)
fn stored_kubeconfig(request: &JoinRequest) -> Result<String, JoinError> {
    let Some(context) = &request.context else {
        return Ok(request.kubeconfig.clone());
    };
    let mut kubeconfig = kube::config::Kubeconfig::from_yaml(&request.kubeconfig)
        .map_err(|e| JoinError::InvalidKubeconfig(e.to_string()))?;
    kubeconfig.current_context = Some(context.clone());
    serde_json::to_string(&kubeconfig).map_err(|e| JoinError::InvalidKubeconfig(e.to_string()))
}

/// Validates `request` and records the member; nothing is stored unless every check passes.
pub async fn join(registry: &Registry, request: JoinRequest) -> Result<Cluster, JoinError> {
    let name = request.name.trim().to_owned();
    if !is_dns_label(&name) {
        return Err(JoinError::InvalidName(name));
    }
    let members = registry.list().await?;
    if members.iter().any(|m| m.name == name) {
        return Err(JoinError::NameTaken(name));
    }
    if request.kubeconfig.trim().is_empty() {
        return Err(JoinError::InvalidKubeconfig("it is empty".into()));
    }
    let client = client_from_kubeconfig(&request.kubeconfig, request.context.as_deref())
        .await
        .map_err(JoinError::InvalidKubeconfig)?;
    let identity = identity(&client).await?;
    if let Some(existing) = members.iter().find(|m| m.identity == identity) {
        return Err(JoinError::AlreadyJoined(existing.name.clone()));
    }
    let kubeconfig = stored_kubeconfig(&request)?;
    let cluster = Cluster {
        name,
        labels: request.labels,
        connection: "Direct".into(),
        provider: request.provider,
        description: request.description,
        identity,
        status: Default::default(),
    };
    registry.create(&cluster, &kubeconfig).await?;
    Ok(cluster)
}

/// Replaces the kubeconfig of member `name` after checking it reaches the same cluster (by
/// identity) with working credentials; the pool then builds its next client from it.
pub async fn rotate_kubeconfig(
    pool: &ClientPool,
    name: &str,
    kubeconfig: &str,
) -> Result<(), JoinError> {
    let registry = pool.registry();
    let member = registry
        .get(name)
        .await?
        .ok_or_else(|| JoinError::Unknown(name.to_owned()))?;
    if kubeconfig.trim().is_empty() {
        return Err(JoinError::InvalidKubeconfig("it is empty".into()));
    }
    let client = client_from_kubeconfig(kubeconfig, None)
        .await
        .map_err(JoinError::InvalidKubeconfig)?;
    if identity(&client).await? != member.identity {
        return Err(JoinError::OtherCluster(member.name));
    }
    registry
        .write_kubeconfig(name, kubeconfig)
        .await
        .map_err(|error| unknown_or(error, name))?;
    pool.forget(name).await;
    Ok(())
}

/// Changes the labels, provider and description of member `name`.
pub async fn update_details(
    registry: &Registry,
    name: &str,
    labels: &BTreeMap<String, String>,
    provider: &str,
    description: &str,
) -> Result<Cluster, JoinError> {
    registry
        .update_details(name, labels, provider, description)
        .await
        .map_err(|error| unknown_or(error, name))?;
    registry
        .get(name)
        .await?
        .ok_or_else(|| JoinError::Unknown(name.to_owned()))
}

/// Removes member `name` without asking anything of it, so an unreachable one goes too.
pub async fn remove(pool: &ClientPool, name: &str) -> Result<(), JoinError> {
    pool.registry()
        .remove(name)
        .await
        .map_err(|error| unknown_or(error, name))?;
    pool.forget(name).await;
    Ok(())
}

fn unknown_or(error: RegistryError, name: &str) -> JoinError {
    match error {
        RegistryError::Unknown(_) => JoinError::Unknown(name.to_owned()),
        other => JoinError::Registry(other),
    }
}
