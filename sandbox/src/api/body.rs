//! Reading request bodies: size limit, content type, JSON or YAML.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::ApiError;

/// The largest body accepted, as on a real API server.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// The body, or 413 when it is over [`MAX_BODY_BYTES`].
pub async fn read(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge(MAX_BODY_BYTES))
}

/// The media type of the body, without parameters.
pub fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "application/json".to_owned())
}

/// Decodes an object body sent as JSON or YAML.
pub fn decode_object(bytes: &[u8], media_type: &str) -> Result<Value, ApiError> {
    let value = match media_type {
        "application/json" | "" | "*/*" => decode_json(bytes)?,
        "application/yaml" | "application/x-yaml" | "text/yaml" => decode_yaml(bytes)?,
        super::protobuf::MEDIA_TYPE => super::protobuf::decode(bytes)?,
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "application/json, application/yaml".to_owned(),
            ));
        }
    };
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "the body of the request must be an object".to_owned(),
        ));
    }
    Ok(value)
}

/// Parses JSON, answering 400 the way a real server words it.
pub fn decode_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::BadRequest(format!(
            "couldn't get version/kind; json parse error: {error}"
        ))
    })
}

/// Parses YAML (of which JSON is a subset).
pub fn decode_yaml(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_yaml_ng::from_slice(bytes).map_err(|error| {
        ApiError::BadRequest(format!("error converting YAML to JSON: yaml: {error}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_json_and_yaml_and_refuses_the_rest() {
        assert_eq!(
            decode_object(br#"{"kind":"Pod"}"#, "application/json").unwrap()["kind"],
            "Pod"
        );
        assert_eq!(
            decode_object(b"kind: Pod\n", "application/yaml").unwrap()["kind"],
            "Pod"
        );
        assert!(matches!(
            decode_object(b"{", "application/json"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            decode_object(b"a: [", "application/yaml"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            decode_object(b"[]", "application/json"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            decode_object(b"", "application/cbor"),
            Err(ApiError::UnsupportedMediaType(_))
        ));
    }
}
