//! Creating objects: naming, validation and the fields the server sets.

use std::sync::Arc;

use rand::Rng;
use serde_json::{Value, json};

use super::{Cluster, WriteOptions, key};
use crate::api::{self, ApiError, Cause};
use crate::catalog::ResourceType;
use crate::store::Mutation;

/// Characters of generated name suffixes, as Kubernetes picks them (no vowels, no look-alikes).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Cluster {
    /// Creates `object` as a `resource_type` in `namespace` (ignored for cluster-scoped types).
    pub async fn create(
        &self,
        resource_type: &Arc<ResourceType>,
        namespace: Option<&str>,
        mut object: Value,
        options: &WriteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        super::ownership::track_update(None, &mut object, &options.manager, None);
        self.create_owned(resource_type, namespace, object, options)
            .await
    }

    /// Creates `object`, whose `managedFields` are already what they should be.
    pub(super) async fn create_owned(
        &self,
        resource_type: &Arc<ResourceType>,
        namespace: Option<&str>,
        mut object: Value,
        options: &WriteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        api::check_type(resource_type, &mut object)?;
        let namespace = self.namespace_for(resource_type, namespace, &object)?;
        let name = name_for(resource_type, &object)?;
        if let Some(namespace) = namespace.as_deref() {
            self.check_namespace(namespace)?;
        }

        let metadata = api::metadata_mut(&mut object);
        metadata.insert("name".into(), json!(name));
        match &namespace {
            Some(namespace) => metadata.insert("namespace".into(), json!(namespace)),
            None => metadata.remove("namespace"),
        };
        for server_field in [
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            metadata.remove(server_field);
        }
        metadata.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        metadata.insert("creationTimestamp".into(), json!(api::now()));
        if tracks_generation(resource_type) {
            metadata.insert("generation".into(), json!(1));
        }
        if resource_type.status_subresource
            && let Some(object) = object.as_object_mut()
        {
            object.remove("status");
        }
        self.admit_new(resource_type, &mut object)?;

        if options.dry_run {
            return Ok(Arc::new(object));
        }
        let key = key(
            resource_type,
            namespace.as_deref().unwrap_or_default(),
            &name,
        );
        let conflict = Arc::clone(resource_type);
        let event = self
            .store
            .write(key, move |current| match current {
                Some(_) => Err(ApiError::already_exists(&conflict, &name)),
                None => Ok(Mutation::Put(object)),
            })
            .await?
            .ok_or_else(|| ApiError::Internal("create stored nothing".into()))?;
        self.after_write(resource_type).await;
        Ok(Arc::clone(&event.object))
    }

    /// The namespace a new object goes into: the URL's, which the body may repeat but not contradict.
    fn namespace_for(
        &self,
        resource_type: &ResourceType,
        url_namespace: Option<&str>,
        object: &Value,
    ) -> Result<Option<String>, ApiError> {
        if !resource_type.namespaced {
            return Ok(None);
        }
        let body_namespace = api::meta_str(object, "namespace");
        match (url_namespace, body_namespace) {
            (Some(url), Some(body)) if url != body => Err(ApiError::BadRequest(
                "the namespace of the provided object does not match the namespace sent on the request"
                    .into(),
            )),
            (Some(namespace), _) | (None, Some(namespace)) => Ok(Some(namespace.to_owned())),
            (None, None) => Ok(Some("default".to_owned())),
        }
    }

    /// Defaults and checks particular to some kinds, applied before a new object is stored.
    fn admit_new(&self, resource_type: &ResourceType, object: &mut Value) -> Result<(), ApiError> {
        match (resource_type.group.as_str(), resource_type.kind.as_str()) {
            ("", "Namespace") => {
                object["spec"] = json!({"finalizers": ["kubernetes"]});
                object["status"] = json!({"phase": "Active"});
            }
            ("", "Service") => self.admit_service(resource_type, object)?,
            ("", "Pod") => super::defaults::pod(object),
            ("", "Secret") => super::defaults::secret(object),
            ("apps", "Deployment") => super::defaults::deployment(object),
            ("apps", "ReplicaSet") => super::defaults::replicated(object),
            ("apps", "StatefulSet") => super::defaults::stateful_set(object),
            ("apps", "DaemonSet") => super::defaults::daemon_set(object),
            ("batch", "Job") => super::defaults::job(object),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                super::crds::admit(resource_type, object)?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Whether objects of the type carry `metadata.generation`, bumped on every spec change.
pub(super) fn tracks_generation(resource_type: &ResourceType) -> bool {
    let builtin = matches!(resource_type.printer, crate::catalog::Printer::Builtin);
    !builtin
        || matches!(
            resource_type.group.as_str(),
            "apps" | "batch" | "networking.k8s.io" | "apiextensions.k8s.io"
        )
}

/// The new object's name: its own, or one generated from `generateName`.
fn name_for(resource_type: &ResourceType, object: &Value) -> Result<String, ApiError> {
    let name = match (
        api::meta_str(object, "name"),
        api::meta_str(object, "generateName"),
    ) {
        (Some(name), _) => name.to_owned(),
        (None, Some(prefix)) => {
            let mut rng = rand::rng();
            let suffix: String = (0..5)
                .map(|_| SUFFIX_ALPHABET[rng.random_range(0..SUFFIX_ALPHABET.len())] as char)
                .collect();
            format!("{prefix}{suffix}")
        }
        (None, None) => {
            return Err(ApiError::invalid(
                resource_type,
                "",
                vec![Cause {
                    reason: "FieldValueRequired",
                    field: "metadata.name".into(),
                    message: "Required value: name or generateName is required".into(),
                }],
            ));
        }
    };
    match api::validate_name(resource_type, &name) {
        Some(cause) => Err(ApiError::invalid(resource_type, &name, vec![cause])),
        None => Ok(name),
    }
}
