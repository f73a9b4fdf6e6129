//! Changing existing objects: replacement, patches, and the rules every change obeys.

use std::sync::Arc;

use serde_json::{Value, json};

use super::create::tracks_generation;
use super::{Cluster, WriteOptions, key};
use crate::api::{self, ApiError};
use crate::catalog::ResourceType;
use crate::store::Mutation;

/// Computes the changed object from the current one.
pub type ChangeFn = Box<dyn FnOnce(&Value) -> Result<Value, ApiError> + Send>;

/// A change to an existing object.
pub enum Change {
    /// `PUT`: the object as the client wants it.
    Replace(Value),
    /// `application/merge-patch+json` (RFC 7386).
    MergePatch(Value),
    /// `application/json-patch+json` (RFC 6902).
    JsonPatch(Value),
    /// `application/strategic-merge-patch+json`, for the built-in kinds.
    StrategicMergePatch(Value),
    /// Any other computation, e.g. through the `scale` subresource or by a controller.
    Compute(ChangeFn),
    /// `application/apply-patch+yaml`: server-side apply of `config` by `manager`.
    Apply {
        /// The applied type.
        resource_type: Arc<ResourceType>,
        /// The configuration the manager wants.
        config: Value,
        /// The field manager.
        manager: String,
        /// Whether to take fields other managers own.
        force: bool,
    },
}

impl Change {
    /// The object the change asks for, given the current one.
    pub fn apply(self, current: &Value) -> Result<Value, ApiError> {
        match self {
            Self::Replace(object) => Ok(object),
            Self::MergePatch(patch) => {
                let mut object = current.clone();
                json_patch::merge(&mut object, &patch);
                Ok(object)
            }
            Self::StrategicMergePatch(patch) => super::strategic::apply(current, &patch),
            Self::Compute(compute) => compute(current),
            Self::Apply {
                resource_type,
                config,
                manager,
                force,
            } => super::ownership::apply(&resource_type, current, config, &manager, force),
            Self::JsonPatch(patch) => {
                let operations: json_patch::Patch =
                    serde_json::from_value(patch).map_err(|error| {
                        ApiError::BadRequest(format!("invalid JSON patch: {error}"))
                    })?;
                let mut object = current.clone();
                json_patch::patch(&mut object, &operations).map_err(|error| {
                    ApiError::Unprocessable(format!(
                        "the server rejected our request due to an error in our request: {error}"
                    ))
                })?;
                Ok(object)
            }
        }
    }
}

impl Cluster {
    /// Applies `change` to the object `name`, or to its `status` when `subresource` says so.
    pub async fn update(
        &self,
        resource_type: &Arc<ResourceType>,
        namespace: Option<&str>,
        name: &str,
        subresource: Option<&str>,
        change: Change,
        options: &WriteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let key = key(resource_type, namespace.unwrap_or_default(), name);
        let rt = Arc::clone(resource_type);
        let owned_name = name.to_owned();
        let subresource = subresource.map(str::to_owned);
        let options_for_write = options.clone();
        let decide = move |current: Option<&Value>| -> Result<Mutation, ApiError> {
            let current = current.ok_or_else(|| ApiError::not_found(&rt, &owned_name))?;
            let applied = matches!(change, Change::Apply { .. });
            let candidate = change.apply(current)?;
            let ownership = if applied {
                Ownership::Applied
            } else {
                Ownership::Update(&options_for_write.manager)
            };
            finalize(&rt, current, candidate, subresource.as_deref(), ownership)
        };
        if options.dry_run {
            let current = self.store.get(&key);
            return Ok(match decide(current.as_deref())? {
                Mutation::Put(object) => Arc::new(object),
                Mutation::Delete | Mutation::Unchanged => {
                    current.ok_or_else(|| ApiError::not_found(resource_type, name))?
                }
            });
        }
        let lookup = key.clone();
        let event = self.store.write(key, decide).await?;
        self.after_write(resource_type).await;
        match event {
            Some(event) => Ok(super::served_as(resource_type, Arc::clone(&event.object))),
            None => self
                .store
                .get(&lookup)
                .map(|object| super::served_as(resource_type, object))
                .ok_or_else(|| ApiError::not_found(resource_type, name)),
        }
    }
}

/// Metadata only the server sets; a write's own values for them are replaced by the current ones.
const SERVER_SET_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
];

