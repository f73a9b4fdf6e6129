//! The `appstore.orbital.dev` types on the host: `Release`, one app installed on one cluster,
//! and `Repo`, a Helm repository of another site whose apps join the pool.

use serde_json::{Value, json};

/// The API group of the App Store's types.
pub const GROUP: &str = "appstore.orbital.dev";
/// The served version.
pub const VERSION: &str = "v1alpha1";
/// The kind of a release.
pub const RELEASE_KIND: &str = "Release";
/// Its plural, as in API paths.
pub const RELEASE_PLURAL: &str = "releases";

/// The kind of a repository.
pub const REPO_KIND: &str = "Repo";
/// Its plural, as in API paths.
pub const REPO_PLURAL: &str = "repos";

/// A cluster-scoped type of the group with a status subresource: its spec's `properties`
/// (`required` of them) and its printer columns.
fn definition(kind: &str, plural: &str, spec: Value, required: &[&str], columns: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{GROUP}")},
        "spec": {
            "group": GROUP,
            "scope": "Cluster",
            "names": {
                "plural": plural,
                "singular": kind.to_lowercase(),
                "kind": kind,
                "listKind": format!("{kind}List"),
            },
            "versions": [{
                "name": VERSION, "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "required": required, "properties": spec},
                        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    },
                }},
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
            }],
        },
    })
}

/// The `Repo` CustomResourceDefinition, which the host installs when it is missing.
pub fn repo_definition() -> Value {
    definition(
        REPO_KIND,
        REPO_PLURAL,
        json!({
            "url": {"type": "string"},
            "credentialsSecret": {"type": "string"},
            "syncInterval": {"type": "string"},
        }),
        &["url"],
        json!([
            {"name": "URL", "type": "string", "jsonPath": ".spec.url"},
            {"name": "Apps", "type": "integer", "jsonPath": ".status.appCount"},
            {"name": "Last Sync", "type": "date", "jsonPath": ".status.lastSyncTime"},
            {"name": "Error", "type": "string", "jsonPath": ".status.error"},
        ]),
    )
}

/// The `Release` CustomResourceDefinition, which the host installs when it is missing.
pub fn release_definition() -> Value {
    definition(
        RELEASE_KIND,
        RELEASE_PLURAL,
        json!({
            "repo": {"type": "string"},
            "chart": {"type": "string"},
            "version": {"type": "string"},
            "cluster": {"type": "string"},
            "namespace": {"type": "string"},
            "releaseName": {"type": "string"},
            "createNamespace": {"type": "boolean"},
            "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }),
        &["repo", "chart", "cluster", "namespace"],
        json!([
            {"name": "Cluster", "type": "string", "jsonPath": ".spec.cluster"},
            {"name": "Namespace", "type": "string", "jsonPath": ".spec.namespace"},
            {"name": "Chart", "type": "string", "jsonPath": ".spec.chart"},
            {"name": "Version", "type": "string", "jsonPath": ".status.chartVersion"},
            {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
            {"name": "Revision", "type": "integer", "jsonPath": ".status.revision"},
        ]),
    )
}
