//! Sprig's dictionary functions. `set`, `unset`, `merge` and `mergeOverwrite` change the map
//! they are given, as in Go, where every holder of a map sees the change.

use std::collections::BTreeMap;

use super::convert::strval;
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::{Map, Value};

fn entries(value: &Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(entries) => entries.snapshot(),
        _ => BTreeMap::new(),
    }
}

/// The map a map argument holds; Go gives a nil map to a function as an empty one.
fn map_of(value: &Value) -> Map {
    match value {
        Value::Map(map) => map.clone(),
        _ => Map::default(),
    }
}

/// mergo's `Merge` (and, overwriting, `MergeWithOverwrite`) of `source` into `target`, as
/// Sprig calls it: a key `target` lacks or holds an empty value for takes the source's; maps
/// on both sides merge deeply; with `overwrite`, the source's value wins (a nil one too),
/// but maps on both sides still merge rather than replace.
fn merge_into(target: &Map, source: &Map, overwrite: bool) {
    let target_was_empty = target.is_empty();
    for (key, value) in source.snapshot() {
        let existing = target.get(&key);
        if matches!(value, Value::Nil) {
            if overwrite {
                target.insert(key, Value::Nil);
            }
            continue;
        }
        let existing_full = existing.as_ref().is_some_and(Value::truthy);
        match (&value, &existing) {
            (Value::Map(inner), Some(Value::Map(existing_map))) => {
                merge_into(existing_map, inner, overwrite);
                if existing_full {
                    continue;
                }
            }
            (Value::List(_), _) => {
                // mergo puts back what the target held (or an empty list) unless it may
                // overwrite or the target map was empty, then lets the rule below decide.
                let kept = if overwrite || target_was_empty {
                    value.clone()
                } else {
                    existing.clone().unwrap_or_else(|| Value::List(Vec::new()))
                };
                target.insert(key.clone(), kept);
                if existing_full {
                    continue;
                }
            }
            _ => {}
        }
        if overwrite || !existing_full {
            target.insert(key, value);
        }
    }
}

fn names(values: &[Value]) -> Vec<String> {
    values.iter().map(strval).collect()
}

pub(super) fn functions() -> Functions {
    use Param::{Any, Str};
    let mut functions = Functions::new();
    functions.add(
        "dict",
        Function::new(&[], Some(Any), |args| {
            let mut dict = BTreeMap::new();
            for pair in args.chunks(2) {
                let value = pair
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| Value::Str(String::new()));
                dict.insert(strval(&pair[0]), value);
            }
            Ok(Value::Map(Map::new(dict)))
        }),
    );
    functions.add(
        "get",
        Function::new(&[Param::Map, Str], None, |args| {
            Ok(entries(&args[0])
                .remove(&strval(&args[1]))
                .unwrap_or_else(|| Value::Str(String::new())))
        }),
    );
    functions.add(
        "hasKey",
        Function::new(&[Param::Map, Str], None, |args| {
            Ok(Value::Bool(
                entries(&args[0]).contains_key(&strval(&args[1])),
            ))
        }),
    );
    functions.add(
        "pick",
        Function::new(&[Param::Map], Some(Str), |args| {
            let wanted = names(&args[1..]);
            Ok(Value::Map(Map::new(
                entries(&args[0])
                    .into_iter()
                    .filter(|(key, _)| wanted.contains(key))
                    .collect(),
            )))
        }),
    );
    functions.add(
        "omit",
        Function::new(&[Param::Map], Some(Str), |args| {
            let unwanted = names(&args[1..]);
            Ok(Value::Map(Map::new(
                entries(&args[0])
                    .into_iter()
                    .filter(|(key, _)| !unwanted.contains(key))
                    .collect(),
            )))
        }),
    );
    functions.add(
        "pluck",
        Function::new(&[Str], Some(Param::Map), |args| {
            let name = strval(&args[0]);
            Ok(Value::List(
                args[1..]
                    .iter()
                    .filter_map(|dict| entries(dict).remove(&name))
                    .collect(),
            ))
        }),
    );
    functions.add(
        "dig",
        Function::new(&[], Some(Any), |args| {
            let [keys @ .., default, dict] = args else {
                return Err(CallError::Failed(
                    "dig needs at least three arguments".to_owned(),
                ));
            };
            let mut value = dict.clone();
            for key in keys {
                let Value::Str(key) = key else {
                    return Err(CallError::Failed(
                        "interface conversion: interface {} is not string".to_owned(),
                    ));
                };
                value = match entries(&value).remove(key) {
                    Some(found) => found,
                    None => return Ok(default.clone()),
                };
            }
            Ok(value)
        }),
    );
    functions.add(
        "set",
        Function::new(&[Param::Map, Str, Any], None, |args| {
            let map = map_of(&args[0]);
            map.insert(strval(&args[1]), args[2].clone());
            Ok(Value::Map(map))
        }),
    );
    functions.add(
        "unset",
        Function::new(&[Param::Map, Str], None, |args| {
            let map = map_of(&args[0]);
            map.remove(&strval(&args[1]));
            Ok(Value::Map(map))
        }),
    );
    for (name, overwrite) in [("merge", false), ("mergeOverwrite", true)] {
        functions.add(
            name,
            Function::new(&[Param::Map], Some(Param::Map), move |args| {
                let target = map_of(&args[0]);
                for source in &args[1..] {
                    merge_into(&target, &map_of(source), overwrite);
                }
                Ok(Value::Map(target))
            }),
        );
    }
    functions.add(
        "keys",
        Function::new(&[], Some(Param::Map), |args| {
            Ok(Value::List(
                args.iter()
                    .flat_map(|dict| entries(dict).into_keys().map(Value::Str))
                    .collect(),
            ))
        }),
    );
    functions.add(
        "values",
        Function::new(&[Param::Map], None, |args| {
            Ok(Value::List(entries(&args[0]).into_values().collect()))
        }),
    );
    functions.add(
        "deepCopy",
        Function::new(&[Any], None, |args| Ok(args[0].deep_copy())),
    );
    functions
}
