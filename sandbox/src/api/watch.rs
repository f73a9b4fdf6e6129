//! Watches: a stream of `ADDED`/`MODIFIED`/`DELETED` events, one JSON object per line.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::respond::Representation;
use super::table;
use super::{ApiError, Params, ResourceRequest};
use crate::catalog::ResourceType;
use crate::cluster::{Cluster, served_as};
use crate::store::{Event, EventType};

/// How often an idle watch that allows bookmarks gets one.
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(10);
/// How long a watch runs when the client sets no `timeoutSeconds`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Starts a watch over the objects `request` names that pass its selectors.
pub fn watch(
    cluster: &Cluster,
    request: &ResourceRequest,
    params: &Params,
    representation: Representation,
) -> Result<Response, ApiError> {
    let matches = super::handler::selectors(request, params)?;
    let timeout = params.timeout()?.unwrap_or(DEFAULT_TIMEOUT);
    let bookmarks = params.flag("allowWatchBookmarks");
    let send_initial = params.get("sendInitialEvents").map(|v| v == "true");
    let rt = Arc::clone(&request.resource_type);
    let namespace = request.namespace.clone();

    let list_now = || cluster.list(&rt, namespace.as_deref(), None, None, &matches);
    let (initial, start) = match params.get("resourceVersion") {
        None | Some("0") => {
            let page = list_now();
            let initial = if send_initial == Some(false) {
                Vec::new()
            } else {
                page.items
            };
            (initial, page.resource_version)
        }
        Some(text) => {
            let version: u64 = text
                .parse()
                .map_err(|_| ApiError::BadRequest(format!("invalid resource version: {text:?}")))?;
            if send_initial == Some(true) {
                let page = list_now();
                (page.items, page.resource_version)
            } else {
                (Vec::new(), version)
            }
        }
    };

    let (sender, receiver) = mpsc::channel::<Result<Bytes, Infallible>>(256);
    match cluster.store().subscribe(start) {
        Err(too_old) => {
            let gone = ApiError::Gone {
                requested: too_old.requested,
                oldest: too_old.oldest,
            };
            let line = encode(&json!({"type": "ERROR", "object": gone.to_status()}));
            // The channel is empty and sized above one line, so this cannot fail.
            let _ = sender.try_send(Ok(line));
        }
        Ok(subscription) => {
            let mut stream = EventStream {
                sender,
                resource_type: rt,
                namespace,
                representation,
                headers_sent: false,
                last_version: start,
            };
            tokio::spawn(async move {
                let run = async {
                    for object in initial {
                        if !stream.send("ADDED", &object).await {
                            return;
                        }
                    }
                    if send_initial == Some(true) && bookmarks && !stream.bookmark(true).await {
                        return;
                    }
                    for event in subscription.backlog {
                        if !stream.forward(&event, &matches).await {
                            return;
                        }
                    }
                    stream.follow(subscription.live, &matches, bookmarks).await;
                };
                let _ = tokio::time::timeout(timeout, run).await;
            });
        }
    }
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(receiver)));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

struct EventStream {
    sender: mpsc::Sender<Result<Bytes, Infallible>>,
    resource_type: Arc<ResourceType>,
    namespace: Option<String>,
    representation: Representation,
    headers_sent: bool,
    last_version: u64,
}

impl EventStream {
    /// Sends live events until the client leaves or falls too far behind.
    async fn follow(
        &mut self,
        mut live: broadcast::Receiver<Arc<Event>>,
        matches: &(impl Fn(&Value) -> bool + Sync),
        bookmarks: bool,
    ) {
        let mut ticker = tokio::time::interval(BOOKMARK_INTERVAL);
        ticker.tick().await;
        loop {
            tokio::select! {
                received = live.recv() => match received {
                    Ok(event) => {
                        if event.resource_version > self.last_version
                            && !self.forward(&event, matches).await
                        {
                            return;
                        }
                    }
                    // A watcher that fell behind is closed; the client resumes from its last version.
                    Err(_) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    if !self.bookmark(false).await {
                        return;
                    }
                }
                () = self.sender.closed() => return,
            }
        }
    }

    /// Sends `event` as this watch sees it: objects entering or leaving the selection are
    /// added or deleted.
    async fn forward(&mut self, event: &Event, matches: &(impl Fn(&Value) -> bool + Sync)) -> bool {
        let key = &event.key;
        let in_scope = key.group == self.resource_type.group
            && key.plural == self.resource_type.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == key.namespace);
        self.last_version = event.resource_version;
        if !in_scope {
            return true;
        }
        let before = event.previous.as_deref().is_some_and(matches);
        let now = matches(&event.object);
        let event_type = match (event.event_type, before, now) {
            (EventType::Deleted, true, _) | (EventType::Deleted, _, true) => "DELETED",
            (EventType::Added, _, true) => "ADDED",
            (EventType::Modified, true, true) => "MODIFIED",
            (EventType::Modified, false, true) => "ADDED",
            (EventType::Modified, true, false) => "DELETED",
            _ => return true,
        };
        let object = served_as(&self.resource_type, Arc::clone(&event.object));
        self.send(event_type, &object).await
    }

    async fn send(&mut self, event_type: &str, object: &Value) -> bool {
        let object = match self.representation {
            Representation::Object => object.clone(),
            Representation::Table(include) => {
                let mut table = table::table(&self.resource_type, [object], json!({}), include);
                if self.headers_sent {
                    table["columnDefinitions"] = json!([]);
                }
                self.headers_sent = true;
                table
            }
        };
        let line = encode(&json!({"type": event_type, "object": object}));
        self.sender.send(Ok(line)).await.is_ok()
    }

    async fn bookmark(&mut self, initial_events_end: bool) -> bool {
        let mut metadata = json!({"resourceVersion": self.last_version.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({
            "kind": self.resource_type.kind,
            "apiVersion": self.resource_type.api_version(),
            "metadata": metadata,
        });
        let line = encode(&json!({"type": "BOOKMARK", "object": object}));
        self.sender.send(Ok(line)).await.is_ok()
    }
}

fn encode(event: &Value) -> Bytes {
    let mut line = event.to_string();
    line.push('\n');
    Bytes::from(line)
}
