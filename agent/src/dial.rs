//! The agent: dials the host console, serves the host's requests over that one connection, and
//! dials again, with backoff and jitter, whenever the connection ends.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderValue, StatusCode, Uri, header};
use hyper::server::conn::http2;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use orbital_syntax::is_dns_label;
use rand::Rng;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::client_async_with_config;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

use crate::forward::forward;
use crate::io::{WebSocketIo, websocket_config};

/// How long dialling the host and the WebSocket handshake may take.
const DIAL_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait before dialling again; it doubles with each failure, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait before dialling again.
const MAX_BACKOFF: Duration = Duration::from_secs(16);
/// How many of the host's requests the agent serves at once.
const MAX_STREAMS: u32 = 1024;
/// How much of one request body the host may have sent that the agent has not read yet.
const STREAM_WINDOW: u32 = 1 << 20;
/// The same for all of a connection's request bodies.
const CONNECTION_WINDOW: u32 = 8 << 20;
/// How often an idle connection is pinged, and how long a ping may go unanswered.
const KEEP_ALIVE: Duration = Duration::from_secs(3);

/// Why the agent could not connect, or its connection ended.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The host's address is not a `ws://`, `wss://`, `http://` or `https://` URL.
    #[error(
        "{0:?} is not a URL of the host console: use https://host[:port] (or http:// on loopback)"
    )]
    HostUrl(String),
    /// The cluster name cannot be part of a URL path.
    #[error("{0:?} is not a valid cluster name")]
    ClusterName(String),
    /// The token file cannot be read, or holds no token.
    #[error("the token file {path} cannot be used: {reason}")]
    Token {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The CA file cannot be read.
    #[error("the CA file {path} cannot be used: {reason}")]
    Ca {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// TLS could not be set up.
    #[error("TLS cannot be set up: {0}")]
    Tls(#[from] rustls::Error),
    /// The host could not be reached.
    #[error("cannot reach the host console: {0}")]
    Unreachable(String),
    /// The host refused the connection.
    #[error("the host console refused the connection ({0}): check the cluster name and the token")]
    Refused(StatusCode),
    /// The connection broke.
    #[error("the connection to the host console failed: {0}")]
    Connection(String),
}

/// What the agent needs to dial the host.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// The host console's address (`https://console.example.com`; `wss://` and, for loopback,
    /// `http://` or `ws://` too).
    pub host_url: String,
    /// The name the cluster is joined under on the host.
    pub cluster: String,
    /// The file holding the join token; read again before every dial, so a replaced token is
    /// used from the next connection on.
    pub token_file: PathBuf,
    /// A CA certificate (PEM) the host's certificate may be issued by, besides the system's.
    pub ca_file: Option<PathBuf>,
}

/// Where the agent dials.
#[derive(Clone)]
struct Endpoint {
    host: String,
    port: u16,
    /// `Some` for `wss://` and `https://`.
    tls: Option<TlsConnector>,
    /// The WebSocket URL of the connection.
    url: String,
}

impl Endpoint {
    fn new(config: &AgentConfig) -> Result<Self, AgentError> {
        let invalid = || AgentError::HostUrl(config.host_url.clone());
        let uri: Uri = config.host_url.parse().map_err(|_| invalid())?;
        let secure = match uri.scheme_str() {
            Some("https" | "wss") => true,
            Some("http" | "ws") => false,
            _ => return Err(invalid()),
        };
        let authority = uri.authority().ok_or_else(invalid)?;
        if uri.query().is_some() || authority.as_str().contains('@') {
            return Err(invalid());
        }
        if !is_dns_label(&config.cluster) {
            return Err(AgentError::ClusterName(config.cluster.clone()));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority
            .port_u16()
            .unwrap_or(if secure { 443 } else { 80 });
        let scheme = if secure { "wss" } else { "ws" };
        let base = uri.path().trim_end_matches('/');
        Ok(Self {
            host: host.to_owned(),
            port,
            tls: secure
                .then(|| tls_connector(config.ca_file.as_deref()))
                .transpose()?,
            url: format!(
                "{scheme}://{authority}{base}/agent/connect/{}",
                config.cluster
            ),
        })
    }
}

/// TLS to the host, trusting the system's CAs and `ca_file`'s.
fn tls_connector(ca_file: Option<&Path>) -> Result<TlsConnector, AgentError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let failed = |reason: String| AgentError::Ca {
            path: path.to_owned(),
            reason,
        };
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| failed(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(e.to_string()))?;
        if certificates.is_empty() {
            return Err(failed("it holds no certificate".into()));
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|e| failed(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// An agent for one cluster, forwarding to that cluster's API server through `client`.
pub struct Agent {
    endpoint: Endpoint,
    token_file: PathBuf,
    client: kube::Client,
}

/// How a connection ended.
#[derive(Debug)]
pub enum Ended {
    /// It was established, then closed by either end.
    Closed,
    /// It was established, then broke.
    Broken(AgentError),
}

impl Agent {
    /// An agent dialling as `config` says, forwarding through `client`.
    pub fn new(config: &AgentConfig, client: kube::Client) -> Result<Self, AgentError> {
        Ok(Self {
            endpoint: Endpoint::new(config)?,
            token_file: config.token_file.clone(),
            client,
        })
    }

    fn token(&self) -> Result<HeaderValue, AgentError> {
        let failed = |reason: String| AgentError::Token {
            path: self.token_file.clone(),
            reason,
        };
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| failed(e.to_string()))?;
        let token = token.trim();
        if token.is_empty() {
            return Err(failed("it is empty".into()));
        }
        HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| failed("it holds characters a token cannot have".into()))
    }

    /// Dials the host once and serves its requests until the connection ends; an error when
    /// no connection was made.
    pub async fn connect_once(&self) -> Result<Ended, AgentError> {
        let token = self.token()?;
        let endpoint = &self.endpoint;
        let tcp = tokio::time::timeout(
            DIAL_TIMEOUT,
            TcpStream::connect((endpoint.host.as_str(), endpoint.port)),
        )
        .await
        .map_err(|_| AgentError::Unreachable("no answer in time".into()))?
        .map_err(|e| AgentError::Unreachable(e.to_string()))?;
        tcp.set_nodelay(true)
            .map_err(|e| AgentError::Unreachable(e.to_string()))?;
        match &endpoint.tls {
            None => self.serve_over(tcp, token).await,
            Some(connector) => {
                let name = ServerName::try_from(endpoint.host.clone())
                    .map_err(|_| AgentError::HostUrl(endpoint.host.clone()))?;
                let tls = tokio::time::timeout(DIAL_TIMEOUT, connector.connect(name, tcp))
                    .await
                    .map_err(|_| AgentError::Unreachable("no TLS answer in time".into()))?
                    .map_err(|e| AgentError::Unreachable(e.to_string()))?;
                self.serve_over(tls, token).await
            }
        }
    }

    async fn serve_over<S>(&self, stream: S, token: HeaderValue) -> Result<Ended, AgentError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let mut request = self
            .endpoint
            .url
            .as_str()
            .into_client_request()
            .map_err(|_| AgentError::HostUrl(self.endpoint.url.clone()))?;
        request.headers_mut().insert(header::AUTHORIZATION, token);
        let handshake = client_async_with_config(request, stream, Some(websocket_config()));
        let (socket, _) = match tokio::time::timeout(DIAL_TIMEOUT, handshake).await {
            Err(_) => return Err(AgentError::Unreachable("no handshake in time".into())),
            Ok(Err(tungstenite::Error::Http(response))) => {
                return Err(AgentError::Refused(response.status()));
            }
            Ok(Err(error)) => return Err(AgentError::Unreachable(error.to_string())),
            Ok(Ok(connected)) => connected,
        };
        tracing::info!(host = %self.endpoint.url, "connected to the host console");
        let client = self.client.clone();
        let served = http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .max_concurrent_streams(MAX_STREAMS)
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .keep_alive_interval(KEEP_ALIVE)
            .keep_alive_timeout(KEEP_ALIVE)
            .serve_connection(
                TokioIo::new(WebSocketIo::new(socket)),
                service_fn(move |request| forward(client.clone(), request)),
            )
            .await;
        Ok(match served {
            Ok(()) => Ended::Closed,
            Err(error) => Ended::Broken(AgentError::Connection(error.to_string())),
        })
    }

    /// Stays connected to the host until the future is dropped: dials, serves, and after a
    /// failure or a lost connection dials again after a growing, jittered wait, which starts
    /// over once a connection was made.
    pub async fn run(&self) {
        let mut failures = 0u32;
        loop {
            let started = Instant::now();
            match self.connect_once().await {
                Ok(ended) => {
                    failures = 0;
                    tracing::warn!(after = ?started.elapsed(), "the connection to the host console ended: {ended:?}");
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!("{error}");
                }
            }
            tokio::time::sleep(backoff(failures)).await;
        }
    }
}

/// The wait before dialling again after `failures` failed dials in a row: half of a ceiling that
/// doubles with each failure, plus a random part of the other half, so agents that lost the
/// host together do not dial it together.
fn backoff(failures: u32) -> Duration {
    let ceiling = FIRST_BACKOFF
        .saturating_mul(1 << failures.min(16))
        .min(MAX_BACKOFF);
    let half = ceiling / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> AgentConfig {
        AgentConfig {
            host_url: url.into(),
            cluster: "member-2".into(),
            token_file: "token".into(),
            ca_file: None,
        }
    }

    #[test]
    fn the_connection_url_follows_the_host_url() {
        let plain = Endpoint::new(&config("http://127.0.0.1:3000")).unwrap();
        assert_eq!(plain.url, "ws://127.0.0.1:3000/agent/connect/member-2");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 3000));
        assert!(plain.tls.is_none());
        let secure = Endpoint::new(&config("https://console.example.com/orbital/")).unwrap();
        assert_eq!(
            secure.url,
            "wss://console.example.com/orbital/agent/connect/member-2"
        );
        assert_eq!(secure.port, 443);
        assert!(secure.tls.is_some());
    }

    #[test]
    fn only_a_console_url_and_a_cluster_name_are_accepted() {
        for url in [
            "ftp://host",
            "127.0.0.1:3000",
            "https://user@host",
            "http://h/?x=1",
        ] {
            assert!(
                matches!(Endpoint::new(&config(url)), Err(AgentError::HostUrl(_))),
                "{url}"
            );
        }
        let mut named = config("http://127.0.0.1:3000");
        named.cluster = "../api".into();
        assert!(matches!(
            Endpoint::new(&named),
            Err(AgentError::ClusterName(_))
        ));
    }

    #[test]
    fn the_wait_grows_to_its_ceiling_with_jitter() {
        for failures in 0..40 {
            let ceiling = FIRST_BACKOFF
                .saturating_mul(1 << failures.min(16))
                .min(MAX_BACKOFF);
            let wait = backoff(failures);
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{failures}: {wait:?}"
            );
        }
        assert!(backoff(40) >= MAX_BACKOFF / 2);
    }
}