/// How a write's field ownership is recorded.
pub(super) enum Ownership<'a> {
    /// An ordinary write by this manager.
    Update(&'a str),
    /// Server-side apply, which already computed `managedFields`.
    Applied,
}

/// Turns the object a change asks for into what is stored, enforcing what clients may not
/// change: identity, timestamps, generation, and status or spec depending on the subresource.
pub(super) fn finalize(
    resource_type: &ResourceType,
    current: &Value,
    mut candidate: Value,
    subresource: Option<&str>,
    ownership: Ownership<'_>,
) -> Result<Mutation, ApiError> {
    api::check_type(resource_type, &mut candidate)?;
    if resource_type.group.is_empty() && resource_type.kind == "Secret" {
        super::defaults::secret(&mut candidate);
    }
    let current_name = api::meta_str(current, "name").unwrap_or_default();
    match api::meta_str(&candidate, "name") {
        Some(name) if name != current_name => {
            return Err(ApiError::BadRequest(format!(
                "the name of the object ({name}) does not match the name on the URL ({current_name})"
            )));
        }
        _ => {}
    }
    if let Some(expected) = api::meta_str(&candidate, "resourceVersion")
        && Some(expected) != api::meta_str(current, "resourceVersion")
    {
        return Err(ApiError::stale(resource_type, current_name));
    }

    let mut result = match subresource {
        Some("status") => {
            let mut result = current.clone();
            match candidate.get("status") {
                Some(status) => result["status"] = status.clone(),
                None => {
                    if let Some(object) = result.as_object_mut() {
                        object.remove("status");
                    }
                }
            }
            result
        }
        _ => {
            let current_metadata = api::metadata(current).cloned().unwrap_or_default();
            let metadata = api::metadata_mut(&mut candidate);
            // Server-side apply has already worked out `managedFields`; other writes keep
            // the current ones until they are tracked below.
            let keep_managed = matches!(ownership, Ownership::Update(_)).then_some("managedFields");
            let server_fields = SERVER_SET_METADATA.iter().copied().chain(keep_managed);
            for field in server_fields {
                match current_metadata.get(field) {
                    Some(value) => metadata.insert(field.into(), value.clone()),
                    None => metadata.remove(field),
                };
            }
            if resource_type.status_subresource {
                match current.get("status") {
                    Some(status) => candidate["status"] = status.clone(),
                    None => {
                        if let Some(object) = candidate.as_object_mut() {
                            object.remove("status");
                        }
                    }
                }
            }
            if tracks_generation(resource_type) && spec_changed(current, &candidate) {
                let generation = current_metadata
                    .get("generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                api::metadata_mut(&mut candidate)
                    .insert("generation".into(), json!(generation + 1));
            }
            candidate
        }
    };
    if let Ownership::Update(manager) = ownership {
        super::ownership::track_update(Some(current), &mut result, manager, subresource);
    }
    if same_content(current, &result) {
        return Ok(Mutation::Unchanged);
    }
    let deleting = api::meta_str(&result, "deletionTimestamp").is_some();
    if deleting && !held_by_finalizers(resource_type, &result) {
        return Ok(Mutation::Delete);
    }
    Ok(Mutation::Put(result))
}

/// Whether finalizers still hold an object marked for deletion; a namespace is also held by
/// the finalizers in its spec until the namespace controller has emptied it.
pub(super) fn held_by_finalizers(resource_type: &ResourceType, object: &Value) -> bool {
    let namespace_held = resource_type.group.is_empty()
        && resource_type.kind == "Namespace"
        && object["spec"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
    namespace_held || !api::finalizers(object).is_empty()
}

/// Whether anything but metadata and status differs.
fn spec_changed(current: &Value, candidate: &Value) -> bool {
    let strip = |object: &Value| {
        let mut object = object.clone();
        if let Some(map) = object.as_object_mut() {
            map.remove("metadata");
            map.remove("status");
        }
        object
    };
    strip(current) != strip(candidate)
}

/// Whether two versions of an object differ only in bookkeeping: resource version and the
/// times in `managedFields`.
fn same_content(current: &Value, candidate: &Value) -> bool {
    let strip = |object: &Value| {
        let mut object = object.clone();
        let metadata = api::metadata_mut(&mut object);
        metadata.remove("resourceVersion");
        if let Some(Value::Array(entries)) = metadata.get_mut("managedFields") {
            for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                entry.remove("time");
            }
        }
        object
    };
    strip(current) == strip(candidate)
}
