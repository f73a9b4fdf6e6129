//! Turning a `CustomResourceDefinition` object into the types it serves.

use serde_json::Value;

use super::{Printer, PrinterColumn, ResourceType, ScalePaths};

/// Why a CRD cannot be served.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CrdError {
    /// A required field is missing or has the wrong type.
    #[error("spec.{0}: Required value")]
    Missing(&'static str),
    /// `spec.scope` is neither `Namespaced` nor `Cluster`.
    #[error("spec.scope: Unsupported value: {0:?}: supported values: \"Cluster\", \"Namespaced\"")]
    Scope(String),
    /// The object's name is not `<plural>.<group>`.
    #[error(
        "metadata.name: Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group ({expected:?})"
    )]
    Name {
        /// The name given.
        name: String,
        /// The name it must have.
        expected: String,
    },
    /// Not exactly one version is marked as the storage version.
    #[error(
        "spec.versions: Invalid value: must have exactly one version marked as storage version"
    )]
    StorageVersion,
}

/// The types a CRD serves, one per served version, after checking the CRD is well formed.
pub fn resource_types_from_crd(crd: &Value) -> Result<Vec<ResourceType>, CrdError> {
    let spec = crd.get("spec").ok_or(CrdError::Missing("spec"))?;
    let group = text(spec, &["group"]).ok_or(CrdError::Missing("group"))?;
    let plural = text(spec, &["names", "plural"]).ok_or(CrdError::Missing("names.plural"))?;
    let kind = text(spec, &["names", "kind"]).ok_or(CrdError::Missing("names.kind"))?;
    let singular = text(spec, &["names", "singular"])
        .map(str::to_owned)
        .unwrap_or_else(|| kind.to_lowercase());
    let namespaced = match text(spec, &["scope"]).ok_or(CrdError::Missing("scope"))? {
        "Namespaced" => true,
        "Cluster" => false,
        other => return Err(CrdError::Scope(other.to_owned())),
    };
    let name = text(crd, &["metadata", "name"]).unwrap_or_default();
    let expected = format!("{plural}.{group}");
    if name != expected {
        return Err(CrdError::Name {
            name: name.to_owned(),
            expected,
        });
    }
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .filter(|versions| !versions.is_empty())
        .ok_or(CrdError::Missing("versions"))?;
    let storage_versions = versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count();
    if storage_versions != 1 {
        return Err(CrdError::StorageVersion);
    }
    let strings = |path: &[&str]| super::strings(lookup(spec, path));
    let mut served = Vec::new();
    for version in versions {
        let version_name = text(version, &["name"]).ok_or(CrdError::Missing("versions[].name"))?;
        if version.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let subresources = version.get("subresources");
        let scale = subresources
            .and_then(|s| s.get("scale"))
            .map(|scale| ScalePaths {
                spec_replicas: text(scale, &["specReplicasPath"])
                    .unwrap_or(".spec.replicas")
                    .to_owned(),
                status_replicas: text(scale, &["statusReplicasPath"])
                    .unwrap_or(".status.replicas")
                    .to_owned(),
                label_selector: text(scale, &["labelSelectorPath"]).map(str::to_owned),
            });
        served.push(ResourceType {
            group: group.to_owned(),
            version: version_name.to_owned(),
            kind: kind.to_owned(),
            plural: plural.to_owned(),
            singular: singular.clone(),
            namespaced,
            short_names: strings(&["names", "shortNames"]),
            categories: strings(&["names", "categories"]),
            status_subresource: subresources.and_then(|s| s.get("status")).is_some(),
            scale,
            printer: Printer::Columns(printer_columns(version)),
            review: false,
        });
    }
    Ok(served)
}

fn printer_columns(version: &Value) -> Vec<PrinterColumn> {
    version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .map(|columns| {
            columns
                .iter()
                .filter_map(|column| {
                    Some(PrinterColumn {
                        name: text(column, &["name"])?.to_owned(),
                        column_type: text(column, &["type"]).unwrap_or("string").to_owned(),
                        json_path: text(column, &["jsonPath"])?.to_owned(),
                        priority: column.get("priority").and_then(Value::as_i64).unwrap_or(0),
                        description: text(column, &["description"])
                            .unwrap_or_default()
                            .to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    lookup(value, path).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn crd() -> Value {
        json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                "versions": [
                    {"name": "v1", "served": true, "storage": true,
                     "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}},
                     "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                    {"name": "v1beta1", "served": false, "storage": false}
                ]
            }
        })
    }

    #[test]
    fn serves_each_served_version() {
        let types = resource_types_from_crd(&crd()).unwrap();
        assert_eq!(types.len(), 1);
        let widget = &types[0];
        assert_eq!(widget.api_version(), "example.com/v1");
        assert_eq!(widget.singular, "widget");
        assert_eq!(widget.short_names, ["wd"]);
        assert!(widget.status_subresource);
        assert_eq!(widget.scale.as_ref().unwrap().spec_replicas, ".spec.size");
        let Printer::Columns(columns) = &widget.printer else {
            panic!("custom resources print their columns");
        };
        assert_eq!(columns[0].name, "Size");
    }

    #[test]
    fn rejects_malformed_definitions() {
        let mut wrong_name = crd();
        wrong_name["metadata"]["name"] = json!("gadgets.example.com");
        assert!(matches!(
            resource_types_from_crd(&wrong_name),
            Err(CrdError::Name { .. })
        ));
        let mut bad_scope = crd();
        bad_scope["spec"]["scope"] = json!("Galaxy");
        assert_eq!(
            resource_types_from_crd(&bad_scope),
            Err(CrdError::Scope("Galaxy".to_owned()))
        );
        let mut no_storage = crd();
        no_storage["spec"]["versions"][0]["storage"] = json!(false);
        assert_eq!(
            resource_types_from_crd(&no_storage),
            Err(CrdError::StorageVersion)
        );
    }
}
