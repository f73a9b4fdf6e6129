//! Reflector caches per (cluster, kind), started on first use and stopped after an idle
//! period: cross-cluster views read memory, not every member on every request, and the console
//! never connects to every cluster at start-up.

use std::collections::HashMap;
use std::collections::hash_map::Entry::{Occupied, Vacant};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use orbital_types::Kind;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::pool::PoolError;

/// How long a cache unused by any request lives on.
const IDLE: Duration = Duration::from_secs(300);
/// How long a request waits for a new cache's first complete list.
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);

/// The API resource of `kind`.
pub(crate) fn resource(kind: Kind) -> ApiResource {
    let group = kind.group();
    ApiResource {
        group: group.to_owned(),
        version: "v1".to_owned(),
        api_version: if group.is_empty() {
            "v1".to_owned()
        } else {
            format!("{group}/v1")
        },
        kind: kind.kind().to_owned(),
        plural: kind.plural().to_owned(),
    }
}

/// Why a cluster's objects could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// No client for the cluster.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The first list did not complete in time.
    #[error("the cluster did not answer within {} s", SYNC_TIMEOUT.as_secs())]
    NotSynced,
    /// The cache's watch keeps failing, so what it holds may be stale.
    #[error("{0}")]
    Failing(String),
}

struct Entry {
    store: Store<DynamicObject>,
    /// Why the watch last failed, until it next succeeds.
    failure: watch::Receiver<Option<String>>,
    task: JoinHandle<()>,
    last_used: Instant,
}

/// The caches of a console. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Caches(Arc<Inner>);

struct Inner {
    entries: Mutex<HashMap<(String, Kind), Entry>>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Caches({} running)", self.entries().len())
    }
}

impl Caches {
    /// No caches yet; a background task stops idle ones.
    pub fn new() -> Self {
        let caches = Self(Arc::new(Inner {
            entries: Mutex::default(),
        }));
        let weak = Arc::downgrade(&caches.0);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(IDLE / 5);
            loop {
                ticker.tick().await;
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                Self(inner).stop_idle(IDLE);
            }
        });
        caches
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Kind), Entry>> {
        self.0
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the caches unused for `idle`; returns how many are left.
    pub fn stop_idle(&self, idle: Duration) -> usize {
        let mut entries = self.entries();
        entries.retain(|_, entry| {
            let keep = entry.last_used.elapsed() < idle && !entry.task.is_finished();
            if !keep {
                entry.task.abort();
            }
            keep
        });
        entries.len()
    }

    /// Stops every cache of `cluster`, after its kubeconfig changed or it was removed; the next
    /// request starts afresh with the new client.
    pub fn forget(&self, cluster: &str) {
        self.entries().retain(|(name, _), entry| {
            let keep = name != cluster;
            if !keep {
                entry.task.abort();
            }
            keep
        });
    }

    /// Every object of `kind` in `cluster`, from the cache; one is started with the client
    /// `connect` gives if there is none.
    pub async fn objects(
        &self,
        cluster: &str,
        kind: Kind,
        connect: impl Future<Output = Result<kube::Client, PoolError>>,
    ) -> Result<Vec<Arc<DynamicObject>>, CacheError> {
        let key = (cluster.to_owned(), kind);
        let cached = self.entries().get_mut(&key).map(|entry| {
            entry.last_used = Instant::now();
            (entry.store.clone(), entry.failure.clone())
        });
        let (store, mut failure) = match cached {
            Some(cached) => cached,
            None => self.start(cluster, kind, connect.await?),
        };
        let failed = |failure: &watch::Receiver<Option<String>>| failure.borrow().clone();
        if let Some(cause) = failed(&failure) {
            return Err(CacheError::Failing(cause));
        }
        let synced = tokio::time::timeout(SYNC_TIMEOUT, async {
            tokio::select! {
                ready = store.wait_until_ready() => ready.is_ok(),
                _ = failure.wait_for(Option::is_some) => false,
            }
        })
        .await;
        match (synced, failed(&failure)) {
            (_, Some(cause)) => Err(CacheError::Failing(cause)),
            (Ok(true), None) => Ok(store.state()),
            _ => Err(CacheError::NotSynced),
        }
    }

    fn start(
        &self,
        cluster: &str,
        kind: Kind,
        client: kube::Client,
    ) -> (Store<DynamicObject>, watch::Receiver<Option<String>>) {
        let resource = resource(kind);
        let api: Api<DynamicObject> = Api::all_with(client, &resource);
        let writer = reflector::store::Writer::new(resource);
        let store = writer.as_reader();
        let (report, failure) = watch::channel(None);
        let events = reflector::reflector(writer, watcher(api, watcher::Config::default()))
            .default_backoff();
        let name = cluster.to_owned();
        let task = tokio::spawn(events.for_each(move |event| {
            match event {
                Ok(_) => {
                    report.send_if_modified(|failure| failure.take().is_some());
                }
                Err(error) => {
                    tracing::warn!(cluster = %name, kind = kind.plural(), "the cache's watch failed: {error}");
                    report.send_replace(Some(describe(&error, kind)));
                }
            }
            std::future::ready(())
        }));
        // Another request may have started the same cache meanwhile: keep the first.
        match self.entries().entry((cluster.to_owned(), kind)) {
            Occupied(existing) => {
                task.abort();
                (existing.get().store.clone(), existing.get().failure.clone())
            }
            Vacant(slot) => {
                slot.insert(Entry {
                    store: store.clone(),
                    failure: failure.clone(),
                    task,
                    last_used: Instant::now(),
                });
                (store, failure)
            }
        }
    }
}

/// Why a watch failed, in words fit for the browser: no addresses, no transport detail.
fn describe(error: &watcher::Error, kind: Kind) -> String {
    let status = match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
        | watcher::Error::WatchFailed(kube::Error::Api(status)) => Some(status.code),
        watcher::Error::WatchError(status) => Some(status.code),
        _ => None,
    };
    match status {
        Some(401) => "the cluster refused the console's credentials: replace its kubeconfig".into(),
        Some(403) => format!(
            "the console may not watch {} on this cluster: give its credentials that right",
            kind.plural()
        ),
        Some(code) => format!("the cluster failed to watch {} ({code})", kind.plural()),
        None => "the cluster cannot be reached".into(),
    }
}
