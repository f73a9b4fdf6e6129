//! The audit log: every request that changes something — a changing server function or a
//! proxied call that is not a read — allowed or refused, as one `audit.k8s.io/v1` `Event` per
//! line, with the cluster it concerned in `annotations["orbital.dev/cluster"]`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orbital_app::AuditTrail;
use orbital_app::api::{Changing, Names};
use orbital_appstore::{GROUP, RELEASE_PLURAL, StoreCall, VERSION};
use orbital_iam::{Access, ResourceAccess, Verb};
use orbital_types::ObjectRef;
use orbital_types::tenancy::{AuditEntry, AuditFilter};
use serde_json::{Value, json};

use crate::auth::Caller;

/// The largest server function body read to find what it changes.
const MAX_BODY: usize = 8 << 20;

/// Why the audit log cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the audit log {}: {source}", path.display())]
pub struct AuditError {
    path: PathBuf,
    source: std::io::Error,
}

/// The audit log file. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AuditLog(Arc<Opened>);

#[derive(Debug)]
struct Opened {
    path: PathBuf,
    file: Mutex<File>,
}

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
        Ok(Self(Arc::new(Opened {
            path: path.to_owned(),
            file: Mutex::new(file),
        })))
    }

    fn path(&self) -> &Path {
        &self.0.path
    }

    fn write(&self, event: &Value) {
        let mut file = self.0.file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = writeln!(file, "{event}") {
            tracing::error!("cannot write the audit log: {error}");
        }
    }
}

/// How much of the end of the log the audit page reads.
const READ_TAIL: u64 = 8 << 20;

/// The entry an event line records, if it is one.
fn entry(line: &str) -> Option<AuditEntry> {
    let event: Value = serde_json::from_str(line).ok()?;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let object = &event["objectRef"];
    Some(AuditEntry {
        time: text(&event["stageTimestamp"]),
        user: text(&event["user"]["username"]),
        verb: text(&event["verb"]),
        resource: text(&object["resource"]),
        namespace: object["namespace"].as_str().map(str::to_owned),
        name: object["name"].as_str().map(str::to_owned),
        cluster: text(&event["annotations"]["orbital.dev/cluster"]),
        code: u16::try_from(event["responseStatus"]["code"].as_u64()?).ok()?,
        uri: text(&event["requestURI"]),
    })
}

