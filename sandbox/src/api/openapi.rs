//! OpenAPI v3 documents: enough for clients to learn that every resource accepts server-side
//! field validation and which patch types it takes.

use serde_json::{Map, Value, json};

use super::discovery::KUBERNETES_VERSION;
use crate::catalog::{Catalog, Printer, ResourceType};

/// `/openapi/v3`: where each group version's document is.
pub fn root(catalog: &Catalog) -> Value {
    let mut paths = Map::new();
    for (group, versions) in catalog.group_versions() {
        for version in versions {
            let path = group_version_path(&group, &version);
            let hash = document_hash(catalog, &group, &version);
            paths.insert(
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
            );
        }
    }
    json!({"paths": paths})
}

/// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`; `None` if not served.
pub fn document(catalog: &Catalog, path: &str) -> Option<Value> {
    let (group, version) = match path.trim_matches('/').split('/').collect::<Vec<_>>()[..] {
        ["api", "v1"] => ("", "v1"),
        ["apis", group, version] => (group, version),
        _ => return None,
    };
    let types: Vec<_> = catalog
        .all()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for resource_type in types {
        paths.insert(object_path(resource_type), object_operations(resource_type));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION.2},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

fn object_path(resource_type: &ResourceType) -> String {
    let base = format!(
        "/{}",
        group_version_path(&resource_type.group, &resource_type.version)
    );
    if resource_type.namespaced {
        format!(
            "{base}/namespaces/{{namespace}}/{}/{{name}}",
            resource_type.plural
        )
    } else {
        format!("{base}/{}/{{name}}", resource_type.plural)
    }
}

fn object_operations(resource_type: &ResourceType) -> Value {
    let gvk = json!({
        "group": resource_type.group,
        "version": resource_type.version,
        "kind": resource_type.kind,
    });
    let query = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    let object_schema = json!({"type": "object"});
    let mut patch_types = vec![
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ];
    if matches!(resource_type.printer, Printer::Builtin) {
        patch_types.push("application/strategic-merge-patch+json");
    }
    let content: Map<String, Value> = patch_types
        .into_iter()
        .map(|media_type| (media_type.to_owned(), json!({"schema": object_schema})))
        .collect();
    let operation = |verb: &str| {
        json!({
            "operationId": format!("{verb}{}", resource_type.kind),
            "x-kubernetes-action": verb,
            "x-kubernetes-group-version-kind": gvk,
            "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation")],
            "responses": {"200": {"description": "OK"}},
        })
    };
    let mut patch = operation("patch");
    patch["requestBody"] = json!({"content": content});
    json!({
        "get": operation("get"),
        "put": operation("put"),
        "patch": patch,
        "delete": operation("delete"),
        "parameters": [
            {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
        ],
    })
}

/// A short hash of a group version's served types, so clients cache documents correctly.
fn document_hash(catalog: &Catalog, group: &str, version: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    for t in catalog
        .all()
        .filter(|t| t.group == group && t.version == version)
    {
        (
            &t.plural,
            &t.kind,
            t.namespaced,
            matches!(t.printer, Printer::Builtin),
        )
            .hash(&mut hasher);
    }
    format!("{:016X}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_advertise_field_validation_on_patch() {
        let catalog = Catalog::builtin();
        let root = root(&catalog);
        let url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        let apps = document(&catalog, "apis/apps/v1").unwrap();
        let patch =
            &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(
            patch["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_some()
        );
        assert!(document(&catalog, "apis/apps/v9").is_none());
    }
}
