//! Joining a member through an agent: the member is recorded with a join token, and the host
//! answers, once, how to run its agent.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::clusters::ClusterError;
#[cfg(feature = "ssr")]
use super::clusters::scope;

/// How to run the agent of a member just joined; the token in it is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentJoined {
    /// The member's name.
    pub cluster: String,
    /// Shell commands that run `orbital agent` on a machine with the member's kubeconfig.
    pub command: String,
    /// A Kubernetes manifest that runs the agent in the member cluster.
    pub manifest: String,
}

/// Joins a member that an agent will connect from its own network (platform admins, on the
/// host): `labels` are `key=value` terms separated by commas or new lines.
#[server(endpoint = "clusters/join-agent")]
pub async fn join_through_agent(
    name: String,
    labels: String,
    provider: String,
    description: String,
) -> Result<AgentJoined, ClusterError> {
    use crate::ConsoleContext;
    let labels = ClusterError::check_labels(&labels)?;
    let console = use_context::<ConsoleContext>();
    let parts = use_context::<http::request::Parts>();
    let address = console.as_ref().map(ConsoleContext::address);
    let host_url = address
        .zip(parts.as_ref())
        .and_then(|(address, parts)| address.url(&parts.uri, &parts.headers))
        .ok_or_else(|| {
            ClusterError::Failed(
                "the console does not know its own address: start it with --host-url".into(),
            )
            .answer()
        })?;
    let request = orbital_federation::AgentJoinRequest {
        name,
        labels,
        provider: provider.trim().to_owned(),
        description: description.trim().to_owned(),
    };
    let joined = scope()?
        .join_agent(request)
        .await
        .map_err(ClusterError::from_join)?;
    let ca_pem = address.and_then(|address| address.ca_pem.as_deref());
    let run = orbital_agent::instructions(&host_url, &joined.cluster.name, &joined.token, ca_pem);
    Ok(AgentJoined {
        cluster: joined.cluster.name,
        command: run.command,
        manifest: run.manifest,
    })
}
