//! Serving an axum router over TLS: each connection's peer address is handed to handlers as
//! `ConnectInfo`, HTTP/1.1 with upgrades and HTTP/2 both work, and a shutdown lets open
//! connections finish for a while before closing them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// Serves `router` with `config` on `listener` until `shutdown` completes; then stops
/// accepting, lets open connections finish for up to `drain`, and closes the rest.
pub async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    router: Router,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) {
    let acceptor = TlsAcceptor::from(config);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    tracing::warn!("accepting a connection failed: {error}");
                    continue;
                }
            },
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        // Small writes go out at once: an agent's tunnel, like any HTTP/2 peer, waits on its
        // window updates and pings, which Nagle's algorithm would hold back.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("cannot turn Nagle's algorithm off for a connection: {error}");
        }
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(
            router
                .clone()
                .layer(axum::Extension(ConnectInfo::<SocketAddr>(peer))),
        );
        let watcher = graceful.watcher();
        connections.spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .into_owned();
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::debug!("closing connections still open after {} s", drain.as_secs());
    }
    connections.shutdown().await;
}
