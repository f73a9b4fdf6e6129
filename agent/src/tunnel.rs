//! The host's end of agent connections: each cluster's live connections, and a Kubernetes
//! client whose requests travel through the newest of them as HTTP/2 streams, the host being
//! the HTTP/2 client and the agent the server.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::uri::{Authority, Scheme};
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http2::{self, SendRequest};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_util::sync::CancellationToken;

use crate::io::{WebSocketIo, websocket_config};

/// How many requests the host keeps open through one cluster's agent at once (watches and
/// followed logs included); further requests wait for one to end.
pub const STREAMS_PER_AGENT: usize = 256;
/// The most a stream's response may have sent that the host has not read yet.
const STREAM_WINDOW: u32 = 1 << 20;
/// The most all of a connection's responses may have sent that the host has not read yet.
const CONNECTION_WINDOW: u32 = 8 << 20;
/// The largest HTTP/2 frame the host accepts.
const MAX_FRAME: u32 = 64 * 1024;
/// The largest header block the host accepts in one response.
const MAX_HEADERS: u32 = 64 * 1024;
/// How often the connection is pinged.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(2);
/// How long a ping may go unanswered before the connection counts as lost: with the interval,
/// a silently cut connection is found within 5 s.
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a request could not travel through the tunnel.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    /// No agent of the cluster is connected.
    #[error("the agent of cluster {0:?} is not connected")]
    NotConnected(String),
    /// The request's address cannot be sent on.
    #[error("the request has no path to send through the tunnel")]
    NoPath,
    /// The connection failed.
    #[error("the agent connection failed: {0}")]
    Http(#[from] hyper::Error),
    /// The replica holding the agent's connection could not be reached.
    #[error("the replica holding the agent's connection could not be reached: {0}")]
    Relay(#[from] hyper_util::client::legacy::Error),
}

/// Another console replica that holds a cluster's agent connection, and how to ask it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayTarget {
    /// Where the replica takes its peers' requests (`http://10.0.0.7:3000`).
    pub url: String,
    /// The bearer token replicas present to each other.
    pub token: String,
}

/// Which replica holds a cluster's agent connection, when this one holds none.
pub trait Relay: Send + Sync + 'static {
    /// The replica to send `cluster`'s requests to; `None` when no other replica holds a
    /// connection of its agent.
    fn target(&self, cluster: &str) -> BoxFuture<'static, Option<RelayTarget>>;
}

/// The path under which a replica takes the requests its peers relay for `cluster`.
pub fn relay_path(cluster: &str) -> String {
    format!("/peer/clusters/{cluster}")
}

/// One live agent connection.
struct Link {
    id: u64,
    sender: SendRequest<kube::client::Body>,
    closer: CancellationToken,
}

impl Link {
    /// Whether it still carries requests.
    fn open(&self) -> bool {
        !self.sender.is_closed() && !self.closer.is_cancelled()
    }
}

/// How many connection changes a slow follower may fall behind by before it is told it lagged.
const CHANGES_KEPT: usize = 64;

/// The live agent connections of every cluster, newest last. Cheap to clone.
#[derive(Clone)]
pub struct Tunnels(Arc<Inner>);

struct Inner {
    links: Mutex<HashMap<String, Vec<Link>>>,
    next_id: AtomicU64,
    /// Requests open through each cluster's agents.
    permits: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// The cluster whose connections changed, each time one opens or ends.
    changes: broadcast::Sender<String>,
    /// Where a cluster's requests go when its agent is connected to another replica.
    relay: OnceLock<Arc<dyn Relay>>,
    /// The client of those other replicas.
    peers: HttpClient<HttpConnector, kube::client::Body>,
}

impl Default for Tunnels {
    fn default() -> Self {
        Self(Arc::new(Inner {
            links: Mutex::default(),
            next_id: AtomicU64::default(),
            permits: Mutex::default(),
            changes: broadcast::channel(CHANGES_KEPT).0,
            relay: OnceLock::new(),
            peers: HttpClient::builder(TokioExecutor::new()).build_http(),
        }))
    }
}

/// A connection accepted for a cluster, until [`Tunnels::serve`] runs it.
pub struct Accepted {
    closer: CancellationToken,
}

impl Accepted {
    /// Closes the connection (its token was revoked); a no-op once it has ended.
    pub fn closer(&self) -> CancellationToken {
        self.closer.clone()
    }
}

