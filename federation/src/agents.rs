//! Members joined through an agent. Each has a join token in the Secret
//! `orbital-system/agent-<cluster>` (key `token`), made by the host when missing, so an operator
//! may bring their own; deleting or replacing that Secret revokes the token, and the live
//! connections made with it are closed at once. An agent dialling in is admitted only with its
//! cluster's current token, compared in constant time; every refusal reads the same, so it
//! never tells whether the cluster exists.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use futures::StreamExt;
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::Api;
use kube::runtime::watcher;
use orbital_agent::{Accepted, TunnelError, Tunnels, upgrade};
use orbital_iam::credentials::bearer_token;
use orbital_syntax::is_dns_label;
use orbital_types::Connection;
use subtle::ConstantTimeEq;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::cluster::SYSTEM_NAMESPACE;
use crate::registry::{Registry, RegistryError, member_secret};

/// The key of the token in an agent member's Secret.
pub const TOKEN_KEY: &str = "token";

/// The Secret holding the join token of the agent member `cluster`.
pub fn token_secret_name(cluster: &str) -> String {
    format!("agent-{cluster}")
}

/// An agent was not admitted. It is told nothing more, whatever the reason.
#[derive(Debug, thiserror::Error)]
#[error("the cluster name or the token is not valid")]
struct AgentRefused;

/// The host's agent members: their tokens and their connections. Cheap to clone.
#[derive(Clone)]
pub struct Agents {
    registry: Registry,
    secrets: Api<Secret>,
    tunnels: Tunnels,
}

/// The token stored for `cluster`, if any.
pub(crate) fn stored_token(secret: &Secret) -> Option<&[u8]> {
    secret
        .data
        .as_ref()?
        .get(TOKEN_KEY)
        .map(|bytes| bytes.0.trim_ascii())
        .filter(|token| !token.is_empty())
}

/// Whether `secret` holds `token`, compared in constant time.
pub(crate) fn holds(secret: Option<&Secret>, token: &[u8]) -> bool {
    secret
        .and_then(stored_token)
        .is_some_and(|stored| bool::from(stored.ct_eq(token)))
}

impl Agents {
    pub(crate) fn new(registry: Registry, host: kube::Client, tunnels: Tunnels) -> Self {
        Self {
            registry,
            secrets: Api::namespaced(host, SYSTEM_NAMESPACE),
            tunnels,
        }
    }

    /// The token of the agent member `cluster`, made now when its Secret is missing.
    pub(crate) async fn token(
        &self,
        cluster: &str,
        owner: Option<OwnerReference>,
    ) -> Result<String, RegistryError> {
        let name = token_secret_name(cluster);
        if let Some(secret) = self.secrets.get_opt(&name).await?
            && let Some(token) = stored_token(&secret)
        {
            return Ok(String::from_utf8_lossy(token).into_owned());
        }
        let token = orbital_iam::credentials::new_key("orbital-agent-");
        let secret = member_secret(name, cluster, owner, TOKEN_KEY, token.clone().into_bytes());
        self.registry.put_secret(secret).await?;
        Ok(token)
    }

    /// Answers an agent of `cluster` dialling in with its bearer token (from `client`, as the
    /// log names it): a WebSocket upgrade of `request`, taken over and served until it ends or
    /// the token is revoked, when the cluster is an agent member and the token its current one;
    /// else a refusal that reads the same whatever was wrong.
    pub async fn connect(
        &self,
        cluster: &str,
        mut request: Request<Body>,
        client: &str,
    ) -> Response<Body> {
        let token = bearer_token(request.headers())
            .unwrap_or_default()
            .to_owned();
        let (switching, connection) = match upgrade(&mut request) {
            Ok(upgraded) => upgraded,
            Err(error) => return answer(StatusCode::BAD_REQUEST, error.to_string()),
        };
        let admitted = match self.admit(cluster, &token).await {
            Ok(admitted) => admitted,
            Err(refused) => {
                tracing::warn!(cluster, client, "refused an agent: {refused}");
                return answer(StatusCode::UNAUTHORIZED, refused.to_string());
            }
        };
        tracing::info!(cluster, client, "admitted an agent");
        let cluster = cluster.to_owned();
        tokio::spawn(async move {
            match connection.await {
                Ok(socket) => {
                    if let Err(error) = admitted.serve(TokioIo::new(socket)).await {
                        tracing::info!(cluster, "an agent connection failed: {error}");
                    }
                }
                Err(error) => {
                    tracing::warn!(
                        cluster,
                        "an agent's connection was not handed over: {error}"
                    );
                }
            }
        });
        switching.map(|()| Body::empty())
    }

