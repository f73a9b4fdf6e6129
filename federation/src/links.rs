//! Every console replica reaches every member joined through an agent, though each agent's
//! connection reaches only one of them: the replica holding a cluster's connection records
//! itself in the Lease `orbital-system/agent-link-<cluster>` (with its peer address) and renews
//! it while connected; another replica relays that cluster's requests to it, presenting the
//! token the replicas share (the Secret `orbital-system/orbital-peer`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use futures::future::BoxFuture;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::Api;
use kube::api::PostParams;
use orbital_agent::{Relay, RelayTarget, Tunnels};
use orbital_iam::credentials::{SYSTEM_NAMESPACE, bearer_token, new_key};
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::proxy::{self, Redaction, Target};
use crate::registry::RegistryError;

/// The Secret holding the token replicas present to each other.
const PEER_SECRET: &str = "orbital-peer";
const PEER_TOKEN_KEY: &str = "token";
/// The annotation of a link Lease naming its holder's peer address.
const PEER_URL_ANNOTATION: &str = "orbital.dev/peer-url";
/// How long a link lasts unless its holder renews it, and how often it does.
const LINK_DURATION: Duration = Duration::from_secs(15);
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How long a replica trusts what it read of a link before reading it again.
const KEPT: Duration = Duration::from_secs(2);

fn link_name(cluster: &str) -> String {
    format!("agent-link-{cluster}")
}

/// This replica's part in relaying: the links it records and reads. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Links(Arc<Inner>);

struct Inner {
    leases: Api<Lease>,
    tunnels: Tunnels,
    identity: String,
    url: String,
    token: String,
    /// What was read of each cluster's link, and when.
    read: Mutex<HashMap<String, (Instant, Option<RelayTarget>)>>,
}

/// The replicas' shared token, made by whichever replica starts first.
async fn peer_token(host: &kube::Client) -> Result<String, RegistryError> {
    let secrets: Api<Secret> = Api::namespaced(host.clone(), SYSTEM_NAMESPACE);
    let fresh = Secret {
        metadata: ObjectMeta {
            name: Some(PEER_SECRET.to_owned()),
            ..ObjectMeta::default()
        },
        string_data: Some(BTreeMap::from([(
            PEER_TOKEN_KEY.to_owned(),
            new_key("orbital-peer-"),
        )])),
        ..Secret::default()
    };
    match secrets.create(&PostParams::default(), &fresh).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(error) => return Err(error.into()),
    }
    let stored = secrets.get(PEER_SECRET).await?;
    let token = stored
        .data
        .and_then(|data| data.get(PEER_TOKEN_KEY).cloned())
        .map(|bytes| String::from_utf8_lossy(&bytes.0).into_owned())
        .unwrap_or_default();
    Ok(token)
}

impl Links {
    /// Starts recording the connections this replica (`identity`, reached by its peers at
    /// `url`) holds, and has `tunnels` relay the others' clusters to their holders.
    pub(crate) async fn start(
        host: &kube::Client,
        tunnels: &Tunnels,
        identity: &str,
        url: &str,
    ) -> Result<(Self, JoinHandle<()>), RegistryError> {
        let links = Self(Arc::new(Inner {
            leases: Api::namespaced(host.clone(), SYSTEM_NAMESPACE),
            tunnels: tunnels.clone(),
            identity: identity.to_owned(),
            url: url.to_owned(),
            token: peer_token(host).await?,
            read: Mutex::default(),
        }));
        tunnels.set_relay(Arc::new(links.clone()));
        let task = tokio::spawn(links.clone().record_all());
        Ok((links, task))
    }