impl Tunnels {
    /// The name of each cluster whose agent connects or loses a connection, as it happens.
    pub fn changes(&self) -> broadcast::Receiver<String> {
        self.0.changes.subscribe()
    }

    /// A connection about to be served; its closer can be handed out before it runs.
    pub fn accept(&self) -> Accepted {
        Accepted {
            closer: CancellationToken::new(),
        }
    }

    /// Runs the agent connection `socket` (an HTTP connection upgraded to a WebSocket) for
    /// `cluster` until it ends or is closed. While it lives, it carries the cluster's requests
    /// unless a newer connection of the same cluster arrives.
    pub async fn serve<S>(
        &self,
        cluster: &str,
        accepted: Accepted,
        socket: S,
    ) -> Result<(), TunnelError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let socket =
            WebSocketStream::from_raw_socket(socket, Role::Server, Some(websocket_config())).await;
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .max_frame_size(MAX_FRAME)
            .max_header_list_size(MAX_HEADERS)
            .keep_alive_interval(KEEP_ALIVE_INTERVAL)
            .keep_alive_timeout(KEEP_ALIVE_TIMEOUT)
            .keep_alive_while_idle(true)
            .handshake(TokioIo::new(WebSocketIo::new(socket)))
            .await?;
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        self.links()
            .entry(cluster.to_owned())
            .or_default()
            .push(Link {
                id,
                sender,
                closer: accepted.closer.clone(),
            });
        tracing::info!(cluster, "an agent connected");
        // Nobody may be following: then there is no one to tell.
        let _ = self.0.changes.send(cluster.to_owned());
        let ended = tokio::select! {
            ended = connection => ended.map_err(TunnelError::from),
            () = accepted.closer.cancelled() => Ok(()),
        };
        let mut links = self.links();
        if let Some(live) = links.get_mut(cluster) {
            live.retain(|link| link.id != id);
            if live.is_empty() {
                links.remove(cluster);
            }
        }
        drop(links);
        tracing::info!(cluster, "an agent connection ended");
        let _ = self.0.changes.send(cluster.to_owned());
        ended
    }

    fn links(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Link>>> {
        self.0.links.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The clusters with an agent connected here.
    pub fn clusters(&self) -> Vec<String> {
        self.links()
            .iter()
            .filter(|(_, live)| live.iter().any(Link::open))
            .map(|(cluster, _)| cluster.clone())
            .collect()
    }

    /// Whether an agent of `cluster` is connected.
    pub fn connected(&self, cluster: &str) -> bool {
        self.sender(cluster).is_some()
    }

    /// Closes every connection of `cluster`'s agents.
    pub fn close(&self, cluster: &str) {
        if let Some(live) = self.links().get(cluster) {
            for link in live {
                link.closer.cancel();
            }
        }
    }

    /// The newest open connection of `cluster`.
    fn sender(&self, cluster: &str) -> Option<SendRequest<kube::client::Body>> {
        self.links()
            .get(cluster)?
            .iter()
            .rev()
            .find(|link| link.open())
            .map(|link| link.sender.clone())
    }

    fn permits(&self, cluster: &str) -> Arc<Semaphore> {
        let mut permits = self
            .0
            .permits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        permits
            .entry(cluster.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(STREAMS_PER_AGENT)))
            .clone()
    }

    /// A Kubernetes client for `cluster` whose requests go through its agent's newest
    /// connection, whichever that is when each request starts; without one here, through the
    /// replica holding one (see [`Tunnels::set_relay`]), and without any, requests fail at once
    /// with [`TunnelError::NotConnected`].
    pub fn client(&self, cluster: &str) -> kube::Client {
        self.client_relaying(cluster, true)
    }

    /// As [`Tunnels::client`], but never through another replica: for the requests other
    /// replicas relay here, so that none goes round in circles.
    pub fn local_client(&self, cluster: &str) -> kube::Client {
        self.client_relaying(cluster, false)
    }

    fn client_relaying(&self, cluster: &str, relaying: bool) -> kube::Client {
        let service = TunnelService {
            tunnels: self.clone(),
            cluster: cluster.to_owned(),
            permits: self.permits(cluster),
            relaying,
        };
        kube::Client::new(service, "default")
    }

    /// Sends the requests of clusters whose agent this replica does not hold to the replica
    /// `relay` names. Set once; later calls change nothing.
    pub fn set_relay(&self, relay: Arc<dyn Relay>) {
        let _ = self.0.relay.set(relay);
    }

    /// The replica holding `cluster`'s agent connection, when this one holds none.
    pub async fn relay_target(&self, cluster: &str) -> Option<RelayTarget> {
        let relay = self.0.relay.get()?.clone();
        relay.target(cluster).await
    }
}

