//! API errors, answered as `Status` objects exactly as a real API server shapes them.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::catalog::ResourceType;
use crate::store::{StoreError, WriteError};

/// One field-level problem inside a `422 Invalid` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The machine-readable reason, e.g. `FieldValueInvalid`.
    pub reason: &'static str,
    /// The offending field, e.g. `metadata.name`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be understood.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid bearer token.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403: the request is refused, e.g. new content in a terminating namespace.
    #[error("{0}")]
    Forbidden(String),
    /// 404: the object does not exist.
    #[error("{}{} \"{name}\" not found", .resource, .group.as_deref().map(|g| format!(".{g}")).unwrap_or_default())]
    NotFound {
        /// The type's plural.
        resource: String,
        /// The type's group, when not core.
        group: Option<String>,
        /// The object's name.
        name: String,
    },
    /// 404: the URL names no served resource.
    #[error("the server could not find the requested resource")]
    UnknownResource,
    /// 405: the resource does not support the verb.
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    /// 406: the requested representation cannot be produced.
    #[error("{0}")]
    NotAcceptable(String),
    /// 409: the object already exists.
    #[error("{}{} \"{name}\" already exists", .resource, .group.as_deref().map(|g| format!(".{g}")).unwrap_or_default())]
    AlreadyExists {
        /// The type's plural.
        resource: String,
        /// The type's group, when not core.
        group: Option<String>,
        /// The object's name.
        name: String,
    },
    /// 409: the write raced another one, or a field is owned by another manager.
    #[error("{message}")]
    Conflict {
        /// The type's plural.
        resource: String,
        /// The type's group, when not core.
        group: Option<String>,
        /// The object's name.
        name: String,
        /// The full message.
        message: String,
        /// Field-level details (server-side apply conflicts).
        causes: Vec<Cause>,
    },
    /// 410: the watch's resource version is no longer available.
    #[error("too old resource version: {requested} ({oldest})")]
    Gone {
        /// The version asked for.
        requested: u64,
        /// The oldest version available.
        oldest: u64,
    },
    /// 504: a list asked for a resource version the server has not reached.
    #[error("Too large resource version: {requested}, current: {current}")]
    TooLargeResourceVersion {
        /// The version asked for.
        requested: u64,
        /// The server's latest version.
        current: u64,
    },
    /// 413: the body is too large.
    #[error("Request entity too large: limit is {0}")]
    TooLarge(usize),
    /// 415: the body's content type is not accepted for this verb.
    #[error("the body of the request was in an unknown format - accepted media types include: {0}")]
    UnsupportedMediaType(String),
    /// 422: the object is invalid.
    #[error("{kind} \"{name}\" is invalid: {}", .causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect::<Vec<_>>().join(", "))]
    Invalid {
        /// The object's kind.
        kind: String,
        /// The type's group, when not core.
        group: Option<String>,
        /// The object's name.
        name: String,
        /// Each problem.
        causes: Vec<Cause>,
    },
    /// 422: the request is well formed but cannot be carried out (e.g. a failing JSON patch).
    #[error("{0}")]
    Unprocessable(String),
    /// 500: the sandbox failed.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// 404 for `name` of `resource_type`.
    pub fn not_found(resource_type: &ResourceType, name: &str) -> Self {
        Self::NotFound {
            resource: resource_type.plural.clone(),
            group: group_of(resource_type),
            name: name.to_owned(),
        }
    }

    /// 409 for `name` of `resource_type` existing already.
    pub fn already_exists(resource_type: &ResourceType, name: &str) -> Self {
        Self::AlreadyExists {
            resource: resource_type.plural.clone(),
            group: group_of(resource_type),
            name: name.to_owned(),
        }
    }

    /// 409 for an update based on a stale `resourceVersion`.
    pub fn stale(resource_type: &ResourceType, name: &str) -> Self {
        Self::Conflict {
            resource: resource_type.plural.clone(),
            group: group_of(resource_type),
            name: name.to_owned(),
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again",
                resource_type.group_resource()
            ),
            causes: Vec::new(),
        }
    }

    /// 422 with the given problems.
    pub fn invalid(resource_type: &ResourceType, name: &str, causes: Vec<Cause>) -> Self {
        Self::Invalid {
            kind: resource_type.kind.clone(),
            group: group_of(resource_type),
            name: name.to_owned(),
            causes,
        }
    }

    /// The HTTP status code.
    pub fn code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } | Self::UnknownResource => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::AlreadyExists { .. } | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid { .. } | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::TooLargeResourceVersion { .. } => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The `reason` field of the `Status`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::NotFound { .. } | Self::UnknownResource => "NotFound",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::NotAcceptable(_) => "NotAcceptable",
            Self::AlreadyExists { .. } => "AlreadyExists",
            Self::Conflict { .. } => "Conflict",
            Self::Gone { .. } => "Expired",
            Self::TooLarge(_) => "RequestEntityTooLarge",
            Self::UnsupportedMediaType(_) => "UnsupportedMediaType",
            Self::Invalid { .. } | Self::Unprocessable(_) => "Invalid",
            Self::Internal(_) => "InternalError",
            Self::TooLargeResourceVersion { .. } => "Timeout",
        }
    }

    /// The error as a `Status` object.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
            "code": self.code().as_u16(),
        });
        let details = match self {
            Self::NotFound {
                resource,
                group,
                name,
            }
            | Self::AlreadyExists {
                resource,
                group,
                name,
            } => Some(details(name, group, resource, &[])),
            Self::Conflict {
                resource,
                group,
                name,
                causes,
                ..
            } => Some(details(name, group, resource, causes)),
            Self::Invalid {
                kind,
                group,
                name,
                causes,
            } => Some(details(name, group, kind, causes)),
            _ => None,
        };
        if let Some(details) = details {
            status["details"] = details;
        }
        status
    }
}

