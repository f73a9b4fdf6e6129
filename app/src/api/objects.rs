//! Any object on any cluster the caller may reach: read, watch, change and delete.
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
use super::object_call as call;

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
