//! The values a chart renders with: what the user gives (several files, each over the ones
//! before) coalesced with the defaults of the chart and of each subchart, globals passed down
//! (Helm's `chartutil` coalescing, ported rule for rule: maps shared as Go shares them, and the
//! same keys deleted or kept).

use orbital_template::{Map, Value};

use crate::error::ChartError;
use crate::load::Chart;

/// The key whose map every subchart sees as its own `global`.
const GLOBAL: &str = "global";

/// The user's values files, later ones over earlier ones: a map over a map merges key by key,
/// anything else replaces (Helm's `mergeMaps`). Each file is a value read with
/// `orbital_template::read_yaml`; an empty file is nothing.
pub fn merge_user_values(files: &[Value]) -> Map {
    let merged = Map::default();
    for file in files {
        if let Value::Map(file) = file {
            merge_maps(&merged, file);
        }
    }
    merged
}

fn merge_maps(target: &Map, source: &Map) {
    for (key, value) in source.snapshot() {
        if let (Value::Map(source_map), Some(Value::Map(target_map))) = (&value, target.get(&key)) {
            let merged = Map::new(target_map.snapshot());
            merge_maps(&merged, source_map);
            target.insert(key, Value::Map(merged));
            continue;
        }
        target.insert(key, value);
    }
}

/// How nulls are treated while values are combined.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Nulls {
    /// A user's `null` deletes the default (what templates see: `CoalesceValues`).
    Delete,
    /// Nulls are kept (`MergeValues`, used while subcharts are enabled and import values).
    Keep,
}

/// The user's values coalesced with the chart's and its subcharts' defaults, as templates see
/// them (Helm's `CoalesceValues`): a key the user set to `null` is deleted, a key the user lacks
/// takes the default, maps on both sides coalesce key by key, and a user's map never replaces a
/// default scalar, nor a scalar a default map. Each subchart's values sit under its name, with
/// the parent's `global` over its own.
pub fn coalesce(chart: &Chart, user: &Map) -> Result<Map, ChartError> {
    combine(chart, user, Nulls::Delete)
}

pub(crate) fn combine(chart: &Chart, user: &Map, nulls: Nulls) -> Result<Map, ChartError> {
    let values = user.deep_copy();
    coalesce_chart(chart, &values, "", nulls)?;
    Ok(values)
}

fn coalesce_chart(chart: &Chart, dest: &Map, prefix: &str, nulls: Nulls) -> Result<(), ChartError> {
    coalesce_defaults(chart, dest, nulls);
    for subchart in &chart.dependencies {
        let name = subchart.name();
        let own = match dest.get(name) {
            None => {
                let own = Map::default();
                dest.insert(name.to_owned(), Value::Map(own.clone()));
                own
            }
            Some(Value::Map(own)) => own,
            Some(other) => {
                return Err(ChartError::Values(format!(
                    "type mismatch on {name}: {}",
                    go_bool_verb(&other)
                )));
            }
        };
        let sub_prefix = joined(prefix, chart.name());
        coalesce_globals(&own, dest);
        coalesce_chart(subchart, &own, &sub_prefix, nulls)?;
    }
    Ok(())
}

/// Go's `%t` of a value that is not always a boolean.
fn go_bool_verb(value: &Value) -> String {
    match value {
        Value::Bool(flag) => flag.to_string(),
        other => format!("%!t({}={})", other.go_type(), other.print()),
    }
}

fn joined(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The parent's `global` over the subchart's own (Helm's `coalesceGlobals`).
fn coalesce_globals(dest: &Map, source: &Map) {
    let dest_globals = match dest.get(GLOBAL) {
        None => Map::default(),
        Some(Value::Map(globals)) => globals,
        Some(_) => return,
    };
    let source_globals = match source.get(GLOBAL) {
        None => Map::default(),
        Some(Value::Map(globals)) => globals,
        Some(_) => return,
    };
    for (key, value) in source_globals.snapshot() {
        if let Value::Map(table) = &value {
            let copied = Map::new(table.snapshot());
            match dest_globals.get(&key) {
                None => dest_globals.insert(key, Value::Map(copied)),
                Some(Value::Map(existing)) => {
                    coalesce_tables(&copied, &existing, Nulls::Keep);
                    dest_globals.insert(key, Value::Map(copied));
                }
                Some(_) => {}
            }
        } else if !matches!(dest_globals.get(&key), Some(Value::Map(_))) {
            dest_globals.insert(key, value);
        }
    }
    dest.insert(GLOBAL.to_owned(), Value::Map(dest_globals));
}

/// The chart's own defaults under the user's values (Helm's `coalesceValues`).
fn coalesce_defaults(chart: &Chart, values: &Map, nulls: Nulls) {
    for (key, default) in chart.values.deep_copy().snapshot() {
        match values.get(&key) {
            None => values.insert(key, default),
            Some(Value::Nil) if nulls == Nulls::Delete => values.remove(&key),
            Some(Value::Map(given)) => {
                if let Value::Map(default) = default {
                    // A subchart's values keep their nulls here: its own defaults decide.
                    let nulls = if chart.dependencies.iter().any(|sub| sub.name() == key) {
                        Nulls::Keep
                    } else {
                        nulls
                    };
                    coalesce_tables(&given, &default, nulls);
                }
            }
            Some(_) => {}
        }
    }
}

/// `source`'s keys fill `target`'s gaps; with [`Nulls::Delete`], a null in `target` deletes
/// the key (Helm's `coalesceTablesFullKey`).
pub(crate) fn coalesce_tables(target: &Map, source: &Map, nulls: Nulls) {
    for (key, value) in source.snapshot() {
        match (target.get(&key), &value) {
            (Some(Value::Nil), _) if nulls == Nulls::Delete => target.remove(&key),
            (None, _) => target.insert(key, value),
            (Some(Value::Map(target_map)), Value::Map(source_map)) => {
                coalesce_tables(&target_map, source_map, nulls);
            }
            _ => {}
        }
    }
}