fn group_of(resource_type: &ResourceType) -> Option<String> {
    (!resource_type.group.is_empty()).then(|| resource_type.group.clone())
}

fn details(name: &str, group: &Option<String>, kind: &str, causes: &[Cause]) -> Value {
    let mut details = json!({ "name": name, "kind": kind });
    if let Some(group) = group {
        details["group"] = json!(group);
    }
    if !causes.is_empty() {
        details["causes"] = causes
            .iter()
            .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
            .collect();
    }
    details
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(message) = &self {
            tracing::error!("sandbox API error: {message}");
        }
        (self.code(), Json(self.to_status())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<WriteError<ApiError>> for ApiError {
    fn from(error: WriteError<ApiError>) -> Self {
        match error {
            WriteError::Rejected(error) => error,
            WriteError::Store(error) => error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn not_found_reads_like_a_real_server() {
        let catalog = Catalog::builtin();
        let deployments = catalog.get("apps", "v1", "deployments").unwrap();
        let error = ApiError::not_found(&deployments, "web");
        assert_eq!(error.code(), StatusCode::NOT_FOUND);
        let status = error.to_status();
        assert_eq!(status["message"], "deployments.apps \"web\" not found");
        assert_eq!(status["reason"], "NotFound");
        assert_eq!(status["details"]["group"], "apps");
        assert_eq!(status["code"], 404);
    }

    #[test]
    fn invalid_lists_its_causes() {
        let catalog = Catalog::builtin();
        let pods = catalog.get("", "v1", "pods").unwrap();
        let error = ApiError::invalid(
            &pods,
            "Bad_Name",
            vec![Cause {
                reason: "FieldValueInvalid",
                field: "metadata.name".into(),
                message: "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain".into(),
            }],
        );
        let status = error.to_status();
        assert_eq!(status["code"], 422);
        assert_eq!(status["details"]["kind"], "Pod");
        assert_eq!(status["details"]["causes"][0]["field"], "metadata.name");
        assert!(
            status["message"]
                .as_str()
                .unwrap()
                .starts_with("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value")
        );
    }
}
