//! Live pages: what changes in what a page shows, and new log lines (a pod's, or a workload's
//! pods'), sent as they happen
//! as server-sent events, fed by watches made through the request's `Scope` (so a page follows
//! only what its caller may watch), or for a list across clusters by the caches' own watches,
//! kept to what the caller may list. Change events carry which object changed, never the object:
//! the page reads it again through its server functions, so no Secret value rides along.

use std::pin::Pin;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use orbital_app::api::{LogOptions, log_text, pod_logs_of};
use orbital_federation::{Accept, Call, Scope};
use orbital_types::{Kind, LiveTarget, ObjectRef};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::router::{ConsoleState, request_scope};

/// The most targets one page follows.
const MAX_TARGETS: usize = 8;

type Events = BoxStream<'static, Result<Event, std::convert::Infallible>>;

/// The request's scope; none while the console is still connecting.
fn scope_of(state: &ConsoleState, request: &Request) -> Option<Scope> {
    let caller = request.extensions().get::<Caller>().cloned();
    request_scope(state.federation.as_ref(), caller.as_ref())
}

/// The answer while there is no scope.
fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the console is still connecting to its clusters; try again shortly",
    )
        .into_response()
}

/// The lines of a streamed body, as they complete.
fn lines(body: Body) -> impl Stream<Item = Vec<u8>> + Send {
    let chunks = body.into_data_stream();
    stream::unfold(
        (chunks, Vec::new(), false),
        |(mut chunks, mut pending, ended)| async move {
            loop {
                if let Some(at) = pending.iter().position(|byte| *byte == b'\n') {
                    let line: Vec<u8> = pending.drain(..=at).collect();
                    return Some((line[..line.len() - 1].to_vec(), (chunks, pending, ended)));
                }
                if ended {
                    return (!pending.is_empty())
                        .then(|| (std::mem::take(&mut pending), (chunks, Vec::new(), true)));
                }
                match chunks.next().await {
                    Some(Ok(chunk)) => pending.extend_from_slice(&chunk),
                    _ => {
                        return (!pending.is_empty())
                            .then(|| (std::mem::take(&mut pending), (chunks, Vec::new(), true)));
                    }
                }
            }
        },
    )
}

/// Why a refused call was refused, from its `Status` body.
async fn refusal(response: Response<Body>) -> String {
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap_or_default();
    serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|status| status["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned())
}

/// A GET of `target` (its `subresource`) through the scope, answered as it streams in.
async fn stream_get(
    scope: &Scope,
    target: &ObjectRef,
    subresource: Option<&str>,
    query: &str,
) -> Response<Body> {
    scope
        .open(Call {
            method: Method::GET,
            target,
            subresource,
            query,
            body: None,
            collect_for: None,
            accept: Accept::Objects,
        })
        .await
}

fn event(name: &str, data: &Value) -> Result<Event, std::convert::Infallible> {
    Ok(Event::default().event(name).data(data.to_string()))
}

fn refused(message: String) -> Events {
    stream::once(async move { event("refused", &json!({"message": message})) }).boxed()
}

/// The changes to one target, as events.
async fn follow(scope: Scope, target: LiveTarget) -> Events {
    let kind = match scope.kind(&target.cluster, &target.resource).await {
        Ok(kind) => kind,
        Err(error) => return refused(error.to_string()),
    };
    let collection = kind.collection(&target.cluster, target.namespace.as_deref());
    let mut query = "watch=true".to_owned();
    if let Some(name) = &target.name {
        query += &format!("&fieldSelector=metadata.name%3D{}", encode(name));
    }
    let response = stream_get(&scope, &collection, None, &query).await;
    if !response.status().is_success() {
        return refused(refusal(response).await);
    }
    let cluster = target.cluster.clone();
    lines(response.into_body())
        .filter_map(move |line| {
            let cluster = cluster.clone();
            async move {
                let change: Value = serde_json::from_slice(&line).ok()?;
                let kind = change["type"].as_str()?;
                // A watch that ended on an error is started again by the page.
                (kind != "ERROR" && kind != "BOOKMARK").then(|| {
                    let metadata = &change["object"]["metadata"];
                    event(
                        "change",
                        &json!({"type": kind, "cluster": cluster, "namespace": metadata["namespace"],
                                "name": metadata["name"]}),
                    )
                })
            }
        })
        .boxed()
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `GET /live/changes?target={LiveTarget}&…`: an event for every change to the targets, after
/// an `open` event that tells the page to read afresh what it may have missed.
pub async fn changes(State(state): State<ConsoleState>, request: Request) -> Response {
    let Some(scope) = scope_of(&state, &request) else {
        return unavailable();
    };
    let query = request.uri().query().unwrap_or_default().as_bytes();
    let targets: Result<Vec<LiveTarget>, _> = form_urlencoded::parse(query)
        .filter(|(key, _)| key == "target")
        .map(|(_, value)| serde_json::from_str::<LiveTarget>(&value))
        .collect();
    let targets = match targets {
        Ok(targets) if !targets.is_empty() && targets.len() <= MAX_TARGETS => targets,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                format!("name 1 to {MAX_TARGETS} targets, each a live target in JSON"),
            )
                .into_response();
        }
    };
    let followed = futures::future::join_all(
        targets
            .into_iter()
            .map(|target| follow(scope.clone(), target)),
    )
    .await;
    let opened: Events = stream::once(async { event("open", &json!({})) }).boxed();
    let all: Pin<Box<dyn Stream<Item = _> + Send>> =
        Box::pin(opened.chain(stream::select_all(followed)));
    Sse::new(all)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// What `/live/view` takes: the kind, and the clusters and namespace its page shows.
#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    /// The kind, as kubectl writes it.
    kind: Kind,
    cluster: Option<String>,
    namespace: Option<String>,
}

