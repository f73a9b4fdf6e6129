//! The agent connection. A member in a network the host cannot dial runs an agent, which dials
//! out to the host console over a WebSocket (`wss://`, so it passes wherever HTTPS does) and
//! holds that one connection; over it the host sends the member's Kubernetes API requests as
//! HTTP/2 streams, many at once with per-stream flow control, the host being the HTTP/2 client
//! and the agent the server, which forwards each to its own API server with its own
//! credentials.
//!
//! [`Tunnels`] is the host's end: the live connections by cluster and a `kube::Client` for a
//! cluster whose transport is its agent's newest connection. [`Agent`] is the member's end.

mod accept;
mod dial;
mod forward;
mod io;
mod manifest;
mod tunnel;

pub use accept::{UpgradeError, upgrade};
pub use dial::{Agent, AgentConfig, AgentError, Ended};
pub use manifest::{IMAGE, Instructions, instructions};
pub use tunnel::{
    Accepted, Relay, RelayTarget, STREAMS_PER_AGENT, TunnelError, Tunnels, relay_path,
};
