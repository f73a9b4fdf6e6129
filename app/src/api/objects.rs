//! Any object on any cluster the caller may reach: read, watch, change, delete, and pod logs.
//! Each call is decided as the proxy decides it, before anything is sent to the cluster.

use std::fmt;

use leptos::prelude::*;
use leptos::server_fn::codec::{Json, JsonEncoding};
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest a watch call collects events.
pub const MAX_WATCH_SECONDS: u32 = 30;

/// Why an object call failed: the Kubernetes `Status` of the refusal or failure, from the
/// console (the caller may not; no such cluster) or from the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectError {
    /// The HTTP status (403 refused, 404 no such object or cluster, …).
    pub code: u16,
    /// The reason (`Forbidden`, `NotFound`, …).
    pub reason: String,
    /// What went wrong, in the API server's words.
    pub message: String,
}

impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ObjectError {}

impl FromServerFnError for ObjectError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self {
            code: 500,
            reason: "InternalError".into(),
            message: value.to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
mod call {
    use std::time::Duration;

    use http::Method;
    use orbital_federation::{Answer, Call};
    use orbital_types::ObjectRef;
    use serde_json::Value;

    use super::ObjectError;

    /// What to ask of the cluster.
    pub(super) struct Ask<'a> {
        pub method: Method,
        pub target: &'a ObjectRef,
        pub subresource: Option<&'a str>,
        pub query: String,
        pub body: Option<(Vec<u8>, &'static str)>,
        pub collect_for: Option<Duration>,
    }

    impl<'a> Ask<'a> {
        pub fn new(method: Method, target: &'a ObjectRef) -> Self {
            Self {
                method,
                target,
                subresource: None,
                query: String::new(),
                body: None,
                collect_for: None,
            }
        }

        pub fn json(mut self, body: &Value, content_type: &'static str) -> Self {
            self.body = Some((body.to_string().into_bytes(), content_type));
            self
        }
    }

    /// The answer's body if the cluster did what was asked, else its `Status` as the error;
    /// the HTTP status of the server function's answer is set to match.
    pub(super) async fn send(ask: Ask<'_>) -> Result<Vec<u8>, ObjectError> {
        let scope =
            leptos::prelude::use_context::<orbital_federation::Scope>().ok_or_else(|| {
                ObjectError {
                    code: 503,
                    reason: "ServiceUnavailable".into(),
                    message: "the console is still connecting to its clusters; try again shortly"
                        .into(),
                }
            })?;
        let Answer { status, body } = scope
            .call(Call {
                method: ask.method,
                target: ask.target,
                subresource: ask.subresource,
                query: &ask.query,
                body: ask.body,
                collect_for: ask.collect_for,
            })
            .await;
        if status.is_success() {
            return Ok(body);
        }
        crate::api::set_status(status);
        let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
        let text = |key: &str| answer[key].as_str().unwrap_or_default().to_owned();
        Err(ObjectError {
            code: status.as_u16(),
            reason: text("reason"),
            message: match text("message") {
                message if message.is_empty() => String::from_utf8_lossy(&body).into_owned(),
                message => message,
            },
        })
    }

    /// The body as JSON.
    pub(super) fn json(body: &[u8]) -> Result<Value, ObjectError> {
        serde_json::from_slice(body).map_err(|error| ObjectError {
            code: 502,
            reason: "BadGateway".into(),
            message: format!("the cluster's answer is not JSON: {error}"),
        })
    }
}

/// The object `target` names.
#[server(endpoint = "objects/get", input = Json)]
pub async fn get_object(target: ObjectRef) -> Result<Value, ObjectError> {
    use http::Method;
    call::json(&call::send(call::Ask::new(Method::GET, &target)).await?)
}

/// The collection `target` names, as the API server lists it.
#[server(endpoint = "objects/list", input = Json)]
pub async fn list_objects(target: ObjectRef) -> Result<Value, ObjectError> {
    use http::Method;
    call::json(&call::send(call::Ask::new(Method::GET, &target)).await?)
}

/// The changes to the collection `target` after `resource_version` (empty: from now), as
/// watch events, collected for up to `seconds` seconds.
#[server(endpoint = "objects/watch", input = Json)]
pub async fn watch_objects(
    target: ObjectRef,
    resource_version: String,
    seconds: u32,
) -> Result<Vec<Value>, ObjectError> {
    use http::Method;
    let seconds = seconds.clamp(1, MAX_WATCH_SECONDS);
    let mut ask = call::Ask::new(Method::GET, &target);
    ask.query = format!("watch=true&timeoutSeconds={seconds}");
    if !resource_version.is_empty() {
        ask.query += &format!(
            "&resourceVersion={}",
            resource_version
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        );
    }
    ask.collect_for = Some(std::time::Duration::from_secs(u64::from(seconds)));
    let body = call::send(ask).await?;
    Ok(body
        .split(|byte| *byte == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect())
}

/// Creates `object` in the collection `target` names.
#[server(endpoint = "objects/create", input = Json)]
pub async fn create_object(target: ObjectRef, object: Value) -> Result<Value, ObjectError> {
    use http::Method;
    let ask = call::Ask::new(Method::POST, &target).json(&object, "application/json");
    call::json(&call::send(ask).await?)
}

/// Replaces the object `target` names with `object`.
#[server(endpoint = "objects/replace", input = Json)]
pub async fn replace_object(target: ObjectRef, object: Value) -> Result<Value, ObjectError> {
    use http::Method;
    let ask = call::Ask::new(Method::PUT, &target).json(&object, "application/json");
    call::json(&call::send(ask).await?)
}

/// Changes the object `target` names by the JSON merge patch `patch`.
#[server(endpoint = "objects/patch", input = Json)]
pub async fn patch_object(target: ObjectRef, patch: Value) -> Result<Value, ObjectError> {
    use http::Method;
    let ask = call::Ask::new(Method::PATCH, &target).json(&patch, "application/merge-patch+json");
    call::json(&call::send(ask).await?)
}

/// Deletes the object `target` names.
#[server(endpoint = "objects/delete", input = Json)]
pub async fn delete_object(target: ObjectRef) -> Result<Value, ObjectError> {
    use http::Method;
    call::json(&call::send(call::Ask::new(Method::DELETE, &target)).await?)
}

/// The last `tail_lines` lines (all when none) of the logs of the pod `target` names.
#[server(endpoint = "objects/logs", input = Json)]
pub async fn pod_logs(target: ObjectRef, tail_lines: Option<u32>) -> Result<String, ObjectError> {
    use http::Method;
    let mut ask = call::Ask::new(Method::GET, &target);
    ask.subresource = Some("log");
    if let Some(lines) = tail_lines {
        ask.query = format!("tailLines={lines}");
    }
    Ok(String::from_utf8_lossy(&call::send(ask).await?).into_owned())
}
