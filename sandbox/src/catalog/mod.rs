//! What the sandbox serves: every resource type, built-in or defined by a CRD.

mod builtin;
mod crd;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

pub use crd::{CrdError, resource_types_from_crd};

/// A column of `kubectl get` output, as `additionalPrinterColumns` defines one.
#[derive(Clone, Debug, PartialEq)]
pub struct PrinterColumn {
    /// The column heading.
    pub name: String,
    /// The OpenAPI type of the cell: `string`, `integer`, `number`, `boolean` or `date`.
    pub column_type: String,
    /// A simple JSONPath such as `.spec.replicas`, evaluated against the object.
    pub json_path: String,
    /// Lower priorities are shown by default; higher ones only with `-o wide`.
    pub priority: i64,
    /// What the column means.
    pub description: String,
}

/// Where the `scale` subresource finds its numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePaths {
    /// Path of the desired replica count, e.g. `.spec.replicas`.
    pub spec_replicas: String,
    /// Path of the observed replica count, e.g. `.status.replicas`.
    pub status_replicas: String,
    /// Path of a label selector string (custom resources); `None` means the selector is
    /// derived from `.spec.selector`, as for the built-in workloads.
    pub label_selector: Option<String>,
}

/// How `kubectl get` prints objects of a type.
#[derive(Clone, Debug, PartialEq)]
pub enum Printer {
    /// One of the built-in kinds, whose columns the sandbox computes itself.
    Builtin,
    /// A custom resource: its CRD's printer columns (Name and Age are always added).
    Columns(Vec<PrinterColumn>),
}

/// One resource type in one API version.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceType {
    /// API group; empty for the core group.
    pub group: String,
    /// API version within the group.
    pub version: String,
    /// The object kind, e.g. `Deployment`.
    pub kind: String,
    /// The lowercase plural used in URLs, e.g. `deployments`.
    pub plural: String,
    /// The lowercase singular, e.g. `deployment`.
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Abbreviations kubectl accepts, e.g. `deploy`.
    pub short_names: Vec<String>,
    /// Groupings such as `all`.
    pub categories: Vec<String>,
    /// Whether the type has a `status` subresource.
    pub status_subresource: bool,
    /// Where the `scale` subresource reads and writes, if the type has one.
    pub scale: Option<ScalePaths>,
    /// How table output is produced.
    pub printer: Printer,
    /// A question asked by creating it (an access review): answered, never stored.
    pub review: bool,
}

impl ResourceType {
    /// `apiVersion` as written in objects: `v1` or `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The `group/resource` name used in messages, e.g. `deployments.apps`.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The verbs the type supports: `create` alone for a review, else every one.
    pub fn verbs(&self) -> &'static [&'static str] {
        if self.review {
            return &["create"];
        }
        &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

/// The set of served types, keyed by (group, version, plural).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    types: BTreeMap<(String, String, String), Arc<ResourceType>>,
}

impl Catalog {
    /// The built-in Kubernetes types the sandbox serves.
    pub fn builtin() -> Self {
        let mut catalog = Self::default();
        for resource_type in builtin::types() {
            catalog.insert(resource_type);
        }
        catalog
    }

    /// Adds or replaces a type.
    pub fn insert(&mut self, resource_type: ResourceType) {
        let key = (
            resource_type.group.clone(),
            resource_type.version.clone(),
            resource_type.plural.clone(),
        );
        self.types.insert(key, Arc::new(resource_type));
    }

    /// Removes every version of `group`/`plural`.
    pub fn remove(&mut self, group: &str, plural: &str) {
        self.types
            .retain(|(g, _, p), _| !(g == group && p == plural));
    }

    /// The type served at `group`/`version`/`plural`.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.types
            .get(&(group.to_owned(), version.to_owned(), plural.to_owned()))
            .cloned()
    }

    /// The type of `kind` in `group`/`version`.
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.types
            .values()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// Some served version of `group`/`plural`.
    pub fn by_plural(&self, group: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.types
            .values()
            .find(|t| t.group == group && t.plural == plural)
            .cloned()
    }

    /// Every type, ordered by group, version and plural.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceType>> {
        self.types.values()
    }

    /// The served versions of each group, in the order discovery lists them (core first).
    pub fn group_versions(&self) -> BTreeMap<String, Vec<String>> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for resource_type in self.types.values() {
            let versions = groups.entry(resource_type.group.clone()).or_default();
            if !versions.contains(&resource_type.version) {
                versions.push(resource_type.version.clone());
            }
        }
        for versions in groups.values_mut() {
            versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        }
        groups
    }
}

/// Orders Kubernetes versions as discovery does: GA over beta over alpha, higher numbers first.
fn version_priority(version: &str) -> (u8, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let suffix = &rest[digits.len()..];
    let (stability, minor_text) = if let Some(n) = suffix.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = suffix.strip_prefix("alpha") {
        (1, n)
    } else if suffix.is_empty() {
        (3, "")
    } else {
        (0, "")
    };
    (stability, major, minor_text.parse().unwrap_or(0))
}

/// The strings of a JSON list; anything else reads as empty.
pub fn strings(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub use orbital_syntax::json_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_types_are_served_at_v1() {
        let catalog = Catalog::builtin();
        let pods = catalog.get("", "v1", "pods").unwrap();
        assert_eq!(pods.kind, "Pod");
        assert!(pods.namespaced);
        assert_eq!(pods.api_version(), "v1");
        let deployments = catalog.by_kind("apps", "v1", "Deployment").unwrap();
        assert_eq!(deployments.group_resource(), "deployments.apps");
        assert!(deployments.scale.is_some());
    }

    #[test]
    fn versions_are_ordered_like_discovery() {
        let mut versions = vec!["v1alpha1", "v1", "v2beta1", "v1beta1", "v2"];
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(versions, ["v2", "v1", "v2beta1", "v1beta1", "v1alpha1"]);
    }
}
