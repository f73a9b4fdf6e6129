//! Reading a Helm repository of another site: its `index.yaml` and its chart archives, over
//! HTTP or HTTPS (the system's CAs), with Basic credentials when the repository wants them.

use std::time::Duration;

use base64::Engine as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The largest index or archive read; Bitnami's index is about 15 MB.
const MAX_BODY: usize = 200 * 1024 * 1024;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Why a repository could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The address is not an `http(s)://` URL.
    #[error("{0:?} is not an http:// or https:// address")]
    Address(String),
    /// HTTPS could not be set up.
    #[error("cannot set up HTTPS: {0}")]
    Tls(String),
    /// The request failed, timed out or the answer was too large.
    #[error("cannot read {url}: {reason}")]
    Failed {
        /// What was asked for.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered {status}")]
    Status {
        /// What was asked for.
        url: String,
        /// The answer's status.
        status: u16,
    },
}

/// Credentials for a repository that wants them.
#[derive(Clone, Debug, PartialEq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// `url`'s body.
pub async fn fetch(url: &str, credentials: Option<&Credentials>) -> Result<Bytes, FetchError> {
    let mut request =
        hyper::Request::get(url).header(hyper::header::USER_AGENT, "orbital-appstore");
    if let Some(credentials) = credentials {
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", credentials.username, credentials.password));
        request = request.header(hyper::header::AUTHORIZATION, format!("Basic {token}"));
    }
    let (status, body) = exchange(url, request, Bytes::new()).await?;
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    Ok(body)
}

/// Sends `request` (to `url`, with `body`) and reads its answer, whatever its status.
pub(crate) async fn exchange(
    url: &str,
    request: hyper::http::request::Builder,
    body: Bytes,
) -> Result<(StatusCode, Bytes), FetchError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(FetchError::Address(url.to_owned()));
    }
    let failed = |reason: String| FetchError::Failed {
        url: url.to_owned(),
        reason,
    };
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
        .map_err(|error| FetchError::Tls(error.to_string()))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let request = request
        .body(Full::new(body))
        .map_err(|error| failed(error.to_string()))?;
    let response = tokio::time::timeout(TIMEOUT, client.request(request))
        .await
        .map_err(|_| failed(format!("no answer within {} s", TIMEOUT.as_secs())))?
        .map_err(|error| failed(error.to_string()))?;
    let status = response.status();
    let body = tokio::time::timeout(
        TIMEOUT,
        Limited::new(response.into_body(), MAX_BODY).collect(),
    )
    .await
    .map_err(|_| failed(format!("not read within {} s", TIMEOUT.as_secs())))?
    .map_err(|error| failed(error.to_string()))?;
    Ok((status, body.to_bytes()))
}

/// Where an archive the index names is: its URL as it is when absolute, else relative to the
/// repository's address (as Helm resolves it).
pub fn archive_url(repository: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        return url.to_owned();
    }
    format!(
        "{}/{}",
        repository.trim_end_matches('/'),
        url.trim_start_matches("./")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_urls_resolve_against_the_repository() {
        assert_eq!(
            archive_url("https://charts.example.com/stable/", "web-1.0.0.tgz"),
            "https://charts.example.com/stable/web-1.0.0.tgz"
        );
        assert_eq!(
            archive_url(
                "https://charts.example.com",
                "https://cdn.example.com/web.tgz"
            ),
            "https://cdn.example.com/web.tgz"
        );
    }
}
