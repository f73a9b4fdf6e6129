//! Discovery documents: `/version`, `/api`, `/apis` and each group version's resource list.

use serde_json::{Value, json};

use crate::catalog::{Catalog, ResourceType};

/// The Kubernetes version the sandbox presents.
pub const KUBERNETES_VERSION: (&str, &str, &str) = ("1", "32", "v1.32.0");

/// `/version`.
pub fn version() -> Value {
    let (major, minor, git_version) = KUBERNETES_VERSION;
    json!({
        "major": major,
        "minor": minor,
        "gitVersion": git_version,
        "gitCommit": "orbital-sandbox",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions.
pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [],
    })
}

/// `/apis`: every named group and its versions, preferred first.
pub fn groups(catalog: &Catalog) -> Value {
    let groups: Vec<Value> = catalog
        .group_versions()
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, versions)| group_document(&group, &versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, or `None` if the group is not served.
pub fn group(catalog: &Catalog, name: &str) -> Option<Value> {
    let versions = catalog.group_versions().remove(name)?;
    let mut document = group_document(name, &versions);
    document["kind"] = json!("APIGroup");
    document["apiVersion"] = json!("v1");
    Some(document)
}

fn group_document(group: &str, versions: &[String]) -> Value {
    let entry = |version: &String| json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({
        "name": group,
        "versions": versions.iter().map(entry).collect::<Vec<_>>(),
        "preferredVersion": versions.first().map(entry),
    })
}

/// `/api/v1` or `/apis/{group}/{version}`: the group version's resources and subresources.
pub fn resource_list(catalog: &Catalog, group: &str, version: &str) -> Value {
    let mut resources = Vec::new();
    for resource_type in catalog
        .all()
        .filter(|t| t.group == group && t.version == version)
    {
        resources.push(resource_entry(resource_type));
        resources.extend(subresource_entries(resource_type));
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    })
}

fn resource_entry(resource_type: &ResourceType) -> Value {
    let mut entry = json!({
        "name": resource_type.plural,
        "singularName": resource_type.singular,
        "namespaced": resource_type.namespaced,
        "kind": resource_type.kind,
        "verbs": resource_type.verbs(),
    });
    if !resource_type.short_names.is_empty() {
        entry["shortNames"] = json!(resource_type.short_names);
    }
    if !resource_type.categories.is_empty() {
        entry["categories"] = json!(resource_type.categories);
    }
    entry
}

fn subresource_entries(resource_type: &ResourceType) -> Vec<Value> {
    let entry = |name: &str, kind: &str, verbs: &[&str]| {
        json!({
            "name": format!("{}/{name}", resource_type.plural),
            "singularName": "",
            "namespaced": resource_type.namespaced,
            "kind": kind,
            "verbs": verbs,
        })
    };
    let mut entries = Vec::new();
    if resource_type.status_subresource {
        entries.push(entry(
            "status",
            &resource_type.kind,
            &["get", "patch", "update"],
        ));
    }
    if resource_type.scale.is_some() {
        let mut scale = entry("scale", "Scale", &["get", "patch", "update"]);
        scale["group"] = json!("autoscaling");
        scale["version"] = json!("v1");
        entries.push(scale);
    }
    if resource_type.group.is_empty() && resource_type.kind == "Pod" {
        entries.push(entry("log", "Pod", &["get"]));
    }
    if resource_type.group.is_empty() && resource_type.kind == "Namespace" {
        entries.push(entry("finalize", "Namespace", &["update"]));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_groups_and_resources_as_kubectl_expects() {
        let catalog = Catalog::builtin();
        let groups = groups(&catalog);
        let names: Vec<&str> = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"apps"));
        assert!(!names.contains(&""));

        let apps = resource_list(&catalog, "apps", "v1");
        assert_eq!(apps["groupVersion"], "apps/v1");
        let resources = apps["resources"].as_array().unwrap();
        let deployments = resources
            .iter()
            .find(|r| r["name"] == "deployments")
            .unwrap();
        assert_eq!(deployments["shortNames"], json!(["deploy"]));
        assert_eq!(deployments["categories"], json!(["all"]));
        let scale = resources
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .unwrap();
        assert_eq!(scale["group"], "autoscaling");
        assert!(resources.iter().any(|r| r["name"] == "deployments/status"));

        let core = resource_list(&catalog, "", "v1");
        assert_eq!(core["groupVersion"], "v1");
        assert!(
            core["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == "pods/log")
        );
    }
}
