//! Strategic merge patch for the built-in kinds: like a JSON merge patch, but lists of
//! named things (containers, ports, env, …) merge item by item, and `$patch`,
//! `$retainKeys`, `$setElementOrder` and `$deleteFromPrimitiveList` directives are honoured.

use serde_json::{Map, Value};

use crate::api::ApiError;

const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// How a list field merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ListStrategy {
    /// Items are maps identified by this key.
    MergeByKey(&'static str),
    /// Items are primitives; the patch's are added to the current ones.
    MergePrimitives,
    /// The patch's list replaces the current one.
    Replace,
}

/// The strategy of the list `field` whose parent field is `parent`.
pub(super) fn strategy(parent: Option<&str>, field: &str) -> ListStrategy {
    use ListStrategy::*;
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => MergeByKey("name"),
        "volumeMounts" => MergeByKey("mountPath"),
        "volumeDevices" => MergeByKey("devicePath"),
        "hostAliases" => MergeByKey("ip"),
        "conditions" => MergeByKey("type"),
        "ownerReferences" => MergeByKey("uid"),
        "topologySpreadConstraints" => MergeByKey("topologyKey"),
        "ports" => match parent {
            Some("containers" | "initContainers" | "ephemeralContainers") => {
                MergeByKey("containerPort")
            }
            _ => MergeByKey("port"),
        },
        "finalizers" => MergePrimitives,
        _ => Replace,
    }
}

/// Applies `patch` to `original`.
pub fn apply(original: &Value, patch: &Value) -> Result<Value, ApiError> {
    let patch = patch
        .as_object()
        .ok_or_else(|| ApiError::BadRequest("a strategic merge patch must be an object".into()))?;
    Ok(merge_map(original.as_object(), patch, None)?
        .map(Value::Object)
        .unwrap_or_else(|| Value::Object(Map::new())))
}

/// Merges a map; `None` means the patch deleted it.
fn merge_map(
    original: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    field: Option<&str>,
) -> Result<Option<Map<String, Value>>, ApiError> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("delete") => return Ok(None),
        Some("replace") => return Ok(Some(strip_directives(patch))),
        Some("merge") | None => {}
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "unknown patch type: {other:?} in map"
            )));
        }
    }
    let mut result = original.cloned().unwrap_or_default();
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        match value {
            Value::Null => {
                result.remove(key);
            }
            Value::Object(patch_map) => {
                let current = result.get(key).and_then(Value::as_object);
                match merge_map(current, patch_map, Some(key))? {
                    Some(merged) => result.insert(key.clone(), Value::Object(merged)),
                    None => result.remove(key),
                };
            }
            Value::Array(items) => {
                let current = result.get(key).and_then(Value::as_array);
                let merged = merge_list(current, items, field, key)?;
                result.insert(key.clone(), Value::Array(merged));
            }
            primitive => {
                result.insert(key.clone(), primitive.clone());
            }
        }
    }
    for (key, value) in patch {
        if let Some(list_field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST)
            && let (Some(Value::Array(items)), Some(remove)) =
                (result.get_mut(list_field), value.as_array())
        {
            items.retain(|item| !remove.contains(item));
        }
        if let Some(list_field) = key.strip_prefix(SET_ELEMENT_ORDER)
            && let (Some(Value::Array(items)), Some(order)) =
                (result.get_mut(list_field), value.as_array())
        {
            let merge_key = match strategy(field, list_field) {
                ListStrategy::MergeByKey(merge_key) => Some(merge_key),
                _ => None,
            };
            sort_by_order(items, order, merge_key);
        }
    }
    if let Some(retain) = patch.get("$retainKeys").and_then(Value::as_array) {
        result.retain(|key, _| retain.iter().any(|k| k == key));
    }
    Ok(Some(result))
}

