//! Passing Kubernetes API calls through to a cluster: `/clusters/{name}/api/...`.
//!
//! What reaches the member is exactly what the client sent, read from the raw request line
//! (`%2F` stays `%2F`), with only the headers a Kubernetes client legitimately sends: the
//! caller's credentials, impersonation, front-proxy (`X-Remote-*`) and forwarding headers never
//! pass, nor anything named in `Connection`. The member sees the console's own credentials for
//! it. Redirects from the member are returned, not followed, and their `Location` is rewritten
//! to the console's address or dropped, so the member's endpoint is never revealed. Responses
//! stream, so watches and followed logs pass through as they happen.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, header};
use futures::StreamExt;
use orbital_syntax::is_dns_label;
use serde_json::json;

use crate::request_id::RequestId;

/// The largest request body passed on.
const MAX_BODY: usize = 16 << 20;

/// Where proxied paths start.
const PREFIX: &str = "/clusters/";

/// The API paths a member serves through the proxy.
const PROXIED_ROOTS: &[&str] = &["/api", "/apis", "/version", "/openapi"];

/// The request headers a Kubernetes client sends that a member may see.
const REQUEST_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "content-encoding",
    "content-type",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "kubectl-command",
    "kubectl-session",
    "range",
    "user-agent",
];

/// The response headers of an API server that a client may see (`Location` is rewritten).
const RESPONSE_HEADERS: &[&str] = &[
    "accept-ranges",
    "audit-id",
    "cache-control",
    "content-encoding",
    "content-length",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expires",
    "last-modified",
    "retry-after",
    "vary",
    "warning",
    "www-authenticate",
    "x-content-type-options",
    "x-kubernetes-pf-flowschema-uid",
    "x-kubernetes-pf-prioritylevel-uid",
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
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The 404 for a cluster that is not served here: the same for one that exists elsewhere (or
/// that the caller may not see) as for one that never existed.
pub fn unknown_cluster(name: &str) -> Response<Body> {
    status_response(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("clusters \"{name}\" not found"),
    )
}

/// The 403 for a request the caller's grants do not allow, saying which permission is missing.
pub(crate) fn forbidden(message: &str) -> Response<Body> {
    status_response(StatusCode::FORBIDDEN, "Forbidden", message)
}

/// The answer to a request whose path or method names nothing the authorizer can decide.
pub(crate) fn unreadable_access(error: &orbital_iam::AccessError) -> Response<Body> {
    match error {
        orbital_iam::AccessError::Method(_) => status_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &error.to_string(),
        ),
        orbital_iam::AccessError::Segment | orbital_iam::AccessError::NotApi => {
            status_response(StatusCode::BAD_REQUEST, "BadRequest", &error.to_string())
        }
    }
}

/// A proxied request's cluster and its path on that cluster, read from the raw request path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// The cluster's name, a DNS-1123 label.
    pub cluster: &'a str,
    /// The path and query on the cluster, still encoded as the client sent them.
    pub path_and_query: &'a str,
}

/// Why a proxied request is not passed on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The cluster's name is not a DNS-1123 label, so no cluster has it.
    UnknownCluster(String),
    /// The path is not part of the Kubernetes API.
    NotApi,
    /// The path has `.` or `..` segments.
    DotSegment,
}

impl Refusal {
    /// The answer to the client.
    pub(crate) fn response(self) -> Response<Body> {
        match self {
            Self::UnknownCluster(name) => unknown_cluster(&name),
            Self::NotApi => status_response(
                StatusCode::NOT_FOUND,
                "NotFound",
                "the path is not part of the Kubernetes API",
            ),
            Self::DotSegment => status_response(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "the path must not contain '.' or '..' segments",
            ),
        }
    }
}

/// Reads `/clusters/{name}/{path}`, or says why it is not passed on.
pub(crate) fn target(path_and_query: &str) -> Result<Target<'_>, Refusal> {
    let rest = path_and_query.strip_prefix(PREFIX).unwrap_or_default();
    let (cluster, on_cluster) = rest
        .find(['/', '?'])
        .map_or((rest, ""), |end| rest.split_at(end));
    if !is_dns_label(cluster) {
        return Err(Refusal::UnknownCluster(cluster.to_owned()));
    }
    if !is_api_path(on_cluster) {
        return Err(Refusal::NotApi);
    }
    let path = on_cluster.split('?').next().unwrap_or_default();
    let dot_segment = path.split('/').any(|segment| {
        let segment = segment.to_ascii_lowercase().replace("%2e", ".");
        segment == "." || segment == ".."
    });
    if dot_segment {
        return Err(Refusal::DotSegment);
    }
    Ok(Target {
        cluster,
        path_and_query: on_cluster,
    })
}

