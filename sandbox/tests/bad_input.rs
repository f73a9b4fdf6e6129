//! Bad requests get the `Status` a real API server answers, and the server keeps serving.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestSandbox;
use http::{Method, Request};

/// One bad request and the answer it must get.
struct Case {
    what: &'static str,
    method: Method,
    path: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    code: u16,
    reason: &'static str,
}

async fn status_of(
    client: &kube::Client,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", content_type)
        .body(body)
        .unwrap();
    match client.request_text(request).await {
        Ok(text) => (200, text),
        Err(kube::Error::Api(status)) => (status.code, status.reason),
        Err(other) => panic!("{path}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_the_right_status() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let configmaps = "/api/v1/namespaces/default/configmaps";
    let json = "application/json";

    let post = |what, path, content_type, body: &[u8], code, reason| Case {
        what,
        method: Method::POST,
        path,
        content_type,
        body: body.to_vec(),
        code,
        reason,
    };
    let get = |what, path, code, reason| Case {
        what,
        method: Method::GET,
        path,
        content_type: json,
        body: Vec::new(),
        code,
        reason,
    };
    let cases = [
        post(
            "malformed JSON",
            configmaps,
            json,
            b"{\"kind\": ",
            400,
            "BadRequest",
        ),
        post(
            "malformed YAML",
            configmaps,
            "application/yaml",
            b"kind: [unclosed",
            400,
            "BadRequest",
        ),
        post(
            "mismatched kind",
            configmaps,
            json,
            br#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
            400,
            "BadRequest",
        ),
        post(
            "invalid name",
            configmaps,
            json,
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}}"#,
            422,
            "Invalid",
        ),
        get(
            "unknown resource",
            "/api/v1/namespaces/default/gizmos",
            404,
            "NotFound",
        ),
        get(
            "unknown group",
            "/apis/nowhere.example/v1/things",
            404,
            "NotFound",
        ),
        post(
            "missing namespace",
            "/api/v1/namespaces/absent/configmaps",
            json,
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#,
            404,
            "NotFound",
        ),
        post(
            "body over 3 MiB",
            configmaps,
            json,
            &oversized(),
            413,
            "RequestEntityTooLarge",
        ),
    ];
    for case in cases {
        let (code, reason) = status_of(
            &client,
            case.method,
            case.path,
            case.content_type,
            case.body,
        )
        .await;
        assert_eq!(
            (code, reason.as_str()),
            (case.code, case.reason),
            "{}",
            case.what
        );
    }

    let created = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"}}"#
        .as_bytes()
        .to_vec();
    assert_eq!(
        status_of(&client, Method::POST, configmaps, json, created.clone())
            .await
            .0,
        200
    );
    let (code, reason) = status_of(&client, Method::POST, configmaps, json, created).await;
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    let status_of_dup = "/api/v1/namespaces/default/configmaps/dup/status";
    let (code, _) = status_of(&client, Method::GET, status_of_dup, json, Vec::new()).await;
    assert_eq!(code, 404, "config maps declare no status subresource");

    let (code, _) = status_of(&client, Method::GET, configmaps, json, Vec::new()).await;
    assert_eq!(code, 200, "the server keeps serving after bad input");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_the_token_are_unauthorized() {
    let sandbox = TestSandbox::start().await;
    let mut config = kube::Config::new(
        format!("https://{}", sandbox.sandbox.addr())
            .parse()
            .unwrap(),
    );
    config.accept_invalid_certs = true;
    let anonymous = kube::Client::try_from(config).unwrap();
    let request = Request::get("/api/v1/namespaces").body(Vec::new()).unwrap();
    match anonymous.request_text(request).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 401);
            assert_eq!(status.reason, "Unauthorized");
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let version = Request::get("/version").body(Vec::new()).unwrap();
    assert!(anonymous.request_text(version).await.is_ok());
}

fn oversized() -> Vec<u8> {
    let value = "x".repeat(3 * 1024 * 1024 + 1);
    format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"v":"{value}"}}}}"#)
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_resource_versions_follow_kubernetes_rules() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let current = sandbox.sandbox.cluster().store().resource_version();
    let list = |query: String| {
        let client = client.clone();
        async move {
            let path = format!("/api/v1/namespaces/default/configmaps?{query}");
            status_of(&client, Method::GET, &path, "application/json", Vec::new()).await
        }
    };
    assert_eq!(list("resourceVersion=0".into()).await.0, 200);
    assert_eq!(list(format!("resourceVersion={current}")).await.0, 200);
    let (code, reason) = list("resourceVersion=1&resourceVersionMatch=Exact".into()).await;
    assert_eq!((code, reason.as_str()), (410, "Expired"));
    assert_eq!(list("resourceVersion=abc".into()).await.0, 400);
}
