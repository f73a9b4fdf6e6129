//! What the server hands to server functions: the console's identity and its readiness. The
//! way to the clusters is not here: the server provides each request its own `Scope`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http::{HeaderMap, Uri, header};

use crate::ConsoleMode;
use crate::audit_trail::{AuditTrail, SharedAuditTrail};

/// Whether the console is ready to serve: it is serving, and the cluster it depends on (the
/// host cluster's registry, or a member console's own cluster) answers. Shared by `/readyz`
/// and the server functions.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<Flags>);

#[derive(Debug, Default)]
struct Flags {
    serving: AtomicBool,
    connected: AtomicBool,
}

impl Readiness {
    /// Marks the console serving; called once it listens.
    pub fn mark_ready(&self) {
        self.0.serving.store(true, Ordering::Release);
    }

    /// Marks the console not serving, e.g. while it shuts down.
    pub fn mark_not_ready(&self) {
        self.0.serving.store(false, Ordering::Release);
    }

    /// Records whether the cluster the console depends on answers.
    pub fn set_connected(&self, connected: bool) {
        self.0.connected.store(connected, Ordering::Release);
    }

    /// Whether the cluster the console depends on answered when last checked.
    pub fn is_connected(&self) -> bool {
        self.0.connected.load(Ordering::Acquire)
    }

    /// Whether the console is ready now.
    pub fn is_ready(&self) -> bool {
        self.0.serving.load(Ordering::Acquire) && self.is_connected()
    }
}

/// How users reach the console, as a kubeconfig or an agent's command written for it says.
#[derive(Clone, Debug, Default)]
pub struct ConsoleAddress {
    /// Where users reach the console, when it was told (`--host-url`); else the address the
    /// request was made to.
    pub public_url: Option<String>,
    /// Whether the console serves HTTPS itself.
    pub tls: bool,
    /// The certificate of the authority that signed the console's own certificate, when it
    /// made one (`--tls-self-signed`).
    pub ca_pem: Option<String>,
}

impl ConsoleAddress {
    /// The console's URL, for a request to `uri` with `headers` (HTTP/2 names the host in
    /// the URI, HTTP/1.1 in a header).
    pub fn url(&self, uri: &Uri, headers: &HeaderMap) -> Option<String> {
        if let Some(url) = &self.public_url {
            return Some(url.trim_end_matches('/').to_owned());
        }
        let host = match uri.authority() {
            Some(authority) => authority.as_str(),
            None => headers.get(header::HOST)?.to_str().ok()?,
        };
        let scheme = if self.tls { "https" } else { "http" };
        Some(format!("{scheme}://{host}"))
    }
}

/// Server-side facts about the running console, provided to every server function.
#[derive(Clone, Debug)]
pub struct ConsoleContext {
    mode: ConsoleMode,
    started: Instant,
    readiness: Readiness,
    host_url: Option<String>,
    audit: Option<SharedAuditTrail>,
    address: ConsoleAddress,
}

impl ConsoleContext {
    /// A context for a console in `mode` that started now.
    pub fn new(mode: ConsoleMode, readiness: Readiness) -> Self {
        Self {
            mode,
            started: Instant::now(),
            readiness,
            host_url: None,
            audit: None,
            address: ConsoleAddress::default(),
        }
    }

    /// The same context, reading audited changes from `audit`.
    pub fn with_audit(mut self, audit: Arc<dyn AuditTrail>) -> Self {
        self.audit = Some(SharedAuditTrail(audit));
        self
    }

    /// The audited changes, if the console records them.
    pub fn audit(&self) -> Option<&dyn AuditTrail> {
        self.audit.as_ref().map(|trail| trail.0.as_ref())
    }

    /// The same context, knowing where the host console is (member mode).
    pub fn with_host_url(mut self, host_url: Option<String>) -> Self {
        self.host_url = host_url;
        self
    }

    /// The same context, reached by users at `address`.
    pub fn with_address(mut self, address: ConsoleAddress) -> Self {
        self.address = address;
        self
    }

    /// How users reach this console.
    pub fn address(&self) -> &ConsoleAddress {
        &self.address
    }

    /// Where the host console is, if this member was told.
    pub fn host_url(&self) -> Option<&str> {
        self.host_url.as_deref()
    }

    /// The console's mode.
    pub fn mode(&self) -> ConsoleMode {
        self.mode
    }

    /// The console's readiness flag.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// How long the console has been running.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_public_url_or_the_host_asked_for() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        let tls = ConsoleAddress {
            tls: true,
            ..ConsoleAddress::default()
        };
        let path = Uri::from_static("/kubeconfig");
        assert_eq!(
            tls.url(&path, &headers).as_deref(),
            Some("https://127.0.0.1:3000")
        );
        let http2 = Uri::from_static("https://10.0.0.1:3000/kubeconfig");
        assert_eq!(
            tls.url(&http2, &HeaderMap::new()).as_deref(),
            Some("https://10.0.0.1:3000")
        );
        let public = ConsoleAddress {
            public_url: Some("https://console.example/".into()),
            ..ConsoleAddress::default()
        };
        assert_eq!(
            public.url(&path, &headers).as_deref(),
            Some("https://console.example")
        );
    }
}
