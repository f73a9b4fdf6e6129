//! One object as its page shows it: the object and its YAML, with a Secret's values left out
//! until they are asked for (`objects/reveal`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ObjectError;

/// An object as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectView {
    /// The object; a Secret's values are left out.
    pub object: Value,
    /// The object as YAML to read and edit, without `managedFields`.
    pub yaml: String,
    /// Whether values were left out, so the YAML cannot be saved as it is.
    pub hidden: bool,
}

/// The object `target` names, as its page shows it.
#[server(endpoint = "objects/view", input = Json)]
pub async fn get_object_view(target: ObjectRef) -> Result<ObjectView, ObjectError> {
    use super::object_call::{self, Ask};
    use http::Method;
    let object = object_call::json(&object_call::send(Ask::new(Method::GET, &target)).await?)?;
    Ok(ssr::view(&target, object))
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use orbital_syntax::yaml;
    use orbital_types::ObjectRef;
    use serde_json::Value;

    use super::ObjectView;

    /// The annotation in which `kubectl apply` keeps a copy of what it applied.
    const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

    /// Whether `target` is a Secret, whose values are shown only on request.
    pub(crate) fn is_secret(target: &ObjectRef) -> bool {
        target.group.is_empty() && target.resource == "secrets"
    }

    /// The object as it is edited: without the fields the API server keeps for itself.
    pub(crate) fn editable(mut object: Value) -> Value {
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
        }
        object
    }

    /// The view of `object`, read from `target`.
    pub(crate) fn view(target: &ObjectRef, object: Value) -> ObjectView {
        let mut object = editable(object);
        let hidden = is_secret(target);
        if hidden {
            for field in ["data", "stringData"] {
                if let Some(values) = object.get_mut(field).and_then(Value::as_object_mut) {
                    for value in values.values_mut() {
                        *value = Value::String(String::new());
                    }
                }
            }
            // `kubectl apply` keeps the values it applied here too.
            let annotations = object
                .get_mut("metadata")
                .and_then(|metadata| metadata.get_mut("annotations"))
                .and_then(Value::as_object_mut);
            if let Some(annotations) = annotations {
                annotations.remove(LAST_APPLIED);
            }
        }
        ObjectView {
            yaml: yaml::to_text(&object),
            object,
            hidden,
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::*;

        #[test]
        fn a_secret_s_values_are_not_in_its_view() {
            let target = ObjectRef {
                resource: "secrets".into(),
                version: "v1".into(),
                ..ObjectRef::default()
            };
            let secret = json!({
                "kind": "Secret",
                "metadata": {"name": "s", "managedFields": [{}],
                             "annotations": {LAST_APPLIED: "{\"data\":{\"k\":\"c2VjcmV0\"}}", "a": "b"}},
                "data": {"k": "c2VjcmV0"},
            });
            let view = view(&target, secret.clone());
            assert!(view.hidden);
            assert!(
                !view.yaml.contains("c2VjcmV0") && view.yaml.contains("k: ''"),
                "{}",
                view.yaml
            );
            assert!(!view.yaml.contains("managedFields"));
            assert!(
                !view.yaml.contains("stringData"),
                "no field is added: {}",
                view.yaml
            );
            assert_eq!(view.object["metadata"]["annotations"], json!({"a": "b"}));
            let config = ObjectRef {
                resource: "configmaps".into(),
                ..target
            };
            let view = super::view(&config, secret);
            assert!(!view.hidden && view.yaml.contains("c2VjcmV0"));
        }
    }
}
