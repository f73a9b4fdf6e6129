use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ConsoleMode;

/// What the home page shows about the console itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleOverview {
    /// The console's release version.
    pub version: String,
    /// Whether this console is the host or a member.
    pub mode: ConsoleMode,
    /// Where the host console is (member mode, when told).
    pub host_url: Option<String>,
}

/// The console's version and mode, and where its host is.
#[server(endpoint = "console/overview")]
pub async fn get_console_overview() -> Result<ConsoleOverview, ServerFnError> {
    let console = super::console_context()?;
    Ok(ConsoleOverview {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        mode: console.mode(),
        host_url: console.host_url().map(str::to_owned),
    })
}
