//! JSON merge patches (RFC 7386): the change from one object to another, and that change made
//! to a third — how an edit made on an old version is carried onto the latest.

use serde_json::{Map, Value};

/// The merge patch that turns `from` into `to`.
pub fn diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(from), Value::Object(to)) => {
            let mut patch = Map::new();
            for (key, old) in from {
                match to.get(key) {
                    None => {
                        patch.insert(key.clone(), Value::Null);
                    }
                    Some(new) if new != old => {
                        patch.insert(key.clone(), diff(old, new));
                    }
                    Some(_) => {}
                }
            }
            for (key, new) in to {
                if !from.contains_key(key) {
                    patch.insert(key.clone(), new.clone());
                }
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

/// `target` with `patch` merged in.
pub fn apply(target: &Value, patch: &Value) -> Value {
    let Value::Object(changes) = patch else {
        return patch.clone();
    };
    let mut merged = match target {
        Value::Object(fields) => fields.clone(),
        _ => Map::new(),
    };
    for (key, change) in changes {
        if change.is_null() {
            merged.remove(key);
        } else {
            let current = merged.get(key).cloned().unwrap_or(Value::Null);
            merged.insert(key.clone(), apply(&current, change));
        }
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_edit_on_an_old_version_is_carried_onto_the_latest() {
        let original =
            json!({"spec": {"replicas": 2, "paused": false}, "metadata": {"labels": {"a": "1"}}});
        let edited = json!({"spec": {"replicas": 5, "paused": false}, "metadata": {"labels": {}}});
        let latest = json!({"spec": {"replicas": 2, "paused": true}, "metadata": {"labels": {"a": "1", "b": "2"}}});
        let patch = diff(&original, &edited);
        assert_eq!(
            patch,
            json!({"spec": {"replicas": 5}, "metadata": {"labels": {"a": null}}})
        );
        assert_eq!(
            apply(&latest, &patch),
            json!({"spec": {"replicas": 5, "paused": true}, "metadata": {"labels": {"b": "2"}}})
        );
        assert_eq!(apply(&original, &diff(&original, &edited)), edited);
    }
}
