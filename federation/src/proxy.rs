//! Passing Kubernetes API calls through to a member: `/clusters/{name}/api/...`.
//!
//! The caller's credentials and impersonation headers are never forwarded (the member sees the
//! console's own credentials for it), hop-by-hop headers are dropped both ways, and redirects
//! from the member are returned, not followed. Responses stream, so watches and followed logs
//! pass through as they happen.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Request, Response, StatusCode, header};
use serde_json::json;

use crate::pool::{ClientPool, PoolError};

/// The largest request body passed on.
const MAX_BODY: usize = 16 << 20;

/// The API paths a member serves through the proxy.
const PROXIED_ROOTS: &[&str] = &["/api", "/apis", "/version", "/openapi"];

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// A `Status` error as the Kubernetes API answers it.
pub fn status_response(code: StatusCode, reason: &str, message: &str) -> Response<Body> {
    let status = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code.as_u16(),
    });
    let mut response = Response::new(Body::from(status.to_string()));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The 404 for a cluster that is not known (or, in member mode, not this one).
pub fn unknown_cluster(name: &str) -> Response<Body> {
    status_response(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("clusters \"{name}\" not found"),
    )
}

fn forwarded(headers: &HeaderMap, request: bool) -> HeaderMap {
    let connection_listed: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|name| name.trim().to_ascii_lowercase()))
        .collect();
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            let dropped = HOP_BY_HOP.contains(&name)
                || connection_listed.iter().any(|listed| listed == name)
                || (request
                    && (name == "host"
                        || name == "authorization"
                        || name == "cookie"
                        || name == "content-length"
                        || name.starts_with("impersonate-")));
            !dropped
        })
        .map(|(name, value)| (HeaderName::clone(name), value.clone()))
        .collect()
}

/// Passes `request`, whose path is `path_and_query` on the member, to the member `name`.
pub async fn forward(
    pool: &ClientPool,
    name: &str,
    path_and_query: &str,
    request: Request<Body>,
) -> Response<Body> {
    match pool.client(name).await {
        Ok(client) => forward_to(&client, name, path_and_query, request).await,
        Err(PoolError::Unknown(_)) => unknown_cluster(name),
        Err(error) => status_response(
            StatusCode::BAD_GATEWAY,
            "ServiceUnavailable",
            &error.to_string(),
        ),
    }
}

/// Passes `request` to the cluster `client` reaches, known to the caller as `name`.
pub async fn forward_to(
    client: &kube::Client,
    name: &str,
    path_and_query: &str,
    request: Request<Body>,
) -> Response<Body> {
    let path = path_and_query.split('?').next().unwrap_or_default();
    let served = PROXIED_ROOTS
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")));
    if !served {
        return status_response(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("the path {path:?} is not part of the Kubernetes API"),
        );
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return status_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                &format!("the request body is larger than {} MiB", MAX_BODY >> 20),
            );
        }
    };
    let mut upstream = http::Request::new(kube::client::Body::from(body));
    *upstream.method_mut() = parts.method;
    *upstream.headers_mut() = forwarded(&parts.headers, true);
    match path_and_query.parse() {
        Ok(uri) => *upstream.uri_mut() = uri,
        Err(_) => {
            return status_response(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "the request path is not a valid URI",
            );
        }
    }
    match client.send(upstream).await {
        Ok(answer) => {
            let (parts, body) = answer.into_parts();
            let mut response = Response::new(Body::new(body));
            *response.status_mut() = parts.status;
            *response.headers_mut() = forwarded(&parts.headers, false);
            response
        }
        Err(error) => status_response(
            StatusCode::BAD_GATEWAY,
            "ServiceUnavailable",
            &format!("cluster \"{name}\" cannot be reached: {error}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_impersonation_and_hop_by_hop_headers_stay_behind() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer user-token"),
            ("impersonate-user", "admin"),
            ("impersonate-group", "system:masters"),
            ("cookie", "session=1"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("keep-alive", "timeout=5"),
            ("accept", "application/json"),
            ("content-type", "application/apply-patch+yaml"),
        ] {
            headers.append(HeaderName::from_static(name), value.parse().unwrap());
        }
        let sent = forwarded(&headers, true);
        let names: Vec<&str> = sent.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["accept", "content-type"]);
        let returned = forwarded(&headers, false);
        assert!(returned.contains_key("authorization") && !returned.contains_key("keep-alive"));
    }
}
