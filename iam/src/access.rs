//! What a request asks to do on a cluster, read from its method and API path the way the
//! Kubernetes API server reads it (`list` vs `get`, `watch`, `deletecollection`, subresources).

use std::fmt;

use http::Method;

/// A Kubernetes API verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    /// Read one object (also a subresource such as `pods/log`).
    Get,
    /// Read a collection.
    List,
    /// Follow changes.
    Watch,
    /// Make an object (also `pods/exec`, `pods/eviction`).
    Create,
    /// Replace an object.
    Update,
    /// Change part of an object.
    Patch,
    /// Delete one object.
    Delete,
    /// Delete a collection.
    DeleteCollection,
}

impl Verb {
    /// Every verb.
    pub const ALL: [Verb; 8] = [
        Verb::Get,
        Verb::List,
        Verb::Watch,
        Verb::Create,
        Verb::Update,
        Verb::Patch,
        Verb::Delete,
        Verb::DeleteCollection,
    ];

    /// The name the API server gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::List => "list",
            Self::Watch => "watch",
            Self::Create => "create",
            Self::Update => "update",
            Self::Patch => "patch",
            Self::Delete => "delete",
            Self::DeleteCollection => "deletecollection",
        }
    }

    /// Whether the verb only reads.
    pub fn reads(self) -> bool {
        matches!(self, Self::Get | Self::List | Self::Watch)
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verb on a resource (or one of its subresources), in a namespace or cluster-wide.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceAccess {
    /// The verb.
    pub verb: Verb,
    /// The namespace; `None` for cluster-scoped resources and requests across namespaces.
    pub namespace: Option<String>,
    /// The API group, `""` for the core group.
    pub group: String,
    /// The resource's plural name, e.g. `pods`.
    pub resource: String,
    /// The subresource, e.g. `log`.
    pub subresource: Option<String>,
    /// The object's name, when one is named.
    pub name: Option<String>,
}

impl ResourceAccess {
    /// `verb` on `resource` of `group` in `namespace`.
    pub fn new(verb: Verb, namespace: Option<&str>, group: &str, resource: &str) -> Self {
        Self {
            verb,
            namespace: namespace.map(str::to_owned),
            group: group.to_owned(),
            resource: resource.to_owned(),
            subresource: None,
            name: None,
        }
    }

    /// The same access on `subresource`.
    pub fn on_subresource(mut self, subresource: &str) -> Self {
        self.subresource = Some(subresource.to_owned());
        self
    }

    /// `resource/subresource`, or `resource.group/subresource`, as `kubectl` names it.
    pub fn resource_name(&self) -> String {
        let mut name = self.resource.clone();
        if !self.group.is_empty() {
            name = format!("{name}.{}", self.group);
        }
        if let Some(subresource) = &self.subresource {
            name = format!("{name}/{subresource}");
        }
        name
    }
}

/// What a request to a cluster's API asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reading what the cluster serves (`/api`, `/apis/apps/v1`, `/version`, `/openapi/v3`):
    /// open to anyone who may see the cluster.
    Discovery,
    /// A verb on a resource.
    Resource(ResourceAccess),
}

/// Why a request's path names no access the authorizer can decide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The method is not one the Kubernetes API takes there.
    #[error("the method {0} is not allowed on this path")]
    Method(Method),
    /// A path segment is not valid percent-encoded UTF-8, or decodes to a `/`.
    #[error("the path has a malformed segment")]
    Segment,
    /// The path is not under the Kubernetes API's roots.
    #[error("the path is not part of the Kubernetes API")]
    NotApi,
}

