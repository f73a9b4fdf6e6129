//! The agent's end of a request: sent on to its own cluster's API server with its own
//! credentials, and the answer streamed back.

use std::convert::Infallible;

use http::{HeaderMap, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// The largest request body the agent sends on (the API server's own limit is 3 MiB).
const MAX_REQUEST_BODY: usize = 4 << 20;

/// Headers that describe one hop, or credentials: none of them is the API server's business.
const NOT_FORWARDED: &[header::HeaderName] = &[
    header::HOST,
    header::AUTHORIZATION,
    header::PROXY_AUTHORIZATION,
    header::CONNECTION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// The headers of `incoming` that go on to the API server.
fn forwarded(incoming: &HeaderMap) -> HeaderMap {
    incoming
        .iter()
        .filter(|(name, _)| !NOT_FORWARDED.contains(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// A `Status` answer, as the API server would give one, for what the agent itself refused.
fn status(code: StatusCode, message: &str) -> Response<kube::client::Body> {
    let body = serde_status(code, message);
    let mut response = Response::new(kube::client::Body::from(body.into_bytes()));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn serde_status(code: StatusCode, message: &str) -> String {
    serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message,
        "reason": code.canonical_reason().unwrap_or("Error").replace(' ', ""),
        "code": code.as_u16(),
    })
    .to_string()
}

/// Sends `request` on through `client` to the agent's own API server: only its path and query
/// are kept, so it cannot be pointed anywhere else, and redirects are answered as they are.
pub async fn forward(
    client: kube::Client,
    request: Request<Incoming>,
) -> Result<Response<kube::client::Body>, Infallible> {
    let (parts, body) = request.into_parts();
    let Some(path) = parts
        .uri
        .path_and_query()
        .filter(|p| p.as_str().starts_with('/'))
    else {
        return Ok(status(StatusCode::BAD_REQUEST, "the request has no path"));
    };
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is larger than the agent sends on",
            ));
        }
    };
    let mut outgoing = Request::new(kube::client::Body::from(body.to_vec()));
    *outgoing.method_mut() = parts.method;
    *outgoing.uri_mut() = match path.as_str().parse() {
        Ok(uri) => uri,
        Err(_) => {
            return Ok(status(
                StatusCode::BAD_REQUEST,
                "the request path is malformed",
            ));
        }
    };
    *outgoing.headers_mut() = forwarded(&parts.headers);
    match client.send(outgoing).await {
        Ok(response) => Ok(response),
        Err(error) => {
            tracing::warn!("the agent could not reach its API server: {error}");
            Ok(status(
                StatusCode::BAD_GATEWAY,
                "the agent could not reach its cluster's API server",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_hop_headers_stay_behind() {
        let mut incoming = HeaderMap::new();
        incoming.insert(header::AUTHORIZATION, "Bearer host".parse().unwrap());
        incoming.insert(header::HOST, "agent".parse().unwrap());
        incoming.insert(header::CONNECTION, "close".parse().unwrap());
        incoming.insert(header::ACCEPT, "application/json".parse().unwrap());
        incoming.insert("kubectl-command", "kubectl get".parse().unwrap());
        let kept = forwarded(&incoming);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[header::ACCEPT], "application/json");
        assert_eq!(kept["kubectl-command"], "kubectl get");
    }

    #[test]
    fn a_refusal_reads_as_a_kubernetes_status() {
        let body: serde_json::Value =
            serde_json::from_str(&serde_status(StatusCode::BAD_GATEWAY, "say \"no\"")).unwrap();
        assert_eq!(body["kind"], "Status");
        assert_eq!(body["code"], 502);
        assert_eq!(body["reason"], "BadGateway");
        assert_eq!(body["message"], "say \"no\"");
    }
}
