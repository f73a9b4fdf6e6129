//! The kinds a cluster serves, as its discovery documents tell them, and how pages name them.

use serde::{Deserialize, Serialize};

use crate::ObjectRef;

/// What a client may ask of a kind's objects, as discovery lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiVerb {
    /// Read one object.
    Get,
    /// List the collection.
    List,
    /// Watch the collection.
    Watch,
    /// Create an object.
    Create,
    /// Replace an object.
    Update,
    /// Patch an object.
    Patch,
    /// Delete an object.
    Delete,
    /// Delete a collection.
    DeleteCollection,
}

impl ApiVerb {
    /// Reads a verb as discovery writes it; `None` for one the console does not use.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "get" => Self::Get,
            "list" => Self::List,
            "watch" => Self::Watch,
            "create" => Self::Create,
            "update" => Self::Update,
            "patch" => Self::Patch,
            "delete" => Self::Delete,
            "deletecollection" => Self::DeleteCollection,
            _ => return None,
        })
    }
}

/// One kind a cluster serves, at its preferred version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKind {
    /// The API group; empty for the core group.
    pub group: String,
    /// The preferred version (`v1`).
    pub version: String,
    /// The resource, plural (`deployments`).
    pub resource: String,
    /// The kind as objects name it (`Deployment`).
    pub kind: String,
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// What may be asked of it.
    pub verbs: Vec<ApiVerb>,
}

/// A resource as `kubectl` and page addresses write it: the plural `resource` for the core
/// group (`pods`), `resource.group` otherwise (`deployments.apps`).
pub fn address(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

/// The console page of the object `name` of the resource `address` (as [`address`] writes it)
/// on `cluster`, in `namespace` when it lives in one.
pub fn object_page(cluster: &str, address: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("/clusters/{cluster}/namespaces/{namespace}/{address}/{name}"),
        None => format!("/clusters/{cluster}/{address}/{name}"),
    }
}

impl ApiKind {
    /// The kind as `kubectl` and page addresses write it: the plural for the core group
    /// (`pods`), `plural.group` otherwise (`deployments.apps`).
    pub fn address(&self) -> String {
        address(&self.group, &self.resource)
    }

    /// `apiVersion` as objects of the kind carry it (`apps/v1`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether `verb` may be asked of it.
    pub fn allows(&self, verb: ApiVerb) -> bool {
        self.verbs.contains(&verb)
    }

    /// The collection of the kind on `cluster`, in `namespace` (all namespaces when none or when
    /// the kind is not namespaced).
    pub fn collection(&self, cluster: &str, namespace: Option<&str>) -> ObjectRef {
        ObjectRef {
            cluster: cluster.to_owned(),
            group: self.group.clone(),
            version: self.version.clone(),
            resource: self.resource.clone(),
            namespace: namespace.filter(|_| self.namespaced).map(str::to_owned),
            name: None,
        }
    }

    /// The object `name` of the kind on `cluster`, in `namespace` if the kind is namespaced.
    pub fn object(&self, cluster: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
        ObjectRef {
            name: Some(name.to_owned()),
            ..self.collection(cluster, namespace)
        }
    }

    /// The console page of the object `name` on `cluster`.
    pub fn page(&self, cluster: &str, namespace: Option<&str>, name: &str) -> String {
        object_page(
            cluster,
            &self.address(),
            namespace.filter(|_| self.namespaced),
            name,
        )
    }

    /// The kind named `address` (`pods`, `deployments.apps`) among `kinds`.
    pub fn find<'a>(kinds: &'a [Self], address: &str) -> Option<&'a Self> {
        kinds.iter().find(|kind| kind.address() == address)
    }

    /// The kind whose objects say `apiVersion: api_version` and `kind: kind`, among `kinds`.
    pub fn of_object<'a>(kinds: &'a [Self], api_version: &str, kind: &str) -> Option<&'a Self> {
        kinds
            .iter()
            .find(|k| k.kind == kind && k.api_version() == api_version)
    }
}

/// What a live page follows: an object, or a kind's objects on one cluster (in one namespace),
/// named as page addresses name them, so a page knows it before it has read anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveTarget {
    /// The cluster.
    pub cluster: String,
    /// The kind's address (`pods`, `deployments.apps`).
    pub resource: String,
    /// Only in this namespace.
    pub namespace: Option<String>,
    /// Only this object.
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(group: &str, resource: &str, namespaced: bool) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            kind: "Thing".into(),
            namespaced,
            verbs: vec![ApiVerb::Get, ApiVerb::List],
        }
    }

    #[test]
    fn kinds_are_addressed_as_kubectl_writes_them() {
        let kinds = [kind("", "pods", true), kind("apps", "deployments", true)];
        assert_eq!(kinds[0].address(), "pods");
        assert_eq!(kinds[1].address(), "deployments.apps");
        assert_eq!(ApiKind::find(&kinds, "deployments.apps"), Some(&kinds[1]));
        assert_eq!(ApiKind::find(&kinds, "deployments"), None);
        assert_eq!(
            ApiKind::of_object(&kinds, "apps/v1", "Thing"),
            Some(&kinds[1])
        );
        assert_eq!(kinds[1].api_version(), "apps/v1");
    }

    #[test]
    fn pages_and_references_follow_the_kind_s_scope() {
        let pods = kind("", "pods", true);
        let nodes = kind("", "nodes", false);
        assert_eq!(
            pods.page("m1", Some("demo"), "web"),
            "/clusters/m1/namespaces/demo/pods/web"
        );
        assert_eq!(
            nodes.page("m1", Some("demo"), "n1"),
            "/clusters/m1/nodes/n1"
        );
        assert_eq!(nodes.collection("m1", Some("demo")).namespace, None);
        assert_eq!(
            pods.object("m1", Some("demo"), "web")
                .api_path(None)
                .unwrap(),
            "/api/v1/namespaces/demo/pods/web"
        );
        assert!(pods.allows(ApiVerb::List) && !pods.allows(ApiVerb::Delete));
        assert_eq!(
            ApiVerb::parse("deletecollection"),
            Some(ApiVerb::DeleteCollection)
        );
        assert_eq!(ApiVerb::parse("proxy"), None);
    }
}
