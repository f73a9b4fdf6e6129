//! What the home page says about the console's health.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The console's health as the server sees it at the moment of asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleStatus {
    /// Whether the console is ready to serve.
    pub ready: bool,
    /// Whether the cluster the console depends on (the host cluster, or a member console's own
    /// cluster) answered when last checked.
    pub connected: bool,
    /// Clusters ready and in all, once connected.
    pub clusters: Option<(usize, usize)>,
    /// Whole seconds since the console started.
    pub uptime_seconds: u64,
}

/// The console's readiness, its connection, and how many of its clusters are ready.
#[server(endpoint = "console/status")]
pub async fn get_console_status() -> Result<ConsoleStatus, ServerFnError> {
    let console = super::console_context()?;
    let clusters = match use_context::<orbital_federation::Scope>() {
        Some(scope) => scope.clusters().await.ok().map(|clusters| {
            let ready = clusters.iter().filter(|c| c.status.ready).count();
            (ready, clusters.len())
        }),
        None => None,
    };
    Ok(ConsoleStatus {
        ready: console.readiness().is_ready(),
        connected: console.readiness().is_connected(),
        clusters,
        uptime_seconds: console.uptime().as_secs(),
    })
}
