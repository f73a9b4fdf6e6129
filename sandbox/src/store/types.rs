//! What the store answers with: changes, pages, subscriptions and errors.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use super::ObjectKey;

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
    /// The store was closed; nothing more is written.
    #[error("the store is closed")]
    Closed,
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
