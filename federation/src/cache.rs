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
use orbital_types::{ApiKind, Kind};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::pool::PoolError;
use crate::summary::{Columns, ObjectKey, Objects, PrinterColumn, Summary};

/// How long a cache unused by any request lives on.
const IDLE: Duration = Duration::from_secs(300);
/// How long a request waits for a new cache's first complete list.
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);
/// How many changes a slow follower of a cache may fall behind before it is told to read
/// everything afresh.
const CHANGES_KEPT: usize = 256;

/// The API resource of `kind`, at the version its cluster serves.
pub(crate) fn api_resource(kind: &ApiKind) -> ApiResource {
    ApiResource {
        group: kind.group.clone(),
        version: kind.version.clone(),
        api_version: kind.api_version(),
        kind: kind.kind.clone(),
        plural: kind.resource.clone(),
    }
}

/// The printer columns the definition of `kind` gives it at the version `kind` is served
/// (those `kubectl get` shows without `-o wide`, but its age, which lists show anyway);
/// none for a kind no CustomResourceDefinition defines, or whose definition cannot be read.
pub(crate) async fn printer_columns(client: &kube::Client, kind: &ApiKind) -> Columns {
    // A CustomResourceDefinition's group has a dot in it; the core group and `apps` do not.
    if !kind.group.contains('.') {
        return Columns::default();
    }
    let definitions = ApiResource {
        group: "apiextensions.k8s.io".into(),
        version: "v1".into(),
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        plural: "customresourcedefinitions".into(),
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &definitions);
    let definition = match api.get_opt(&kind.address()).await {
        Ok(Some(definition)) => definition,
        Ok(None) => return Columns::default(),
        Err(error) => {
            tracing::debug!(kind = %kind.address(), "no printer columns: {error}");
            return Columns::default();
        }
    };
    let versions = definition.data["spec"]["versions"].as_array();
    let Some(version) = versions
        .into_iter()
        .flatten()
        .find(|version| version["name"] == *kind.version)
    else {
        return Columns::default();
    };
    version["additionalPrinterColumns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|column| column["priority"].as_i64().unwrap_or(0) == 0)
        .filter_map(|column| {
            let path = column["jsonPath"].as_str()?;
            let name = column["name"].as_str()?;
            (path != ".metadata.creationTimestamp").then(|| PrinterColumn {
                name: name.into(),
                path: path.into(),
            })
        })
        .collect()
}

/// Why a cluster's objects could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// No client for the cluster.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The cluster does not serve the kind.
    #[error("the cluster does not serve this kind")]
    NotServed,
    /// The cluster's kinds could not be had; the text is fit for the browser.
    #[error("{0}")]
    Discovery(String),
    /// The first list did not complete in time.
    #[error("the cluster did not answer within {} s", SYNC_TIMEOUT.as_secs())]
    NotSynced,
    /// The cache's watch keeps failing, so what it holds may be stale.
    #[error("{0}")]
    Failing(String),
}

/// A change to what a cache holds, as its followers hear of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeldChange {
    /// The object there was added, changed or deleted.
    Object(ObjectKey),
    /// Everything was listed afresh (or a follower fell behind): any object may have changed.
    Relisted,
}

/// The summaries of one cluster's objects of one kind, shared with the watch that keeps them,
/// and the kind as that cluster serves it; read them with [`Held::read`], briefly, since the
/// watch waits while they are read, and follow them with [`Held::follow`].
#[derive(Clone, Debug)]
pub(crate) struct Held {
    objects: Arc<RwLock<Objects>>,
    served: Arc<ApiKind>,
    changes: broadcast::Sender<HeldChange>,
}

impl Held {
    /// Objects of `served` listed now rather than followed.
    pub fn listed(served: ApiKind, objects: Objects) -> Self {
        Self {
            objects: Arc::new(RwLock::new(objects)),
            served: Arc::new(served),
            changes: broadcast::channel(CHANGES_KEPT).0,
        }
    }

    /// The changes from now on, until the cache stops (after its cluster was forgotten, say).
    /// A cache with followers is never stopped as idle.
    pub fn follow(&self) -> impl futures::Stream<Item = HeldChange> + Send + 'static {
        futures::stream::unfold(self.changes.subscribe(), |mut changes| async move {
            let change = match changes.recv().await {
                Ok(change) => change,
                Err(broadcast::error::RecvError::Lagged(_)) => HeldChange::Relisted,
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((change, changes))
        })
    }

    fn followed(&self) -> bool {
        self.changes.receiver_count() > 0
    }

    fn tell(&self, change: HeldChange) {
        // Nobody following is no error.
        let _ = self.changes.send(change);
    }

    /// The kind as the cluster serves it.
    pub fn served(&self) -> &ApiKind {
        &self.served
    }

    /// The objects as they are.
    pub fn read(&self) -> RwLockReadGuard<'_, Objects> {
        self.objects.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Objects> {
        self.objects.write().unwrap_or_else(PoisonError::into_inner)
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
            let keep = (entry.last_used.elapsed() < idle || entry.objects.followed())
                && !entry.task.is_finished();
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

    /// The kinds with a cache on some cluster.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = self
            .entries()
            .keys()
            .map(|(_, kind)| kind.clone())
            .collect();
        kinds.sort_by_key(Kind::address);
        kinds.dedup();
        kinds
    }

