//! Caches per (cluster, kind), each following one watch and keeping a [`Summary`] of every
//! object rather than the object, started on first use and stopped after an idle period:
//! cross-cluster views read memory, not every member on every request, and the console never
//! connects to every cluster at start-up.

use std::collections::HashMap;
use std::collections::hash_map::Entry::{Occupied, Vacant};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::time::Duration;

use futures::StreamExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::{WatchStreamExt, watcher};
use orbital_types::Kind;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::pool::PoolError;
use crate::summary::{ObjectKey, Objects, Summary};

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

/// The summaries of one cluster's objects of one kind, shared with the watch that keeps them;
/// read them with [`Held::read`], briefly, since the watch waits while they are read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Held(Arc<RwLock<Objects>>);

impl Held {
    /// Objects listed now rather than followed.
    pub fn listed(objects: Objects) -> Self {
        Self(Arc::new(RwLock::new(objects)))
    }

    /// The objects as they are.
    pub fn read(&self) -> RwLockReadGuard<'_, Objects> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Objects> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Entry {
    objects: Held,
    /// Whether the first complete list has arrived.
    synced: watch::Receiver<bool>,
    /// Why the watch last failed, until it next succeeds.
    failure: watch::Receiver<Option<String>>,
    task: JoinHandle<()>,
    last_used: Instant,
}

impl Entry {
    fn handles(&self) -> Handles {
        (
            self.objects.clone(),
            self.synced.clone(),
            self.failure.clone(),
        )
    }
}

/// What a request needs of a cache: its objects and how its watch is doing.
type Handles = (Held, watch::Receiver<bool>, watch::Receiver<Option<String>>);

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

    /// The objects of `kind` in `cluster`, from the cache; one is started with the client
    /// `connect` gives if there is none.
    pub async fn objects(
        &self,
        cluster: &str,
        kind: Kind,
        connect: impl Future<Output = Result<kube::Client, PoolError>>,
    ) -> Result<Held, CacheError> {
        let key = (cluster.to_owned(), kind);
        let cached = self.entries().get_mut(&key).map(|entry| {
            entry.last_used = Instant::now();
            entry.handles()
        });
        let (objects, mut synced, mut failure) = match cached {
            Some(cached) => cached,
            None => self.start(cluster, kind, connect.await?),
        };
        let failed = |failure: &watch::Receiver<Option<String>>| failure.borrow().clone();
        if let Some(cause) = failed(&failure) {
            return Err(CacheError::Failing(cause));
        }
        let ready = tokio::time::timeout(SYNC_TIMEOUT, async {
            tokio::select! {
                ready = synced.wait_for(|synced| *synced) => ready.is_ok(),
                _ = failure.wait_for(Option::is_some) => false,
            }
        })
        .await;
        match (ready, failed(&failure)) {
            (_, Some(cause)) => Err(CacheError::Failing(cause)),
            (Ok(true), None) => Ok(objects),
            _ => Err(CacheError::NotSynced),
        }
    }

    fn start(&self, cluster: &str, kind: Kind, client: kube::Client) -> Handles {
        let api: Api<DynamicObject> = Api::all_with(client, &resource(kind));
        let objects = Held::default();
        let (report_synced, synced) = watch::channel(false);
        let (report, failure) = watch::channel(None);
        let events = watcher(api, watcher::Config::default()).default_backoff();
        let name = cluster.to_owned();
        let mut follower = Follower {
            kind,
            objects: objects.clone(),
            relisted: None,
        };
        let task = tokio::spawn(events.for_each(move |event| {
            match event {
                Ok(event) => {
                    if follower.apply(event) {
                        report_synced.send_replace(true);
                    }
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
                existing.get().handles()
            }
            Vacant(slot) => slot
                .insert(Entry {
                    objects,
                    synced,
                    failure,
                    task,
                    last_used: Instant::now(),
                })
                .handles(),
        }
    }
}

/// Keeps a cache's summaries in line with its watch's events.
struct Follower {
    kind: Kind,
    objects: Held,
    /// The objects of a list under way, which replace the held ones once it is complete, so
    /// a request never sees half a list.
    relisted: Option<Objects>,
}

impl Follower {
    /// Applies `event`; says whether a complete list just arrived.
    fn apply(&mut self, event: watcher::Event<DynamicObject>) -> bool {
        match event {
            watcher::Event::Init => self.relisted = Some(Objects::default()),
            watcher::Event::InitApply(object) => {
                let summary = Summary::of(self.kind, &object);
                self.relisted
                    .get_or_insert_default()
                    .insert(ObjectKey::of(&object), summary);
            }
            watcher::Event::InitDone => {
                *self.objects.write() = self.relisted.take().unwrap_or_default();
                return true;
            }
            watcher::Event::Apply(object) => {
                let summary = Summary::of(self.kind, &object);
                self.objects.write().insert(ObjectKey::of(&object), summary);
            }
            watcher::Event::Delete(object) => {
                self.objects.write().remove(&ObjectKey::of(&object));
            }
        }
        false
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(name: &str, phase: &str) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "demo"},
            "status": {"phase": phase},
        }))
        .unwrap()
    }

    fn statuses(held: &Held) -> Vec<(String, String)> {
        let mut statuses: Vec<_> = held
            .read()
            .iter()
            .map(|(key, summary)| (key.name.to_string(), summary.status.to_string()))
            .collect();
        statuses.sort();
        statuses
    }

    #[test]
    fn a_list_replaces_what_is_held_only_once_complete_and_changes_follow_it() {
        let held = Held::default();
        let mut follower = Follower {
            kind: Kind::Pods,
            objects: held.clone(),
            relisted: None,
        };
        assert!(!follower.apply(watcher::Event::Init));
        assert!(!follower.apply(watcher::Event::InitApply(pod("a", "Pending"))));
        assert!(!follower.apply(watcher::Event::InitApply(pod("b", "Running"))));
        assert!(statuses(&held).is_empty(), "half a list is never seen");
        assert!(follower.apply(watcher::Event::InitDone));
        assert_eq!(
            statuses(&held),
            [
                ("a".into(), "Pending".into()),
                ("b".into(), "Running".into())
            ]
        );

        follower.apply(watcher::Event::Apply(pod("a", "Running")));
        follower.apply(watcher::Event::Delete(pod("b", "Running")));
        assert_eq!(statuses(&held), [("a".into(), "Running".into())]);

        // A relist after the watch broke drops what is gone meanwhile.
        follower.apply(watcher::Event::Init);
        follower.apply(watcher::Event::InitApply(pod("c", "Pending")));
        assert_eq!(statuses(&held), [("a".into(), "Running".into())]);
        follower.apply(watcher::Event::InitDone);
        assert_eq!(statuses(&held), [("c".into(), "Pending".into())]);
    }
}
