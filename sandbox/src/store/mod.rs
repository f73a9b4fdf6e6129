//! The sandbox's persistent object store.
//!
//! Objects are JSON documents in a redb database; every write is committed durably before it
//! is acknowledged, and bumps one cluster-wide `resourceVersion` counter that never goes back.
//! A copy of every object is kept in memory for reads, and recent changes are kept as events
//! so watches can resume from a `resourceVersion`.

mod key;
mod types;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use tokio::sync::broadcast;

pub use key::{ObjectKey, Scope};
pub use types::{
    Event, EventType, ListPage, Mutation, StoreError, Subscription, TooOld, WriteError,
};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const RESOURCE_VERSION: &str = "resource_version";
/// How many recent changes a watch can resume from.
const HISTORY: usize = 10_000;
/// How many changes a slow watcher may fall behind before it is dropped.
const WATCH_BUFFER: usize = 4_096;

struct State {
    objects: BTreeMap<String, Arc<Value>>,
    resource_version: u64,
    history: VecDeque<Arc<Event>>,
    /// A watch may start at this version or any later one.
    oldest_watchable: u64,
}

struct Inner {
    /// The database; writers hold this lock for the whole write, which serialises them, and
    /// [`Store::close`] empties it so the file can be opened again.
    db: Mutex<Option<Database>>,
    state: RwLock<State>,
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
                db: Mutex::new(Some(db)),
                state: RwLock::new(State {
                    objects,
                    resource_version,
                    history: VecDeque::new(),
                    oldest_watchable: resource_version,
                }),
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

    /// Every object in `scope` whose name starts with `name_prefix` and passes `filter`;
    /// only that range of keys is read.
    pub fn list_named(
        &self,
        scope: &Scope,
        name_prefix: &str,
        filter: impl Fn(&Value) -> bool,
    ) -> Vec<Arc<Value>> {
        let prefix = format!("{}{name_prefix}", scope.prefix());
        let state = self.read_state();
        state
            .objects
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(_, object)| filter(object))
            .map(|(_, object)| Arc::clone(object))
            .collect()
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
        let db = self.inner.db.lock().unwrap_or_else(PoisonError::into_inner);
        let db = db.as_ref().ok_or(StoreError::Closed)?;
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
        commit(db, &encoded, event_type, &object, resource_version)?;

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

    /// Closes the database once any write under way has committed; later writes fail with
    /// [`StoreError::Closed`] and the file can be opened again, even while clones of this store
    /// are still held by tasks that have not finished yet.
    pub fn close(&self) {
        self.inner
            .db
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
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

/// Writes one change and the new resource version in one durable transaction.
fn commit(
    db: &Database,
    encoded: &str,
    event_type: EventType,
    object: &Value,
    resource_version: u64,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(object).map_err(|source| StoreError::Corrupt {
        key: encoded.to_owned(),
        source,
    })?;
    let txn = db.begin_write().map_err(redb::Error::from)?;
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

#[cfg(test)]
mod tests;
