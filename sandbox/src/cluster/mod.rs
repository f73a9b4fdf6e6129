//! The cluster's API machinery without HTTP: the operations every verb performs on the store,
//! shared by the REST handlers and the built-in controllers.

mod apply;
mod binding;
mod bootstrap;
mod crds;
mod create;
mod defaults;
mod delete;
mod fields;
mod ownership;
mod services;
mod strategic;
mod update;

use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value;

use crate::api::ApiError;
use crate::catalog::{Catalog, ResourceType};
use crate::store::{ListPage, ObjectKey, Scope, Store};

pub use delete::{DeleteOptions, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, Propagation};
pub use update::{Change, ChangeFn};

/// The name of the manager recorded for writes that do not name one.
pub const DEFAULT_MANAGER: &str = "unknown";

/// How a write identifies itself and whether it is only a trial.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// The field manager (`fieldManager`, or the client's user agent).
    pub manager: String,
    /// `dryRun=All`: validate and answer, but store nothing.
    pub dry_run: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            manager: DEFAULT_MANAGER.to_owned(),
            dry_run: false,
        }
    }
}

/// A sandbox cluster's state: its store and the catalog of served types. Cheap to clone.
#[derive(Clone)]
pub struct Cluster {
    store: Store,
    catalog: Arc<RwLock<Arc<Catalog>>>,
}

impl Cluster {
    /// A cluster over `store`, serving the built-in types and the CRDs already stored.
    pub fn new(store: Store) -> Self {
        let cluster = Self {
            store,
            catalog: Arc::new(RwLock::new(Arc::new(Catalog::builtin()))),
        };
        cluster.sync_crds();
        cluster
    }

    /// The object store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The types served right now.
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The type `group`/`version`/`plural`, or 404.
    pub fn resource_type(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Result<Arc<ResourceType>, ApiError> {
        self.catalog()
            .get(group, version, plural)
            .ok_or(ApiError::UnknownResource)
    }

    /// The object `name` of `resource_type` in `namespace`, or 404.
    pub fn get(
        &self,
        resource_type: &ResourceType,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<Value>, ApiError> {
        self.store
            .get(&key(resource_type, namespace, name))
            .map(|object| served_as(resource_type, object))
            .ok_or_else(|| ApiError::not_found(resource_type, name))
    }

    /// A page of objects of `resource_type` that pass `filter`.
    pub fn list(
        &self,
        resource_type: &ResourceType,
        namespace: Option<&str>,
        after: Option<&str>,
        limit: Option<usize>,
        filter: impl Fn(&Value) -> bool,
    ) -> ListPage {
        let scope = Scope {
            group: resource_type.group.clone(),
            plural: resource_type.plural.clone(),
            namespace: namespace.map(str::to_owned),
        };
        self.store.list(&scope, after, limit, filter)
    }

    /// Whether `namespace` exists and accepts new objects.
    fn check_namespace(&self, namespace: &str) -> Result<(), ApiError> {
        let catalog = self.catalog();
        let namespaces = catalog
            .get("", "v1", "namespaces")
            .ok_or(ApiError::UnknownResource)?;
        let object = self
            .store
            .get(&key(&namespaces, "", namespace))
            .ok_or_else(|| ApiError::not_found(&namespaces, namespace))?;
        if crate::api::meta_str(&object, "deletionTimestamp").is_some() {
            return Err(ApiError::Forbidden(format!(
                "unable to create new content in namespace {namespace} because it is being terminated"
            )));
        }
        Ok(())
    }
}

/// The store key of an object.
pub fn key(resource_type: &ResourceType, namespace: &str, name: &str) -> ObjectKey {
    let namespace = if resource_type.namespaced {
        namespace
    } else {
        ""
    };
    ObjectKey::new(&resource_type.group, &resource_type.plural, namespace, name)
}

/// A stored object as served at `resource_type`'s version: custom resources are stored once
/// for all versions and answered with the `apiVersion` asked for.
pub fn served_as(resource_type: &ResourceType, object: Arc<Value>) -> Arc<Value> {
    let api_version = resource_type.api_version();
    if object.get("apiVersion").and_then(Value::as_str) == Some(api_version.as_str()) {
        return object;
    }
    let mut converted = (*object).clone();
    converted["apiVersion"] = Value::String(api_version);
    Arc::new(converted)
}
