//! The sandbox's persistent object store.
//!
//! Objects are JSON documents in a redb database; every write is committed durably before it
//! is acknowledged, and bumps one cluster-wide `resourceVersion` counter that never goes back.
//! A copy of every object is kept in memory for reads, and recent changes are kept as events
//! so watches can resume from a `resourceVersion`.

mod key;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use tokio::sync::broadcast;

pub use key::{ObjectKey, Scope};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const RESOURCE_VERSION: &str = "resource_version";
/// How many recent changes a watch can resume from.
const HISTORY: usize = 10_000;
/// How many changes a slow watcher may fall behind before it is dropped.
const WATCH_BUFFER: usize = 4_096;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("storage error: {0}")]
    Database(#[from] redb::Error),
    /// A stored document is not valid JSON.
    #[error("stored object {key} is corrupt: {source}")]
    Corrupt {
        /// The object's database key.
        key: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A write was interrupted before it completed.
    #[error("a storage task failed: {0}")]
    Task(String),
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    /// The caller's mutation refused the write (conflict, validation, …).
    #[error(transparent)]
    Rejected(E),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a mutation decided to do with the object at its key.
#[derive(Debug)]
pub enum Mutation {
    /// Store this object (its `metadata.resourceVersion` is set by the store).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave everything as it is.
    Unchanged,
}

/// The kind of a change, as watch events name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object was changed.
    Modified,
    /// The object was removed.
    Deleted,
}

impl EventType {
    /// The name used in watch streams.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Debug)]
pub struct Event {
    /// What happened.
    pub event_type: EventType,
    /// Which object.
    pub key: ObjectKey,
    /// The object after the change; for a deletion, its last state.
    pub object: Arc<Value>,
    /// The object before the change, if it existed.
    pub previous: Option<Arc<Value>>,
    /// The change's resource version.
    pub resource_version: u64,
}

/// One page of a list.
#[derive(Debug)]
pub struct ListPage {
    /// The matching objects, in key order.
    pub items: Vec<Arc<Value>>,
    /// The store's resource version when the page was read.
    pub resource_version: u64,
    /// The key of the last item, when more matching objects follow it.
    pub continue_after: Option<String>,
}

/// A watch's starting point: the changes it missed, then a live feed.
pub struct Subscription {
    /// Changes after the requested version that had already happened.
    pub backlog: Vec<Arc<Event>>,
    /// Changes from now on.
    pub live: broadcast::Receiver<Arc<Event>>,
}

/// The requested version is older than the retained history.
#[derive(Debug, thiserror::Error)]
#[error("too old resource version: {requested} ({oldest})")]
pub struct TooOld {
    /// The version asked for.
    pub requested: u64,
    /// The oldest version a watch can start from now.
    pub oldest: u64,
}

struct State {
    objects: BTreeMap<String, Arc<Value>>,
    resource_version: u64,
    history: VecDeque<Arc<Event>>,
    /// A watch may start at this version or any later one.
    oldest_watchable: u64,
}

struct Inner {
    db: Database,
    state: RwLock<State>,
    writer: Mutex<()>,
    events: broadcast::Sender<Arc<Event>>,
}

/// The object store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl Store {
    /// Opens the database at `path`, creating it if missing, and loads every object.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(redb::Error::from)?;
        let init = db.begin_write().map_err(redb::Error::from)?;
        init.open_table(OBJECTS).map_err(redb::Error::from)?;
        init.open_table(COUNTERS).map_err(redb::Error::from)?;
        init.commit().map_err(redb::Error::from)?;

        let read = db.begin_read().map_err(redb::Error::from)?;
        let counters = read.open_table(COUNTERS).map_err(redb::Error::from)?;
        let resource_version = counters
            .get(RESOURCE_VERSION)
            .map_err(redb::Error::from)?
            .map(|v| v.value())
            .unwrap_or(0);
        let table = read.open_table(OBJECTS).map_err(redb::Error::from)?;
        let mut objects = BTreeMap::new();
        for entry in table.iter().map_err(redb::Error::from)? {
            let (key, value) = entry.map_err(redb::Error::from)?;
            let object: Value =
                serde_json::from_slice(value.value()).map_err(|source| StoreError::Corrupt {
                    key: key.value().to_owned(),
                    source,
                })?;
            objects.insert(key.value().to_owned(), Arc::new(object));
        }
        drop(table);
        drop(counters);
        drop(read);

        let (events, _) = broadcast::channel(WATCH_BUFFER);
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                state: RwLock::new(State {
                    objects,
                    resource_version,
                    history: VecDeque::new(),
                    oldest_watchable: resource_version,
                }),
                writer: Mutex::new(()),
                events,
            }),
        })
    }

    /// The latest committed resource version.
    pub fn resource_version(&self) -> u64 {
        self.read_state().resource_version
    }

    /// The object at `key`.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        self.read_state().objects.get(&key.encode()).cloned()
    }

    /// Every stored object with its key.
    pub fn all(&self) -> Vec<(ObjectKey, Arc<Value>)> {
        self.read_state()
            .objects
            .iter()
            .filter_map(|(key, object)| Some((ObjectKey::decode(key)?, Arc::clone(object))))
            .collect()
    }

    /// The latest resource version and a subscription to every change after it.
    pub fn subscribe_now(&self) -> (u64, Subscription) {
        let state = self.read_state();
        let subscription = Subscription {
            backlog: Vec::new(),
            live: self.inner.events.subscribe(),
        };
        (state.resource_version, subscription)
    }

    /// Up to `limit` objects in `scope` that pass `filter`, starting after the key `after`.
    pub fn list(
        &self,
        scope: &Scope,
        after: Option<&str>,
        limit: Option<usize>,
        filter: impl Fn(&Value) -> bool,
    ) -> ListPage {
        let prefix = scope.prefix();
        let state = self.read_state();
        let start = match after {
            Some(after) if after.starts_with(&prefix) => {
                std::ops::Bound::Excluded(after.to_owned())
            }
            _ => std::ops::Bound::Included(prefix.clone()),
        };
        let mut items = Vec::new();
        let mut last_key = None;
        let mut more = false;
        let matching = state
            .objects
            .range((start, std::ops::Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(_, object)| filter(object));
        for (key, object) in matching {
            if limit.is_some_and(|limit| items.len() >= limit) {
                more = true;
                break;
            }
            items.push(Arc::clone(object));
            last_key = Some(key);
        }
        ListPage {
            items,
            resource_version: state.resource_version,
            continue_after: last_key.filter(|_| more).cloned(),
        }
    }

    /// Applies `mutation` to the object at `key` and commits the result durably.
    ///
    /// Writers are serialised, so the mutation sees the latest object and nothing changes it
    /// between the decision and the commit.
    pub async fn write<E, F>(
        &self,
        key: ObjectKey,
        mutation: F,
    ) -> Result<Option<Arc<Event>>, WriteError<E>>
    where
        E: Send + 'static,
        F: FnOnce(Option<&Value>) -> Result<Mutation, E> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write_blocking(key, mutation))
            .await
            .map_err(|error| WriteError::Store(StoreError::Task(error.to_string())))?
    }

    fn write_blocking<E, F>(
        &self,
        key: ObjectKey,
        mutation: F,
    ) -> Result<Option<Arc<Event>>, WriteError<E>>
    where
        F: FnOnce(Option<&Value>) -> Result<Mutation, E>,
    {
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let encoded = key.encode();
        let current = self.read_state().objects.get(&encoded).cloned();
        let resource_version = self.resource_version() + 1;
        let (event_type, object) =
            match mutation(current.as_deref()).map_err(WriteError::Rejected)? {
                Mutation::Unchanged => return Ok(None),
                Mutation::Put(mut object) => {
                    set_resource_version(&mut object, resource_version);
                    let event_type = if current.is_some() {
                        EventType::Modified
                    } else {
                        EventType::Added
                    };
                    (event_type, object)
                }
                Mutation::Delete => {
                    let Some(current) = &current else {
                        return Ok(None);
                    };
                    let mut object = (**current).clone();
                    set_resource_version(&mut object, resource_version);
                    (EventType::Deleted, object)
                }
            };
        self.commit(&encoded, event_type, &object, resource_version)?;

        let object = Arc::new(object);
        let event = Arc::new(Event {
            event_type,
            key,
            object: Arc::clone(&object),
            previous: current,
            resource_version,
        });
        let mut state = self
            .inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match event_type {
            EventType::Deleted => state.objects.remove(&encoded),
            _ => state.objects.insert(encoded, object),
        };
        state.resource_version = resource_version;
        state.history.push_back(Arc::clone(&event));
        if state.history.len() > HISTORY
            && let Some(dropped) = state.history.pop_front()
        {
            state.oldest_watchable = dropped.resource_version;
        }
        // Sent under the state lock, so a subscriber sees each event exactly once:
        // in its backlog or on its live feed.
        let _ = self.inner.events.send(Arc::clone(&event));
        Ok(Some(event))
    }

    fn commit(
        &self,
        encoded: &str,
        event_type: EventType,
        object: &Value,
        resource_version: u64,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(object).map_err(|source| StoreError::Corrupt {
            key: encoded.to_owned(),
            source,
        })?;
        let txn = self.inner.db.begin_write().map_err(redb::Error::from)?;
        {
            let mut objects = txn.open_table(OBJECTS).map_err(redb::Error::from)?;
            if event_type == EventType::Deleted {
                objects.remove(encoded).map_err(redb::Error::from)?;
            } else {
                objects
                    .insert(encoded, bytes.as_slice())
                    .map_err(redb::Error::from)?;
            }
            let mut counters = txn.open_table(COUNTERS).map_err(redb::Error::from)?;
            counters
                .insert(RESOURCE_VERSION, resource_version)
                .map_err(redb::Error::from)?;
        }
        txn.commit().map_err(redb::Error::from)?;
        Ok(())
    }

    /// The changes after `resource_version` and a feed of later ones.
    pub fn subscribe(&self, resource_version: u64) -> Result<Subscription, TooOld> {
        let state = self.read_state();
        if resource_version < state.oldest_watchable {
            return Err(TooOld {
                requested: resource_version,
                oldest: state.oldest_watchable,
            });
        }
        let backlog = state
            .history
            .iter()
            .filter(|event| event.resource_version > resource_version)
            .cloned()
            .collect();
        Ok(Subscription {
            backlog,
            live: self.inner.events.subscribe(),
        })
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn set_resource_version(object: &mut Value, resource_version: u64) {
    if let Some(object) = object.as_object_mut() {
        let metadata = object
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(metadata) = metadata.as_object_mut() {
            metadata.insert(
                "resourceVersion".to_owned(),
                Value::String(resource_version.to_string()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tempfile::TempDir;

    use super::*;

    fn configmap(namespace: &str, name: &str) -> (ObjectKey, Value) {
        (
            ObjectKey::new("", "configmaps", namespace, name),
            json!({"kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}}),
        )
    }

    async fn put(store: &Store, key: ObjectKey, object: Value) -> Arc<Event> {
        store
            .write(key, move |_| Ok::<_, ()>(Mutation::Put(object)))
            .await
            .unwrap()
            .unwrap()
    }

    fn configmaps(namespace: Option<&str>) -> Scope {
        Scope {
            group: String::new(),
            plural: "configmaps".into(),
            namespace: namespace.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn writes_bump_the_resource_version_and_survive_reopening() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("store.redb");
        {
            let store = Store::open(&path).unwrap();
            let (key, object) = configmap("a", "one");
            let added = put(&store, key.clone(), object.clone()).await;
            assert_eq!(added.event_type, EventType::Added);
            assert_eq!(added.resource_version, 1);
            let modified = put(&store, key.clone(), object).await;
            assert_eq!(modified.event_type, EventType::Modified);
            assert_eq!(
                store.get(&key).unwrap()["metadata"]["resourceVersion"],
                json!("2")
            );
            let (other, object) = configmap("a", "two");
            put(&store, other.clone(), object).await;
            let deleted = store
                .write(other, |_| Ok::<_, ()>(Mutation::Delete))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(deleted.event_type, EventType::Deleted);
            assert_eq!(deleted.resource_version, 4);
        }
        let reopened = Store::open(&path).unwrap();
        assert_eq!(reopened.resource_version(), 4);
        let page = reopened.list(&configmaps(None), None, None, |_| true);
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0]["metadata"]["name"], json!("one"));
    }

    #[tokio::test]
    async fn rejected_mutations_change_nothing() {
        let dir = TempDir::new().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        let (key, _) = configmap("a", "one");
        let result = store.write(key.clone(), |_| Err("no")).await;
        assert!(matches!(result, Err(WriteError::Rejected("no"))));
        assert!(store.get(&key).is_none());
        assert_eq!(store.resource_version(), 0);
    }

    #[tokio::test]
    async fn pages_cover_each_object_once_within_the_scope() {
        let dir = TempDir::new().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        for namespace in ["a", "b"] {
            for i in 0..5 {
                let (key, object) = configmap(namespace, &format!("cm-{i}"));
                put(&store, key, object).await;
            }
        }
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.list(&configmaps(Some("a")), after.as_deref(), Some(2), |_| true);
            seen.extend(page.items.iter().map(|o| o["metadata"]["name"].clone()));
            match page.continue_after {
                Some(key) => after = Some(key),
                None => break,
            }
        }
        let expected: Vec<Value> = (0..5).map(|i| json!(format!("cm-{i}"))).collect();
        assert_eq!(seen, expected);
        let filtered = store.list(&configmaps(None), None, None, |o| {
            o["metadata"]["name"] == json!("cm-3")
        });
        assert_eq!(filtered.items.len(), 2);
    }

    #[tokio::test]
    async fn subscriptions_replay_missed_changes_then_follow_live() {
        let dir = TempDir::new().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        for name in ["one", "two", "three"] {
            let (key, object) = configmap("a", name);
            put(&store, key, object).await;
        }
        let mut subscription = store.subscribe(1).unwrap();
        let replayed: Vec<u64> = subscription
            .backlog
            .iter()
            .map(|e| e.resource_version)
            .collect();
        assert_eq!(replayed, [2, 3]);
        let (key, object) = configmap("a", "four");
        put(&store, key, object).await;
        let live = subscription.live.recv().await.unwrap();
        assert_eq!(live.resource_version, 4);
    }

    #[tokio::test]
    async fn watching_from_before_a_restart_is_too_old() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("store.redb");
        {
            let store = Store::open(&path).unwrap();
            let (key, object) = configmap("a", "one");
            put(&store, key, object).await;
        }
        let store = Store::open(&path).unwrap();
        assert!(store.subscribe(1).is_ok());
        let too_old = store.subscribe(0).err().unwrap();
        assert_eq!(too_old.oldest, 1);
    }
}
