//! Deleting objects: finalizers, propagation policies and namespaces.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Cluster, key};
use crate::api::{self, ApiError};
use crate::catalog::ResourceType;
use crate::store::Mutation;

/// The finalizer that holds an owner until its dependents are gone.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// The finalizer that holds an owner until its dependents are released.
pub const ORPHAN_FINALIZER: &str = "orphan";

/// What happens to an object's dependents when it is deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    /// The owner goes at once; the garbage collector removes dependents afterwards.
    #[default]
    Background,
    /// The owner stays, marked for deletion, until its dependents are gone.
    Foreground,
    /// The dependents stay, released from the owner.
    Orphan,
}

impl Propagation {
    /// Reads `propagationPolicy`.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        match text {
            "Background" => Ok(Self::Background),
            "Foreground" => Ok(Self::Foreground),
            "Orphan" => Ok(Self::Orphan),
            other => Err(ApiError::BadRequest(format!(
                "propagationPolicy: Unsupported value: {other:?}: supported values: \"Foreground\", \"Background\", \"Orphan\""
            ))),
        }
    }
}

/// How to delete.
#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    /// The propagation policy.
    pub propagation: Propagation,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// Delete only if the object still has this UID.
    pub precondition_uid: Option<String>,
    /// Delete only if the object still has this resource version.
    pub precondition_resource_version: Option<String>,
}

impl DeleteOptions {
    /// Reads a `DeleteOptions` body; `propagation` and `dry_run` from the query win when set.
    pub fn from_body(
        body: Option<&Value>,
        propagation: Option<Propagation>,
        dry_run: bool,
    ) -> Result<Self, ApiError> {
        let field = |path: &[&str]| -> Option<String> {
            path.iter()
                .try_fold(body?, |value, key| value.get(key))?
                .as_str()
                .map(str::to_owned)
        };
        let body_propagation = match field(&["propagationPolicy"]) {
            Some(text) => Some(Propagation::parse(&text)?),
            None if body.and_then(|b| b.get("orphanDependents")) == Some(&json!(true)) => {
                Some(Propagation::Orphan)
            }
            None => None,
        };
        let body_dry_run = body
            .and_then(|b| b.get("dryRun"))
            .and_then(Value::as_array)
            .is_some_and(|modes| modes.iter().any(|m| m == "All"));
        Ok(Self {
            propagation: propagation.or(body_propagation).unwrap_or_default(),
            dry_run: dry_run || body_dry_run,
            precondition_uid: field(&["preconditions", "uid"]),
            precondition_resource_version: field(&["preconditions", "resourceVersion"]),
        })
    }
}

impl Cluster {
    /// Deletes the object `name`; returns its last state, or its state while finalizers hold it.
    pub async fn delete(
        &self,
        resource_type: &Arc<ResourceType>,
        namespace: Option<&str>,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let key = key(resource_type, namespace.unwrap_or_default(), name);
        let rt = Arc::clone(resource_type);
        let owned_name = name.to_owned();
        let decide_options = options.clone();
        let decide = move |current: Option<&Value>| -> Result<Mutation, ApiError> {
            let current = current.ok_or_else(|| ApiError::not_found(&rt, &owned_name))?;
            deletion(&rt, current, &decide_options)
        };
        if options.dry_run {
            let current = self
                .store
                .get(&key)
                .ok_or_else(|| ApiError::not_found(resource_type, name))?;
            decide(Some(&current))?;
            return Ok(current);
        }
        let lookup = key.clone();
        let event = self.store.write(key, decide).await?;
        self.after_write(resource_type).await;
        match event {
            Some(event) => Ok(Arc::clone(&event.object)),
            None => self
                .store
                .get(&lookup)
                .ok_or_else(|| ApiError::not_found(resource_type, name)),
        }
    }
}

/// What deleting `current` does: remove it, or mark it and let finalizers run first.
fn deletion(
    resource_type: &ResourceType,
    current: &Value,
    options: &DeleteOptions,
) -> Result<Mutation, ApiError> {
    let name = api::meta_str(current, "name").unwrap_or_default();
    let precondition_failed = |what: &str, expected: &str, actual: Option<&str>| {
        ApiError::Conflict {
            resource: resource_type.plural.clone(),
            group: (!resource_type.group.is_empty()).then(|| resource_type.group.clone()),
            name: name.to_owned(),
            message: format!(
                "Precondition failed: {what} in precondition: {expected}, {what} in object meta: {}",
                actual.unwrap_or_default()
            ),
            causes: Vec::new(),
        }
    };
    if let Some(uid) = &options.precondition_uid
        && Some(uid.as_str()) != api::meta_str(current, "uid")
    {
        return Err(precondition_failed(
            "UID",
            uid,
            api::meta_str(current, "uid"),
        ));
    }
    if let Some(version) = &options.precondition_resource_version
        && Some(version.as_str()) != api::meta_str(current, "resourceVersion")
    {
        return Err(precondition_failed(
            "ResourceVersion",
            version,
            api::meta_str(current, "resourceVersion"),
        ));
    }

    let already_deleting = api::meta_str(current, "deletionTimestamp").is_some();
    let mut object = current.clone();
    if resource_type.group.is_empty() && resource_type.kind == "Namespace" {
        // The namespace controller empties the namespace, then removes it.
        if already_deleting {
            return Ok(Mutation::Unchanged);
        }
        mark_deleting(&mut object);
        object["status"]["phase"] = json!("Terminating");
        return Ok(Mutation::Put(object));
    }
    let mut finalizers = api::finalizers(current);
    let extra = match options.propagation {
        Propagation::Background => None,
        Propagation::Foreground => Some(FOREGROUND_FINALIZER),
        Propagation::Orphan => Some(ORPHAN_FINALIZER),
    };
    if let Some(extra) = extra
        && !finalizers.iter().any(|f| f == extra)
    {
        finalizers.push(extra.to_owned());
    }
    if finalizers.is_empty() {
        return Ok(Mutation::Delete);
    }
    if already_deleting && finalizers == api::finalizers(current) {
        return Ok(Mutation::Unchanged);
    }
    mark_deleting(&mut object);
    api::metadata_mut(&mut object).insert("finalizers".into(), json!(finalizers));
    Ok(Mutation::Put(object))
}

fn mark_deleting(object: &mut Value) {
    let metadata = api::metadata_mut(object);
    if !metadata.contains_key("deletionTimestamp") {
        metadata.insert("deletionTimestamp".into(), json!(api::now()));
        metadata.insert("deletionGracePeriodSeconds".into(), json!(0));
    }
}
