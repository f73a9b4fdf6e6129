//! `POST /kubeconfig`: a kubeconfig for the caller, with one context per cluster they may see,
//! each pointing at the console's proxy for it, and a fresh token of theirs.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::router::ConsoleState;

/// The kubeconfig of `user`, reaching `clusters` through the console at `url` with `token`.
fn kubeconfig(
    url: &str,
    user: &str,
    token: &str,
    clusters: &[String],
    ca_pem: Option<&str>,
) -> Value {
    let entries: Vec<Value> = clusters
        .iter()
        .map(|name| {
            let mut cluster = json!({"server": format!("{url}/clusters/{name}")});
            if let Some(ca) = ca_pem {
                cluster["certificate-authority-data"] = Value::from(STANDARD.encode(ca));
            }
            json!({"name": name, "cluster": cluster})
        })
        .collect();
    let contexts: Vec<Value> = clusters
        .iter()
        .map(|name| json!({"name": name, "context": {"cluster": name, "user": user}}))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": entries,
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": contexts,
        "current-context": clusters.first().cloned().unwrap_or_default(),
        "preferences": {},
    })
}

/// Answers the caller with their kubeconfig as a file to save.
pub async fn download(State(state): State<ConsoleState>, request: Request) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return (StatusCode::UNAUTHORIZED, "log in first").into_response();
    };
    let (Some(federation), Some(auth)) = (&state.federation, &state.auth) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the console is still starting",
        )
            .into_response();
    };
    let Some(url) = state
        .console
        .address()
        .url(request.uri(), request.headers())
    else {
        return (StatusCode::BAD_REQUEST, "the request names no host").into_response();
    };
    let scope = federation.scope(orbital_federation::Principal::User(caller.0.clone()));
    let clusters = match scope.clusters().await {
        Ok(clusters) => clusters.into_iter().map(|c| c.name).collect::<Vec<_>>(),
        Err(error) => {
            tracing::warn!("cannot list clusters for a kubeconfig: {error}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the cluster list cannot be read; try again",
            )
                .into_response();
        }
    };
    let token = match auth
        .issue_token(caller.0.name(), "kubeconfig", KUBECONFIG_TOKEN_LIFETIME)
        .await
    {
        Some(token) => token,
        None => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the token could not be recorded; try again",
            )
                .into_response();
        }
    };
    let user = caller.0.name();
    let config = kubeconfig(
        &url,
        user,
        &token,
        &clusters,
        state.console.address().ca_pem.as_deref(),
    );
    tracing::info!(user, clusters = clusters.len(), "issued a kubeconfig");
    (
        [
            (header::CONTENT_TYPE, "application/yaml".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"orbital-{user}.kubeconfig\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        // JSON is valid YAML, and kubeconfig loaders read it as such.
        config.to_string(),
    )
        .into_response()
}

/// How long the token in a downloaded kubeconfig lasts.
pub const KUBECONFIG_TOKEN_LIFETIME: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 60 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cluster_is_a_context_through_the_console_with_the_authority_when_given() {
        let clusters = vec!["member-1".to_owned(), "member-2".to_owned()];
        let config = kubeconfig("https://console.test", "ann", "T", &clusters, Some("PEM"));
        assert_eq!(
            config["clusters"][1]["cluster"]["server"],
            "https://console.test/clusters/member-2"
        );
        assert_eq!(
            config["clusters"][0]["cluster"]["certificate-authority-data"],
            STANDARD.encode("PEM")
        );
        assert_eq!(config["contexts"][1]["context"]["user"], "ann");
        assert_eq!(config["users"][0]["user"]["token"], "T");
        assert_eq!(config["current-context"], "member-1");
        let plain = kubeconfig("http://console.test", "ann", "T", &clusters, None);
        assert!(
            plain["clusters"][0]["cluster"]
                .get("certificate-authority-data")
                .is_none()
        );
    }
}
