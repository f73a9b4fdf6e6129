//! The JSONPath that printer columns, scale subresources and field selectors name: fields from
//! the root (`.spec.replicas`, optionally wrapped in `{}`), and list items by index
//! (`.status.conditions[0].type`).

use serde_json::Value;

/// The value at `path` in `object`, if there is one.
pub fn json_path<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    path.split('.')
        .filter(|segment| !segment.is_empty())
        .try_fold(object, |value, segment| {
            let (field, indexes) = segment.split_once('[').unwrap_or((segment, ""));
            let mut value = if field.is_empty() {
                value
            } else {
                value.get(field)?
            };
            for index in indexes.split('[').filter(|index| !index.is_empty()) {
                value = value.get(index.strip_suffix(']')?.parse::<usize>().ok()?)?;
            }
            Some(value)
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_walk_fields_and_list_items() {
        let object = json!({"spec": {"replicas": 3},
                            "status": {"conditions": [{"type": "Ready"}, {"type": "Synced"}]}});
        assert_eq!(json_path(&object, ".spec.replicas"), Some(&json!(3)));
        assert_eq!(json_path(&object, "{.spec.replicas}"), Some(&json!(3)));
        assert_eq!(json_path(&object, ".spec.missing"), None);
        assert_eq!(
            json_path(&object, ".status.conditions[1].type"),
            Some(&json!("Synced"))
        );
        assert_eq!(json_path(&object, ".status.conditions[2].type"), None);
        assert_eq!(json_path(&object, ".status.conditions[x]"), None);
        assert_eq!(json_path(&object, ""), Some(&object));
    }
}
