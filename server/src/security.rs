//! What every answer carries and every request must show: no request from another site may
//! change anything or open a stream, and pages may not be framed, sniffed or fed scripts from
//! elsewhere.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of answers that set none of their own (pages set one with their nonce).
const FALLBACK_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Whether `headers` show a request made by a page of another site. `Origin` decides when sent
/// (it must name this console's host); without it, `Sec-Fetch-Site` does for requests that
/// change something. Tools send neither and pass.
fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let authority = origin
            .to_str()
            .ok()
            .and_then(|origin| origin.split_once("://"))
            .map(|(_, authority)| authority);
        return authority.is_none() || authority != host;
    }
    let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let site = headers
        .get("sec-fetch-site")
        .and_then(|site| site.to_str().ok());
    changes && site.is_some_and(|site| site != "same-origin" && site != "none")
}

/// Refuses cross-site requests and adds the security headers to every answer.
pub async fn guard(request: Request, next: Next) -> Response {
    if cross_site(request.method(), request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "cross-site requests are refused").into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(FALLBACK_POLICY));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "console.test:3000".parse().unwrap());
        for (name, value) in pairs {
            headers.insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        headers
    }

    #[test]
    fn only_this_console_origin_passes() {
        let post = Method::POST;
        assert!(!cross_site(
            &post,
            &headers(&[("origin", "http://console.test:3000")])
        ));
        assert!(!cross_site(
            &post,
            &headers(&[("origin", "https://console.test:3000")])
        ));
        assert!(cross_site(
            &post,
            &headers(&[("origin", "http://evil.test")])
        ));
        assert!(cross_site(
            &post,
            &headers(&[("origin", "http://console.test:3000.evil.test")])
        ));
        assert!(cross_site(&post, &headers(&[("origin", "null")])));
        // A watch or an upgrade is a GET: its Origin is checked all the same.
        assert!(cross_site(
            &Method::GET,
            &headers(&[("origin", "http://evil.test")])
        ));
    }

    #[test]
    fn without_an_origin_the_fetch_site_decides_for_changes() {
        let post = Method::POST;
        assert!(cross_site(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(cross_site(
            &post,
            &headers(&[("sec-fetch-site", "same-site")])
        ));
        assert!(!cross_site(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(!cross_site(&post, &headers(&[("sec-fetch-site", "none")])));
        assert!(!cross_site(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(
            !cross_site(&post, &headers(&[])),
            "kubectl and curl send neither"
        );
    }
}