/// The headers of `headers` named in `allowed` and not in `Connection`.
fn allowed(headers: &HeaderMap, allowed: &[&str]) -> HeaderMap {
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
            allowed.contains(&name) && !connection_listed.iter().any(|listed| listed == name)
        })
        .map(|(name, value)| (HeaderName::clone(name), value.clone()))
        .collect()
}

/// A member's `Location`, as the console's address of the same API path; `None` when it
/// points anywhere else.
fn rewritten_location(location: &str, cluster: &str) -> Option<String> {
    let path = match location.find("://") {
        Some(scheme_end) => {
            let after = &location[scheme_end + 3..];
            &after[after.find('/')?..]
        }
        None => location,
    };
    is_api_path(path).then(|| format!("{PREFIX}{cluster}{path}"))
}

/// Whether `path_and_query` is under one of the API roots a member serves through the proxy.
fn is_api_path(path_and_query: &str) -> bool {
    let path = path_and_query.split('?').next().unwrap_or_default();
    PROXIED_ROOTS
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")))
}

/// What is taken out of an answer before the caller sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Redaction {
    /// Nothing.
    None,
    /// The passwords of `User` objects, in a whole answer or (`watch`) in each event.
    Users {
        /// Whether the answer is a stream of watch events, one JSON document a line.
        watch: bool,
    },
}

/// The largest answer read whole to be redacted.
const MAX_REDACTED: usize = 64 << 20;

/// `body` with `redaction` applied.
fn redacted(body: Body, redaction: Redaction) -> Body {
    match redaction {
        Redaction::None => body,
        Redaction::Users { watch: false } => Body::from_stream(futures::stream::once(async move {
            let bytes = axum::body::to_bytes(body, MAX_REDACTED).await?;
            Ok::<_, axum::Error>(redact_document(&bytes))
        })),
        Redaction::Users { watch: true } => {
            let lines = futures::stream::unfold(
                (body.into_data_stream(), Vec::<u8>::new()),
                |(mut stream, mut pending)| async move {
                    loop {
                        if let Some(end) = pending.iter().position(|b| *b == b'\n') {
                            let line: Vec<u8> = pending.drain(..=end).collect();
                            let mut out = redact_document(&line[..line.len() - 1]);
                            out.push(b'\n');
                            return Some((Ok::<_, axum::Error>(out), (stream, pending)));
                        }
                        match stream.next().await {
                            Some(Ok(chunk)) => pending.extend_from_slice(&chunk),
                            Some(Err(error)) => return Some((Err(error), (stream, pending))),
                            None if pending.is_empty() => return None,
                            None => {
                                let rest = std::mem::take(&mut pending);
                                return Some((Ok(redact_document(&rest)), (stream, pending)));
                            }
                        }
                    }
                },
            );
            Body::from_stream(lines)
        }
    }
}

/// One JSON document with the users' passwords taken out; anything that is not JSON is not
/// passed on at all.
fn redact_document(bytes: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut document) => {
            orbital_iam::redact_users(&mut document);
            document.to_string().into_bytes()
        }
        Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => Vec::new(),
        Err(_) => json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                         "message": "the answer could not be checked for passwords, so it is withheld",
                         "reason": "InternalError", "code": 500})
        .to_string()
        .into_bytes(),
    }
}

/// Passes `request` to the cluster `client` reaches, known to the caller as `target.cluster`,
/// taking out of the answer what `redaction` says.
pub(crate) async fn forward(
    client: &kube::Client,
    target: &Target<'_>,
    request: Request<Body>,
    redaction: Redaction,
) -> Response<Body> {
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
    *upstream.headers_mut() = allowed(&parts.headers, REQUEST_HEADERS);
    if redaction != Redaction::None {
        // Redacting reads the answer as JSON: neither compressed nor protobuf.
        upstream.headers_mut().remove(header::ACCEPT_ENCODING);
        upstream
            .headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    }
    match target.path_and_query.parse() {
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
            let mut response = Response::new(redacted(Body::new(body), redaction));
            *response.status_mut() = parts.status;
            let mut headers = allowed(&parts.headers, RESPONSE_HEADERS);
            if redaction != Redaction::None {
                headers.remove(header::CONTENT_LENGTH);
                headers.remove(header::CONTENT_ENCODING);
            }
            if let Some(location) = parts
                .headers
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| rewritten_location(value, target.cluster))
                .and_then(|value| HeaderValue::from_str(&value).ok())
            {
                headers.insert(header::LOCATION, location);
            }
            *response.headers_mut() = headers;
            response
        }
        Err(error) => unreachable_cluster(target.cluster, &error),
    }
}

