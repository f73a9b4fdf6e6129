//! The install form's settings: the values a chart's `values.schema.json` describes (text,
//! numbers, booleans and choices, nested objects followed), shown as fields, and what the
//! fields were given put into the values with the types the schema wants.

use std::collections::BTreeMap;

use orbital_chart::Chart;
use orbital_template::{Map, Value, to_yaml};
use orbital_types::appstore::{AppStoreError, InstallForm, SchemaSetting, SettingKind};
use serde_json::Value as Json;

use crate::service::{AppStore, user_values};

/// How deep nested objects are followed for settings.
const MAX_DEPTH: usize = 4;

/// The settings `chart`'s `values.schema.json` describes, in its order of properties by name,
/// each with the chart's default; none when it has no schema or the schema is not JSON.
pub(crate) fn schema_settings(chart: &Chart) -> Vec<SchemaSetting> {
    let Some(schema) = chart
        .schema
        .as_deref()
        .and_then(|text| serde_json::from_slice::<Json>(text).ok())
    else {
        return Vec::new();
    };
    let mut settings = Vec::new();
    collect(&schema, &mut Vec::new(), &chart.values, &mut settings);
    settings
}

fn collect(schema: &Json, path: &mut Vec<String>, defaults: &Map, into: &mut Vec<SchemaSetting>) {
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    for (name, property) in properties {
        path.push(name.clone());
        if property["type"] == "object" && path.len() < MAX_DEPTH {
            collect(property, path, defaults, into);
        } else if let Some(kind) = kind_of(property) {
            let help = [&property["description"], &property["title"]]
                .into_iter()
                .find_map(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            into.push(SchemaSetting {
                path: path.join("."),
                help,
                kind,
                default: default_text(defaults, path),
            });
        }
        path.pop();
    }
}

/// What a property takes, if it is one a field can give.
fn kind_of(property: &Json) -> Option<SettingKind> {
    if let Some(choices) = property["enum"].as_array() {
        let texts: Option<Vec<String>> = choices
            .iter()
            .map(|choice| choice.as_str().map(str::to_owned))
            .collect();
        return texts.map(SettingKind::Choice);
    }
    match property["type"].as_str()? {
        "string" => Some(SettingKind::Text),
        "integer" => Some(SettingKind::Integer),
        "number" => Some(SettingKind::Number),
        "boolean" => Some(SettingKind::Boolean),
        _ => None,
    }
}

/// The chart's default at `path`, as a field shows it.
fn default_text(defaults: &Map, path: &[String]) -> String {
    let mut current = Value::Map(defaults.clone());
    for key in path {
        current = match current {
            Value::Map(map) => map.get(key).unwrap_or(Value::Nil),
            _ => Value::Nil,
        };
    }
    match current {
        Value::Str(text) => text,
        Value::Float(_) | Value::Int(_) | Value::Bool(_) => current.print(),
        _ => String::new(),
    }
}

/// `values` (YAML) with each of `given` (path → text; empty texts left alone) put in, typed as
/// `known` says: a setting the chart does not have, or a text that is not of its type, is
/// refused saying which.
pub(crate) fn apply_settings(
    values: &str,
    given: &BTreeMap<String, String>,
    known: &[SchemaSetting],
) -> Result<String, AppStoreError> {
    let values = user_values(values)?;
    let invalid = |why: String| AppStoreError::Invalid(why);
    for (path, text) in given {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let setting = known
            .iter()
            .find(|setting| setting.path == *path)
            .ok_or_else(|| invalid(format!("the chart has no setting {path}")))?;
        let value = match &setting.kind {
            SettingKind::Text => Value::Str(text.to_owned()),
            SettingKind::Integer => text
                .parse::<i64>()
                .map(|number| Value::Float(number as f64))
                .map_err(|_| invalid(format!("{path} takes a whole number, not {text:?}")))?,
            SettingKind::Number => text
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .map(Value::Float)
                .ok_or_else(|| invalid(format!("{path} takes a number, not {text:?}")))?,
            SettingKind::Boolean => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(invalid(format!("{path} takes true or false, not {text:?}"))),
            },
            SettingKind::Choice(choices) if choices.iter().any(|choice| choice == text) => {
                Value::Str(text.to_owned())
            }
            SettingKind::Choice(choices) => {
                return Err(invalid(format!(
                    "{path} takes one of {}, not {text:?}",
                    choices.join(", ")
                )));
            }
        };
        put(&values, path, value);
    }
    Ok(to_yaml(&Value::Map(values)))
}

