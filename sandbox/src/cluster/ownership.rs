//! Keeping `managedFields` true: who set which field, by update or by server-side apply.

use serde_json::{Value, json};

use super::fields::{self, FieldSet, from_fields_v1, to_fields_v1, value_at};
use crate::api::{self, ApiError, Cause};
use crate::catalog::ResourceType;

/// One `managedFields` entry.
#[derive(Clone, Debug)]
struct Entry {
    manager: String,
    operation: String,
    subresource: Option<String>,
    api_version: Value,
    time: Value,
    fields: FieldSet,
}

impl Entry {
    fn read(value: &Value) -> Option<Self> {
        Some(Self {
            manager: value.get("manager")?.as_str()?.to_owned(),
            operation: value.get("operation")?.as_str()?.to_owned(),
            subresource: value
                .get("subresource")
                .and_then(Value::as_str)
                .map(str::to_owned),
            api_version: value.get("apiVersion").cloned().unwrap_or(Value::Null),
            time: value.get("time").cloned().unwrap_or(Value::Null),
            fields: value
                .get("fieldsV1")
                .map(from_fields_v1)
                .unwrap_or_default(),
        })
    }

    fn write(&self) -> Value {
        let mut entry = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": to_fields_v1(&self.fields),
        });
        if let Some(subresource) = &self.subresource {
            entry["subresource"] = json!(subresource);
        }
        entry
    }

    fn is(&self, manager: &str, operation: &str, subresource: Option<&str>) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource
    }
}

fn entries(object: &Value) -> Vec<Entry> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|items| items.iter().filter_map(Entry::read).collect())
        .unwrap_or_default()
}

fn store_entries(object: &mut Value, entries: Vec<Entry>) {
    let written: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(Entry::write)
        .collect();
    let metadata = api::metadata_mut(object);
    if written.is_empty() {
        metadata.remove("managedFields");
    } else {
        metadata.insert("managedFields".into(), Value::Array(written));
    }
}