fn merge_list(
    original: Option<&Vec<Value>>,
    patch: &[Value],
    parent: Option<&str>,
    field: &str,
) -> Result<Vec<Value>, ApiError> {
    let replace_all = patch
        .iter()
        .any(|item| item.get("$patch").and_then(Value::as_str) == Some("replace"));
    if replace_all {
        return Ok(patch
            .iter()
            .filter(|item| item.get("$patch").is_none())
            .cloned()
            .collect());
    }
    match strategy(parent, field) {
        ListStrategy::Replace => Ok(patch.iter().map(strip_value).collect()),
        ListStrategy::MergePrimitives => {
            let mut result = original.cloned().unwrap_or_default();
            for item in patch {
                if !result.contains(item) {
                    result.push(item.clone());
                }
            }
            Ok(result)
        }
        ListStrategy::MergeByKey(merge_key) => {
            let mut result = original.cloned().unwrap_or_default();
            for item in patch {
                let Some(item_map) = item.as_object() else {
                    return Err(ApiError::BadRequest(format!(
                        "list {field} items must be maps with the key {merge_key:?}"
                    )));
                };
                let identity = item_map.get(merge_key);
                let position = identity.and_then(|id| {
                    result
                        .iter()
                        .position(|existing| existing.get(merge_key) == Some(id))
                });
                let delete = item_map.get("$patch").and_then(Value::as_str) == Some("delete");
                match (position, delete) {
                    (Some(index), true) => {
                        result.remove(index);
                    }
                    (None, true) => {}
                    (Some(index), false) => {
                        let merged = merge_map(result[index].as_object(), item_map, Some(field))?;
                        match merged {
                            Some(merged) => result[index] = Value::Object(merged),
                            None => {
                                result.remove(index);
                            }
                        }
                    }
                    (None, false) => result.push(Value::Object(strip_directives(item_map))),
                }
            }
            Ok(result)
        }
    }
}

fn sort_by_order(items: &mut [Value], order: &[Value], merge_key: Option<&str>) {
    let rank = |item: &Value| {
        let identity = match merge_key {
            Some(key) => item.get(key),
            None => Some(item),
        };
        order
            .iter()
            .position(|entry| match merge_key {
                Some(key) => entry.get(key) == identity,
                None => Some(entry) == identity,
            })
            .unwrap_or(usize::MAX)
    };
    items.sort_by_key(rank);
}

fn strip_directives(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(key, _)| !key.starts_with('$'))
        .map(|(key, value)| (key.clone(), strip_value(value)))
        .collect()
}

fn strip_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(strip_directives(map)),
        Value::Array(items) => Value::Array(items.iter().map(strip_value).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment() -> Value {
        json!({
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "nginx", "image": "nginx:1", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                {"name": "sidecar", "image": "busybox", "args": ["a", "b"]}
            ]}}}
        })
    }

    #[test]
    fn merges_containers_by_name() {
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:2", "env": [{"name": "B", "value": "3"}]}
        ]}}}});
        let patched = apply(&deployment(), &patch).unwrap();
        let containers = &patched["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers.as_array().unwrap().len(), 2);
        assert_eq!(containers[0]["image"], "nginx:2");
        assert_eq!(containers[0]["ports"][0]["containerPort"], 80);
        assert_eq!(
            containers[0]["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}])
        );
        assert_eq!(containers[1]["image"], "busybox");
    }

    #[test]
    fn honours_directives() {
        let patch = json!({
            "metadata": {"labels": {"app": null, "tier": "front"}, "finalizers": ["b"],
                         "$deleteFromPrimitiveList/finalizers": ["a"]},
            "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}],
                "containers": [{"name": "nginx", "$patch": "delete"}, {"name": "sidecar", "args": ["c"]}]
            }}}
        });
        let patched = apply(&deployment(), &patch).unwrap();
        assert_eq!(patched["metadata"]["labels"], json!({"tier": "front"}));
        assert_eq!(patched["metadata"]["finalizers"], json!(["b"]));
        let containers = patched["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        assert_eq!(containers.len(), 1);
        assert_eq!(containers[0]["args"], json!(["c"]));
        assert!(
            patched["spec"]["template"]["spec"]
                .get("$setElementOrder/containers")
                .is_none()
        );
    }

    #[test]
    fn replace_and_retain_keys() {
        let patch = json!({"spec": {"$patch": "replace", "replicas": 2}});
        assert_eq!(
            apply(&deployment(), &patch).unwrap()["spec"],
            json!({"replicas": 2})
        );
        let retain = json!({"spec": {"$retainKeys": ["replicas"], "replicas": 3}});
        assert_eq!(
            apply(&deployment(), &retain).unwrap()["spec"],
            json!({"replicas": 3})
        );
    }

    #[test]
    fn ports_merge_by_the_right_key() {
        let service = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}]}});
        let patch = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        let patched = apply(&service, &patch).unwrap();
        assert_eq!(
            patched["spec"]["ports"][0],
            json!({"port": 80, "name": "http", "targetPort": 8080})
        );
        assert_eq!(patched["spec"]["ports"].as_array().unwrap().len(), 2);
    }
}
