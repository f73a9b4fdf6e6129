//! Sprig's dictionary functions that make new maps (`set`, `unset` and `merge` change maps in
//! place and wait for maps shared by reference).

use std::collections::BTreeMap;

use super::convert::strval;
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

fn entries(value: &Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(entries) => entries.clone(),
        _ => BTreeMap::new(),
    }
}

fn names(values: &[Value]) -> Vec<String> {
    values.iter().map(strval).collect()
}

pub(super) fn functions() -> Functions {
    use Param::{Any, Map, Str};
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
            Ok(Value::Map(dict))
        }),
    );
    functions.add(
        "get",
        Function::new(&[Map, Str], None, |args| {
            Ok(entries(&args[0])
                .remove(&strval(&args[1]))
                .unwrap_or_else(|| Value::Str(String::new())))
        }),
    );
    functions.add(
        "hasKey",
        Function::new(&[Map, Str], None, |args| {
            Ok(Value::Bool(
                entries(&args[0]).contains_key(&strval(&args[1])),
            ))
        }),
    );
    functions.add(
        "pick",
        Function::new(&[Map], Some(Str), |args| {
            let wanted = names(&args[1..]);
            Ok(Value::Map(
                entries(&args[0])
                    .into_iter()
                    .filter(|(key, _)| wanted.contains(key))
                    .collect(),
            ))
        }),
    );
    functions.add(
        "omit",
        Function::new(&[Map], Some(Str), |args| {
            let unwanted = names(&args[1..]);
            Ok(Value::Map(
                entries(&args[0])
                    .into_iter()
                    .filter(|(key, _)| !unwanted.contains(key))
                    .collect(),
            ))
        }),
    );
    functions.add(
        "pluck",
        Function::new(&[Str], Some(Map), |args| {
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
    functions
}