impl AppStore {
    /// `form` with its settings put into its values, typed by its chart's schema.
    pub(crate) async fn with_settings(
        &self,
        form: &InstallForm,
    ) -> Result<InstallForm, AppStoreError> {
        if form.settings.values().all(|text| text.trim().is_empty()) {
            return Ok(form.clone());
        }
        let chart = self
            .pool()
            .chart(&form.repo, &form.chart, &form.version)
            .await?;
        let values = apply_settings(&form.values, &form.settings, &schema_settings(&chart))?;
        Ok(InstallForm {
            values,
            settings: BTreeMap::new(),
            ..form.clone()
        })
    }
}

/// Sets `value` at the dotted `path` of `values`, making the maps on the way.
fn put(values: &Map, path: &str, value: Value) {
    let mut keys: Vec<&str> = path.split('.').collect();
    let Some(last) = keys.pop() else {
        return;
    };
    let mut current = values.clone();
    for key in keys {
        let next = match current.get(key) {
            Some(Value::Map(map)) => map,
            _ => {
                let map = Map::default();
                current.insert(key.to_owned(), Value::Map(map.clone()));
                map
            }
        };
        current = next;
    }
    current.insert(last.to_owned(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::builtin_repository;

    fn cache() -> Chart {
        let repository = builtin_repository().unwrap();
        let packaged = repository
            .charts
            .iter()
            .find(|chart| chart.metadata.name == "cache")
            .unwrap();
        Chart::from_archive(&packaged.archive).unwrap()
    }

    #[test]
    fn the_schema_gives_typed_settings_with_the_charts_defaults() {
        let settings = schema_settings(&cache());
        let found = |path: &str| {
            settings
                .iter()
                .find(|setting| setting.path == path)
                .cloned()
                .unwrap_or_else(|| panic!("no setting {path}: {settings:?}"))
        };
        assert_eq!(found("maxMemory").kind, SettingKind::Text);
        assert_eq!(found("maxMemory").default, "64mb");
        assert_eq!(found("persistence.enabled").kind, SettingKind::Boolean);
        assert_eq!(found("persistence.enabled").default, "false");
        assert_eq!(found("service.port").kind, SettingKind::Integer);
        assert_eq!(found("service.port").default, "6379");
        assert!(matches!(found("evictionPolicy").kind, SettingKind::Choice(ref c) if c.len() == 8));
    }

    #[test]
    fn given_settings_go_into_the_values_with_their_types() {
        let known = schema_settings(&cache());
        let given: BTreeMap<String, String> = [
            ("service.port", "7000"),
            ("persistence.enabled", "true"),
            ("maxMemory", ""),
            ("evictionPolicy", "noeviction"),
        ]
        .into_iter()
        .map(|(path, text)| (path.to_owned(), text.to_owned()))
        .collect();
        let values = apply_settings("persistence:\n  size: 2Gi\n", &given, &known).unwrap();
        assert_eq!(
            values,
            "evictionPolicy: noeviction\npersistence:\n  enabled: true\n  size: 2Gi\nservice:\n  port: 7000"
        );
        for (path, text, refusal) in [
            ("service.port", "seven", "takes a whole number"),
            ("persistence.enabled", "yes", "takes true or false"),
            ("evictionPolicy", "lru", "takes one of"),
            ("nothing", "1", "has no setting"),
        ] {
            let given = BTreeMap::from([(path.to_owned(), text.to_owned())]);
            let error = apply_settings("", &given, &known).unwrap_err().to_string();
            assert!(error.contains(refusal), "{path}: {error}");
        }
    }
}
