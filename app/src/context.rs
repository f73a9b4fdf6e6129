//! What the server hands to server functions: the console's identity and its readiness. The
//! way to the clusters is not here: the server provides each request its own `Scope`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// Server-side facts about the running console, provided to every server function.
#[derive(Clone, Debug)]
pub struct ConsoleContext {
    mode: ConsoleMode,
    started: Instant,
    readiness: Readiness,
    host_url: Option<String>,
    audit: Option<SharedAuditTrail>,
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