/// The 404 of a console that takes no relayed requests.
pub(crate) fn not_relaying() -> Response<Body> {
    status_response(
        StatusCode::NOT_FOUND,
        "NotFound",
        "this console takes no requests relayed by other replicas",
    )
}

/// The 502 for a cluster that could not be reached; the detail goes to the log only.
pub(crate) fn unreachable_cluster(cluster: &str, detail: &dyn std::fmt::Display) -> Response<Body> {
    let id = RequestId::new();
    tracing::warn!(request_id = %id, cluster, "a proxied request failed: {detail}");
    status_response(
        StatusCode::BAD_GATEWAY,
        "ServiceUnavailable",
        &format!(
            "cluster \"{cluster}\" cannot be reached from the console now; try again shortly (request id {id})"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_read_from_the_raw_path() {
        let read =
            target("/clusters/member-1/api/v1/namespaces/default/configmaps/a%2Fb?x=%3F").unwrap();
        assert_eq!(
            read,
            Target {
                cluster: "member-1",
                path_and_query: "/api/v1/namespaces/default/configmaps/a%2Fb?x=%3F"
            }
        );
        let refused = |path: &str| target(path).unwrap_err();
        let unknown = |name: &str| Refusal::UnknownCluster(name.into());
        assert_eq!(
            refused("/clusters/member-1%2Fx/api"),
            unknown("member-1%2Fx")
        );
        assert_eq!(refused("/clusters/../api"), unknown(".."));
        assert_eq!(refused("/clusters/Member/api"), unknown("Member"));
        assert_eq!(refused("/clusters/member-1/healthz"), Refusal::NotApi);
        assert_eq!(refused("/clusters/member-1/apix"), Refusal::NotApi);
        assert_eq!(
            refused("/clusters/member-1/api/../healthz"),
            Refusal::DotSegment
        );
        assert_eq!(
            refused("/clusters/member-1/api/v1/%2E%2e/x"),
            Refusal::DotSegment
        );
        assert_eq!(refused("/clusters/member-1/api/./v1"), Refusal::DotSegment);
        assert_eq!(
            Refusal::UnknownCluster("x".into()).response().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            Refusal::DotSegment.response().status(),
            StatusCode::BAD_REQUEST
        );
        assert!(target("/clusters/member-1/version").is_ok());
        assert!(target("/clusters/member-1/api?timeout=32s").is_ok());
    }

    #[test]
    fn only_what_a_kubernetes_client_sends_is_passed_on() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer user-token"),
            ("impersonate-user", "admin"),
            ("impersonate-group", "system:masters"),
            ("x-remote-user", "admin"),
            ("x-remote-group", "system:masters"),
            ("x-forwarded-for", "10.0.0.1"),
            ("forwarded", "for=10.0.0.1"),
            ("cookie", "session=1"),
            ("host", "console.example.com"),
            ("connection", "keep-alive, kubectl-session"),
            ("kubectl-session", "1"),
            ("keep-alive", "timeout=5"),
            ("accept", "application/json"),
            ("content-type", "application/apply-patch+yaml"),
            ("kubectl-command", "kubectl get"),
            ("if-none-match", "\"1\""),
        ] {
            headers.append(HeaderName::from_static(name), value.parse().unwrap());
        }
        let sent = allowed(&headers, REQUEST_HEADERS);
        let mut names: Vec<&str> = sent.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["accept", "content-type", "if-none-match", "kubectl-command"]
        );
    }

    #[test]
    fn locations_point_at_the_console_or_are_dropped() {
        assert_eq!(
            rewritten_location("https://10.1.2.3:6443/api/v1/namespaces/x", "m").as_deref(),
            Some("/clusters/m/api/v1/namespaces/x")
        );
        assert_eq!(
            rewritten_location("/apis/apps/v1?watch=1", "m").as_deref(),
            Some("/clusters/m/apis/apps/v1?watch=1")
        );
        assert_eq!(
            rewritten_location("http://a/api", "m").as_deref(),
            Some("/clusters/m/api")
        );
        assert_eq!(rewritten_location("https://10.1.2.3:6443/login", "m"), None);
        assert_eq!(rewritten_location("https://evil.example.com", "m"), None);
    }
}
