//! Saving an object edited as YAML: checked by a dry run first, so the API server's objection
//! is shown at the line it concerns, and never written over a change made meanwhile.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::{DiffLine, ObjectRef};
use serde::{Deserialize, Serialize};

use super::ObjectError;

/// What became of an edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveOutcome {
    /// Saved; the object as it is now.
    Saved {
        /// Its YAML.
        yaml: String,
    },
    /// The text or the object is not valid; nothing was saved.
    Invalid {
        /// What is wrong, in the API server's words where it objected.
        message: String,
        /// The line it concerns, from 1, when known.
        line: Option<usize>,
    },
    /// The object changed since it was loaded; nothing was saved.
    Conflict {
        /// The object as it is now.
        latest: String,
        /// What the other change did: the loaded version against the latest.
        theirs: Vec<DiffLine>,
        /// The edit made again on the latest version, to review and save.
        rebased: String,
    },
}

/// Saves `edited`, the YAML of the object `target` names as edited from `original`.
#[server(endpoint = "objects/save-yaml", input = Json)]
pub async fn save_object_yaml(
    target: ObjectRef,
    original: String,
    edited: String,
) -> Result<SaveOutcome, ObjectError> {
    ssr::save(&target, &original, &edited).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use http::Method;
    use orbital_syntax::{merge_patch, yaml};
    use orbital_types::{ObjectRef, line_diff};
    use serde_json::Value;

    use super::SaveOutcome;
    use crate::api::ObjectError;
    use crate::api::object_call::{self, Ask};
    use crate::api::object_view::ssr::{editable, is_secret};

    fn invalid(message: impl Into<String>, line: Option<usize>) -> SaveOutcome {
        SaveOutcome::Invalid {
            message: message.into(),
            line,
        }
    }

    /// How often a save is made again on a newer version when only the cluster's own fields
    /// (status, version) changed meanwhile.
    const ATTEMPTS: usize = 3;

    pub(super) async fn save(
        target: &ObjectRef,
        original: &str,
        edited: &str,
    ) -> Result<SaveOutcome, ObjectError> {
        if is_secret(target) {
            return Ok(invalid(
                "a Secret's values are not sent to the page, so it cannot be saved from here",
                None,
            ));
        }
        let mut object = match yaml::object(edited) {
            Ok(object) => object,
            Err(error) => return Ok(invalid(error.message, error.line)),
        };
        if let Some(problem) = names_other_object(target, &object) {
            return Ok(invalid(problem, yaml::line_of(edited, "metadata.name")));
        }
        let mut loaded = yaml::object(original).unwrap_or(Value::Null);
        // Without a version the API server would take the edit over whatever is there now.
        if object["metadata"]["resourceVersion"].is_null() {
            object["metadata"]["resourceVersion"] = loaded["metadata"]["resourceVersion"].clone();
        }
        let mut attempt = 1;
        loop {
            let error = match put(target, &object).await {
                Ok(saved) => {
                    return Ok(SaveOutcome::Saved {
                        yaml: yaml::to_text(&saved),
                    });
                }
                Err(error) => error,
            };
            match error.code {
                409 => {}
                400 | 422 => {
                    let line = yaml::field_in_message(&error.message)
                        .and_then(|field| yaml::line_of(edited, field));
                    // The refusal is the answer: the page shows it at its line.
                    crate::api::set_status(http::StatusCode::OK);
                    return Ok(invalid(error.message, line));
                }
                _ => return Err(error),
            }
            let body = object_call::send(Ask::new(Method::GET, target)).await?;
            // The refused save set the answer's status; this answer is a conflict to resolve.
            crate::api::set_status(http::StatusCode::OK);
            let latest = editable(object_call::json(&body)?);
            let rebased = rebase(&loaded, &object, &latest);
            // Only the cluster's own bookkeeping changed: the edit is made on the latest.
            if attempt < ATTEMPTS && people_s_part(&loaded) == people_s_part(&latest) {
                attempt += 1;
                object = rebased;
                loaded = latest;
                continue;
            }
            let latest_text = yaml::to_text(&latest);
            return Ok(SaveOutcome::Conflict {
                theirs: line_diff(original, &latest_text),
                latest: latest_text,
                rebased: yaml::to_text(&rebased),
            });
        }
    }

    /// Saves `object` once a dry run passes; the object as saved.
    async fn put(target: &ObjectRef, object: &Value) -> Result<Value, ObjectError> {
        let ask = |query: &str| {
            Ask::new(Method::PUT, target)
                .json(object, "application/json")
                .query(query.to_owned())
        };
        object_call::send(ask("dryRun=All")).await?;
        let body = object_call::send(ask("")).await?;
        Ok(editable(object_call::json(&body)?))
    }

    /// The edit that took `loaded` to `edited`, made on `latest` (at its version).
    fn rebase(loaded: &Value, edited: &Value, latest: &Value) -> Value {
        let mut change = merge_patch::diff(loaded, edited);
        if let Some(metadata) = change.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("resourceVersion");
        }
        merge_patch::apply(latest, &change)
    }

    /// An object without what the cluster keeps on its own: status, version, generation.
    fn people_s_part(object: &Value) -> Value {
        let mut object = object.clone();
        if let Some(fields) = object.as_object_mut() {
            fields.remove("status");
        }
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("resourceVersion");
            metadata.remove("generation");
        }
        object
    }

    /// Why `object` is not the object `target` names, if it is not.
    fn names_other_object(target: &ObjectRef, object: &Value) -> Option<String> {
        let metadata = &object["metadata"];
        let name = metadata["name"].as_str().unwrap_or_default();
        if Some(name) != target.name.as_deref() {
            return Some(format!(
                "metadata.name must stay {:?}; to make another object, create it from YAML",
                target.name.as_deref().unwrap_or_default()
            ));
        }
        match (metadata["namespace"].as_str(), target.namespace.as_deref()) {
            (Some(namespace), Some(wanted)) if namespace != wanted => Some(format!(
                "metadata.namespace must stay {wanted:?}; objects cannot move between namespaces"
            )),
            _ => None,
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::*;

        #[test]
        fn a_change_of_status_alone_is_not_a_conflict_and_the_edit_moves_onto_the_latest() {
            let loaded = json!({"metadata": {"resourceVersion": "1", "labels": {"a": "1"}},
                                "spec": {"replicas": 2}, "status": {"ready": 1}});
            let edited = json!({"metadata": {"resourceVersion": "1", "labels": {"a": "1"}},
                                "spec": {"replicas": 5}, "status": {"ready": 1}});
            let status_moved = json!({"metadata": {"resourceVersion": "7", "generation": 3, "labels": {"a": "1"}},
                                      "spec": {"replicas": 2}, "status": {"ready": 2}});
            let relabelled = json!({"metadata": {"resourceVersion": "8", "labels": {"a": "2"}},
                                    "spec": {"replicas": 2}, "status": {"ready": 1}});
            assert_eq!(people_s_part(&loaded), people_s_part(&status_moved));
            assert_ne!(people_s_part(&loaded), people_s_part(&relabelled));
            let rebased = rebase(&loaded, &edited, &relabelled);
            assert_eq!(rebased["spec"]["replicas"], 5);
            assert_eq!(rebased["metadata"]["labels"]["a"], "2");
            assert_eq!(
                rebased["metadata"]["resourceVersion"], "8",
                "at the latest version"
            );
        }
    }
}
