//! `orbital serve`: the web console.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use leptos::config::{LeptosOptions, errors::LeptosConfigError, get_configuration};
use orbital_app::{BUNDLE_NAME, ConsoleAddress, ConsoleContext, ConsoleMode, Readiness};
use orbital_federation::Federation;
use tokio::net::TcpListener;

use crate::audit::AuditLog;
use crate::cli::ServeArgs;
use crate::clusters::{Clusters, ClustersError, console_clients};
use crate::router::{self, ConsoleState};
use crate::shutdown;
use orbital_appstore::{AppStore, ConsoleAppStore, HostAppStore, Pool};

/// How often readiness checks that the console's cluster answers.
const CONNECTION_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// Why the console could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {}: {source}; choose another with --data-dir", path.display())]
    DataDir {
        /// The directory asked for.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
    /// A `LEPTOS_*` environment variable holds a value that cannot be used.
    #[error("invalid site setting in the environment: {0}")]
    SiteConfig(#[from] LeptosConfigError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}; choose another address with --listen")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
    /// The clusters could not be reached or started.
    #[error(transparent)]
    Clusters(#[from] ClustersError),
    /// The HTTP server failed while running.
    #[error("the web server failed: {0}")]
    Serve(io::Error),
    /// The audit log could not be opened.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// The App Store's built-in charts do not load (a build that should not have passed).
    #[error("the App Store cannot start: {0}")]
    AppStore(#[from] orbital_appstore::RepositoryError),
    /// HTTPS could not be set up.
    #[error("cannot serve HTTPS: {0}")]
    Tls(#[from] orbital_tls::TlsError),
}

/// How long open connections may finish after a shutdown signal when serving HTTPS.
const DRAIN: Duration = Duration::from_secs(10);

/// The TLS configuration `args` ask for, if any, with the certificate of the authority that
/// signed the console's certificate when the console made it.
type TlsSetup = (Arc<rustls::ServerConfig>, Option<String>);

fn tls_config(args: &ServeArgs, addr: SocketAddr) -> Result<Option<TlsSetup>, ServeError> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return Ok(Some((
            orbital_tls::server_config_from_files(cert, key)?,
            None,
        )));
    }
    if !args.tls_self_signed {
        return Ok(None);
    }
    let dir = args.data_dir.join("tls");
    std::fs::create_dir_all(&dir).map_err(|source| ServeError::DataDir {
        path: dir.clone(),
        source,
    })?;
    let authority = orbital_tls::CertificateAuthority::load_or_create(&dir, "orbital-console")?;
    tracing::info!(
        "serving HTTPS; clients trust {}",
        dir.join("ca.crt").display()
    );
    let config = authority.server_config(&orbital_tls::certificate_hosts(addr.ip()))?;
    Ok(Some((config, Some(authority.certificate_pem().to_owned()))))
}

/// Runs the console until SIGINT or SIGTERM, then finishes in-flight requests and returns.
pub async fn run(args: ServeArgs) -> Result<(), ServeError> {
    std::fs::create_dir_all(&args.data_dir).map_err(|source| ServeError::DataDir {
        path: args.data_dir.clone(),
        source,
    })?;
    let leptos_options = site_options(args.listen)?;
    warn_if_bundle_missing(&leptos_options);

    let audit_path = args
        .audit_log
        .clone()
        .unwrap_or_else(|| args.data_dir.join("audit.log"));
    let readiness = Readiness::default();
    // A member's App Store is its host's, whatever its own switch says.
    let pool = match (args.app_store, args.mode) {
        (true, ConsoleMode::Host) => Some(Arc::new(Pool::builtin()?)),
        _ => None,
    };
    #[cfg_attr(not(feature = "sandbox"), allow(unused_mut))]
    let mut clusters = Clusters::start(&args, pool.clone()).await?;
    let federation = clusters.federation().clone();
    let app_store = match (pool, args.mode, &args.host_url) {
        (Some(pool), ..) => Some(ConsoleAppStore::Host(Arc::new(
            AppStore::new(pool, clusters.host().clone())
                .with_cluster_clients(console_clients(&federation)),
        ))),
        (None, ConsoleMode::Member, Some(host_url)) => Some(ConsoleAppStore::Member(Arc::new(
            HostAppStore::new(host_url, federation.clone()),
        ))),
        _ => None,
    };
    let connection_check = tokio::spawn(follow_connection(federation.clone(), readiness.clone()));
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: args.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::Serve)?;
    let tls = tls_config(&args, addr)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    #[cfg(feature = "sandbox")]
    {
        // The embedded agents dial this console as any agent would, at the address it serves.
        let reachable = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv6() => {
                SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], addr.port()))
            }
            ip if ip.is_unspecified() => SocketAddr::from(([127, 0, 0, 1], addr.port())),
            _ => addr,
        };
        let ca_pem = tls.as_ref().and_then(|(_, ca)| ca.as_deref());
        clusters
            .start_embedded_agents(&args.data_dir, &format!("{scheme}://{reachable}"), ca_pem)
            .await?;
    }
    let address = ConsoleAddress {
        // In member mode the URL is the host's, not this console's.
        public_url: args
            .host_url
            .clone()
            .filter(|_| args.mode == ConsoleMode::Host),
        tls: tls.is_some(),
        ca_pem: tls.as_ref().and_then(|(_, ca)| ca.clone()),
    };
    let audit = AuditLog::open(&audit_path)?;
    let state = ConsoleState {
        leptos_options,
        console: ConsoleContext::new(args.mode, readiness.clone())
            .with_host_url(
                args.host_url
                    .clone()
                    .filter(|_| args.mode == ConsoleMode::Member),
            )
            .with_audit(Arc::new(audit.clone()))
            .with_address(address),
        federation: Some(federation),
        auth: Some(clusters.auth().clone()),
        tenancy: Some(clusters.tenancy().clone()),
        secure_cookies: args.secure_cookies(),
        audit: Some(audit),
        app_store,
    };
    tracing::info!(mode = %args.mode, "Orbital console listening on {scheme}://{addr}");
    readiness.mark_ready();

    let stopping = async move {
        shutdown::signal_received().await;
        readiness.mark_not_ready();
    };
    match tls {
        Some((config, _)) => {
            orbital_tls::serve(listener, config, router::app(state), stopping, DRAIN).await
        }
        None => {
            let app = router::app(state).into_make_service_with_connect_info::<SocketAddr>();
            // As orbital_tls::serve does: small writes (an agent tunnel's window updates and
            // pings) go out at once.
            let listener = listener.tap_io(|tcp| {
                if let Err(error) = tcp.set_nodelay(true) {
                    tracing::debug!("cannot turn Nagle's algorithm off for a connection: {error}");
                }
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(stopping)
                .await
                .map_err(ServeError::Serve)?;
        }
    }
    connection_check.abort();
    clusters.shutdown().await;
    tracing::info!("Orbital console stopped");
    Ok(())
}

/// Keeps `readiness` knowing whether the cluster the console depends on answers: the host
/// cluster's registry, or a member console's own cluster.
async fn follow_connection(federation: Federation, readiness: Readiness) {
    let mut ticker = tokio::time::interval(CONNECTION_CHECK_INTERVAL);
    loop {
        ticker.tick().await;
        let reachable = federation.reachable().await;
        if reachable != readiness.is_connected() {
            if reachable {
                tracing::info!("the console's cluster answers: ready");
            } else {
                tracing::warn!("the console's cluster does not answer: not ready");
            }
        }
        readiness.set_connected(reachable);
    }
}

/// Site settings: `LEPTOS_*` variables where set (the site root above all), and the bundle
/// name and listen address that this binary owns.
fn site_options(listen: SocketAddr) -> Result<LeptosOptions, ServeError> {
    let mut options = get_configuration(None)?.leptos_options;
    options.output_name = BUNDLE_NAME.into();
    options.site_addr = listen;
    Ok(options)
}

/// Pages still render without the browser bundle, but nothing on them responds to clicks.
fn warn_if_bundle_missing(options: &LeptosOptions) {
    let wasm = Path::new(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(format!("{BUNDLE_NAME}.wasm"));
    if !wasm.is_file() {
        tracing::warn!(
            "browser bundle {} not found: pages render but stay static; \
             build it with `cargo xtask build` or set LEPTOS_SITE_ROOT",
            wasm.display()
        );
    }
}
