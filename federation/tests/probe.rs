//! What a probe makes of an API server that answers with an error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use orbital_federation::{Federation, Principal, client_from_kubeconfig};
use orbital_types::{Connection, Reason};

/// A member console's own cluster, whose API server answers every request with `code`.
async fn answering(code: StatusCode) -> Federation {
    let router = Router::new().fallback(move || async move {
        let status = serde_json::json!({
            "kind": "Status", "apiVersion": "v1", "status": "Failure",
            "reason": code.canonical_reason(), "code": code.as_u16(), "message": "no",
        });
        (
            code,
            [(header::CONTENT_TYPE, "application/json")],
            status.to_string(),
        )
            .into_response()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters: [{{name: a, cluster: {{server: 'http://{addr}'}}}}]\n\
         users: [{{name: a, user: {{token: t}}}}]\n\
         contexts: [{{name: a, context: {{cluster: a, user: a}}}}]\ncurrent-context: a\n"
    );
    Federation::member(
        "own",
        client_from_kubeconfig(&kubeconfig, None).await.unwrap(),
    )
}

#[tokio::test]
async fn refused_credentials_and_failing_servers_are_told_apart() {
    for (code, reason) in [
        (StatusCode::UNAUTHORIZED, Reason::Unauthorized),
        (StatusCode::FORBIDDEN, Reason::Unauthorized),
        (StatusCode::INTERNAL_SERVER_ERROR, Reason::Unreachable),
        (StatusCode::NOT_FOUND, Reason::Unreachable),
    ] {
        let federation = answering(code).await;
        let scope = federation.scope(Principal::Console);
        let own = scope.cluster("own").await.unwrap().unwrap();
        assert_eq!(own.connection, Connection::Local);
        assert!(!own.status.ready, "{code}");
        assert_eq!(own.status.reason, reason, "{code}: {}", own.status.message);
        assert!(!federation.reachable().await, "{code}");
    }
}
