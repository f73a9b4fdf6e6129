//! The garbage collector: deletes objects whose owners are gone, and carries out foreground
//! and orphan deletion of owners.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Next, meta, next};
use crate::api::ApiError;
use crate::cluster::{
    Change, Cluster, DeleteOptions, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, WriteOptions,
};
use crate::store::{Event, EventType, ObjectKey};

/// The garbage collector's view of ownership.
pub struct GarbageCollector {
    cluster: Cluster,
    /// Every object's key by UID.
    objects: HashMap<String, ObjectKey>,
    /// Dependents by owner UID.
    dependents: HashMap<String, BTreeSet<ObjectKey>>,
}

fn owner_uids(object: &Value) -> Vec<String> {
    object["metadata"]["ownerReferences"]
        .as_array()
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r["uid"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl GarbageCollector {
    /// Applies `change` to the object at `key`; an object already gone needs no change.
    async fn change(&self, key: &ObjectKey, change: Change) -> Result<(), ApiError> {
        let Some(resource_type) = self.cluster.catalog().by_plural(&key.group, &key.plural) else {
            return Ok(());
        };
        match self
            .cluster
            .update(
                &resource_type,
                namespace_of(key),
                &key.name,
                None,
                change,
                &gc_options(),
            )
            .await
        {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Deletes the object at `key`; one already gone needs nothing.
    async fn delete(&self, key: &ObjectKey, options: &DeleteOptions) -> Result<(), ApiError> {
        let Some(resource_type) = self.cluster.catalog().by_plural(&key.group, &key.plural) else {
            return Ok(());
        };
        match self
            .cluster
            .delete(&resource_type, namespace_of(key), &key.name, options)
            .await
        {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// A collector for `cluster`.
    pub fn new(cluster: Cluster) -> Self {
        Self {
            cluster,
            objects: HashMap::new(),
            dependents: HashMap::new(),
        }
    }

    /// Runs until the store's change feed closes.
    pub async fn run(mut self) {
        let (_, mut subscription) = self.cluster.store().subscribe_now();
        self.resync().await;
        loop {
            match next(&mut subscription.live).await {
                Next::Event(event) => self.observe(&event).await,
                Next::Resync => self.resync().await,
                Next::Closed => return,
            }
        }
    }

    async fn resync(&mut self) {
        self.objects.clear();
        self.dependents.clear();
        let all = self.cluster.store().all();
        for (key, object) in &all {
            self.index(key, object);
        }
        for (key, object) in all {
            self.settle(&key, &object).await;
        }
    }

    fn index(&mut self, key: &ObjectKey, object: &Value) {
        if let Some(uid) = meta(object, "uid") {
            self.objects.insert(uid.to_owned(), key.clone());
        }
        for owner in owner_uids(object) {
            self.dependents
                .entry(owner)
                .or_default()
                .insert(key.clone());
        }
    }

    fn unindex(&mut self, key: &ObjectKey, object: &Value) {
        if let Some(uid) = meta(object, "uid") {
            self.objects.remove(uid);
        }
        for owner in owner_uids(object) {
            if let Some(set) = self.dependents.get_mut(&owner) {
                set.remove(key);
                if set.is_empty() {
                    self.dependents.remove(&owner);
                }
            }
        }
    }

    async fn observe(&mut self, event: &Arc<Event>) {
        let mut former_owners = BTreeSet::new();
        if let Some(previous) = &event.previous {
            self.unindex(&event.key, previous);
            former_owners.extend(owner_uids(previous));
        }
        if event.event_type == EventType::Deleted {
            if let Some(uid) = meta(&event.object, "uid") {
                let orphans: Vec<ObjectKey> = self
                    .dependents
                    .get(uid)
                    .map(|set| set.iter().cloned().collect())
                    .unwrap_or_default();
                for dependent in orphans {
                    if let Some(object) = self.cluster.store().get(&dependent) {
                        self.settle(&dependent, &object).await;
                    }
                }
            }
        } else {
            self.index(&event.key, &event.object);
            self.settle(&event.key, &event.object).await;
        }
        // Owners this object no longer holds back may now finish their own deletion.
        for owner in former_owners {
            if let Err(error) = self.release_owner(&owner).await {
                tracing::warn!("garbage collector could not release owner {owner}: {error}");
            }
        }
    }

    /// Brings one object in line: gone owners, or its own foreground or orphan deletion.
    async fn settle(&self, key: &ObjectKey, object: &Value) {
        let result = self.settle_dependent(key, object).await;
        let result = match result {
            Ok(()) => self.settle_owner(object).await,
            error => error,
        };
        if let Err(error) = result
            && !matches!(error, ApiError::NotFound { .. })
        {
            tracing::warn!("garbage collector could not settle {key}: {error}");
        }
    }

    async fn settle_dependent(&self, key: &ObjectKey, object: &Value) -> Result<(), ApiError> {
        let owners = owner_uids(object);
        if owners.is_empty() {
            return Ok(());
        }
        let living: Vec<&String> = owners
            .iter()
            .filter(|uid| self.objects.contains_key(*uid))
            .collect();
        if living.len() == owners.len() {
            return Ok(());
        }
        if living.is_empty() {
            if meta(object, "deletionTimestamp").is_none() {
                self.delete(key, &DeleteOptions::default()).await?;
            }
            return Ok(());
        }
        let living: BTreeSet<String> = living.into_iter().cloned().collect();
        let drop_dangling = Change::Compute(Box::new(move |current| {
            let mut object = current.clone();
            if let Some(refs) = object["metadata"]["ownerReferences"].as_array_mut() {
                refs.retain(|r| r["uid"].as_str().is_some_and(|uid| living.contains(uid)));
            }
            Ok(object)
        }));
        self.change(key, drop_dangling).await
    }

    /// For an owner being deleted in the foreground or with orphaning, acts on its dependents.
    async fn settle_owner(&self, object: &Value) -> Result<(), ApiError> {
        if meta(object, "deletionTimestamp").is_none() {
            return Ok(());
        }
        let Some(uid) = meta(object, "uid") else {
            return Ok(());
        };
        let finalizers = crate::api::finalizers(object);
        let dependents: Vec<ObjectKey> = self
            .dependents
            .get(uid)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default();
        if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
            for dependent in &dependents {
                self.release_dependent(dependent, uid).await?;
            }
        } else if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
            let options = DeleteOptions {
                propagation: crate::cluster::Propagation::Foreground,
                ..DeleteOptions::default()
            };
            for dependent in &dependents {
                self.delete(dependent, &options).await?;
            }
        } else {
            return Ok(());
        }
        self.release_owner(uid).await
    }

    /// Removes the owner's reference from a dependent it orphans.
    async fn release_dependent(&self, dependent: &ObjectKey, owner: &str) -> Result<(), ApiError> {
        let owner = owner.to_owned();
        let release = Change::Compute(Box::new(move |current| {
            let mut object = current.clone();
            if let Some(refs) = object["metadata"]["ownerReferences"].as_array_mut() {
                refs.retain(|r| r["uid"] != json!(owner));
            }
            Ok(object)
        }));
        self.change(dependent, release).await
    }

    /// Drops the foreground or orphan finalizer of owner `uid` once no dependent is left.
    async fn release_owner(&self, uid: &str) -> Result<(), ApiError> {
        if self.dependents.get(uid).is_some_and(|set| !set.is_empty()) {
            return Ok(());
        }
        let Some(key) = self.objects.get(uid) else {
            return Ok(());
        };
        let Some(object) = self.cluster.store().get(key) else {
            return Ok(());
        };
        let holding = crate::api::finalizers(&object)
            .iter()
            .any(|f| f == FOREGROUND_FINALIZER || f == ORPHAN_FINALIZER);
        if meta(&object, "deletionTimestamp").is_none() || !holding {
            return Ok(());
        }
        let release = Change::Compute(Box::new(|current| {
            let mut object = current.clone();
            if let Some(list) = object["metadata"]["finalizers"].as_array_mut() {
                list.retain(|f| f != FOREGROUND_FINALIZER && f != ORPHAN_FINALIZER);
            }
            Ok(object)
        }));
        self.change(key, release).await
    }
}

/// The namespace part of a key, as the cluster's verbs take it.
fn namespace_of(key: &ObjectKey) -> Option<&str> {
    (!key.namespace.is_empty()).then_some(key.namespace.as_str())
}

fn gc_options() -> WriteOptions {
    WriteOptions {
        manager: "garbage-collector".to_owned(),
        dry_run: false,
    }
}
