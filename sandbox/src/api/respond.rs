//! Building responses: objects, lists, tables, and list paging tokens.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

use super::ApiError;
use super::table::{self, IncludeObject};
use crate::catalog::ResourceType;

/// How the client wants objects: as they are, or as `kubectl get` tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    /// Plain JSON objects and lists.
    Object,
    /// `meta.k8s.io/v1` `Table`.
    Table(IncludeObject),
}

impl Representation {
    /// Reads the `Accept` header (and `includeObject`).
    pub fn negotiate(headers: &HeaderMap, include_object: Option<&str>) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let wants_table = accept.split(',').any(|choice| {
            let parameters: Vec<&str> = choice.split(';').map(str::trim).collect();
            parameters.contains(&"as=Table") && parameters.contains(&"g=meta.k8s.io")
        });
        if wants_table {
            Self::Table(IncludeObject::parse(include_object))
        } else {
            Self::Object
        }
    }
}

/// A JSON response with a status code.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => {
            ApiError::Internal(format!("cannot encode a response: {error}")).into_response()
        }
    }
}

/// One object, as JSON or as a one-row table.
pub fn object(
    status: StatusCode,
    resource_type: &ResourceType,
    object: &Value,
    representation: Representation,
) -> Response {
    match representation {
        Representation::Object => json_response(status, object),
        Representation::Table(include) => json_response(
            status,
            &table::table(resource_type, [object], json!({}), include),
        ),
    }
}

#[derive(Serialize)]
struct List<'a> {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: String,
    metadata: Value,
    items: Vec<&'a Value>,
}

/// A list of objects, as `<Kind>List` or as a table.
pub fn list(
    resource_type: &ResourceType,
    items: &[Arc<Value>],
    resource_version: u64,
    continue_token: Option<String>,
    representation: Representation,
) -> Response {
    let mut metadata = json!({"resourceVersion": resource_version.to_string()});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    let items: Vec<&Value> = items.iter().map(Arc::as_ref).collect();
    match representation {
        Representation::Object => json_response(
            StatusCode::OK,
            &List {
                kind: format!("{}List", resource_type.kind),
                api_version: resource_type.api_version(),
                metadata,
                items,
            },
        ),
        Representation::Table(include) => json_response(
            StatusCode::OK,
            &table::table(resource_type, items, metadata, include),
        ),
    }
}

/// The opaque `continue` token for a page that ended at `last_key`.
pub fn continue_token(resource_version: u64, last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({"rv": resource_version, "start": last_key}).to_string())
}

/// The key a `continue` token resumes after.
pub fn resume_after(token: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::BadRequest("continue key is not valid".into());
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    value["start"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let token = continue_token(42, "/pods/demo/web-1");
        assert_eq!(resume_after(&token).unwrap(), "/pods/demo/web-1");
        assert!(resume_after("not a token!").is_err());
    }

    #[test]
    fn tables_are_negotiated_from_accept() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            Representation::negotiate(&headers, None),
            Representation::Object
        );
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            ),
        );
        assert_eq!(
            Representation::negotiate(&headers, Some("Object")),
            Representation::Table(IncludeObject::Object)
        );
    }
}
