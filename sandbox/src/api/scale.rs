//! The `scale` subresource: an `autoscaling/v1` `Scale` view of a workload's replicas.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::respond::json_response;
use super::{ApiError, ResourceRequest, meta_str};
use crate::catalog::{ResourceType, ScalePaths, json_path};
use crate::cluster::{Change, Cluster, WriteOptions};

/// `GET .../scale`.
pub fn get(cluster: &Cluster, request: &ResourceRequest, name: &str) -> Result<Response, ApiError> {
    let paths = paths(&request.resource_type)?;
    let object = cluster.get(
        &request.resource_type,
        request.namespace.as_deref().unwrap_or_default(),
        name,
    )?;
    Ok(json_response(StatusCode::OK, &scale_of(paths, &object)))
}

/// `PUT` or `PATCH .../scale`: `change` applies to the `Scale`, whose replicas are written back.
pub async fn update(
    cluster: &Cluster,
    request: &ResourceRequest,
    name: &str,
    change: Change,
    options: &WriteOptions,
) -> Result<Response, ApiError> {
    let rt = Arc::clone(&request.resource_type);
    let scale_paths = paths(&rt)?.clone();
    let compute_paths = scale_paths.clone();
    let compute_type = Arc::clone(&rt);
    let compute = Change::Compute(Box::new(move |current: &Value| {
        let scale = scale_of(&compute_paths, current);
        let desired = change.apply(&scale)?;
        if let Some(expected) = meta_str(&desired, "resourceVersion")
            && Some(expected) != meta_str(current, "resourceVersion")
        {
            return Err(ApiError::stale(
                &compute_type,
                meta_str(current, "name").unwrap_or_default(),
            ));
        }
        let replicas = desired["spec"]["replicas"]
            .as_i64()
            .filter(|r| *r >= 0)
            .ok_or_else(|| {
                ApiError::invalid(
                    &compute_type,
                    meta_str(current, "name").unwrap_or_default(),
                    vec![super::Cause {
                        reason: "FieldValueInvalid",
                        field: "spec.replicas".into(),
                        message: "Invalid value: must be a non-negative integer".into(),
                    }],
                )
            })?;
        let mut object = current.clone();
        set_path(&mut object, &compute_paths.spec_replicas, json!(replicas));
        Ok(object)
    }));
    let updated = cluster
        .update(
            &rt,
            request.namespace.as_deref(),
            name,
            None,
            compute,
            options,
        )
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &scale_of(&scale_paths, &updated),
    ))
}

fn paths(resource_type: &ResourceType) -> Result<&ScalePaths, ApiError> {
    resource_type
        .scale
        .as_ref()
        .ok_or(ApiError::UnknownResource)
}

/// The `Scale` of `object`.
fn scale_of(paths: &ScalePaths, object: &Value) -> Value {
    let metadata = &object["metadata"];
    let mut kept = json!({});
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(value) = metadata.get(field) {
            kept[field] = value.clone();
        }
    }
    let number = |path: &str| json_path(object, path).and_then(Value::as_i64).unwrap_or(0);
    let selector = match &paths.label_selector {
        Some(path) => json_path(object, path)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        None => object["spec"]["selector"]["matchLabels"]
            .as_object()
            .map(|labels| {
                labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
    };
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": kept,
        "spec": {"replicas": number(&paths.spec_replicas)},
        "status": {"replicas": number(&paths.status_replicas), "selector": selector},
    })
}

/// Writes `value` at a simple JSONPath, creating maps on the way.
fn set_path(object: &mut Value, path: &str, value: Value) {
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut target = object;
    for segment in parents {
        if !target.get(*segment).is_some_and(Value::is_object) {
            target[*segment] = json!({});
        }
        target = &mut target[*segment];
    }
    target[*last] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_reads_and_writes_the_configured_paths() {
        let paths = ScalePaths {
            spec_replicas: ".spec.size".into(),
            status_replicas: ".status.size".into(),
            label_selector: Some(".status.selector".into()),
        };
        let mut object = json!({"metadata": {"name": "w", "labels": {"a": "b"}}, "spec": {"size": 2}, "status": {"size": 1, "selector": "app=w"}});
        let scale = scale_of(&paths, &object);
        assert_eq!(scale["spec"]["replicas"], 2);
        assert_eq!(scale["status"], json!({"replicas": 1, "selector": "app=w"}));
        assert!(scale["metadata"].get("labels").is_none());
        set_path(&mut object, ".spec.size", json!(5));
        set_path(&mut object, ".spec.nested.count", json!(1));
        assert_eq!(object["spec"]["size"], 5);
        assert_eq!(object["spec"]["nested"]["count"], 1);
    }
}