/// Reads `path_and_query` (as sent, still percent-encoded; under `/api`, `/apis`, `/version` or
/// `/openapi`) and `method` as the API server does.
pub fn from_http(method: &Method, path_and_query: &str) -> Result<Access, AccessError> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (group, rest) = match segments.as_slice() {
        ["api", _version, rest @ ..] if !rest.is_empty() => ("", rest),
        ["apis", group, _version, rest @ ..] if !rest.is_empty() => (*group, rest),
        ["api" | "apis" | "version" | "openapi", ..] => return discovery(method),
        _ => return Err(AccessError::NotApi),
    };
    let (watch_path, rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let (namespace, rest) = match rest {
        // A namespace object, and its subresources, are in that namespace.
        ["namespaces", namespace] | ["namespaces", namespace, "status" | "finalize"] => {
            (Some(*namespace), rest)
        }
        ["namespaces", namespace, inner @ ..] => (Some(*namespace), inner),
        rest => (None, rest),
    };
    let (resource, name, subresource) = match rest {
        [resource] => (*resource, None, None),
        [resource, name] => (*resource, Some(*name), None),
        [resource, name, subresource] => (*resource, Some(*name), Some(*subresource)),
        _ => return Err(AccessError::NotApi),
    };
    let watch_query = query
        .split('&')
        .any(|pair| matches!(pair.split_once('='), Some(("watch", "true" | "1"))));
    let verb = match *method {
        Method::GET | Method::HEAD if watch_path || watch_query => Verb::Watch,
        Method::GET | Method::HEAD if name.is_some() => Verb::Get,
        Method::GET | Method::HEAD => Verb::List,
        Method::POST => Verb::Create,
        Method::PUT => Verb::Update,
        Method::PATCH => Verb::Patch,
        Method::DELETE if name.is_some() => Verb::Delete,
        Method::DELETE => Verb::DeleteCollection,
        _ => return Err(AccessError::Method(method.clone())),
    };
    Ok(Access::Resource(ResourceAccess {
        verb,
        namespace: namespace.map(str::to_owned),
        group: group.to_owned(),
        resource: resource.to_owned(),
        subresource: subresource.map(str::to_owned),
        name: name.map(str::to_owned),
    }))
}

fn discovery(method: &Method) -> Result<Access, AccessError> {
    match *method {
        Method::GET | Method::HEAD => Ok(Access::Discovery),
        _ => Err(AccessError::Method(method.clone())),
    }
}

