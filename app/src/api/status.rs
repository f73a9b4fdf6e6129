use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The console's health as seen by the server at the moment of asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleStatus {
    /// Whether the console is ready to serve.
    pub ready: bool,
    /// Whole seconds since the console started.
    pub uptime_seconds: u64,
}

/// Asks the server for its current status.
#[server(endpoint = "console/status")]
pub async fn check_console_status() -> Result<ConsoleStatus, ServerFnError> {
    let console = super::console_context()?;
    Ok(ConsoleStatus {
        ready: console.readiness().is_ready(),
        uptime_seconds: console.uptime().as_secs(),
    })
}
