//! What of a `User` never leaves the server: its password (hashed or not), wherever an answer
//! carries the object — a get, the items of a list, the object of a watch event or of a table
//! row — including the copy `kubectl apply` keeps in an annotation.

use serde_json::Value;

use crate::crd::GROUP;

use crate::directory::LAST_APPLIED;

fn is_user(object: &serde_json::Map<String, Value>) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("User")
        && object
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|version| version.starts_with(&format!("{GROUP}/")))
}

/// Removes the password of every `User` object in `value`.
pub fn redact_users(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if is_user(object) {
                if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.remove("password");
                }
                if let Some(last) = object
                    .get_mut("metadata")
                    .and_then(|m| m.get_mut("annotations"))
                    .and_then(|a| a.get_mut(LAST_APPLIED))
                {
                    *last = Value::from(without_password(last.as_str().unwrap_or_default()));
                }
            }
            object.values_mut().for_each(redact_users);
        }
        Value::Array(items) => items.iter_mut().for_each(redact_users),
        _ => {}
    }
}

/// The last-applied copy of a user without its password; one that cannot be read is dropped
/// whole rather than passed on.
fn without_password(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut applied) => {
            if let Some(spec) = applied.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("password");
            }
            applied.to_string()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(password: &str) -> Value {
        let applied = json!({"apiVersion": "iam.orbital.dev/v1alpha1", "kind": "User",
                             "spec": {"password": "plain-text"}});
        json!({"apiVersion": "iam.orbital.dev/v1alpha1", "kind": "User",
               "metadata": {"name": "ann", "annotations": {LAST_APPLIED: applied.to_string()}},
               "spec": {"email": "ann@example.com", "password": password}})
    }

    #[test]
    fn no_password_survives_in_an_object_a_list_a_watch_event_or_a_table() {
        let mut answers = [
            user("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
            json!({"kind": "UserList", "items": [user("h1"), user("h2")]}),
            json!({"type": "ADDED", "object": user("h3")}),
            json!({"kind": "Table", "rows": [{"cells": ["ann"], "object": user("h4")}]}),
        ];
        for answer in &mut answers {
            redact_users(answer);
            let text = answer.to_string();
            for secret in ["argon2", "h1", "h2", "h3", "h4", "plain-text", "password"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            assert!(text.contains("ann@example.com"), "{text}");
        }
    }

    #[test]
    fn other_objects_keep_their_fields() {
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "spec": {"password": "x"}});
        let before = secret.clone();
        redact_users(&mut secret);
        assert_eq!(secret, before);
    }
}
