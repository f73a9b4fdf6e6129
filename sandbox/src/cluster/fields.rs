//! Field ownership for `managedFields`: which manager set which fields, in the `FieldsV1`
//! form (`f:` fields, `k:` keyed list items, `v:` set members, `.` for an item itself).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::strategic::{ListStrategy, strategy};

/// One owned field: the `FieldsV1` keys from the object's root down to it.
pub type FieldPath = Vec<String>;
/// A set of owned fields.
pub type FieldSet = BTreeSet<FieldPath>;

/// Metadata the server manages, never owned by clients.
const UNOWNED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

/// Every field `object` sets.
pub fn field_set(object: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    if let Some(map) = object.as_object() {
        for (key, value) in map {
            if key == "apiVersion" || key == "kind" {
                continue;
            }
            if key == "metadata" {
                if let Some(metadata) = value.as_object() {
                    let kept: Map<String, Value> = metadata
                        .iter()
                        .filter(|(k, _)| !UNOWNED_METADATA.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if !kept.is_empty() {
                        collect(
                            &Value::Object(kept),
                            None,
                            &mut vec![format!("f:{key}")],
                            &mut set,
                        );
                    }
                }
                continue;
            }
            collect(value, Some(key), &mut vec![format!("f:{key}")], &mut set);
        }
    }
    set
}

fn collect(value: &Value, field: Option<&str>, path: &mut FieldPath, set: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                path.push(format!("f:{key}"));
                collect(child, Some(key), path, set);
                path.pop();
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let parent = parent_field(path);
            match field.map(|f| strategy(parent.as_deref(), f)) {
                Some(ListStrategy::MergeByKey(merge_key)) => {
                    for item in items {
                        let Some(identity) = item_key(item, merge_key) else {
                            set.insert(path.clone());
                            continue;
                        };
                        path.push(identity);
                        set.insert(with(path, "."));
                        if let Some(map) = item.as_object() {
                            for (key, child) in map {
                                path.push(format!("f:{key}"));
                                collect(child, Some(key), path, set);
                                path.pop();
                            }
                        }
                        path.pop();
                    }
                }
                Some(ListStrategy::MergePrimitives) => {
                    for item in items {
                        set.insert(with(path, &format!("v:{item}")));
                    }
                }
                _ => {
                    set.insert(path.clone());
                }
            }
        }
        _ => {
            set.insert(path.clone());
        }
    }
}

/// The field name two levels up, which decides how some lists merge (container ports).
fn parent_field(path: &FieldPath) -> Option<String> {
    path.iter()
        .rev()
        .skip(1)
        .find_map(|segment| segment.strip_prefix("f:"))
        .map(str::to_owned)
}

fn with(path: &FieldPath, last: &str) -> FieldPath {
    let mut path = path.clone();
    path.push(last.to_owned());
    path
}

fn item_key(item: &Value, merge_key: &str) -> Option<String> {
    let identity = item.get(merge_key)?;
    Some(format!("k:{}", json!({ merge_key: identity })))
}

/// The value at `path`, if the object has one.
pub fn value_at<'a>(object: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut current = object;
    for segment in path {
        current = if let Some(field) = segment.strip_prefix("f:") {
            current.get(field)?
        } else if let Some(key) = segment.strip_prefix("k:") {
            let wanted: Map<String, Value> = serde_json::from_str(key).ok()?;
            current
                .as_array()?
                .iter()
                .find(|item| wanted.iter().all(|(k, v)| item.get(k) == Some(v)))?
        } else if let Some(member) = segment.strip_prefix("v:") {
            let wanted: Value = serde_json::from_str(member).ok()?;
            current.as_array()?.iter().find(|item| **item == wanted)?
        } else {
            current
        };
    }
    Some(current)
}

/// Removes the field at `path` from `object`.
pub fn remove_at(object: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if last == "." {
        remove_at(object, parents);
        return;
    }
    let mut current = object;
    for segment in parents {
        let next = if let Some(field) = segment.strip_prefix("f:") {
            current.get_mut(field)
        } else if let Some(key) = segment.strip_prefix("k:") {
            let Ok(wanted) = serde_json::from_str::<Map<String, Value>>(key) else {
                return;
            };
            current.as_array_mut().and_then(|items| {
                items
                    .iter_mut()
                    .find(|item| wanted.iter().all(|(k, v)| item.get(k) == Some(v)))
            })
        } else {
            None
        };
        match next {
            Some(next) => current = next,
            None => return,
        }
    }
    if let Some(field) = last.strip_prefix("f:") {
        if let Some(map) = current.as_object_mut() {
            map.remove(field);
        }
    } else if let Some(key) = last.strip_prefix("k:") {
        if let (Ok(wanted), Some(items)) = (
            serde_json::from_str::<Map<String, Value>>(key),
            current.as_array_mut(),
        ) {
            items.retain(|item| !wanted.iter().all(|(k, v)| item.get(k) == Some(v)));
        }
    } else if let Some(member) = last.strip_prefix("v:")
        && let (Ok(wanted), Some(items)) = (
            serde_json::from_str::<Value>(member),
            current.as_array_mut(),
        )
    {
        items.retain(|item| *item != wanted);
    }
}

