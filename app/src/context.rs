//! What the server hands to server functions: the console's identity and its readiness.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use orbital_federation::{Caches, Scope};

use crate::ConsoleMode;

/// Whether the console is ready to serve; shared by `/readyz` and the server functions.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the console ready; called once everything it depends on is up.
    pub fn mark_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Marks the console not ready, e.g. while it shuts down.
    pub fn mark_not_ready(&self) {
        self.0.store(false, Ordering::Release);
    }

    /// Whether the console is ready now.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Server-side facts about the running console, provided to every server function.
#[derive(Clone, Debug)]
pub struct ConsoleContext {
    mode: ConsoleMode,
    started: Instant,
    readiness: Readiness,
    caches: Option<Caches>,
    host_url: Option<String>,
}

impl ConsoleContext {
    /// A context for a console in `mode` that started now.
    pub fn new(mode: ConsoleMode, readiness: Readiness) -> Self {
        Self {
            mode,
            started: Instant::now(),
            readiness,
            caches: None,
            host_url: None,
        }
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

    /// The same context, serving the clusters of `scope`, with cross-cluster caches over them.
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.caches = Some(Caches::new(scope));
        self
    }

    /// The cross-cluster caches, once connected.
    pub fn caches(&self) -> Option<&Caches> {
        self.caches.as_ref()
    }

    /// The clusters the console serves, once connected.
    pub fn scope(&self) -> Option<&Scope> {
        self.caches.as_ref().map(Caches::scope)
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