/// Sends requests through a cluster's tunnel, or to the replica holding it.
#[derive(Clone)]
struct TunnelService {
    tunnels: Tunnels,
    cluster: String,
    permits: Arc<Semaphore>,
    /// Whether requests may go to another replica when this one holds no connection.
    relaying: bool,
}

/// The agent's authority in the requests the host sends it; the agent ignores it, as it only
/// ever reaches its own API server.
fn tunnel_uri(uri: &Uri) -> Result<Uri, TunnelError> {
    let path = uri.path_and_query().ok_or(TunnelError::NoPath)?.clone();
    let mut parts = http::uri::Parts::default();
    parts.scheme = Some(Scheme::HTTP);
    parts.authority = Some(Authority::from_static("agent"));
    parts.path_and_query = Some(path);
    Uri::from_parts(parts).map_err(|_| TunnelError::NoPath)
}

impl tower::Service<Request<kube::client::Body>> for TunnelService {
    type Response = Response<Streamed>;
    type Error = TunnelError;
    type Future = BoxFuture<'static, Result<Self::Response, TunnelError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TunnelError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<kube::client::Body>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move {
            let permit = service
                .permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| TunnelError::NotConnected(service.cluster.clone()))?;
            let Some(mut sender) = service.tunnels.sender(&service.cluster) else {
                let target = if service.relaying {
                    service.tunnels.relay_target(&service.cluster).await
                } else {
                    None
                };
                let target =
                    target.ok_or_else(|| TunnelError::NotConnected(service.cluster.clone()))?;
                let response = service.relay(target, request).await?;
                return Ok(response.map(|body| Streamed {
                    body,
                    _permit: permit,
                }));
            };
            let (mut parts, body) = request.into_parts();
            parts.uri = tunnel_uri(&parts.uri)?;
            // HTTP/2 names the host in `:authority`; a `Host` header would be refused.
            parts.headers.remove(http::header::HOST);
            sender.ready().await?;
            let response = sender
                .send_request(Request::from_parts(parts, body))
                .await?;
            Ok(response.map(|body| Streamed {
                body,
                _permit: permit,
            }))
        })
    }
}

impl TunnelService {
    /// Sends `request` to the replica `target`, which holds the cluster's agent connection.
    async fn relay(
        &self,
        target: RelayTarget,
        request: Request<kube::client::Body>,
    ) -> Result<Response<Incoming>, TunnelError> {
        let (mut parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .ok_or(TunnelError::NoPath)?
            .as_str();
        parts.uri = format!(
            "{}{}{path}",
            target.url.trim_end_matches('/'),
            relay_path(&self.cluster)
        )
        .parse()
        .map_err(|_| TunnelError::NoPath)?;
        parts.headers.remove(http::header::HOST);
        let bearer = http::HeaderValue::from_str(&format!("Bearer {}", target.token))
            .map_err(|_| TunnelError::NoPath)?;
        parts.headers.insert(http::header::AUTHORIZATION, bearer);
        Ok(self
            .tunnels
            .0
            .peers
            .request(Request::from_parts(parts, body))
            .await?)
    }
}

/// A response body from the tunnel, holding its place among the agent's open streams until
/// it is dropped.
pub struct Streamed {
    body: Incoming,
    _permit: OwnedSemaphorePermit,
}

impl Body for Streamed {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_keep_their_path_and_query_under_the_agents_authority() {
        let uri: Uri = "/api/v1/namespaces/a%2Fb/pods?watch=1&labelSelector=x%3Dy"
            .parse()
            .unwrap();
        assert_eq!(
            tunnel_uri(&uri).unwrap().to_string(),
            "http://agent/api/v1/namespaces/a%2Fb/pods?watch=1&labelSelector=x%3Dy"
        );
    }

    #[tokio::test]
    async fn a_cluster_without_an_agent_fails_at_once() {
        let tunnels = Tunnels::default();
        let client = tunnels.client("member-9");
        assert!(!tunnels.connected("member-9"));
        let error = client.apiserver_version().await.unwrap_err();
        assert!(
            error.to_string().contains("not connected"),
            "unexpected error: {error}"
        );
    }
}