/// The set in `FieldsV1` form.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    fn insert(node: &mut Map<String, Value>, path: &[String]) {
        if let Some((first, rest)) = path.split_first() {
            let child = node
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                insert(child, rest);
            }
        }
    }
    let mut root = Map::new();
    for path in set {
        insert(&mut root, path);
    }
    Value::Object(root)
}

/// The set a `FieldsV1` value describes: every path to a leaf (an empty map).
pub fn from_fields_v1(value: &Value) -> FieldSet {
    fn walk(value: &Value, path: &mut FieldPath, set: &mut FieldSet) {
        match value.as_object() {
            Some(map) if !map.is_empty() => {
                for (key, child) in map {
                    path.push(key.clone());
                    walk(child, path, set);
                    path.pop();
                }
            }
            _ => {
                if !path.is_empty() {
                    set.insert(path.clone());
                }
            }
        }
    }
    let mut set = FieldSet::new();
    walk(value, &mut Vec::new(), &mut set);
    set
}

/// A path as people read it: `.spec.containers[name="nginx"].image`.
pub fn display(path: &[String]) -> String {
    let mut text = String::new();
    for segment in path {
        if let Some(field) = segment.strip_prefix("f:") {
            text.push('.');
            text.push_str(field);
        } else if let Some(key) = segment.strip_prefix("k:") {
            let pairs: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
            let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            text.push_str(&format!("[{}]", inner.join(",")));
        } else if let Some(member) = segment.strip_prefix("v:") {
            text.push_str(&format!("[{member}]"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}], "args": ["x"]}
            ]}}}
        })
    }

    #[test]
    fn field_sets_follow_list_semantics_and_skip_server_metadata() {
        let set = field_set(&deployment());
        let shown: BTreeSet<String> = set.iter().map(|p| display(p)).collect();
        assert!(shown.contains(".metadata.labels.app"));
        assert!(shown.contains(".metadata.finalizers[\"a\"]"));
        assert!(shown.contains(".spec.replicas"));
        assert!(shown.contains(".spec.template.spec.containers[name=\"nginx\"].image"));
        assert!(shown.contains(
            ".spec.template.spec.containers[name=\"nginx\"].ports[containerPort=80].containerPort"
        ));
        assert!(shown.contains(".spec.template.spec.containers[name=\"nginx\"].args"));
        assert!(!shown.iter().any(|p| p.contains("metadata.name")));
    }

    #[test]
    fn fields_v1_round_trips_and_paths_resolve() {
        let object = deployment();
        let set = field_set(&object);
        let encoded = to_fields_v1(&set);
        assert!(encoded["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"]["."].is_object());
        assert_eq!(from_fields_v1(&encoded), set);
        for path in &set {
            assert!(value_at(&object, path).is_some(), "{path:?}");
        }
    }

    #[test]
    fn remove_at_deletes_fields_and_items() {
        let mut object = deployment();
        let image: FieldPath = vec![
            "f:spec".into(),
            "f:template".into(),
            "f:spec".into(),
            "f:containers".into(),
            "k:{\"name\":\"nginx\"}".into(),
            "f:image".into(),
        ];
        remove_at(&mut object, &image);
        assert!(
            object["spec"]["template"]["spec"]["containers"][0]
                .get("image")
                .is_none()
        );
        let item: FieldPath = vec![
            "f:spec".into(),
            "f:template".into(),
            "f:spec".into(),
            "f:containers".into(),
            "k:{\"name\":\"nginx\"}".into(),
            ".".into(),
        ];
        remove_at(&mut object, &item);
        assert_eq!(object["spec"]["template"]["spec"]["containers"], json!([]));
        remove_at(
            &mut object,
            &["f:metadata".into(), "f:finalizers".into(), "v:\"a\"".into()],
        );
        assert_eq!(object["metadata"]["finalizers"], json!([]));
    }
}