/// Records that `manager` changed `object` from `old` by an ordinary write: it now owns every
/// field it changed, which no other manager owns any longer.
pub(super) fn track_update(
    old: Option<&Value>,
    object: &mut Value,
    manager: &str,
    subresource: Option<&str>,
) {
    let new_set = fields::field_set(object);
    let changed: FieldSet = new_set
        .iter()
        .filter(|path| old.is_none_or(|old| value_at(old, path) != value_at(object, path)))
        .cloned()
        .collect();
    let removed: FieldSet = old
        .map(|old| {
            fields::field_set(old)
                .difference(&new_set)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut all = entries(object);
    for entry in &mut all {
        entry
            .fields
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    if !changed.is_empty() {
        let api_version = object.get("apiVersion").cloned().unwrap_or(Value::Null);
        match all
            .iter_mut()
            .find(|e| e.is(manager, "Update", subresource))
        {
            Some(entry) => {
                entry.fields.extend(changed);
                entry.time = json!(api::now());
                entry.api_version = api_version;
            }
            None => all.push(Entry {
                manager: manager.to_owned(),
                operation: "Update".to_owned(),
                subresource: subresource.map(str::to_owned),
                api_version,
                time: json!(api::now()),
                fields: changed,
            }),
        }
    }
    store_entries(object, all);
}

/// Server-side apply: merges `config` into `live` for `manager`, removing fields it applied
/// before and no longer does, and refusing (unless `force`) to change fields others own.
pub(super) fn apply(
    resource_type: &ResourceType,
    live: &Value,
    mut config: Value,
    manager: &str,
    force: bool,
) -> Result<Value, ApiError> {
    api::check_type(resource_type, &mut config)?;
    let applied = fields::field_set(&config);
    let mut all = entries(live);

    // Managers are told apart by name and operation: an applier also conflicts with its own
    // earlier ordinary updates.
    let other = |e: &Entry| !e.is(manager, "Apply", None);
    let mut conflicts = Vec::new();
    for entry in all.iter().filter(|e| other(e) && e.subresource.is_none()) {
        for path in entry.fields.intersection(&applied) {
            if value_at(live, path) != value_at(&config, path) {
                conflicts.push((
                    entry.manager.clone(),
                    entry.api_version.clone(),
                    path.clone(),
                ));
            }
        }
    }
    if !conflicts.is_empty() {
        if !force {
            return Err(conflict_error(resource_type, live, &conflicts));
        }
        for entry in all.iter_mut().filter(|e| other(e)) {
            entry.fields.retain(|p| !applied.contains(p));
        }
    }

    let previous = all
        .iter()
        .find(|e| e.is(manager, "Apply", None))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let owned_by_others: FieldSet = all
        .iter()
        .filter(|e| other(e))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let mut merged = live.clone();
    let abandoned: Vec<_> = previous
        .difference(&applied)
        .filter(|p| !owned_by_others.contains(*p))
        .cloned()
        .collect();
    for path in abandoned.iter().rev() {
        fields::remove_at(&mut merged, path);
    }
    if let Some(metadata) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
        metadata.remove("resourceVersion");
    }
    merged = super::strategic::apply(&merged, &config)?;

    all.retain(|e| !e.is(manager, "Apply", None));
    all.push(Entry {
        manager: manager.to_owned(),
        operation: "Apply".to_owned(),
        subresource: None,
        api_version: json!(resource_type.api_version()),
        time: json!(api::now()),
        fields: applied,
    });
    store_entries(&mut merged, all);
    Ok(merged)
}

fn conflict_error(
    resource_type: &ResourceType,
    live: &Value,
    conflicts: &[(String, Value, fields::FieldPath)],
) -> ApiError {
    let causes: Vec<Cause> = conflicts
        .iter()
        .map(|(manager, api_version, path)| Cause {
            reason: "FieldManagerConflict",
            field: fields::display(path),
            message: format!(
                "conflict with \"{manager}\" using {}",
                api_version.as_str().unwrap_or_default()
            ),
        })
        .collect();
    let summary = if causes.len() == 1 {
        format!(
            "Apply failed with 1 conflict: {}: {}",
            causes[0].message, causes[0].field
        )
    } else {
        let lines: Vec<String> = causes
            .iter()
            .map(|c| format!("- {}: {}", c.message, c.field))
            .collect();
        format!(
            "Apply failed with {} conflicts: {}",
            causes.len(),
            lines.join("\n")
        )
    };
    ApiError::Conflict {
        resource: resource_type.plural.clone(),
        group: (!resource_type.group.is_empty()).then(|| resource_type.group.clone()),
        name: api::meta_str(live, "name").unwrap_or_default().to_owned(),
        message: summary,
        causes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn deployments() -> std::sync::Arc<ResourceType> {
        Catalog::builtin().get("apps", "v1", "deployments").unwrap()
    }

    fn config(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c", "image": image}]}}}})
    }

    #[test]
    fn apply_conflicts_with_another_managers_change_unless_forced() {
        let rt = deployments();
        let live = apply(
            &rt,
            &json!({"metadata": {"name": "web"}}),
            config(2, "a"),
            "applier",
            false,
        )
        .unwrap();
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(5);
        track_update(Some(&live), &mut scaled, "kubectl-scale", None);
        let error = apply(&rt, &scaled, config(2, "a"), "applier", false).unwrap_err();
        let ApiError::Conflict {
            message, causes, ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert!(
            message.contains("conflict with \"kubectl-scale\""),
            "{message}"
        );
        assert_eq!(causes[0].field, ".spec.replicas");
        let forced = apply(&rt, &scaled, config(2, "a"), "applier", true).unwrap();
        assert_eq!(forced["spec"]["replicas"], 2);
        assert!(
            entries(&forced)
                .iter()
                .all(|e| e.manager != "kubectl-scale")
        );
    }

    #[test]
    fn fields_dropped_from_the_config_are_removed() {
        let rt = deployments();
        let mut first = config(2, "a");
        first["metadata"]["labels"] = json!({"team": "x"});
        let live = apply(
            &rt,
            &json!({"metadata": {"name": "web"}}),
            first,
            "applier",
            false,
        )
        .unwrap();
        assert_eq!(live["metadata"]["labels"]["team"], "x");
        let again = apply(&rt, &live, config(3, "b"), "applier", false).unwrap();
        assert!(
            again["metadata"]
                .get("labels")
                .is_none_or(|l| l.get("team").is_none())
        );
        assert_eq!(again["spec"]["replicas"], 3);
        assert_eq!(
            again["spec"]["template"]["spec"]["containers"][0]["image"],
            "b"
        );
    }

    #[test]
    fn same_values_are_shared_without_conflict() {
        let rt = deployments();
        let live = apply(
            &rt,
            &json!({"metadata": {"name": "web"}}),
            config(2, "a"),
            "one",
            false,
        )
        .unwrap();
        let both = apply(&rt, &live, config(2, "a"), "two", false).unwrap();
        let managers: Vec<String> = entries(&both).into_iter().map(|e| e.manager).collect();
        assert_eq!(managers, ["one", "two"]);
    }
}
