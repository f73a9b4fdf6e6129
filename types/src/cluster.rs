//! A cluster as the console knows it: how it is reached and what its health loop last saw.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How the console reaches a cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connection {
    /// The host holds a kubeconfig and dials the member's API server.
    #[default]
    Direct,
    /// An agent in the member's network dials out to the host.
    Agent,
    /// A member console's own cluster.
    Local,
}

impl Connection {
    /// The name as stored in `spec.connection.type` and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "Direct",
            Self::Agent => "Agent",
            Self::Local => "Local",
        }
    }

    /// Reads a stored name; `None` for one this version does not know.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Direct, Self::Agent, Self::Local]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a cluster is ready or not, in one word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Not probed yet.
    #[default]
    Pending,
    /// The API server answered.
    Reachable,
    /// The API server could not be reached.
    Unreachable,
    /// The API server did not answer in time.
    Timeout,
    /// The API server refused the credentials.
    Unauthorized,
    /// The stored kubeconfig cannot be used.
    InvalidKubeconfig,
    /// The console could not read what it needs to probe the cluster.
    Unknown,
    /// No agent of the cluster is connected to the host.
    AgentDisconnected,
}

impl Reason {
    const ALL: [Self; 8] = [
        Self::Pending,
        Self::Reachable,
        Self::Unreachable,
        Self::Timeout,
        Self::Unauthorized,
        Self::InvalidKubeconfig,
        Self::Unknown,
        Self::AgentDisconnected,
    ];

    /// The word, as stored in the `Ready` condition's `reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Reachable => "Reachable",
            Self::Unreachable => "Unreachable",
            Self::Timeout => "Timeout",
            Self::Unauthorized => "Unauthorized",
            Self::InvalidKubeconfig => "InvalidKubeconfig",
            Self::Unknown => "Unknown",
            Self::AgentDisconnected => "AgentDisconnected",
        }
    }

    /// Reads a stored word; one this version does not know reads as `Unknown`, none as `Pending`.
    pub fn parse(text: &str) -> Self {
        if text.is_empty() {
            return Self::Pending;
        }
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .unwrap_or(Self::Unknown)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cluster the console serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Its name: a DNS-1123 label, unique on the host.
    pub name: String,
    /// Labels set by the platform team.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// How the console reaches it.
    pub connection: Connection,
    /// Where it runs, as the user described it (`aws`, `on-prem`, `sandbox`, …).
    #[serde(default)]
    pub provider: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The UID of its `kube-system` namespace.
    #[serde(default)]
    pub identity: String,
    /// What the health loop last saw.
    #[serde(default)]
    pub status: ClusterStatus,
}

impl Cluster {
    /// Its labels as `key=value` terms.
    pub fn label_terms(&self) -> Vec<String> {
        self.labels
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect()
    }
}

/// A cluster's observed state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterStatus {
    /// Whether it answered the last probe.
    pub ready: bool,
    /// Why it is (not) ready.
    pub reason: Reason,
    /// What the last probe saw, in a sentence.
    pub message: String,
    /// Its Kubernetes version.
    pub kubernetes_version: String,
    /// How many nodes it has.
    pub node_count: u64,
    /// CPU capacity summed over nodes, in millicores.
    pub cpu_capacity_millis: u64,
    /// Memory capacity summed over nodes, in bytes.
    pub memory_capacity_bytes: u64,
    /// Allocatable CPU summed over nodes, in millicores.
    pub cpu_allocatable_millis: u64,
    /// Allocatable memory summed over nodes, in bytes.
    pub memory_allocatable_bytes: u64,
    /// When it last answered (RFC 3339; empty if never).
    pub last_heartbeat_time: String,
    /// When `ready` last changed (RFC 3339).
    pub last_transition_time: String,
    /// For a member reached through an agent: whether its agent is connected to the host.
    #[serde(default)]
    pub agent: Option<AgentAvailability>,
}

/// Whether a member's agent is connected to the host (its `AgentAvailable` condition).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentAvailability {
    /// Whether an agent connection is open.
    pub connected: bool,
    /// When `connected` last changed (RFC 3339).
    pub last_transition_time: String,
}

/// CPU in millicores, for people (`12 cores`, `3.5 cores`).
pub fn cores(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        format!("{} cores", millis / 1000)
    } else {
        format!("{:.1} cores", millis as f64 / 1000.0)
    }
}

/// Bytes, for people (`47.9 GiB`).
pub fn gibibytes(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_read_naturally() {
        assert_eq!(cores(12_000), "12 cores");
        assert_eq!(cores(3_500), "3.5 cores");
        assert_eq!(gibibytes(48 << 30), "48.0 GiB");
    }

    #[test]
    fn stored_words_read_back() {
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), reason);
        }
        assert_eq!(Reason::parse(""), Reason::Pending);
        assert_eq!(Reason::parse("SomethingNew"), Reason::Unknown);
        assert_eq!(Connection::parse("Agent"), Some(Connection::Agent));
        assert_eq!(Connection::parse("agent"), None);
    }
}
