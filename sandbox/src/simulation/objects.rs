//! Reading and building the parts of objects every simulated controller deals with:
//! owners, selectors, resource quantities, timestamps and template hashes.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::api::{self, ApiError};
use crate::catalog::ResourceType;
use crate::cluster::{Change, Cluster, DeleteOptions, WriteOptions};
use crate::store::{Event, ObjectKey};

/// The object's controlling owner: its kind, name and UID.
pub(super) fn controller_of(object: &Value) -> Option<(&str, &str, &str)> {
    object["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|owner| owner["controller"] == json!(true))
        .map(|owner| {
            (
                owner["kind"].as_str().unwrap_or_default(),
                owner["name"].as_str().unwrap_or_default(),
                owner["uid"].as_str().unwrap_or_default(),
            )
        })
}

/// Whether `object` is controlled by the object with `uid`.
pub(super) fn controlled_by(object: &Value, uid: &str) -> bool {
    controller_of(object).is_some_and(|(_, _, owner)| owner == uid)
}

/// A type of object a controller reconciles.
pub(super) struct Kind {
    pub group: &'static str,
    pub plural: &'static str,
    pub kind: &'static str,
}

/// What a controller of `owner` objects reconciles after a change: the changed object itself
/// when it is an `owner`, its controlling owner when it is of the `dependent` type.
pub(super) fn own_or_owner(event: &Event, owner: &Kind, dependent: (&str, &str)) -> Vec<ObjectKey> {
    let key = &event.key;
    if key.group == owner.group && key.plural == owner.plural {
        return vec![key.clone()];
    }
    if (key.group.as_str(), key.plural.as_str()) != dependent {
        return Vec::new();
    }
    match controller_of(&event.object) {
        Some((kind, name, _)) if kind == owner.kind => {
            vec![ObjectKey::new(
                owner.group,
                owner.plural,
                &key.namespace,
                name,
            )]
        }
        _ => Vec::new(),
    }
}

/// An owner reference naming `owner` as the controller.
pub(super) fn controller_reference(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether a Service's `selector` map selects `labels`; an empty map selects nothing.
pub(super) fn map_selects(selector: &Value, labels: &Value) -> bool {
    selector.as_object().is_some_and(|selector| {
        !selector.is_empty()
            && selector
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
    })
}

/// A timestamp field as a point in time.
pub(super) fn time(value: &Value) -> Option<Timestamp> {
    value.as_str()?.parse().ok()
}

/// A point in time as Kubernetes writes it: whole seconds (cut, never rounded up), UTC.
pub(super) fn format_time(at: Timestamp) -> String {
    Timestamp::from_second(at.as_second())
        .unwrap_or(at)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A stable hash of a JSON value, independent of key order.
pub(super) fn hash(value: &Value) -> u64 {
    fn feed(hash: &mut u64, bytes: &[u8]) {
        for byte in bytes {
            *hash ^= u64::from(*byte);
            *hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn walk(hash: &mut u64, value: &Value) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                feed(hash, b"{");
                for key in keys {
                    feed(hash, key.as_bytes());
                    feed(hash, b":");
                    walk(hash, &map[key]);
                }
                feed(hash, b"}");
            }
            Value::Array(items) => {
                feed(hash, b"[");
                items.iter().for_each(|item| walk(hash, item));
                feed(hash, b"]");
            }
            other => feed(hash, other.to_string().as_bytes()),
        }
    }
    let mut hash = 0xcbf2_9ce4_8422_2325;
    walk(&mut hash, value);
    hash
}

/// A short name-safe form of a hash, as Kubernetes spells `pod-template-hash` values.
pub(super) fn hash_label(value: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash = hash(value);
    (0..10)
        .map(|_| {
            let character = ALPHABET[(hash % ALPHABET.len() as u64) as usize] as char;
            hash /= ALPHABET.len() as u64;
            character
        })
        .collect()
}

/// An integer field, or `default`.
pub(super) fn int(value: &Value, default: i64) -> i64 {
    value.as_i64().unwrap_or(default)
}

/// Whether a pod has finished for good.
pub(super) fn is_terminal(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    )
}

/// Whether an object is being deleted.
pub(super) fn is_deleting(object: &Value) -> bool {
    api::meta_str(object, "deletionTimestamp").is_some()
}

/// Whether a pod's `Ready` condition is true.
pub(super) fn is_ready(pod: &Value) -> bool {
    condition(pod, "Ready").is_some_and(|c| c["status"] == "True")
}

/// The condition of type `kind` in the object's status.
pub(super) fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

/// Sets a condition, keeping its `lastTransitionTime` when the status did not change.
pub(super) fn set_condition(
    status: &mut Value,
    kind: &str,
    value: bool,
    reason: &str,
    message: &str,
) {
    let now = api::now();
    let text = if value { "True" } else { "False" };
    if !status["conditions"].is_array() {
        status["conditions"] = json!([]);
    }
    let Some(conditions) = status["conditions"].as_array_mut() else {
        return;
    };
    let position = conditions.iter().position(|c| c["type"] == kind);
    let transition = position
        .map(|i| &conditions[i])
        .filter(|c| c["status"] == text)
        .and_then(|c| c["lastTransitionTime"].as_str())
        .map_or_else(|| now.clone(), str::to_owned);
    let mut condition = json!({
        "type": kind, "status": text, "lastTransitionTime": transition,
    });
    if !reason.is_empty() {
        condition["reason"] = json!(reason);
    }
    if !message.is_empty() {
        condition["message"] = json!(message);
    }
    match position {
        Some(index) => conditions[index] = condition,
        None => conditions.push(condition),
    }
}

/// The writes a simulated controller makes, under its own field manager.
#[derive(Clone)]
pub(super) struct Writer {
    cluster: Cluster,
    options: WriteOptions,
}

impl Writer {
    /// Writes as `manager`.
    pub(super) fn new(cluster: &Cluster, manager: &str) -> Self {
        Self {
            cluster: cluster.clone(),
            options: WriteOptions {
                manager: manager.to_owned(),
                dry_run: false,
            },
        }
    }

    /// The cluster written to.
    pub(super) fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The served type `group`/`plural` (always version `v1` for what the simulation drives).
    pub(super) fn resource_type(
        &self,
        group: &str,
        plural: &str,
    ) -> Result<Arc<ResourceType>, ApiError> {
        self.cluster.resource_type(group, "v1", plural)
    }

    /// Creates an object.
    pub(super) async fn create(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        object: Value,
    ) -> Result<Arc<Value>, ApiError> {
        let resource_type = self.resource_type(group, plural)?;
        self.cluster
            .create(&resource_type, namespace, object, &self.options)
            .await
    }

    /// Replaces the status of an object with what `compute` makes of the current one.
    pub(super) async fn update_status(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
        compute: impl FnOnce(&Value) -> Value + Send + 'static,
    ) -> Result<Arc<Value>, ApiError> {
        self.update(group, plural, namespace, name, Some("status"), compute)
            .await
    }

    /// Changes an object (or its `subresource`) to what `compute` makes of the current one.
    pub(super) async fn update(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
        subresource: Option<&str>,
        compute: impl FnOnce(&Value) -> Value + Send + 'static,
    ) -> Result<Arc<Value>, ApiError> {
        let resource_type = self.resource_type(group, plural)?;
        let change = Change::Compute(Box::new(move |current| Ok(compute(current))));
        self.cluster
            .update(
                &resource_type,
                namespace,
                name,
                subresource,
                change,
                &self.options,
            )
            .await
    }

    /// Deletes an object; one already gone is no error.
    pub(super) async fn delete(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ApiError> {
        let resource_type = self.resource_type(group, plural)?;
        match self
            .cluster
            .delete(&resource_type, namespace, name, &DeleteOptions::default())
            .await
        {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The objects of `group`/`plural` in `namespace` that pass `filter`.
    pub(super) fn list(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        filter: impl Fn(&Value) -> bool,
    ) -> Vec<Arc<Value>> {
        match self.resource_type(group, plural) {
            Ok(resource_type) => {
                self.cluster
                    .list(&resource_type, namespace, None, None, filter)
                    .items
            }
            Err(_) => Vec::new(),
        }
    }

    /// The objects of `group`/`plural` in `namespace` whose names start with `name_prefix` and
    /// pass `filter`: what a controller names `{owner}-…` is found without reading the rest.
    pub(super) fn list_named(
        &self,
        group: &str,
        plural: &str,
        namespace: &str,
        name_prefix: &str,
        filter: impl Fn(&Value) -> bool,
    ) -> Vec<Arc<Value>> {
        let scope = crate::store::Scope {
            group: group.to_owned(),
            plural: plural.to_owned(),
            namespace: Some(namespace.to_owned()),
        };
        self.cluster.store().list_named(&scope, name_prefix, filter)
    }

    /// The keys of the objects of `group`/`plural`, in every namespace, that pass `filter`.
    pub(super) fn keys(
        &self,
        group: &str,
        plural: &str,
        filter: impl Fn(&Value) -> bool,
    ) -> Vec<ObjectKey> {
        self.list(group, plural, None, filter)
            .iter()
            .map(|object| key_of(group, plural, object))
            .collect()
    }

    /// Replaces `object`'s status with `status`, unless that is what it already is.
    pub(super) async fn write_status(
        &self,
        group: &str,
        plural: &str,
        object: &Value,
        status: Value,
    ) -> Result<(), ApiError> {
        if object["status"] == status {
            return Ok(());
        }
        let namespace = api::meta_str(object, "namespace");
        let name = api::meta_str(object, "name").unwrap_or_default();
        self.update_status(group, plural, namespace, name, move |current| {
            let mut updated = current.clone();
            updated["status"] = status;
            updated
        })
        .await
        .map(drop)
    }

    /// The object at `key`, if it exists and is not being deleted: what a controller acts on.
    pub(super) fn live(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        self.get(key).filter(|object| !is_deleting(object))
    }

    /// The object at `key`, if it exists.
    pub(super) fn get(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        self.cluster.store().get(key)
    }
}

/// The key of `object`, one of `group`/`plural`.
pub(super) fn key_of(group: &str, plural: &str, object: &Value) -> ObjectKey {
    ObjectKey::new(
        group,
        plural,
        api::meta_str(object, "namespace").unwrap_or_default(),
        api::meta_str(object, "name").unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_selectors_need_every_label() {
        let labels = json!({"app": "web", "tier": "front"});
        assert!(map_selects(
            &json!({"app": "web", "tier": "front"}),
            &labels
        ));
        assert!(!map_selects(&json!({"app": "db"}), &labels));
        assert!(map_selects(&json!({"app": "web"}), &labels));
        assert!(!map_selects(&json!({}), &labels));
    }

    #[test]
    fn hashes_ignore_key_order_but_not_values() {
        let a: Value = serde_json::from_str(r#"{"a": 1, "b": {"c": [1, 2]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b": {"c": [1, 2]}, "a": 1}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"b": {"c": [2, 1]}, "a": 1}"#).unwrap();
        assert_eq!(hash_label(&a), hash_label(&b));
        assert_ne!(hash_label(&a), hash_label(&c));
        assert_eq!(hash_label(&a).len(), 10);
    }

    #[test]
    fn conditions_keep_their_transition_time_while_unchanged() {
        let mut status = json!({"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2020-01-01T00:00:00Z"}]});
        set_condition(&mut status, "Ready", true, "", "");
        assert_eq!(
            status["conditions"][0]["lastTransitionTime"],
            "2020-01-01T00:00:00Z"
        );
        set_condition(&mut status, "Ready", false, "Down", "gone");
        assert_ne!(
            status["conditions"][0]["lastTransitionTime"],
            "2020-01-01T00:00:00Z"
        );
        assert_eq!(status["conditions"][0]["reason"], "Down");
    }
}
