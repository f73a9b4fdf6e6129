//! What the proxy passes to a member, seen by a member that records every request it gets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orbital_federation::{Federation, Principal, Scope, client_from_kubeconfig};

/// What the member received: the raw request target and the headers.
#[derive(Clone, Debug)]
struct Received {
    target: String,
    headers: HeaderMap,
}

type Log = Arc<Mutex<Vec<Received>>>;

async fn record(State(log): State<Log>, request: Request<Body>) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    log.lock().unwrap().push(Received {
        target: target.clone(),
        headers: request.headers().clone(),
    });
    if target.starts_with("/api/moved") {
        let mut response = StatusCode::FOUND.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::LOCATION,
            "https://10.9.8.7:6443/api/v1/namespaces?limit=1"
                .parse()
                .unwrap(),
        );
        headers.insert(header::SET_COOKIE, "member=1".parse().unwrap());
        headers.insert("x-member-address", "10.9.8.7".parse().unwrap());
        return response;
    }
    if target.starts_with("/api/elsewhere") {
        let mut response = StatusCode::FOUND.into_response();
        response.headers_mut().insert(
            header::LOCATION,
            "https://10.9.8.7:6443/login".parse().unwrap(),
        );
        return response;
    }
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ETAG, "\"7\""),
        ],
        r#"{"kind":"Status","apiVersion":"v1","status":"Success"}"#,
    )
        .into_response()
}

/// A member console's scope over a recording member named `recorder`.
async fn recorded_member() -> (Scope, Log) {
    let log = Log::default();
    let router = Router::new().fallback(record).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters: [{{name: r, cluster: {{server: 'http://{addr}'}}}}]\n\
         users: [{{name: r, user: {{token: console-token}}}}]\n\
         contexts: [{{name: r, context: {{cluster: r, user: r}}}}]\ncurrent-context: r\n"
    );
    let client = client_from_kubeconfig(&kubeconfig, None).await.unwrap();
    let scope = Federation::member("recorder", client).scope(Principal::Console);
    (scope, log)
}

fn request(target: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(target);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_member_gets_the_raw_path_and_only_the_headers_a_client_may_send() {
    let (scope, log) = recorded_member().await;
    let response = scope
        .proxy(request(
            "/clusters/recorder/api/v1/namespaces/default/configmaps/a%2Fb?fieldSelector=x%3Dy&watch=1",
            &[
                ("authorization", "Bearer the-callers-token"),
                ("impersonate-user", "admin"),
                ("impersonate-group", "system:masters"),
                ("x-remote-user", "admin"),
                ("x-remote-group", "system:masters"),
                ("x-forwarded-for", "203.0.113.9"),
                ("x-forwarded-host", "console.example.com"),
                ("forwarded", "for=203.0.113.9"),
                ("cookie", "orbital-session=secret"),
                ("connection", "x-private, kubectl-session"),
                ("x-private", "1"),
                ("kubectl-session", "abc"),
                ("accept", "application/json;as=Table;v=v1;g=meta.k8s.io"),
                ("user-agent", "kubectl/v1.32.0"),
                ("kubectl-command", "kubectl get"),
            ],
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"7\"");
    let received = log.lock().unwrap().pop().unwrap();
    assert_eq!(
        received.target,
        "/api/v1/namespaces/default/configmaps/a%2Fb?fieldSelector=x%3Dy&watch=1"
    );
    assert_eq!(
        received.headers[header::AUTHORIZATION],
        "Bearer console-token",
        "the member sees the console's credentials, never the caller's"
    );
    for absent in [
        "impersonate-user",
        "impersonate-group",
        "x-remote-user",
        "x-remote-group",
        "x-forwarded-for",
        "x-forwarded-host",
        "forwarded",
        "cookie",
        "x-private",
        "kubectl-session",
    ] {
        assert!(
            !received.headers.contains_key(absent),
            "{absent} reached the member"
        );
    }
    assert_eq!(
        received.headers[header::ACCEPT],
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    );
    assert_eq!(received.headers["kubectl-command"], "kubectl get");
    assert_eq!(received.headers[header::USER_AGENT], "kubectl/v1.32.0");
}

#[tokio::test]
async fn a_member_console_reaches_no_other_cluster() {
    let (scope, log) = recorded_member().await;
    for target in [
        "/clusters/member-2/api/v1/pods",
        "/clusters/recorder%2F..%2Fmember-2/api",
        "/clusters/Recorder/api",
        "/clusters/recorder/healthz",
        "/clusters/recorder/api/v1/../../healthz",
        "/clusters/recorder/api/%2e%2e/healthz",
    ] {
        let response = scope.proxy(request(target, &[])).await;
        assert!(
            matches!(
                response.status(),
                StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{target}: {}",
            response.status()
        );
    }
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing reached the member: {:?}",
        log.lock().unwrap()
    );
    assert!(scope.cluster("member-2").await.unwrap().is_none());
    assert!(scope.cluster("recorder%2F").await.unwrap().is_none());
    let names: Vec<String> = scope
        .clusters()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["recorder"]);
    assert_eq!(
        format!("{scope:?}"),
        "Scope(Federation::Own(recorder) for console)"
    );
}

#[tokio::test]
async fn redirects_point_at_the_console_and_never_at_the_member() {
    let (scope, _log) = recorded_member().await;
    let response = scope
        .proxy(request("/clusters/recorder/api/moved", &[]))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/clusters/recorder/api/v1/namespaces?limit=1"
    );
    assert!(!response.headers().contains_key(header::SET_COOKIE));
    assert!(!response.headers().contains_key("x-member-address"));

    let response = scope
        .proxy(request("/clusters/recorder/api/elsewhere", &[]))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(!response.headers().contains_key(header::LOCATION));
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(!String::from_utf8_lossy(&body).contains("10.9.8.7"));
}

#[tokio::test]
async fn an_unreachable_member_is_a_502_that_names_a_request_id_and_no_address() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters: [{{name: r, cluster: {{server: 'http://{addr}'}}}}]\n\
         users: [{{name: r, user: {{token: t}}}}]\n\
         contexts: [{{name: r, context: {{cluster: r, user: r}}}}]\ncurrent-context: r\n"
    );
    let client = client_from_kubeconfig(&kubeconfig, None).await.unwrap();
    let scope = Federation::member("gone", client).scope(Principal::Console);
    let response = scope
        .proxy(request("/clusters/gone/api/v1/pods", &[]))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let status: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let message = status["message"].as_str().unwrap();
    assert!(message.contains("request id "), "{message}");
    assert!(
        !message.contains(&addr.port().to_string()) && !message.contains("127.0.0.1"),
        "{message}"
    );
}
