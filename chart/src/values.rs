//! The values a chart renders with: what the user gives (several files, each over the ones
//! before) coalesced with what the chart's `values.yaml` holds.

use orbital_template::{Map, Value};

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

/// The user's values coalesced with the chart's defaults (Helm's `CoalesceValues` for a chart
/// without dependencies): a key the user set to `null` is deleted, a key the user lacks takes
/// the default, and maps on both sides coalesce key by key; a user's map never replaces a
/// default scalar, nor a scalar a default map.
pub fn coalesce(defaults: &Map, user: &Map) -> Map {
    let values = user.deep_copy();
    for (key, default) in defaults.deep_copy().snapshot() {
        match values.get(&key) {
            None => values.insert(key, default),
            Some(Value::Nil) => values.remove(&key),
            Some(Value::Map(given)) => {
                if let Value::Map(default) = default {
                    coalesce_tables(&given, &default);
                }
            }
            Some(_) => {}
        }
    }
    values
}

/// Helm's `coalesceTablesFullKey` without merging: `source`'s keys fill `target`'s gaps.
fn coalesce_tables(target: &Map, source: &Map) {
    for (key, value) in source.snapshot() {
        match (target.get(&key), &value) {
            (Some(Value::Nil), _) => target.remove(&key),
            (None, _) => target.insert(key, value),
            (Some(Value::Map(target_map)), Value::Map(source_map)) => {
                coalesce_tables(&target_map, source_map);
            }
            _ => {}
        }
    }
}
