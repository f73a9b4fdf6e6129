//! Serving a sandbox: HTTPS with the sandbox's own CA, bearer-token authentication, and the
//! Kubernetes API routes.

mod auth;
mod kubeconfig;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::Rng;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use kubeconfig::Kubeconfig;
pub use orbital_tls::TlsError;

use crate::api::{self, discovery, json_response, openapi};
use crate::cluster::Cluster;
use crate::simulation::{self, SimulationConfig};
use crate::store::{Store, StoreError};

const TOKEN_FILE: &str = "token";
const STORE_FILE: &str = "store.redb";

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the store, CA and token are kept.
    pub data_dir: PathBuf,
    /// The cluster's name in the kubeconfig.
    pub name: String,
    /// The simulated nodes, kubelets and controllers; `None` leaves objects as clients write them.
    pub simulation: Option<SimulationConfig>,
    /// Whether a fresh sandbox gets the seed workloads (`kube-system` and `demo`).
    pub seed: bool,
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The data directory or a file in it is unusable.
    #[error("cannot use {}: {source}", path.display())]
    DataDir {
        /// The path.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Certificates could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
    /// The cluster's built-in state could not be set up.
    #[error("cannot initialise the cluster: {0}")]
    Init(String),
}

/// A running sandbox; stops when [`Sandbox::shutdown`] is called or it is dropped.
pub struct Sandbox {
    addr: SocketAddr,
    kubeconfig: Kubeconfig,
    cluster: Cluster,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    controllers: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens (or creates) the sandbox in `config.data_dir` and starts serving.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let data_dir = &config.data_dir;
        std::fs::create_dir_all(data_dir).map_err(|source| SandboxError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        let authority =
            orbital_tls::CertificateAuthority::load_or_create(data_dir, "orbital-sandbox")?;
        let token = load_or_create_token(data_dir)?;
        let store = Store::open(&data_dir.join(STORE_FILE))?;
        let cluster = Cluster::new(store);
        cluster
            .bootstrap()
            .await
            .map_err(|e| SandboxError::Init(e.to_string()))?;
        if config.seed {
            simulation::seed(&cluster)
                .await
                .map_err(|e| SandboxError::Init(format!("seeding: {e}")))?;
        }

        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| SandboxError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.listen,
            source,
        })?;
        let tls_config = authority.server_config(&orbital_tls::certificate_hosts(addr.ip()))?;
        let kubeconfig = Kubeconfig {
            name: config.name.clone(),
            server: format!("https://{}", client_address(addr)),
            ca_pem: authority.certificate_pem().to_owned(),
            token: token.clone(),
        };
        let mut controllers = crate::controllers::start(&cluster);
        if let Some(simulation) = &config.simulation {
            let simulated = simulation::start(&cluster, simulation).await;
            match simulated {
                Ok(handles) => controllers.extend(handles),
                Err(error) => {
                    controllers.iter().for_each(JoinHandle::abort);
                    return Err(SandboxError::Init(format!(
                        "starting the simulation: {error}"
                    )));
                }
            }
        }
        let router = router(cluster.clone(), auth::Token(token.into()));
        let (stop, stopped) = watch::channel(false);
        // Stopping closes every connection at once: a stopped sandbox is gone, as a crashed
        // API server would be.
        let server = tokio::spawn(orbital_tls::serve(
            listener,
            tls_config,
            router,
            stopped_signal(stopped),
            std::time::Duration::ZERO,
        ));
        tracing::info!(name = %config.name, "sandbox API server listening on https://{addr}");
        Ok(Self {
            addr,
            kubeconfig,
            cluster,
            stop,
            server: Some(server),
            controllers,
        })
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How clients reach the sandbox.
    pub fn kubeconfig(&self) -> &Kubeconfig {
        &self.kubeconfig
    }

    /// The cluster state, for in-process use (controllers, seeding, tests).
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Stops serving, closes open connections and stops the controllers; once it returns,
    /// nothing holds the store and the data directory can be opened again.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        for controller in self.controllers.drain(..) {
            controller.abort();
            let _ = controller.await;
        }
        // Tasks that outlive the connections and controllers (a write finishing on a blocking
        // thread, a stream being torn down) may still hold the store: closing it frees the file.
        let store = self.cluster.store().clone();
        let _ = tokio::task::spawn_blocking(move || store.close()).await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.controllers.iter().for_each(JoinHandle::abort);
    }
}

/// The sandbox's routes: public probes and discovery, then every resource URL.
pub fn router(cluster: Cluster, token: auth::Token) -> Router {
    Router::new()
        .route("/version", get(|| async { Json(discovery::version()) }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ok" }))
        .route("/api", get(|| async { Json(discovery::core_versions()) }))
        .route("/apis", get(groups))
        .route("/openapi/v3", get(openapi_root))
        .route("/openapi/v3/{*path}", get(openapi_document))
        .fallback(api::handle)
        .with_state(cluster)
        .layer(axum::middleware::from_fn_with_state(
            token,
            auth::require_token,
        ))
}

async fn groups(State(cluster): State<Cluster>) -> Response {
    json_response(StatusCode::OK, &discovery::groups(&cluster.catalog()))
}

async fn openapi_root(State(cluster): State<Cluster>) -> Response {
    json_response(StatusCode::OK, &openapi::root(&cluster.catalog()))
}

async fn openapi_document(
    State(cluster): State<Cluster>,
    UrlPath(path): UrlPath<String>,
) -> Response {
    match openapi::document(&cluster.catalog(), &path) {
        Some(document) => json_response(StatusCode::OK, &document),
        None => api::ApiError::UnknownResource.into_response(),
    }
}

/// Completes once `stopped` turns true (or its sender is gone).
async fn stopped_signal(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stopped| *stopped).await;
}

/// The address clients use: loopback when listening on every interface.
fn client_address(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

fn load_or_create_token(dir: &Path) -> Result<String, SandboxError> {
    let path = dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(token) if !token.trim().is_empty() => return Ok(token.trim().to_owned()),
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(SandboxError::DataDir { path, source }),
    }
    let bytes: [u8; 32] = rand::rng().random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    orbital_tls::write_private(&path, &token)
        .map_err(|source| SandboxError::DataDir { path, source })?;
    Ok(token)
}
