//! Reading YAML to create from: each document checked and matched to the kind the cluster
//! serves, before anything is created (each is then created on its own, `objects/create`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ObjectError;

/// One document of the YAML, read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedObject {
    /// `Kind namespace/name`, to report it by.
    pub summary: String,
    /// The collection to create it in, when it can be created.
    pub target: Option<ObjectRef>,
    /// The object.
    pub object: Value,
    /// Why it cannot be created, if it cannot.
    pub problem: Option<String>,
}

/// The documents of `yaml`, to create on `cluster`; namespaced objects that name no
/// namespace go to `namespace`.
#[server(endpoint = "objects/plan", input = Json)]
pub async fn plan_objects(
    cluster: String,
    namespace: String,
    yaml: String,
) -> Result<Vec<PlannedObject>, ObjectError> {
    use super::object_call;
    use orbital_types::ApiKind;
    let scope = object_call::scope()?;
    let namespace = if namespace.is_empty() {
        "default".to_owned()
    } else {
        namespace
    };
    let mut kinds = scope
        .kinds(&cluster)
        .await
        .map_err(object_call::discovery_error)?;
    let mut planned = Vec::new();
    for (at, document) in orbital_syntax::yaml::documents(&yaml)
        .into_iter()
        .enumerate()
    {
        let object = match document {
            Ok(object) => object,
            Err(error) => {
                planned.push(PlannedObject {
                    summary: format!("document {}", at + 1),
                    target: None,
                    object: Value::Null,
                    problem: Some(match error.line {
                        Some(line) => format!("line {line}: {}", error.message),
                        None => error.message,
                    }),
                });
                continue;
            }
        };
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        let (api_version, kind_name) = (text(&object["apiVersion"]), text(&object["kind"]));
        let name = text(&object["metadata"]["name"]);
        if ApiKind::of_object(&kinds, &api_version, &kind_name).is_none() {
            // A kind defined a moment ago, perhaps by a document above.
            kinds = scope
                .kinds_again(&cluster)
                .await
                .map_err(object_call::discovery_error)?;
        }
        let Some(kind) = ApiKind::of_object(&kinds, &api_version, &kind_name) else {
            planned.push(PlannedObject {
                summary: format!("{kind_name} {name}"),
                target: None,
                object,
                problem: Some(format!(
                    "the cluster serves no kind {kind_name:?} in {api_version:?}"
                )),
            });
            continue;
        };
        let namespace = kind.namespaced.then(|| {
            object["metadata"]["namespace"]
                .as_str()
                .unwrap_or(&namespace)
                .to_owned()
        });
        let summary = match &namespace {
            Some(namespace) => format!("{kind_name} {namespace}/{name}"),
            None => format!("{kind_name} {name}"),
        };
        planned.push(PlannedObject {
            summary,
            target: Some(kind.collection(&cluster, namespace.as_deref())),
            object,
            problem: None,
        });
    }
    Ok(planned)
}