    /// Admits an agent dialling in for `cluster` with `token`: the cluster must be an agent
    /// member and the token its current one.
    async fn admit(&self, cluster: &str, token: &str) -> Result<Admitted, AgentRefused> {
        if !is_dns_label(cluster) {
            return Err(AgentRefused);
        }
        let member = self.registry.get(cluster).await.map_err(|error| {
            tracing::warn!(cluster, "cannot check an agent's cluster: {error}");
            AgentRefused
        })?;
        if member.is_none_or(|member| member.connection != Connection::Agent) {
            return Err(AgentRefused);
        }
        let secret = self
            .secrets
            .get_opt(&token_secret_name(cluster))
            .await
            .map_err(|error| {
                tracing::warn!(cluster, "cannot read an agent's token: {error}");
                AgentRefused
            })?;
        if !holds(secret.as_ref(), token.as_bytes()) {
            return Err(AgentRefused);
        }
        Ok(Admitted {
            agents: self.clone(),
            cluster: cluster.to_owned(),
            token: token.as_bytes().to_vec(),
            accepted: self.tunnels.accept(),
        })
    }
}

/// A plain-text answer.
fn answer(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response
}

/// An agent connection that was admitted, to be served once the HTTP connection is upgraded.
struct Admitted {
    agents: Agents,
    cluster: String,
    token: Vec<u8>,
    accepted: Accepted,
}

impl Admitted {
    /// Serves the connection until it ends, closing it as soon as the token it was admitted
    /// with is no longer its cluster's.
    async fn serve<S>(self, socket: S) -> Result<(), TunnelError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let closer = self.accepted.closer();
        let revocation = watch_token(
            self.agents.secrets.clone(),
            token_secret_name(&self.cluster),
            self.token,
        );
        let cluster = self.cluster.clone();
        let revoked = tokio::spawn(async move {
            revocation.await;
            tracing::warn!(
                cluster,
                "the agent's token was revoked: closing its connection"
            );
            closer.cancel();
        });
        let served = self
            .agents
            .tunnels
            .serve(&self.cluster, self.accepted, socket)
            .await;
        revoked.abort();
        served
    }
}

/// Returns once the Secret `name` no longer holds `token`: it was replaced or deleted.
async fn watch_token(secrets: Api<Secret>, name: String, token: Vec<u8>) {
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut events = watcher(secrets, config).boxed();
    // Whether the listing that (re)starts a watch has shown the Secret yet.
    let mut listed = false;
    while let Some(event) = events.next().await {
        let held = match event {
            Ok(watcher::Event::Init) => {
                listed = false;
                true
            }
            Ok(watcher::Event::InitApply(secret)) => {
                listed = true;
                holds(Some(&secret), &token)
            }
            Ok(watcher::Event::InitDone) => listed,
            Ok(watcher::Event::Apply(secret)) => holds(Some(&secret), &token),
            Ok(watcher::Event::Delete(_)) => false,
            Err(error) => {
                tracing::debug!("watching an agent's token: {error}");
                true
            }
        };
        if !held {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::ByteString;

    use super::*;

    fn secret(token: &str) -> Secret {
        Secret {
            data: Some(BTreeMap::from([(
                TOKEN_KEY.to_owned(),
                ByteString(token.as_bytes().to_vec()),
            )])),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_stored_token_is_held() {
        assert!(holds(Some(&secret("abc\n")), b"abc"));
        assert!(!holds(Some(&secret("abc")), b"abd"));
        assert!(!holds(Some(&secret("abc")), b"ab"));
        assert!(!holds(Some(&secret("")), b""));
        assert!(!holds(None, b"abc"));
        assert!(!holds(Some(&Secret::default()), b"abc"));
    }
}