/// One path segment, percent-decoded as the API server decodes it.
fn decode(segment: &str) -> Result<String, AccessError> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = segment
                .get(index + 1..index + 3)
                .ok_or(AccessError::Segment)?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| AccessError::Segment)?;
            decoded.push(byte);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    let decoded = String::from_utf8(decoded).map_err(|_| AccessError::Segment)?;
    if decoded.contains('/') {
        return Err(AccessError::Segment);
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(method: Method, path: &str) -> ResourceAccess {
        match from_http(&method, path) {
            Ok(Access::Resource(access)) => access,
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    #[test]
    fn verbs_follow_the_method_and_whether_an_object_is_named() {
        let cases = [
            (Method::GET, "/api/v1/namespaces/demo/pods", Verb::List),
            (
                Method::GET,
                "/api/v1/namespaces/demo/pods?watch=true&resourceVersion=5",
                Verb::Watch,
            ),
            (
                Method::GET,
                "/api/v1/namespaces/demo/pods?watch=1",
                Verb::Watch,
            ),
            (
                Method::GET,
                "/api/v1/namespaces/demo/pods?watch=false",
                Verb::List,
            ),
            (
                Method::GET,
                "/api/v1/watch/namespaces/demo/pods",
                Verb::Watch,
            ),
            (Method::GET, "/api/v1/namespaces/demo/pods/web", Verb::Get),
            (Method::HEAD, "/api/v1/namespaces/demo/pods/web", Verb::Get),
            (Method::POST, "/api/v1/namespaces/demo/pods", Verb::Create),
            (
                Method::PUT,
                "/api/v1/namespaces/demo/pods/web",
                Verb::Update,
            ),
            (
                Method::PATCH,
                "/api/v1/namespaces/demo/pods/web",
                Verb::Patch,
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/demo/pods/web",
                Verb::Delete,
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/demo/pods",
                Verb::DeleteCollection,
            ),
        ];
        for (method, path, verb) in cases {
            let access = resource(method.clone(), path);
            assert_eq!(access.verb, verb, "{method} {path}");
            assert_eq!(access.namespace.as_deref(), Some("demo"), "{path}");
            assert_eq!(
                (access.group.as_str(), access.resource.as_str()),
                ("", "pods")
            );
        }
    }

    #[test]
    fn groups_subresources_and_cluster_scoped_resources_are_read_from_the_path() {
        let log = resource(
            Method::GET,
            "/api/v1/namespaces/demo/pods/web/log?follow=true",
        );
        assert_eq!(log.subresource.as_deref(), Some("log"));
        assert_eq!(log.name.as_deref(), Some("web"));
        assert_eq!(log.verb, Verb::Get);
        let exec = resource(
            Method::POST,
            "/api/v1/namespaces/demo/pods/web/exec?command=sh",
        );
        assert_eq!(
            (exec.verb, exec.subresource.as_deref()),
            (Verb::Create, Some("exec"))
        );
        let scale = resource(
            Method::PATCH,
            "/apis/apps/v1/namespaces/demo/deployments/web/scale",
        );
        assert_eq!(scale.group, "apps");
        assert_eq!(scale.resource_name(), "deployments.apps/scale");
        let nodes = resource(Method::GET, "/api/v1/nodes");
        assert_eq!((nodes.namespace, nodes.verb), (None, Verb::List));
        let all_pods = resource(Method::GET, "/api/v1/pods");
        assert_eq!(all_pods.namespace, None);
        let crd = resource(
            Method::GET,
            "/apis/example.dev/v1/namespaces/demo/widgets/w",
        );
        assert_eq!(crd.resource_name(), "widgets.example.dev");
    }

    #[test]
    fn a_namespace_object_is_in_its_own_namespace() {
        let get = resource(Method::GET, "/api/v1/namespaces/demo");
        assert_eq!(get.resource, "namespaces");
        assert_eq!(get.name.as_deref(), Some("demo"));
        assert_eq!(get.namespace.as_deref(), Some("demo"));
        let list = resource(Method::GET, "/api/v1/namespaces");
        assert_eq!((list.verb, list.namespace), (Verb::List, None));
        let finalize = resource(Method::PUT, "/api/v1/namespaces/demo/finalize");
        assert_eq!(finalize.subresource.as_deref(), Some("finalize"));
        assert_eq!(finalize.namespace.as_deref(), Some("demo"));
    }

    #[test]
    fn segments_are_decoded_before_they_are_judged() {
        let secrets = resource(Method::GET, "/api/v1/namespaces/de%6Do/secret%73");
        assert_eq!(secrets.resource, "secrets");
        assert_eq!(secrets.namespace.as_deref(), Some("demo"));
        for path in [
            "/api/v1/namespaces/demo/configmaps/a%2Fb",
            "/api/v1/namespaces/demo/configmaps/a%2",
            "/api/v1/namespaces/demo/configmaps/%ff",
        ] {
            assert_eq!(
                from_http(&Method::GET, path),
                Err(AccessError::Segment),
                "{path}"
            );
        }
    }

    #[test]
    fn discovery_is_read_only_and_other_paths_are_not_api() {
        for path in [
            "/api",
            "/api/v1",
            "/apis",
            "/apis/apps",
            "/apis/apps/v1",
            "/version",
            "/openapi/v3",
        ] {
            assert_eq!(
                from_http(&Method::GET, path),
                Ok(Access::Discovery),
                "{path}"
            );
        }
        assert_eq!(
            from_http(&Method::POST, "/api/v1"),
            Err(AccessError::Method(Method::POST))
        );
        assert_eq!(
            from_http(&Method::OPTIONS, "/api/v1/namespaces/demo/pods"),
            Err(AccessError::Method(Method::OPTIONS))
        );
        assert_eq!(
            from_http(&Method::GET, "/healthz"),
            Err(AccessError::NotApi)
        );
        assert_eq!(
            from_http(&Method::GET, "/api/v1/namespaces/demo/pods/web/log/extra"),
            Err(AccessError::NotApi)
        );
    }
}
