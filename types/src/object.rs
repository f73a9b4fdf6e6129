//! One object or collection on one cluster, as the console's object functions name it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An object (with `name`) or a collection (without) of one resource on one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The cluster.
    pub cluster: String,
    /// The API group; empty for the core group.
    pub group: String,
    /// The API version (`v1`).
    pub version: String,
    /// The resource, plural (`pods`).
    pub resource: String,
    /// The namespace, for namespaced resources.
    pub namespace: Option<String>,
    /// The object's name; none for the collection.
    pub name: Option<String>,
}

/// A reference with a part that cannot be put in an API path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidObjectRef(pub String);

impl fmt::Display for InvalidObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidObjectRef {}

/// Whether `text` can stand as one segment of an API path as it is: no separator, no escape,
/// no dot segment.
fn is_segment(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    !text.is_empty() && text != "." && text != ".." && text.chars().all(allowed)
}

impl ObjectRef {
    /// Whether it names a pod (or the pods), whose logs are its own.
    pub fn is_pod(&self) -> bool {
        self.group.is_empty() && self.resource == "pods"
    }

    /// Its kind as `kubectl` and page addresses write it (`pods`, `deployments.apps`).
    pub fn address(&self) -> String {
        crate::api_kind::address(&self.group, &self.resource)
    }

    /// The Kubernetes API path of the object or collection, with `subresource` if given.
    pub fn api_path(&self, subresource: Option<&str>) -> Result<String, InvalidObjectRef> {
        let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
        let named = |c: char| c.is_ascii_alphanumeric() || "-._:@".contains(c);
        let check = |what: &str, text: &str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(InvalidObjectRef(format!("{text:?} is not a valid {what}")))
            }
        };
        check("cluster", &self.cluster, is_segment(&self.cluster, lower))?;
        check(
            "API group",
            &self.group,
            self.group.is_empty() || is_segment(&self.group, lower),
        )?;
        check(
            "API version",
            &self.version,
            is_segment(&self.version, lower),
        )?;
        check(
            "resource",
            &self.resource,
            is_segment(&self.resource, lower),
        )?;
        let mut path = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        if let Some(namespace) = &self.namespace {
            check("namespace", namespace, is_segment(namespace, lower))?;
            path += &format!("/namespaces/{namespace}");
        }
        path += &format!("/{}", self.resource);
        if let Some(name) = &self.name {
            check("name", name, is_segment(name, named))?;
            path += &format!("/{name}");
        }
        if let Some(subresource) = subresource {
            check(
                "subresource",
                subresource,
                self.name.is_some() && is_segment(subresource, lower),
            )?;
            path += &format!("/{subresource}");
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: Option<&str>) -> ObjectRef {
        ObjectRef {
            cluster: "member-1".into(),
            version: "v1".into(),
            resource: "pods".into(),
            namespace: Some("demo".into()),
            name: name.map(str::to_owned),
            ..ObjectRef::default()
        }
    }

    #[test]
    fn paths_are_built_as_the_api_server_serves_them() {
        assert_eq!(
            pod(None).api_path(None).unwrap(),
            "/api/v1/namespaces/demo/pods"
        );
        assert_eq!(
            pod(Some("web")).api_path(Some("log")).unwrap(),
            "/api/v1/namespaces/demo/pods/web/log"
        );
        let widgets = ObjectRef {
            group: "example.dev".into(),
            resource: "widgets".into(),
            namespace: None,
            ..pod(Some("w"))
        };
        assert_eq!(
            widgets.api_path(None).unwrap(),
            "/apis/example.dev/v1/widgets/w"
        );
        assert!(pod(Some("web")).is_pod() && !widgets.is_pod());
        let apps_pods = ObjectRef {
            group: "apps".into(),
            ..pod(None)
        };
        assert!(!apps_pods.is_pod(), "only the core group's pods");
    }

    #[test]
    fn nothing_can_step_out_of_its_segment() {
        for name in ["../secrets", "a/b", "..", "a%2Fb", "a?watch=1", ""] {
            assert!(pod(Some(name)).api_path(None).is_err(), "{name:?}");
        }
        let mut namespace = pod(None);
        namespace.namespace = Some("demo/../kube-system".into());
        assert!(namespace.api_path(None).is_err());
        assert!(
            pod(None).api_path(Some("log")).is_err(),
            "a collection has no subresource"
        );
    }
}
