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
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::pool::PoolError;
use crate::scope::Scope;

/// How long a cache unused by any request lives on.
const IDLE: Duration = Duration::from_secs(300);
/// How long a request waits for a new cache's first complete list.
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);

/// The kinds the cross-cluster views cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Nodes.
    Nodes,
    /// Namespaces.
    Namespaces,
    /// Pods.
    Pods,
    /// Deployments.
    Deployments,
    /// Services.
    Services,
}

impl Kind {
    /// The API resource of the kind.
    pub fn resource(self) -> ApiResource {
        let (group, kind, plural) = match self {
            Self::Nodes => ("", "Node", "nodes"),
            Self::Namespaces => ("", "Namespace", "namespaces"),
            Self::Pods => ("", "Pod", "pods"),
            Self::Deployments => ("apps", "Deployment", "deployments"),
            Self::Services => ("", "Service", "services"),
        };
        ApiResource {
            group: group.to_owned(),
            version: "v1".to_owned(),
            api_version: if group.is_empty() {
                "v1".to_owned()
            } else {
                format!("{group}/v1")
            },
            kind: kind.to_owned(),
            plural: plural.to_owned(),
        }
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
}

struct Entry {
    store: Store<DynamicObject>,
    task: JoinHandle<()>,
    last_used: Instant,
}

/// The caches of a console. Cheap to clone.
#[derive(Clone)]
pub struct Caches(Arc<Inner>);

struct Inner {
    scope: Scope,
    entries: Mutex<HashMap<(String, Kind), Entry>>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Caches({} running)", self.entries().len())
    }
}

impl Caches {
    /// Caches over the clusters of `scope`; a background task stops idle ones.
    pub fn new(scope: Scope) -> Self {
        let caches = Self(Arc::new(Inner {
            scope,
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

    /// The clusters the caches serve.
    pub fn scope(&self) -> &Scope {
        &self.0.scope
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

    /// Every object of `kind` in `cluster`, from the cache (started now if there is none).
    pub async fn objects(
        &self,
        cluster: &str,
        kind: Kind,
    ) -> Result<Vec<Arc<DynamicObject>>, CacheError> {
        let key = (cluster.to_owned(), kind);
        let cached = self.entries().get_mut(&key).map(|entry| {
            entry.last_used = Instant::now();
            entry.store.clone()
        });
        let store = match cached {
            Some(store) => store,
            None => self.start(cluster, kind).await?,
        };
        match tokio::time::timeout(SYNC_TIMEOUT, store.wait_until_ready()).await {
            Ok(Ok(())) => Ok(store.state()),
            _ => Err(CacheError::NotSynced),
        }
    }

    async fn start(&self, cluster: &str, kind: Kind) -> Result<Store<DynamicObject>, CacheError> {
        let client = self.0.scope.client(cluster).await?;
        let resource = kind.resource();
        let api: Api<DynamicObject> = Api::all_with(client, &resource);
        let writer = reflector::store::Writer::new(resource);
        let store = writer.as_reader();
        let events = reflector::reflector(writer, watcher(api, watcher::Config::default()))
            .default_backoff();
        let task = tokio::spawn(events.for_each(|_| std::future::ready(())));
        // Another request may have started the same cache meanwhile: keep the first.
        match self.entries().entry((cluster.to_owned(), kind)) {
            Occupied(existing) => {
                task.abort();
                Ok(existing.get().store.clone())
            }
            Vacant(slot) => {
                slot.insert(Entry {
                    store: store.clone(),
                    task,
                    last_used: Instant::now(),
                });
                Ok(store)
            }
        }
    }
}
