use std::fmt;

use serde::{Deserialize, Serialize};

/// Which role this console plays in a federation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum ConsoleMode {
    /// The central control plane: manages every member cluster.
    #[default]
    Host,
    /// A member cluster's own console: sees only its own cluster.
    Member,
}

impl ConsoleMode {
    /// The lowercase name used on the command line and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Member => "member",
        }
    }

    /// A one-line explanation of the mode for people.
    pub fn description(self) -> &'static str {
        match self {
            Self::Host => "Central control plane for every member cluster.",
            Self::Member => "Manages this cluster only.",
        }
    }
}

impl fmt::Display for ConsoleMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_command_line_name() {
        for mode in [ConsoleMode::Host, ConsoleMode::Member] {
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
        }
    }
}
