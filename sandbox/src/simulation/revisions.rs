//! ControllerRevisions: the pod templates a StatefulSet or DaemonSet has run, numbered, so that
//! a rollout can be undone (`kubectl rollout undo`) and its history read, as the real
//! controllers keep them.

use serde_json::{Value, json};

use super::objects::{Writer, controller_reference, int};
use super::pods::{name_of, owned};
use crate::api::ApiError;

/// How many earlier revisions are kept when the owner does not say.
const HISTORY_LIMIT: i64 = 10;

/// Records `owner`'s pod template, whose hash is `hash`, as its newest revision
/// `{owner}-{hash}`: made when new, numbered again when an earlier one comes back (a rollback),
/// and the oldest beyond `spec.revisionHistoryLimit` removed.
pub(super) async fn record(writer: &Writer, owner: &Value, hash: &str) -> Result<(), ApiError> {
    let (owner_name, namespace) = name_of(owner);
    let name = format!("{owner_name}-{hash}");
    let mut revisions = owned(writer, owner, "apps", "controllerrevisions");
    revisions.sort_by_key(|revision| int(&revision["revision"], 0));
    let newest = revisions
        .last()
        .map_or(0, |revision| int(&revision["revision"], 0));
    match revisions
        .iter()
        .find(|revision| name_of(revision).0 == name)
    {
        Some(current) if int(&current["revision"], 0) == newest => {}
        Some(_) => {
            writer
                .update(
                    "apps",
                    "controllerrevisions",
                    Some(namespace),
                    &name,
                    None,
                    move |current| {
                        let mut renumbered = current.clone();
                        renumbered["revision"] = json!(newest + 1);
                        renumbered
                    },
                )
                .await?;
        }
        None => {
            let mut labels = owner["spec"]["selector"]["matchLabels"].clone();
            if !labels.is_object() {
                labels = json!({});
            }
            labels["controller-revision-hash"] = json!(hash);
            let revision = json!({
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": labels,
                    "ownerReferences": [controller_reference(owner)],
                },
                "data": {"spec": {"template": owner["spec"]["template"]}},
                "revision": newest + 1,
            });
            writer
                .create("apps", "controllerrevisions", Some(namespace), revision)
                .await?;
        }
    }
    let keep = int(&owner["spec"]["revisionHistoryLimit"], HISTORY_LIMIT).max(0) as usize + 1;
    let mut revisions = owned(writer, owner, "apps", "controllerrevisions");
    revisions.sort_by_key(|revision| int(&revision["revision"], 0));
    let surplus = revisions.len().saturating_sub(keep);
    for old in revisions.iter().take(surplus) {
        let old_name = name_of(old).0;
        if old_name != name {
            writer
                .delete("apps", "controllerrevisions", Some(namespace), old_name)
                .await?;
        }
    }
    Ok(())
}