    /// The objects of `kind` in `cluster`, from the cache; if there is none, one is started
    /// with the client and the served kind that `connect` finds.
    pub async fn objects(
        &self,
        cluster: &str,
        kind: &Kind,
        connect: impl Future<Output = Result<(kube::Client, ApiKind), CacheError>>,
    ) -> Result<Held, CacheError> {
        let key = (cluster.to_owned(), kind.clone());
        let cached = self.entries().get_mut(&key).map(|entry| {
            entry.last_used = Instant::now();
            entry.handles()
        });
        let (objects, mut synced, mut failure) = match cached {
            Some(cached) => cached,
            None => {
                let (client, served) = connect.await?;
                self.start(cluster, kind, client, served)
            }
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

    fn start(&self, cluster: &str, kind: &Kind, client: kube::Client, served: ApiKind) -> Handles {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &api_resource(&served));
        let objects = Held::listed(served.clone(), Objects::default());
        let (report_synced, synced) = watch::channel(false);
        let (report, failure) = watch::channel(None);
        let events = watcher(api, watcher::Config::default()).default_backoff();
        let name = cluster.to_owned();
        let mut follower = Follower {
            kind: kind.clone(),
            objects: objects.clone(),
            columns: Columns::default(),
            relisted: None,
        };
        let watched = kind.clone();
        let task = tokio::spawn(async move {
            follower.columns = printer_columns(&client, &served).await;
            events
                .for_each(move |event| {
                    match event {
                        Ok(event) => {
                            if follower.apply(event) {
                                report_synced.send_replace(true);
                            }
                            report.send_if_modified(|failure| failure.take().is_some());
                        }
                        Err(error) => {
                            tracing::warn!(cluster = %name, kind = %watched, "the cache's watch failed: {error}");
                            report.send_replace(Some(describe(&error, &watched)));
                        }
                    }
                    std::future::ready(())
                })
                .await;
        });
        // Another request may have started the same cache meanwhile: keep the first.
        match self.entries().entry((cluster.to_owned(), kind.clone())) {
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
    /// The kind's printer columns, read before the watch starts.
    columns: Columns,
    /// The objects of a list under way, which replace the held ones once it is complete, so
    /// a request never sees half a list.
    relisted: Option<Objects>,
}

impl Follower {
    /// Applies `event`; says whether a complete list just arrived.
    fn apply(&mut self, event: watcher::Event<DynamicObject>) -> bool {
        match event {
            watcher::Event::Init => self.relisted = Some(Objects::new(self.columns.clone())),
            watcher::Event::InitApply(object) => {
                let summary = Summary::of(&self.kind, &self.columns, &object);
                self.relisted
                    .get_or_insert_with(|| Objects::new(self.columns.clone()))
                    .insert(ObjectKey::of(&object), summary);
            }
            watcher::Event::InitDone => {
                *self.objects.write() = self
                    .relisted
                    .take()
                    .unwrap_or_else(|| Objects::new(self.columns.clone()));
                self.objects.tell(HeldChange::Relisted);
                return true;
            }
            watcher::Event::Apply(object) => {
                let summary = Summary::of(&self.kind, &self.columns, &object);
                let key = ObjectKey::of(&object);
                self.objects.write().insert(key.clone(), summary);
                self.objects.tell(HeldChange::Object(key));
            }
            watcher::Event::Delete(object) => {
                let key = ObjectKey::of(&object);
                self.objects.write().remove(&key);
                self.objects.tell(HeldChange::Object(key));
            }
        }
        false
    }
}

/// Why a watch failed, in words fit for the browser: no addresses, no transport detail.
fn describe(error: &watcher::Error, kind: &Kind) -> String {
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
pub(crate) mod tests {
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

    /// Pods as the core group serves them, for the tests of the modules that read caches.
    pub(crate) fn pods() -> ApiKind {
        ApiKind {
            group: String::new(),
            version: "v1".into(),
            resource: "pods".into(),
            kind: "Pod".into(),
            namespaced: true,
            verbs: Vec::new(),
        }
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
        let held = Held::listed(pods(), Objects::default());
        let mut follower = Follower {
            kind: Kind::PODS,
            objects: held.clone(),
            columns: Columns::default(),
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

    #[tokio::test]
    async fn followers_hear_each_change_in_order_and_end_with_the_cache() {
        let held = Held::listed(pods(), Objects::default());
        let heard = held.follow();
        let slow = held.follow();
        let mut follower = Follower {
            kind: Kind::PODS,
            objects: held.clone(),
            columns: Columns::default(),
            relisted: None,
        };
        follower.apply(watcher::Event::Init);
        follower.apply(watcher::Event::InitApply(pod("a", "Pending")));
        follower.apply(watcher::Event::InitDone);
        follower.apply(watcher::Event::Apply(pod("b", "Running")));
        follower.apply(watcher::Event::Delete(pod("a", "Pending")));
        let key = |name| ObjectKey::of(&pod(name, ""));
        let mut heard = Box::pin(heard);
        let mut first = Vec::new();
        for _ in 0..3 {
            first.push(heard.next().await.unwrap());
        }
        assert_eq!(
            first,
            [
                HeldChange::Relisted,
                HeldChange::Object(key("b")),
                HeldChange::Object(key("a"))
            ]
        );
        assert!(held.followed());
        for _ in 0..CHANGES_KEPT {
            follower.apply(watcher::Event::Apply(pod("b", "Running")));
        }
        drop((follower, held));
        // One who fell behind is told to read everything, then hears on until the cache ends.
        let slow: Vec<HeldChange> = slow.collect().await;
        assert_eq!(slow[0], HeldChange::Relisted);
        assert_eq!(slow.len(), CHANGES_KEPT + 1);
        assert_eq!(heard.count().await, CHANGES_KEPT);
    }
}
