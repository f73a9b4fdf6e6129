//! Reading a resource URL: `/api/v1/...` or `/apis/{group}/{version}/...`.

use std::sync::Arc;

use crate::catalog::{Catalog, ResourceType};

/// What a resource URL addresses.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `/api/v1` or `/apis/{group}/{version}`: the resource list of a group version.
    GroupVersion {
        /// API group; empty for core.
        group: String,
        /// API version.
        version: String,
    },
    /// A collection or an object of a served type.
    Resource(ResourceRequest),
}

/// A collection (no name) or an object (with name), possibly a subresource of it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRequest {
    /// The type addressed.
    pub resource_type: Arc<ResourceType>,
    /// The namespace in the URL, if any.
    pub namespace: Option<String>,
    /// The object's name, if the URL names one.
    pub name: Option<String>,
    /// `status`, `scale`, `log`, …
    pub subresource: Option<String>,
}

/// Reads `path`; `None` when it addresses nothing the catalog serves.
pub fn parse(catalog: &Catalog, path: &str) -> Option<Target> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    if !catalog
        .group_versions()
        .get(group)?
        .iter()
        .any(|v| v == version)
    {
        return None;
    }
    let resource =
        |plural: &str, namespace: Option<&str>, name: Option<&str>, sub: Option<&str>| {
            let resource_type = catalog.get(group, version, plural)?;
            if namespace.is_some() && !resource_type.namespaced {
                return None;
            }
            Some(Target::Resource(ResourceRequest {
                resource_type,
                namespace: namespace.map(str::to_owned),
                name: name.map(str::to_owned),
                subresource: sub.map(str::to_owned),
            }))
        };
    let namespaced_plural = |plural: &str| {
        catalog
            .get(group, version, plural)
            .is_some_and(|t| t.namespaced)
    };
    match rest {
        [] => Some(Target::GroupVersion {
            group: group.to_owned(),
            version: version.to_owned(),
        }),
        ["namespaces", namespace, plural, tail @ ..] if namespaced_plural(plural) => match tail {
            [] => resource(plural, Some(namespace), None, None),
            [name] => resource(plural, Some(namespace), Some(name), None),
            [name, sub] => resource(plural, Some(namespace), Some(name), Some(sub)),
            _ => None,
        },
        [plural] => resource(plural, None, None, None),
        [plural, name] => resource(plural, None, Some(name), None),
        [plural, name, sub] => resource(plural, None, Some(name), Some(sub)),
        _ => None,
    }
    .filter(|target| match target {
        Target::Resource(request) => request.name.as_deref() != Some(""),
        Target::GroupVersion { .. } => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(path: &str) -> ResourceRequest {
        match parse(&Catalog::builtin(), path) {
            Some(Target::Resource(request)) => request,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn reads_collections_objects_and_subresources() {
        let pods = resource("/api/v1/namespaces/demo/pods");
        assert_eq!(pods.resource_type.kind, "Pod");
        assert_eq!(pods.namespace.as_deref(), Some("demo"));
        assert_eq!(pods.name, None);

        let all_pods = resource("/api/v1/pods");
        assert_eq!(all_pods.namespace, None);

        let scale = resource("/apis/apps/v1/namespaces/demo/deployments/web/scale");
        assert_eq!(scale.name.as_deref(), Some("web"));
        assert_eq!(scale.subresource.as_deref(), Some("scale"));
    }

    #[test]
    fn tells_namespace_objects_from_namespaced_collections() {
        let namespace = resource("/api/v1/namespaces/demo");
        assert_eq!(namespace.resource_type.kind, "Namespace");
        assert_eq!(namespace.name.as_deref(), Some("demo"));

        let finalize = resource("/api/v1/namespaces/demo/finalize");
        assert_eq!(finalize.resource_type.kind, "Namespace");
        assert_eq!(finalize.subresource.as_deref(), Some("finalize"));

        let nodes = resource("/api/v1/nodes/node-1");
        assert_eq!(nodes.resource_type.kind, "Node");
    }

    #[test]
    fn rejects_what_is_not_served() {
        let catalog = Catalog::builtin();
        assert_eq!(parse(&catalog, "/api/v1/widgets"), None);
        assert_eq!(parse(&catalog, "/apis/apps/v2/deployments"), None);
        assert_eq!(parse(&catalog, "/api/v1/namespaces/demo/nodes/x"), None);
        assert_eq!(parse(&catalog, "/healthz"), None);
        assert_eq!(
            parse(&catalog, "/apis/apps/v1"),
            Some(Target::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            })
        );
    }
}
