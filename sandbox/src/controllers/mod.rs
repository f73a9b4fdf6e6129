//! The controllers every API server runs beside it: the garbage collector and the
//! namespace controller. Each follows the store's change feed and acts through [`Cluster`].

mod gc;
mod namespace;

use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

use crate::cluster::Cluster;
use crate::store::Event;

pub use gc::GarbageCollector;
pub use namespace::NamespaceController;

/// Starts the built-in controllers; they run until their handles are aborted.
pub fn start(cluster: &Cluster) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(GarbageCollector::new(cluster.clone()).run()),
        tokio::spawn(NamespaceController::new(cluster.clone()).run()),
    ]
}

/// Waits for the next change; `None` when the feed closed. A controller that fell behind
/// gets `Lagged`, and resynchronises from the store as on start.
pub(crate) enum Next {
    Event(Arc<Event>),
    Resync,
    Closed,
}

pub(crate) async fn next(live: &mut tokio::sync::broadcast::Receiver<Arc<Event>>) -> Next {
    match live.recv().await {
        Ok(event) => Next::Event(event),
        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Next::Resync,
        Err(tokio::sync::broadcast::error::RecvError::Closed) => Next::Closed,
    }
}

fn meta<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    crate::api::meta_str(object, field)
}
