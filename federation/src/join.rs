//! Joining a member, directly or through an agent, changing its details or kubeconfig, removing it:
//! everything is checked before anything is stored.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use orbital_syntax::is_dns_label;

use orbital_types::{Cluster, Connection};

use crate::agents::token_secret_name;
use crate::console_credentials;
use crate::host::Host;
use crate::host_mark::{self, HostMark};
use crate::pool::client_from_kubeconfig;
use crate::registry::{Registry, RegistryError};

/// How long a member may take to answer while it is being joined.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long removing a member waits for it to clear the host's mark.
const CLEAR_TIMEOUT: Duration = Duration::from_secs(5);

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
    /// Take the cluster over from another host that manages it.
    pub take_over: bool,
}

/// What joining a member through an agent needs.
#[derive(Clone, Debug, Default)]
pub struct AgentJoinRequest {
    /// The name the member gets on the host, and its agent dials in with.
    pub name: String,
    /// Labels for the member.
    pub labels: BTreeMap<String, String>,
    /// Where it runs.
    pub provider: String,
    /// Free text.
    pub description: String,
}

/// A member joined through an agent, and the token its agent dials in with.
#[derive(Clone, Debug)]
pub struct AgentJoined {
    /// The member as recorded.
    pub cluster: Cluster,
    /// Its agent's join token, kept in the Secret `orbital-system/agent-<name>`.
    pub token: String,
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
    /// Another host manages the cluster.
    #[error(
        "this cluster is managed by another host console{}: remove it there first, or join it again asking to take it over",
        if .0.url.is_empty() { String::new() } else { format!(" at {}", .0.url) }
    )]
    ManagedElsewhere(HostMark),
    /// The host could not record itself on the member.
    #[error(
        "the host could not record itself on the cluster ({0}); use credentials that may create a namespace and a ConfigMap named orbital-host in orbital-system"
    )]
    MarkRefused(String),
    /// No member has that name.
    #[error("no cluster named {0:?} is joined")]
    Unknown(String),
    /// A new kubeconfig reaches another cluster than the member's.
    #[error(
        "this kubeconfig reaches a different cluster than the one joined as {0:?}: use a kubeconfig for that same cluster, or remove it and join the other one"
    )]
    OtherCluster(String),
    /// The member is reached through its agent, which uses the member's own credentials.
    #[error(
        "{0:?} is reached through its agent and has no kubeconfig on the host: replace the agent's token instead"
    )]
    ThroughAgent(String),
    /// The member is reached directly, with no agent and no token.
    #[error("{0:?} is reached directly with its kubeconfig, not through an agent")]
    NotThroughAgent(String),
    /// Clusters are joined and changed on the host console.
    #[error(
        "clusters are joined and changed from the host console; this is a member cluster's own console"
    )]
    NotHost,
    /// Only platform admins join, change and remove members.
    #[error("only a platform admin may join, change or remove clusters")]
    Forbidden,
    /// The registry on the host failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// The identity of the cluster `client` reaches: the UID of its `kube-system` namespace.
pub(crate) async fn identity(client: &kube::Client) -> Result<String, JoinError> {
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
pub(crate) async fn join(host: &Host, request: JoinRequest) -> Result<Cluster, JoinError> {
    let registry = host.registry();
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
    let mark = host_mark::read(&client)
        .await
        .map_err(|error| JoinError::MarkRefused(refusal(&error)))?;
    if let Some(mark) = mark
        && mark.identity != host.identity()
        && !request.take_over
    {
        return Err(JoinError::ManagedElsewhere(mark));
    }
    let kubeconfig = stored_kubeconfig(&request)?;
    let cluster = Cluster {
        name,
        labels: request.labels,
        connection: Connection::Direct,
        provider: request.provider,
        description: request.description,
        identity,
        status: Default::default(),
    };
    registry
        .create(&cluster, &kubeconfig)
        .await
        .map_err(|error| match error {
            RegistryError::Taken(name) => JoinError::NameTaken(name),
            other => JoinError::Registry(other),
        })?;
    if let Err(error) = host_mark::write(&client, &host.mark_for(&cluster.name)).await {
        registry.remove(&cluster.name).await?;
        return Err(JoinError::MarkRefused(refusal(&error)));
    }
    Ok(cluster)
}

/// Records a member that an agent will connect, with its join token (made unless an operator
/// put one in its Secret beforehand); nothing is asked of the member, which the host may not
/// be able to reach at all. A name already taken is refused as the `Cluster` object is
/// created.
pub(crate) async fn join_agent(
    host: &Host,
    request: AgentJoinRequest,
) -> Result<AgentJoined, JoinError> {
    let registry = host.registry();
    let name = request.name.trim().to_owned();
    if !is_dns_label(&name) {
        return Err(JoinError::InvalidName(name));
    }
    let cluster = Cluster {
        name,
        labels: request.labels,
        connection: Connection::Agent,
        provider: request.provider,
        description: request.description,
        identity: String::new(),
        status: Default::default(),
    };
    let owner = registry
        .create_agent(&cluster, &token_secret_name(&cluster.name))
        .await
        .map_err(|error| match error {
            RegistryError::Taken(name) => JoinError::NameTaken(name),
            other => JoinError::Registry(other),
        })?;
    let token = host.agents().token(&cluster.name, Some(owner)).await?;
    Ok(AgentJoined { cluster, token })
}

/// What a member said when it refused, without addresses or transport detail.
fn refusal(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => format!("{} {}", status.code, status.reason),
        _ => "the cluster stopped answering".to_owned(),
    }
}

/// Replaces the kubeconfig of member `name` after checking it reaches the same cluster (by
/// identity) with working credentials.
pub(crate) async fn rotate_kubeconfig(
    host: &Host,
    name: &str,
    kubeconfig: &str,
) -> Result<(), JoinError> {
    let registry = host.registry();
    let member = registry
        .get(name)
        .await?
        .ok_or_else(|| JoinError::Unknown(name.to_owned()))?;
    if member.connection == Connection::Agent {
        return Err(JoinError::ThroughAgent(member.name));
    }
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
    Ok(())
}

/// Changes the labels, provider and description of member `name`.
pub(crate) async fn update_details(
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

/// Removes member `name`; its mark and its console's credential are cleared if it answers, but an unreachable member goes too.
pub(crate) async fn remove(host: &Host, name: &str) -> Result<(), JoinError> {
    if host.registry().get(name).await?.is_some() {
        match host.pool().client(name).await {
            Ok(client) => {
                let clear = async {
                    host_mark::clear(&client, host.identity()).await?;
                    console_credentials::withdraw(&client).await
                };
                let cleared = tokio::time::timeout(CLEAR_TIMEOUT, clear).await;
                if !matches!(cleared, Ok(Ok(()))) {
                    tracing::info!(cluster = %name, "the removed cluster kept this host's mark: it did not answer");
                }
            }
            Err(error) => {
                tracing::info!(cluster = %name, "the removed cluster kept this host's mark: {error}");
            }
        }
    }
    host.registry()
        .remove(name)
        .await
        .map_err(|error| unknown_or(error, name))?;
    // Its token went with it; so do its agents' connections.
    host.pool().tunnels().close(name);
    Ok(())
}

fn unknown_or(error: RegistryError, name: &str) -> JoinError {
    match error {
        RegistryError::Unknown(_) => JoinError::Unknown(name.to_owned()),
        other => JoinError::Registry(other),
    }
}
