//! Subcharts as an install sees them: each matched to its entry in `dependencies` (renamed by
//! its `alias`, dropped when its `condition` or `tags` say so), and the values the parent
//! imports from them (`import-values`) merged into the parent's defaults — Helm's
//! `ProcessDependenciesWithMerge`, rule for rule.

use orbital_template::{Map, Value, semver_admits};

use crate::error::ChartError;
use crate::load::Chart;
use crate::metadata::Dependency;
use crate::values::{Nulls, coalesce_tables, combine};

/// Enables, disables and renames `chart`'s subcharts (at every depth) by the user's `values`,
/// then imports their exported values into their parents' defaults.
pub fn process_dependencies(chart: &mut Chart, values: &Map) -> Result<(), ChartError> {
    enable(chart, values, "")?;
    import_values(chart)
}

/// Helm's `processDependencyEnabled`.
fn enable(chart: &mut Chart, values: &Map, path: &str) -> Result<(), ChartError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let requirements = &mut chart.metadata.dependencies;
    let mut subcharts: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|existing| {
            !requirements.iter().any(|requirement| {
                existing.name() == requirement.name
                    && semver_admits(&requirement.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for requirement in requirements.iter_mut() {
        if let Some(found) = chart.dependencies.iter().find(|candidate| {
            candidate.name() == requirement.name
                && semver_admits(&requirement.version, &candidate.metadata.version)
        }) {
            let mut found = found.clone();
            if !requirement.alias.is_empty() {
                found.metadata.name.clone_from(&requirement.alias);
            }
            subcharts.push(found);
        }
        if !requirement.alias.is_empty() {
            requirement.name.clone_from(&requirement.alias);
        }
        requirement.enabled = true;
    }
    chart.dependencies = subcharts;
    let coalesced = combine(chart, values, Nulls::Delete)?;
    let requirements = &mut chart.metadata.dependencies;
    apply_tags(requirements, &coalesced);
    apply_conditions(requirements, &coalesced, path);
    let disabled: Vec<String> = requirements
        .iter()
        .filter(|requirement| !requirement.enabled)
        .map(|requirement| requirement.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|subchart| !disabled.iter().any(|name| name == subchart.name()));
    chart
        .metadata
        .dependencies
        .retain(|requirement| !disabled.contains(&requirement.name));
    for subchart in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", subchart.name());
        enable(subchart, &coalesced, &sub_path)?;
    }
    Ok(())
}

/// A dependency with a tag set to `true` under `tags:` is enabled; one whose tags are only
/// `false` is not.
fn apply_tags(requirements: &mut [Dependency], values: &Map) {
    let Some(tags) = table(values, "tags") else {
        return;
    };
    for requirement in requirements {
        let (mut any_true, mut any_false) = (false, false);
        for tag in &requirement.tags {
            if let Some(Value::Bool(flag)) = tags.get(tag) {
                any_true |= flag;
                any_false |= !flag;
            }
        }
        requirement.enabled = any_true || !any_false;
    }
}

/// The first of a dependency's conditions that names a boolean decides.
fn apply_conditions(requirements: &mut [Dependency], values: &Map, path: &str) {
    for requirement in requirements {
        for condition in requirement.condition.trim().split(',') {
            if condition.is_empty() {
                continue;
            }
            if let Some(Value::Bool(flag)) = path_value(values, &format!("{path}{condition}")) {
                requirement.enabled = flag;
                break;
            }
        }
    }
}

/// The map at a dotted path of `values` (Helm's `Values.Table`).
fn table(values: &Map, path: &str) -> Option<Map> {
    let mut table = values.clone();
    for step in path.split('.') {
        match table.get(step) {
            Some(Value::Map(inner)) => table = inner,
            _ => return None,
        }
    }
    Some(table)
}

/// The value (not a map) at a dotted path of `values` (Helm's `Values.PathValue`).
fn path_value(values: &Map, path: &str) -> Option<Value> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (table(values, parent)?, key),
        None => (values.clone(), path),
    };
    parent
        .get(key)
        .filter(|value| !matches!(value, Value::Map(_)))
}

