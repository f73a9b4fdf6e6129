//! The audit log: every request that changes something — a changing server function or a
//! proxied call that is not a read — allowed or refused, as one `audit.k8s.io/v1` `Event` per
//! line, with the cluster it concerned in `annotations["orbital.dev/cluster"]`.

use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orbital_iam::{Access, ResourceAccess, Verb};
use serde_json::{Value, json};

use crate::auth::Caller;

/// The largest server function form read to find the cluster it names.
const MAX_FORM: usize = 1 << 20;

/// Why the audit log cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the audit log {}: {source}", path.display())]
pub struct AuditError {
    path: PathBuf,
    source: std::io::Error,
}

/// The audit log file. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AuditLog(Arc<Mutex<File>>);

impl AuditLog {
    /// Opens `path` for appending, readable by its owner only.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| AuditError {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self(Arc::new(Mutex::new(file))))
    }

    fn write(&self, event: &Value) {
        let mut file = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = writeln!(file, "{event}") {
            tracing::error!("cannot write the audit log: {error}");
        }
    }
}

/// What a changing request is, as the audit event names it.
struct Change {
    verb: Verb,
    cluster: String,
    object: Value,
}

/// The change a proxied call asks for, unless it only reads.
fn proxied(method: &Method, path_and_query: &str) -> Option<Change> {
    let rest = path_and_query.strip_prefix("/clusters/")?;
    let (cluster, on_cluster) = rest.split_at(rest.find('/')?);
    let Ok(Access::Resource(access)) = orbital_iam::access::from_http(method, on_cluster) else {
        return None;
    };
    (!access.verb.reads()).then(|| Change {
        verb: access.verb,
        cluster: cluster.to_owned(),
        object: object_ref(&access, on_cluster),
    })
}

fn object_ref(access: &ResourceAccess, path: &str) -> Value {
    let version = path
        .split('/')
        .nth(if access.group.is_empty() { 2 } else { 3 })
        .unwrap_or_default();
    json!({
        "resource": access.resource, "namespace": access.namespace, "name": access.name,
        "apiGroup": access.group, "apiVersion": version, "subresource": access.subresource,
    })
}

/// The cluster named by a server function's form (`name=…`).
fn named_cluster(form: &[u8]) -> String {
    form.split(|b| *b == b'&')
        .find_map(|pair| pair.strip_prefix(b"name="))
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .unwrap_or_default()
}

/// Records every changing request once its answer is known.
pub async fn record(State(log): State<Option<AuditLog>>, request: Request, next: Next) -> Response {
    let Some(log) = log else {
        return next.run(request).await;
    };
    let received = jiff::Timestamp::now();
    let uri = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let (change, request) = match orbital_app::api::changing(request.uri().path()) {
        Some(verb) => {
            let (parts, body) = request.into_parts();
            let Ok(form) = to_bytes(body, MAX_FORM).await else {
                return (
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "the form is too large",
                )
                    .into_response();
            };
            let cluster = named_cluster(&form);
            let change = Change {
                verb,
                cluster: cluster.clone(),
                object: json!({"resource": "clusters", "name": cluster,
                               "apiGroup": "cluster.orbital.dev", "apiVersion": "v1alpha1"}),
            };
            (Some(change), Request::from_parts(parts, Body::from(form)))
        }
        None => (proxied(request.method(), &uri), request),
    };
    let Some(change) = change else {
        return next.run(request).await;
    };
    let user = request
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.0.name().to_owned())
        .unwrap_or_default();
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|agent| agent.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    let id = orbital_iam::credentials::new_key("");
    log.write(&json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": &id[..32], "stage": "ResponseComplete",
        "requestURI": uri, "verb": change.verb.as_str(),
        "user": {"username": user}, "sourceIPs": source.into_iter().collect::<Vec<_>>(),
        "userAgent": agent, "objectRef": change.object,
        "responseStatus": {"metadata": {}, "code": response.status().as_u16()},
        "requestReceivedTimestamp": received.to_string(),
        "stageTimestamp": jiff::Timestamp::now().to_string(),
        "annotations": {"orbital.dev/cluster": change.cluster},
    }));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_are_recorded_with_what_they_change() {
        let change = proxied(
            &Method::DELETE,
            "/clusters/member-1/api/v1/namespaces/demo/pods/web",
        )
        .unwrap();
        assert_eq!(change.verb, Verb::Delete);
        assert_eq!(change.cluster, "member-1");
        assert_eq!(change.object["resource"], "pods");
        assert_eq!(change.object["namespace"], "demo");
        assert_eq!(change.object["name"], "web");
        assert_eq!(change.object["apiVersion"], "v1");
        let scale = proxied(
            &Method::PATCH,
            "/clusters/a/apis/apps/v1/namespaces/d/deployments/w/scale",
        )
        .unwrap();
        assert_eq!(
            (
                scale.object["apiGroup"].as_str(),
                scale.object["apiVersion"].as_str()
            ),
            (Some("apps"), Some("v1"))
        );
        assert_eq!(scale.object["subresource"], "scale");
        assert!(proxied(&Method::GET, "/clusters/a/api/v1/pods").is_none());
        assert!(proxied(&Method::GET, "/clusters/a/api/v1/pods?watch=true").is_none());
        assert_eq!(named_cluster(b"confirm=x&name=member-2"), "member-2");
    }
}
