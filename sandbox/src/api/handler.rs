//! The entry point for every resource URL: reads the request and runs the verb.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::respond::{self, Representation};
use super::{
    ApiError, FieldSelector, LabelSelector, Params, ResourceRequest, Target, body, discovery, logs,
    scale, watch,
};
use crate::cluster::{Change, Cluster, DeleteOptions, Propagation, WriteOptions};

/// Serves any resource URL.
pub async fn handle(
    State(cluster): State<Cluster>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match dispatch(&cluster, &method, &uri, &headers, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn dispatch(
    cluster: &Cluster,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let catalog = cluster.catalog();
    let path = uri.path();
    if let Some(group) = path
        .strip_prefix("/apis/")
        .filter(|rest| !rest.trim_end_matches('/').contains('/'))
    {
        let document = discovery::group(&catalog, group.trim_end_matches('/'))
            .ok_or(ApiError::UnknownResource)?;
        return Ok(respond::json_response(StatusCode::OK, &document));
    }
    let target = super::parse(&catalog, path).ok_or(ApiError::UnknownResource)?;
    let request = match target {
        Target::GroupVersion { group, version } => {
            return Ok(respond::json_response(
                StatusCode::OK,
                &discovery::resource_list(&catalog, &group, &version),
            ));
        }
        Target::Resource(request) => request,
    };
    let params = Params::parse(uri.query());
    let representation = Representation::negotiate(headers, params.get("includeObject"));
    let write = WriteOptions {
        manager: manager(&params, headers),
        dry_run: params.dry_run()?,
    };
    let namespace = request.namespace.as_deref();
    let rt = &request.resource_type;
    let subresource_served = match request.subresource.as_deref() {
        None => true,
        Some("status") => rt.status_subresource,
        Some("scale") => rt.scale.is_some(),
        Some("log") => rt.group.is_empty() && rt.kind == "Pod",
        Some(_) => false,
    };
    if !subresource_served {
        return Err(ApiError::UnknownResource);
    }
    if rt.review {
        return match (
            method,
            request.name.as_deref(),
            request.subresource.as_deref(),
        ) {
            (&Method::POST, None, None) => review(headers, body).await,
            _ => Err(ApiError::MethodNotAllowed),
        };
    }

    match (
        method,
        request.name.as_deref(),
        request.subresource.as_deref(),
    ) {
        (&Method::GET, None, None) if params.watch() => {
            watch::watch(cluster, &request, &params, representation)
        }
        (&Method::GET, None, None) => list(cluster, &request, &params, representation),
        (&Method::GET, Some(name), None | Some("status")) => {
            let object = cluster.get(rt, namespace.unwrap_or_default(), name)?;
            Ok(respond::object(StatusCode::OK, rt, &object, representation))
        }
        (&Method::GET, Some(name), Some("scale")) => scale::get(cluster, &request, name),
        (&Method::GET, Some(name), Some("log")) => {
            logs::logs(cluster, namespace.unwrap_or_default(), name, &params)
        }
        (&Method::POST, None, None) => {
            let object = decode(headers, body).await?;
            let created = cluster.create(rt, namespace, object, &write).await?;
            Ok(respond::object(
                StatusCode::CREATED,
                rt,
                &created,
                Representation::Object,
            ))
        }
        (&Method::PUT, Some(name), subresource @ (None | Some("status"))) => {
            let object = decode(headers, body).await?;
            let updated = cluster
                .update(
                    rt,
                    namespace,
                    name,
                    subresource,
                    Change::Replace(object),
                    &write,
                )
                .await?;
            Ok(respond::object(
                StatusCode::OK,
                rt,
                &updated,
                Representation::Object,
            ))
        }
        (&Method::PATCH, Some(name), None)
            if body::content_type(headers) == "application/apply-patch+yaml" =>
        {
            if params.get("fieldManager").is_none() {
                return Err(ApiError::BadRequest(
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: \
                     is required for apply patch"
                        .into(),
                ));
            }
            let bytes = body::read(body).await?;
            let config = body::decode_yaml(&bytes)?;
            let applied = cluster
                .apply(rt, namespace, name, config, params.flag("force"), &write)
                .await?;
            Ok(respond::object(
                StatusCode::OK,
                rt,
                &applied,
                Representation::Object,
            ))
        }
        (&Method::PATCH, Some(name), subresource @ (None | Some("status"))) => {
            let change = patch_change(headers, body, rt.as_ref()).await?;
            let patched = cluster
                .update(rt, namespace, name, subresource, change, &write)
                .await?;
            Ok(respond::object(
                StatusCode::OK,
                rt,
                &patched,
                Representation::Object,
            ))
        }
        (&Method::PUT, Some(name), Some("scale")) => {
            let object = decode(headers, body).await?;
            scale::update(cluster, &request, name, Change::Replace(object), &write).await
        }
        (&Method::PATCH, Some(name), Some("scale")) => {
            let change = patch_change(headers, body, rt.as_ref()).await?;
            scale::update(cluster, &request, name, change, &write).await
        }
        (&Method::DELETE, Some(name), None) => {
            let options = delete_options(headers, &params, body).await?;
            let deleted = cluster.delete(rt, namespace, name, &options).await?;
            Ok(respond::object(
                StatusCode::OK,
                rt,
                &deleted,
                Representation::Object,
            ))
        }
        (&Method::DELETE, None, None) => {
            delete_collection(cluster, &request, headers, &params, body).await
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

/// The field manager: `fieldManager`, or the first word of the user agent, as a real server does.
/// Answers an access review: the sandbox has one user, its kubeconfig's, who may do everything.
async fn review(headers: &HeaderMap, body: Body) -> Result<Response, ApiError> {
    let mut review = decode(headers, body).await?;
    review["status"] = serde_json::json!({
        "allowed": true,
        "reason": "the sandbox's one user may do everything",
    });
    Ok(respond::json_response(StatusCode::CREATED, &review))
}

fn manager(params: &Params, headers: &HeaderMap) -> String {
    params
        .get("fieldManager")
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .and_then(|agent| agent.split('/').next())
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| crate::cluster::DEFAULT_MANAGER.to_owned())
}

async fn decode(headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    let bytes = body::read(body).await?;
    body::decode_object(&bytes, &body::content_type(headers))
}

async fn patch_change(
    headers: &HeaderMap,
    body: Body,
    resource_type: &crate::catalog::ResourceType,
) -> Result<Change, ApiError> {
    let bytes = body::read(body).await?;
    let media_type = body::content_type(headers);
    match media_type.as_str() {
        "application/merge-patch+json" => Ok(Change::MergePatch(body::decode_json(&bytes)?)),
        "application/json-patch+json" => Ok(Change::JsonPatch(body::decode_json(&bytes)?)),
        "application/strategic-merge-patch+json"
            if matches!(resource_type.printer, crate::catalog::Printer::Builtin) =>
        {
            Ok(Change::StrategicMergePatch(body::decode_json(&bytes)?))
        }
        _ => Err(ApiError::UnsupportedMediaType(
            "application/json-patch+json, application/merge-patch+json, \
             application/strategic-merge-patch+json"
                .into(),
        )),
    }
}

/// A DELETE's options: from its body (JSON, or protobuf as client-go sends it) and query.
async fn delete_options(
    headers: &HeaderMap,
    params: &Params,
    body: Body,
) -> Result<DeleteOptions, ApiError> {
    let bytes = body::read(body).await?;
    let parsed = if bytes.iter().all(u8::is_ascii_whitespace) {
        None
    } else if body::content_type(headers) == super::protobuf::MEDIA_TYPE {
        Some(super::protobuf::decode(&bytes)?)
    } else {
        Some(body::decode_json(&bytes)?)
    };
    let propagation = params
        .get("propagationPolicy")
        .map(Propagation::parse)
        .transpose()?;
    DeleteOptions::from_body(parsed.as_ref(), propagation, params.dry_run()?)
}

/// The selectors of a list, watch or delete-collection request.
pub(super) fn selectors(
    request: &ResourceRequest,
    params: &Params,
) -> Result<impl Fn(&Value) -> bool + Send + Sync + 'static, ApiError> {
    let labels = LabelSelector::parse(params.get("labelSelector").unwrap_or_default())
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let fields = FieldSelector::parse(
        params.get("fieldSelector").unwrap_or_default(),
        &request.resource_type.kind,
    )?;
    Ok(move |object: &Value| {
        labels.matches(object.get("metadata").and_then(|m| m.get("labels")))
            && fields.matches(object)
    })
}

fn list(
    cluster: &Cluster,
    request: &ResourceRequest,
    params: &Params,
    representation: Representation,
) -> Result<Response, ApiError> {
    check_list_version(cluster, params)?;
    let matches = selectors(request, params)?;
    let after = params
        .get("continue")
        .map(respond::resume_after)
        .transpose()?;
    let page = cluster.list(
        &request.resource_type,
        request.namespace.as_deref(),
        after.as_deref(),
        params.limit()?,
        matches,
    );
    let items: Vec<Arc<Value>> = page
        .items
        .into_iter()
        .map(|object| crate::cluster::served_as(&request.resource_type, object))
        .collect();
    let token = page
        .continue_after
        .map(|key| respond::continue_token(page.resource_version, &key));
    Ok(respond::list(
        &request.resource_type,
        &items,
        page.resource_version,
        token,
        representation,
    ))
}

/// A list always reads the latest state, which satisfies `resourceVersion` with the default
/// `NotOlderThan` match; a version not reached yet, or an older one matched `Exact`, cannot be served.
fn check_list_version(cluster: &Cluster, params: &Params) -> Result<(), ApiError> {
    let Some(text) = params.get("resourceVersion") else {
        return Ok(());
    };
    let requested: u64 = text
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("invalid resource version: {text:?}")))?;
    let current = cluster.store().resource_version();
    if requested > current {
        return Err(ApiError::TooLargeResourceVersion { requested, current });
    }
    if params.get("resourceVersionMatch") == Some("Exact") && requested != current && requested != 0
    {
        return Err(ApiError::Gone {
            requested,
            oldest: current,
        });
    }
    Ok(())
}

async fn delete_collection(
    cluster: &Cluster,
    request: &ResourceRequest,
    headers: &HeaderMap,
    params: &Params,
    body: Body,
) -> Result<Response, ApiError> {
    let options = delete_options(headers, params, body).await?;
    let matches = selectors(request, params)?;
    let rt = &request.resource_type;
    let page = cluster.list(rt, request.namespace.as_deref(), None, None, matches);
    let mut deleted = Vec::with_capacity(page.items.len());
    for object in page.items {
        let name = super::meta_str(&object, "name").unwrap_or_default();
        let namespace = super::meta_str(&object, "namespace");
        match cluster.delete(rt, namespace, name, &options).await {
            Ok(object) => deleted.push(object),
            Err(ApiError::NotFound { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    let version = cluster.store().resource_version();
    Ok(respond::list(
        rt,
        &deleted,
        version,
        None,
        Representation::Object,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn lists_refuse_versions_not_reached_yet() {
        let dir = tempfile::TempDir::new().unwrap();
        let cluster = Cluster::new(Store::open(&dir.path().join("store.redb")).unwrap());
        let current = cluster.store().resource_version();
        let ahead = Params::parse(Some(&format!("resourceVersion={}", current + 1)));
        let error = check_list_version(&cluster, &ahead).unwrap_err();
        assert_eq!(error.code(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(error.reason(), "Timeout");
        let now = Params::parse(Some(&format!(
            "resourceVersion={current}&resourceVersionMatch=Exact"
        )));
        assert!(check_list_version(&cluster, &now).is_ok());
    }
}
