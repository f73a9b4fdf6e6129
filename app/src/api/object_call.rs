//! How the object functions call a cluster: through the request's `Scope`, as the proxy would,
//! with a refusal or failure turned into the [`ObjectError`] the browser reads.

use std::time::Duration;

use http::{Method, StatusCode};
use orbital_federation::{Accept, Answer, Call, DiscoveryError, Scope};
use orbital_types::{ApiKind, ObjectRef};
use serde_json::Value;

use super::ObjectError;

/// What to ask of the cluster.
pub(crate) struct Ask<'a> {
    pub method: Method,
    pub target: &'a ObjectRef,
    pub subresource: Option<&'a str>,
    pub query: String,
    pub body: Option<(Vec<u8>, &'static str)>,
    pub collect_for: Option<Duration>,
    pub accept: Accept,
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
            accept: Accept::Objects,
        }
    }

    pub fn json(mut self, body: &Value, content_type: &'static str) -> Self {
        self.body = Some((body.to_string().into_bytes(), content_type));
        self
    }

    pub fn query(mut self, query: String) -> Self {
        self.query = query;
        self
    }
}

/// An error the console itself answers, with the status of the answer set to match.
pub(crate) fn refuse(status: StatusCode, reason: &str, message: String) -> ObjectError {
    crate::api::set_status(status);
    ObjectError {
        code: status.as_u16(),
        reason: reason.to_owned(),
        message,
    }
}

/// The request's scope.
pub(crate) fn scope() -> Result<Scope, ObjectError> {
    leptos::prelude::use_context::<Scope>().ok_or_else(|| {
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "the console is still connecting to its clusters; try again shortly".into(),
        )
    })
}

/// The kind `address` on `cluster`, as the cluster serves it to the caller.
pub(crate) async fn kind(cluster: &str, address: &str) -> Result<ApiKind, ObjectError> {
    scope()?
        .kind(cluster, address)
        .await
        .map_err(discovery_error)
}

/// A discovery failure as the browser reads it.
pub(crate) fn discovery_error(error: DiscoveryError) -> ObjectError {
    let status = match error {
        DiscoveryError::UnknownCluster | DiscoveryError::UnknownKind(_) => StatusCode::NOT_FOUND,
        DiscoveryError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let reason = status
        .canonical_reason()
        .unwrap_or_default()
        .replace(' ', "");
    refuse(status, &reason, error.to_string())
}

/// The answer's body if the cluster did what was asked, else its `Status` as the error;
/// the HTTP status of the server function's answer is set to match.
pub(crate) async fn send(ask: Ask<'_>) -> Result<Vec<u8>, ObjectError> {
    send_through(&scope()?, ask).await
}

/// [`send`] through `scope`, for callers outside a server function.
pub(crate) async fn send_through(scope: &Scope, ask: Ask<'_>) -> Result<Vec<u8>, ObjectError> {
    let Answer { status, body } = scope
        .call(Call {
            method: ask.method,
            target: ask.target,
            subresource: ask.subresource,
            query: &ask.query,
            body: ask.body,
            collect_for: ask.collect_for,
            accept: ask.accept,
        })
        .await;
    if status.is_success() {
        return Ok(body);
    }
    let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |key: &str| answer[key].as_str().unwrap_or_default().to_owned();
    let message = match text("message") {
        message if message.is_empty() => String::from_utf8_lossy(&body).into_owned(),
        message => message,
    };
    Err(refuse(status, &text("reason"), message))
}

/// The body as JSON.
pub(crate) fn json(body: &[u8]) -> Result<Value, ObjectError> {
    serde_json::from_slice(body).map_err(|error| ObjectError {
        code: 502,
        reason: "BadGateway".into(),
        message: format!("the cluster's answer is not JSON: {error}"),
    })
}

/// The objects of `(group, resource)` (version `v1`) in `target`'s namespace on its cluster
/// that the object with UID `uid` owns.
pub(crate) async fn owned_by(
    target: &ObjectRef,
    (group, resource): (&str, &str),
    uid: &str,
) -> Result<Vec<Value>, ObjectError> {
    let collection = ObjectRef {
        cluster: target.cluster.clone(),
        group: group.to_owned(),
        version: "v1".to_owned(),
        resource: resource.to_owned(),
        namespace: target.namespace.clone(),
        name: None,
    };
    let mut list = json(&send(Ask::new(Method::GET, &collection)).await?)?;
    let items = match list["items"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    Ok(items
        .into_iter()
        .filter(|item| {
            item["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|owner| owner["uid"] == uid)
        })
        .collect())
}