/// Helm's `processDependencyImportValues`, deepest charts first.
fn import_values(chart: &mut Chart) -> Result<(), ChartError> {
    for subchart in &mut chart.dependencies {
        import_values(subchart)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let merged = combine(chart, &Map::default(), Nulls::Keep)?;
    let imported = Map::default();
    for requirement in &mut chart.metadata.dependencies {
        let mut normalised = Vec::new();
        for import in &requirement.import_values {
            let (child, parent) = match import {
                Value::Map(paths) => {
                    let text = |key: &str| match paths.get(key) {
                        Some(Value::Str(text)) => Ok(text),
                        _ => Err(ChartError::Unsupported(format!(
                            "an import-values entry whose {key} is not text"
                        ))),
                    };
                    (text("child")?, text("parent")?)
                }
                Value::Str(name) => (format!("exports.{name}"), ".".to_owned()),
                _ => continue,
            };
            normalised.push(Value::Map(Map::new(
                [
                    ("child".to_owned(), Value::Str(child.clone())),
                    ("parent".to_owned(), Value::Str(parent.clone())),
                ]
                .into_iter()
                .collect(),
            )));
            let Some(found) = table(&merged, &format!("{}.{child}", requirement.name)) else {
                continue;
            };
            let placed = if parent == "." {
                found
            } else {
                parent.split('.').rev().fold(found, |inner, step| {
                    Map::new([(step.to_owned(), Value::Map(inner))].into_iter().collect())
                })
            };
            coalesce_tables(&imported, &placed, Nulls::Keep);
        }
        requirement.import_values = normalised;
    }
    let values = merged.deep_copy();
    coalesce_tables(&values, &imported, Nulls::Keep);
    chart.values = values;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::ChartFile;

    fn chart(files: &[(&str, &str)]) -> Chart {
        Chart::from_files(
            files
                .iter()
                .map(|(name, data)| ChartFile {
                    name: (*name).to_owned(),
                    data: data.as_bytes().to_vec(),
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn conditions_and_tags_drop_subcharts_and_aliases_rename_them() {
        let mut parent = chart(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- {name: a, version: 1.x, condition: a.enabled}\n- {name: a, version: 1.x, alias: b, tags: [back]}\n",
            ),
            ("values.yaml", "a: {enabled: false}\ntags: {back: true}\n"),
            ("charts/a/Chart.yaml", "name: a\nversion: 1.2.0\n"),
        ]);
        process_dependencies(&mut parent, &Map::default()).unwrap();
        let names: Vec<&str> = parent.dependencies.iter().map(Chart::name).collect();
        assert_eq!(names, ["b"]);
        let user = Map::new(
            [(
                "a".to_owned(),
                Value::Map(Map::new(
                    [("enabled".to_owned(), Value::Bool(true))]
                        .into_iter()
                        .collect(),
                )),
            )]
            .into_iter()
            .collect(),
        );
        let mut parent = chart(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- {name: a, version: 1.x, condition: a.enabled, import-values: [data]}\n",
            ),
            ("values.yaml", "a: {enabled: false}\nkept: parent\n"),
            ("charts/a/Chart.yaml", "name: a\nversion: 1.2.0\n"),
            (
                "charts/a/values.yaml",
                "exports: {data: {kept: child, added: child}}\n",
            ),
        ]);
        process_dependencies(&mut parent, &user).unwrap();
        assert_eq!(parent.dependencies.len(), 1);
        assert_eq!(
            parent.values.get("kept"),
            Some(Value::Str("parent".to_owned()))
        );
        assert_eq!(
            parent.values.get("added"),
            Some(Value::Str("child".to_owned()))
        );
    }
}