impl AuditTrail for AuditLog {
    fn recent(&self, filter: &AuditFilter, limit: usize) -> Vec<AuditEntry> {
        let read = || -> std::io::Result<String> {
            let mut file = File::open(self.path())?;
            let length = file.metadata()?.len();
            let start = length.saturating_sub(READ_TAIL);
            file.seek(SeekFrom::Start(start))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            // A read that starts inside a line drops that line.
            if start > 0 {
                text = text
                    .split_once('\n')
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or_default();
            }
            Ok(text)
        };
        match read() {
            Ok(text) => text
                .lines()
                .rev()
                .filter_map(entry)
                .filter(|entry| filter.matches(entry))
                .take(limit)
                .collect(),
            Err(error) => {
                tracing::warn!("cannot read the audit log: {error}");
                Vec::new()
            }
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

/// The change a ChartMuseum call on a served repository asks for: an upload (whose chart is
/// known only from its archive) or the deletion of a chart's version.
fn chart_upload(method: &Method, path: &str) -> Option<Change> {
    let (_, charts) = path
        .strip_prefix(crate::appstore::REPOSITORY_PATHS)?
        .split_once("/api/charts")?;
    let (verb, name) = match (method, charts.strip_prefix('/')) {
        (&Method::POST, None) => (Verb::Create, None),
        (&Method::DELETE, Some(chart)) => (Verb::Delete, Some(chart.replacen('/', "-", 1))),
        _ => return None,
    };
    Some(Change {
        verb,
        cluster: String::new(),
        object: json!({"resource": "charts", "name": name, "apiGroup": GROUP,
                       "apiVersion": VERSION}),
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

/// The value of `field` in a server function's form, decoded; the values of a field given
/// several times (`clusters[]`), joined by commas.
fn form_field(form: &[u8], field: Option<&str>) -> Option<String> {
    let field = field?;
    let values: Vec<String> = form_urlencoded::parse(form)
        .filter(|(key, _)| key == field)
        .map(|(_, value)| value.into_owned())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// What a changing server function changes, from its request's body.
fn called(function: Changing, body: &[u8], user: &str) -> Change {
    match function.names {
        Names::Form {
            group,
            resource,
            name_field,
            cluster_field,
        } => {
            let name = match name_field {
                Some(field) => form_field(body, Some(field)),
                None => Some(user.to_owned()),
            };
            let (namespace, version) = match group {
                "" => (name.clone(), "v1"),
                _ => (None, "v1alpha1"),
            };
            Change {
                verb: function.verb,
                cluster: form_field(body, cluster_field).unwrap_or_default(),
                object: json!({"resource": resource, "name": name, "namespace": namespace,
                               "apiGroup": group, "apiVersion": version}),
            }
        }
        Names::Target => {
            let target: ObjectRef = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|body| serde_json::from_value(body["target"].clone()).ok())
                .unwrap_or_default();
            Change {
                verb: function.verb,
                cluster: target.cluster,
                object: json!({"resource": target.resource, "name": target.name,
                               "namespace": target.namespace, "apiGroup": target.group,
                               "apiVersion": target.version}),
            }
        }
    }
}

/// Records every changing request once its answer is known.
pub async fn record(State(log): State<Option<AuditLog>>, request: Request, next: Next) -> Response {
    let Some(log) = log else {
        return next.run(request).await;
    };
    let received = jiff::Timestamp::now();
    let user = request
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.0.name().to_owned())
        .unwrap_or_default();
    let (change, request) = match orbital_app::api::changing(request.uri().path()) {
        Some(function) => {
            let (parts, body) = request.into_parts();
            let Ok(form) = to_bytes(body, MAX_BODY).await else {
                return (
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "the form is too large",
                )
                    .into_response();
            };
            let change = called(function, &form, &user);
            (Some(change), Request::from_parts(parts, Body::from(form)))
        }
        None => (
            request
                .uri()
                .path_and_query()
                .and_then(|uri| proxied(request.method(), uri.as_str()))
                .or_else(|| chart_upload(request.method(), request.uri().path())),
            request,
        ),
    };
    let Some(change) = change else {
        return next.run(request).await;
    };
    let asked = Asked::of(&request, received);
    let response = next.run(request).await;
    log.write_event(&asked, &change, &user, response.status().as_u16(), None);
    response
}

/// Who sent a request, from where and when, as its audit event says.
pub struct Asked {
    uri: String,
    source: Option<String>,
    agent: String,
    received: jiff::Timestamp,
}

impl Asked {
    /// What `request`, received at `received`, says of itself.
    pub fn of<B>(request: &axum::http::Request<B>, received: jiff::Timestamp) -> Asked {
        let uri = request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |p| p.as_str().to_owned(),
        );
        Asked {
            uri,
            source: request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
            agent: request
                .headers()
                .get(header::USER_AGENT)
                .and_then(|agent| agent.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            received,
        }
    }
}

impl AuditLog {
    /// Records what a member console asked of this host's App Store for `user` of this host,
    /// if it changes something (an install, upgrade, rollback or uninstall on that member's
    /// cluster), with the answer's `code`.
    pub fn member_call(
        &self,
        asked: &Asked,
        cluster: &str,
        call: &StoreCall,
        user: &str,
        code: u16,
    ) {
        let release = |verb, name: &str, namespace: Option<&str>| Change {
            verb,
            cluster: cluster.to_owned(),
            object: json!({"resource": RELEASE_PLURAL, "name": name, "namespace": namespace,
                           "apiGroup": GROUP, "apiVersion": VERSION}),
        };
        let change = match call {
            StoreCall::Install(form) => {
                release(Verb::Create, &form.release_name, Some(&form.namespace))
            }
            StoreCall::Upgrade { id, .. } | StoreCall::Rollback { id, .. } => {
                release(Verb::Update, id, None)
            }
            StoreCall::Uninstall { id } => release(Verb::Delete, id, None),
            _ => return,
        };
        self.write_event(asked, &change, user, code, Some(cluster));
    }

    /// Writes the event of `change` asked by `user`, answered with `code`; `member` names the
    /// member console it came through, if any.
    fn write_event(
        &self,
        asked: &Asked,
        change: &Change,
        user: &str,
        code: u16,
        member: Option<&str>,
    ) {
        let id = orbital_iam::credentials::new_key("");
        let mut annotations = json!({"orbital.dev/cluster": change.cluster});
        if let Some(member) = member {
            annotations["orbital.dev/through-member-console"] = json!(member);
        }
        self.write(&json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "auditID": &id[..32], "stage": "ResponseComplete",
            "requestURI": asked.uri, "verb": change.verb.as_str(),
            "user": {"username": user}, "sourceIPs": asked.source.iter().collect::<Vec<_>>(),
            "userAgent": asked.agent, "objectRef": change.object,
            "responseStatus": {"metadata": {}, "code": code},
            "requestReceivedTimestamp": asked.received.to_string(),
            "stageTimestamp": jiff::Timestamp::now().to_string(),
            "annotations": annotations,
        }));
    }
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
    }

    #[test]
    fn chart_uploads_and_deletions_are_changes() {
        let upload = chart_upload(&Method::POST, "/appstore/repos/uploads/api/charts").unwrap();
        assert_eq!(upload.verb, Verb::Create);
        assert_eq!(upload.object["resource"], "charts");
        let delete = chart_upload(
            &Method::DELETE,
            "/appstore/repos/uploads/api/charts/cache/1.0.0",
        )
        .unwrap();
        assert_eq!(delete.verb, Verb::Delete);
        assert_eq!(delete.object["name"], "cache-1.0.0");
        assert!(chart_upload(&Method::GET, "/appstore/repos/uploads/index.yaml").is_none());
        assert!(
            chart_upload(
                &Method::GET,
                "/appstore/repos/uploads/charts/cache-1.0.0.tgz"
            )
            .is_none()
        );
    }

    #[test]
    fn a_server_function_is_recorded_with_what_its_form_names() {
        let remove = orbital_app::api::changing("/api/clusters/remove").unwrap();
        let change = called(remove, b"confirm=x&name=member-2", "admin");
        assert_eq!(
            (change.verb, change.cluster.as_str()),
            (Verb::Delete, "member-2")
        );
        assert_eq!(change.object["name"], "member-2");
        let project = orbital_app::api::changing("/api/projects/create").unwrap();
        let change = called(
            project,
            b"workspace=t&cluster=member-1&namespace=team%2Da",
            "ann",
        );
        assert_eq!(change.cluster, "member-1");
        assert_eq!(change.object["resource"], "namespaces");
        assert_eq!(change.object["name"], "team-a");
        assert_eq!(change.object["namespace"], "team-a");
        let password = orbital_app::api::changing("/api/me/change-password").unwrap();
        let change = called(password, b"current=a&password=b&confirm=b", "ann");
        assert_eq!(change.object["name"], "ann");
        assert_eq!(change.object["resource"], "users");
        assert!(orbital_app::api::changing("/api/users/list").is_none());
        let delete = orbital_app::api::changing("/api/objects/delete").unwrap();
        let body = br#"{"target":{"cluster":"member-1","group":"apps","version":"v1","resource":"deployments","namespace":"demo","name":"web"}}"#;
        let change = called(delete, body, "ann");
        assert_eq!(
            (change.verb, change.cluster.as_str()),
            (Verb::Delete, "member-1")
        );
        assert_eq!(change.object["resource"], "deployments");
        assert_eq!(change.object["apiGroup"], "apps");
        assert_eq!(change.object["name"], "web");
        assert!(orbital_app::api::changing("/api/objects/get").is_none());
        let install = orbital_app::api::changing("/api/appstore/install").unwrap();
        let change = called(
            install,
            b"repo=builtin&chart=cache&clusters%5B%5D=member-1&clusters%5B%5D=member-2&namespace=demo&release_name=sessions",
            "ann",
        );
        assert_eq!(
            (change.verb, change.cluster.as_str()),
            (Verb::Create, "member-1,member-2")
        );
        assert_eq!(change.object["resource"], "releases");
        assert_eq!(change.object["name"], "sessions");
        let uninstall = orbital_app::api::changing("/api/appstore/uninstall").unwrap();
        let change = called(uninstall, b"id=sessions.demo.member-1", "ann");
        assert_eq!(change.verb, Verb::Delete);
        assert_eq!(change.object["name"], "sessions.demo.member-1");
        let remove = orbital_app::api::changing("/api/appstore/repositories/remove").unwrap();
        assert_eq!(
            called(remove, b"name=partner", "ann").object["resource"],
            "repos"
        );
        assert!(orbital_app::api::changing("/api/appstore/releases").is_none());
    }
}