    /// Keeps the links of this replica's connections current: at once when one opens or
    /// ends, and renewed every [`RENEW_EVERY`].
    async fn record_all(self) {
        let mut changes = self.0.tunnels.changes();
        let mut ticker = tokio::time::interval(RENEW_EVERY);
        loop {
            let clusters = tokio::select! {
                _ = ticker.tick() => self.0.tunnels.clusters(),
                change = changes.recv() => match change {
                    Ok(cluster) => vec![cluster],
                    Err(broadcast::error::RecvError::Lagged(_)) => self.0.tunnels.clusters(),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            for cluster in clusters {
                let connected = self.0.tunnels.connected(&cluster);
                if let Err(error) = self.record(&cluster, connected).await {
                    tracing::warn!(
                        cluster,
                        "cannot record which replica holds the agent's connection: {error}"
                    );
                }
            }
        }
    }

    /// Records this replica as holding `cluster`'s connection, or no longer.
    async fn record(&self, cluster: &str, connected: bool) -> Result<(), kube::Error> {
        let name = link_name(cluster);
        let now = MicroTime(jiff::Timestamp::now());
        let Some(mut lease) = self.0.leases.get_opt(&name).await? else {
            if !connected {
                return Ok(());
            }
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(name),
                    annotations: Some(BTreeMap::from([(
                        PEER_URL_ANNOTATION.to_owned(),
                        self.0.url.clone(),
                    )])),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.0.identity.clone()),
                    lease_duration_seconds: Some(LINK_DURATION.as_secs() as i32),
                    renew_time: Some(now),
                    ..LeaseSpec::default()
                }),
            };
            return match self.0.leases.create(&PostParams::default(), &lease).await {
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
                other => other.map(|_| ()),
            };
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        let mine = spec.holder_identity.as_deref() == Some(self.0.identity.as_str());
        if !connected && !mine {
            return Ok(());
        }
        // A newer connection wins, as among one replica's connections: whoever connected last
        // records itself.
        spec.holder_identity = connected.then(|| self.0.identity.clone());
        spec.lease_duration_seconds = Some(LINK_DURATION.as_secs() as i32);
        spec.renew_time = Some(now);
        lease
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(PEER_URL_ANNOTATION.to_owned(), self.0.url.clone());
        match self
            .0
            .leases
            .replace(&link_name(cluster), &PostParams::default(), &lease)
            .await
        {
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// The replica holding `cluster`'s connection, read from its link.
    async fn holder(&self, cluster: &str) -> Option<RelayTarget> {
        let lease = match self.0.leases.get_opt(&link_name(cluster)).await {
            Ok(lease) => lease?,
            Err(error) => {
                tracing::warn!(
                    cluster,
                    "cannot read which replica holds the agent's connection: {error}"
                );
                return None;
            }
        };
        let spec = lease.spec?;
        let holder = spec.holder_identity.filter(|holder| !holder.is_empty())?;
        let lasts = Duration::from_secs(spec.lease_duration_seconds?.try_into().ok()?);
        let renewed = spec.renew_time?.0;
        let age = jiff::Timestamp::now()
            .duration_since(renewed)
            .unsigned_abs();
        if holder == self.0.identity || age > lasts {
            return None;
        }
        let url = lease.metadata.annotations?.remove(PEER_URL_ANNOTATION)?;
        Some(RelayTarget {
            url,
            token: self.0.token.clone(),
        })
    }

    /// Serves a request another replica relays for `cluster` through this replica's own
    /// connection of its agent; refused unless it carries the replicas' token.
    pub(crate) async fn relayed(
        &self,
        cluster: &str,
        path_and_query: &str,
        request: Request<Body>,
    ) -> Response<Body> {
        let presented = bearer_token(request.headers()).unwrap_or_default();
        if !bool::from(presented.as_bytes().ct_eq(self.0.token.as_bytes())) {
            return proxy::status_response(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "only another replica of this console may relay requests here",
            );
        }
        let client = self.0.tunnels.local_client(cluster);
        let target = Target {
            cluster,
            path_and_query,
        };
        proxy::forward(&client, &target, request, Redaction::None).await
    }
}

impl Relay for Links {
    fn target(&self, cluster: &str) -> BoxFuture<'static, Option<RelayTarget>> {
        let links = self.clone();
        let cluster = cluster.to_owned();
        Box::pin(async move {
            let kept = links
                .0
                .read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&cluster)
                .filter(|(at, _)| at.elapsed() < KEPT)
                .map(|(_, target)| target.clone());
            if let Some(target) = kept {
                return target;
            }
            let target = links.holder(&cluster).await;
            links
                .0
                .read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(cluster, (Instant::now(), target.clone()));
            target
        })
    }
}