/// `GET /live/view?kind=…&cluster=…&namespace=…`: an event for every change the caches hear to
/// what the cross-cluster list of `kind` may show the caller, after an `open` event. The
/// stream ends within a minute, and the browser opens it again by itself.
pub async fn view(
    State(state): State<ConsoleState>,
    Query(asked): Query<ViewQuery>,
    request: Request,
) -> Response {
    let Some(scope) = scope_of(&state, &request) else {
        return unavailable();
    };
    let query = orbital_types::Query {
        cluster: asked.cluster,
        namespace: asked.namespace,
        ..orbital_types::Query::default()
    };
    let changes = match scope.follow_view(&asked.kind, &query).await {
        Ok(changes) => changes,
        Err(error) => {
            tracing::warn!("following the {} view failed: {error}", asked.kind);
            return unavailable();
        }
    };
    let opened: Events = stream::once(async { event("open", &json!({})) }).boxed();
    let changes = changes.map(|change| event("change", &json!(change)));
    Sse::new(opened.chain(changes))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// What `/live/logs` takes: the pod, and the options as `kubectl logs` names them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    /// The pod, an object reference in JSON.
    target: String,
    container: Option<String>,
    tail_lines: Option<u32>,
    since_seconds: Option<u32>,
    #[serde(default)]
    timestamps: Option<String>,
    #[serde(default)]
    previous: Option<String>,
    /// Present: the logs as a file to save, not followed.
    #[serde(default)]
    download: Option<String>,
}

/// `GET /live/logs?target={ObjectRef}&container=…&tailLines=…`: the log lines of the pod,
/// or of the pods of the workload, `target` names as events, new ones as they are written (a
/// workload's pods' each labelled, as they arrive); with `download`, the lines so far as a
/// text file.
pub async fn logs(
    State(state): State<ConsoleState>,
    Query(asked): Query<LogQuery>,
    request: Request,
) -> Response {
    let Some(scope) = scope_of(&state, &request) else {
        return unavailable();
    };
    let Ok(target) = serde_json::from_str::<ObjectRef>(&asked.target) else {
        return (
            StatusCode::BAD_REQUEST,
            "target must be an object reference in JSON",
        )
            .into_response();
    };
    let options = LogOptions {
        container: asked.container.filter(|c| !c.is_empty()),
        tail_lines: asked.tail_lines,
        since_seconds: asked.since_seconds,
        timestamps: asked.timestamps.is_some(),
        previous: asked.previous.is_some(),
    };
    if asked.download.is_some() {
        return download(&scope, &target, &options).await;
    }
    let logs = match pod_logs_of(&scope, &target, &options).await {
        Ok(logs) => logs,
        Err(error) => return refusal_of(&error),
    };
    let mut streams = Vec::new();
    for log in logs {
        let query = match log.options.query() {
            query if query.is_empty() => "follow=true".to_owned(),
            query => query + "&follow=true",
        };
        let body = match log_body(stream_get(&scope, &log.pod, Some("log"), &query).await).await {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        streams.push(
            lines(body)
                .map(move |line| {
                    let line = log.labelled(&String::from_utf8_lossy(&line));
                    Ok(Event::default().event("line").data(line))
                })
                .boxed(),
        );
    }
    let lines: Events = stream::select_all(streams).boxed();
    Sse::new(lines)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A pod's log as the cluster streams it, or its refusal answered with the cluster's status.
async fn log_body(response: Response<Body>) -> Result<Body, Response> {
    let status = response.status();
    if status.is_success() {
        Ok(response.into_body())
    } else {
        Err((status, refusal(response).await).into_response())
    }
}

/// A refused or failed read of logs, answered as the cluster (or the console) said it.
fn refusal_of(error: &orbital_app::api::ObjectError) -> Response {
    let status = StatusCode::from_u16(error.code).unwrap_or(StatusCode::BAD_GATEWAY);
    (status, error.message.clone()).into_response()
}

/// The logs so far as a file to save: a pod's as the cluster streams them, a workload's
/// pods' interleaved.
async fn download(scope: &Scope, target: &ObjectRef, options: &LogOptions) -> Response {
    let name = target.name.clone().unwrap_or_default();
    let body = if target.is_pod() {
        match log_body(stream_get(scope, target, Some("log"), &options.query()).await).await {
            Ok(body) => body,
            Err(refused) => return refused,
        }
    } else {
        match log_text(scope, target, options).await {
            Ok(text) => Body::from(text),
            Err(error) => return refusal_of(&error),
        }
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.log\""),
        )
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
