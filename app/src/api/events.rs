//! The events about one object, newest first.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};

use super::ObjectError;

/// One event about an object, as `kubectl describe` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// `Normal` or `Warning`.
    pub severity: String,
    /// Why (`Scheduled`, `BackOff`).
    pub reason: String,
    /// What happened.
    pub message: String,
    /// How many times.
    pub count: i64,
    /// When it last happened (RFC 3339).
    pub last_seen: String,
    /// Who reported it.
    pub source: String,
}

/// The events about the object `target` names, whose UID is `uid`.
#[server(endpoint = "objects/events", input = Json)]
pub async fn object_events(target: ObjectRef, uid: String) -> Result<Vec<EventRow>, ObjectError> {
    use super::object_call::{self, Ask};
    use crate::url::encode;
    use http::Method;
    let events = ObjectRef {
        cluster: target.cluster.clone(),
        group: String::new(),
        version: "v1".into(),
        resource: "events".into(),
        namespace: target.namespace.clone(),
        name: None,
    };
    let query = format!(
        "fieldSelector={}",
        encode(&format!("involvedObject.uid={uid}"))
    );
    let list =
        object_call::json(&object_call::send(Ask::new(Method::GET, &events).query(query)).await?)?;
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    let mut rows: Vec<EventRow> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|event| EventRow {
            severity: text(&event["type"]),
            reason: text(&event["reason"]),
            message: text(&event["message"]),
            count: event["count"].as_i64().unwrap_or(1),
            last_seen: [
                &event["lastTimestamp"],
                &event["eventTime"],
                &event["metadata"]["creationTimestamp"],
            ]
            .into_iter()
            .find_map(|time| time.as_str())
            .unwrap_or_default()
            .to_owned(),
            source: [&event["source"]["component"], &event["reportingComponent"]]
                .into_iter()
                .find_map(|source| source.as_str().filter(|s| !s.is_empty()))
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    rows.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
    Ok(rows)
}
