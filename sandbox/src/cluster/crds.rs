//! Serving custom resources: CRDs are checked on write, and the catalog follows them.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError};

use serde_json::{Value, json};

use super::Cluster;
use crate::api::{self, ApiError, Cause};
use crate::catalog::{Catalog, ResourceType, resource_types_from_crd};
use crate::store::{Mutation, Scope};

const CRD_GROUP: &str = "apiextensions.k8s.io";
const CRD_PLURAL: &str = "customresourcedefinitions";

/// Checks a new CRD and gives it the status of an established one.
pub(super) fn admit(resource_type: &ResourceType, crd: &mut Value) -> Result<(), ApiError> {
    let name = api::meta_str(crd, "name").unwrap_or_default().to_owned();
    let invalid = |field: &str, message: String| {
        ApiError::invalid(
            resource_type,
            &name,
            vec![Cause {
                reason: "FieldValueInvalid",
                field: field.to_owned(),
                message,
            }],
        )
    };
    resource_types_from_crd(crd).map_err(|error| invalid("spec", error.to_string()))?;
    let group = crd["spec"]["group"].as_str().unwrap_or_default();
    if !group.contains('.') || !api::is_subdomain(group) {
        return Err(invalid(
            "spec.group",
            format!("Invalid value: {group:?}: should be a domain with at least one dot"),
        ));
    }
    let storage_version = crd["spec"]["versions"]
        .as_array()
        .and_then(|versions| versions.iter().find(|v| v["storage"] == json!(true)))
        .map(|v| v["name"].clone())
        .unwrap_or(Value::Null);
    let now = api::now();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message});
    crd["status"] = json!({
        "acceptedNames": crd["spec"]["names"].clone(),
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        "storedVersions": [storage_version],
    });
    Ok(())
}

impl Cluster {
    /// Rebuilds the catalog from the built-in types and the stored CRDs; returns the
    /// (group, plural) pairs no longer served.
    pub(super) fn sync_crds(&self) -> Vec<(String, String)> {
        let mut catalog = Catalog::builtin();
        let crds = self.store.list(
            &Scope {
                group: CRD_GROUP.to_owned(),
                plural: CRD_PLURAL.to_owned(),
                namespace: None,
            },
            None,
            None,
            |_| true,
        );
        for crd in &crds.items {
            match resource_types_from_crd(crd) {
                Ok(types) => types.into_iter().for_each(|t| catalog.insert(t)),
                Err(error) => tracing::warn!(
                    "stored CRD {} is not served: {error}",
                    api::meta_str(crd, "name").unwrap_or_default()
                ),
            }
        }
        let mut current = self.catalog.write().unwrap_or_else(PoisonError::into_inner);
        let served = |catalog: &Catalog| -> BTreeSet<(String, String)> {
            catalog
                .all()
                .map(|t| (t.group.clone(), t.plural.clone()))
                .collect()
        };
        let removed = served(&current)
            .difference(&served(&catalog))
            .cloned()
            .collect();
        *current = Arc::new(catalog);
        removed
    }

    /// Keeps the catalog in step with CRD writes, and deletes the objects of CRDs that went.
    pub(super) async fn after_write(&self, resource_type: &ResourceType) {
        if resource_type.group != CRD_GROUP || resource_type.plural != CRD_PLURAL {
            return;
        }
        for (group, plural) in self.sync_crds() {
            let scope = Scope {
                group,
                plural,
                namespace: None,
            };
            let page = self.store.list(&scope, None, None, |_| true);
            for object in page.items {
                let key = crate::store::ObjectKey::new(
                    &scope.group,
                    &scope.plural,
                    api::meta_str(&object, "namespace").unwrap_or_default(),
                    api::meta_str(&object, "name").unwrap_or_default(),
                );
                if let Err(error) = self
                    .store
                    .write(key, |_| Ok::<_, ApiError>(Mutation::Delete))
                    .await
                {
                    tracing::warn!("could not delete an object of a removed CRD: {error}");
                }
            }
        }
    }
}
