//! Sprig's list functions. Like Sprig, they fail on a value that is not a list, naming its
//! kind.

use super::convert::{kind_of, strval, to_int64};
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

/// The items of a list argument, or Sprig's complaint naming what `what` cannot be done on.
fn items<'a>(value: &'a Value, what: &str) -> Result<&'a [Value], CallError> {
    match value {
        Value::List(items) => Ok(items),
        Value::Nil => Err(nil_list()),
        other => Err(CallError::Failed(format!(
            "Cannot {what} on type {}",
            kind_of(other)
        ))),
    }
}

fn list_function(
    what: &'static str,
    body: impl Fn(&[Value]) -> Value + Send + Sync + 'static,
) -> Function {
    Function::new(&[Param::Any], None, move |args| {
        Ok(body(items(&args[0], what)?))
    })
}

/// Sprig's `strslice`: a list's non-nil items as strings, anything else one string.
pub(super) fn strings_of(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items
            .iter()
            .filter(|item| !matches!(item, Value::Nil))
            .map(strval)
            .collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

pub(super) fn functions() -> Functions {
    use Param::{Any, Int};
    let mut functions = Functions::new();
    functions.add(
        "list",
        Function::new(&[], Some(Any), |args| Ok(Value::List(args.to_vec()))),
    );
    functions.add(
        "first",
        list_function("find first", |items| {
            items.first().cloned().unwrap_or(Value::Nil)
        }),
    );
    functions.add(
        "last",
        list_function("find last", |items| {
            items.last().cloned().unwrap_or(Value::Nil)
        }),
    );
    functions.add(
        "rest",
        list_function("find rest", |items| match items {
            [] => Value::Nil,
            [_, rest @ ..] => Value::List(rest.to_vec()),
        }),
    );
    functions.add(
        "initial",
        list_function("find initial", |items| match items {
            [] => Value::Nil,
            [initial @ .., _] => Value::List(initial.to_vec()),
        }),
    );
    functions.add(
        "reverse",
        list_function("find reverse", |items| {
            Value::List(items.iter().rev().cloned().collect())
        }),
    );
    functions.add(
        "uniq",
        list_function("find uniq", |items| {
            let mut unique: Vec<Value> = Vec::new();
            for item in items {
                if !unique.contains(item) {
                    unique.push(item.clone());
                }
            }
            Value::List(unique)
        }),
    );
    functions.add(
        "compact",
        list_function("compact", |items| {
            Value::List(items.iter().filter(|item| item.truthy()).cloned().collect())
        }),
    );
    for (name, at_end) in [("append", true), ("push", true), ("prepend", false)] {
        functions.add(
            name,
            Function::new(&[Any, Any], None, move |args| {
                let what = if at_end { "push" } else { "prepend" };
                let mut list = items(&args[0], what)?.to_vec();
                if at_end {
                    list.push(args[1].clone());
                } else {
                    list.insert(0, args[1].clone());
                }
                Ok(Value::List(list))
            }),
        );
    }
    functions.add(
        "has",
        Function::new(&[Any, Any], None, |args| match &args[1] {
            Value::Nil => Ok(Value::Bool(false)),
            haystack => Ok(Value::Bool(items(haystack, "find has")?.contains(&args[0]))),
        }),
    );
    functions.add(
        "without",
        Function::new(&[Any], Some(Any), |args| {
            let list = items(&args[0], "find without")?;
            Ok(Value::List(
                list.iter()
                    .filter(|item| !args[1..].contains(item))
                    .cloned()
                    .collect(),
            ))
        }),
    );
    functions.add(
        "concat",
        Function::new(&[], Some(Any), |args| {
            let mut all = Vec::new();
            for list in args {
                match list {
                    Value::List(items) => all.extend(items.iter().cloned()),
                    other => {
                        return Err(CallError::Failed(format!(
                            "Cannot concat type {} as list",
                            kind_of(other)
                        )));
                    }
                }
            }
            Ok(Value::List(all))
        }),
    );
    functions.add(
        "sortAlpha",
        Function::new(&[Any], None, |args| {
            let mut sorted = strings_of(&args[0]);
            sorted.sort();
            Ok(Value::List(sorted.into_iter().map(Value::Str).collect()))
        }),
    );
    functions.add(
        "until",
        Function::new(&[Int], None, |args| {
            let count = args[0].int();
            let step = if count < 0 { -1 } else { 1 };
            Ok(Value::List(
                until_step(0, count, step)
                    .into_iter()
                    .map(Value::Int)
                    .collect(),
            ))
        }),
    );
    functions.add(
        "slice",
        Function::new(&[Any], Some(Any), |args| {
            let list = match &args[0] {
                Value::List(items) => items,
                Value::Nil => return Err(nil_list()),
                other => {
                    return Err(CallError::Failed(format!(
                        "list should be type of slice or array but {}",
                        kind_of(other)
                    )));
                }
            };
            if list.is_empty() {
                return Ok(Value::Nil);
            }
            let start = args.get(1).map_or(0, to_int64);
            let end = args
                .get(2)
                .map_or(i64::try_from(list.len()).unwrap_or(i64::MAX), to_int64);
            let bounds = usize::try_from(start).ok().zip(usize::try_from(end).ok());
            bounds
                .and_then(|(start, end)| list.get(start..end))
                .map(|part| Value::List(part.to_vec()))
                .ok_or_else(|| {
                    CallError::Failed("reflect.Value.Slice: slice index out of bounds".to_owned())
                })
        }),
    );
    functions.add(
        "chunk",
        Function::new(&[Int, Any], None, |args| {
            let size = usize::try_from(args[0].int())
                .ok()
                .filter(|size| *size > 0)
                .ok_or_else(|| CallError::Unsupported("chunk by a size under 1".to_owned()))?;
            let list = items(&args[1], "chunk type")?;
            Ok(Value::List(
                list.chunks(size)
                    .map(|chunk| Value::List(chunk.to_vec()))
                    .collect(),
            ))
        }),
    );
    functions.add(
        "untilStep",
        Function::new(&[Int, Int, Int], None, |args| {
            Ok(Value::List(
                until_step(args[0].int(), args[1].int(), args[2].int())
                    .into_iter()
                    .map(Value::Int)
                    .collect(),
            ))
        }),
    );
    functions.add(
        "seq",
        Function::new(&[], Some(Int), |args| {
            let numbers: Vec<i64> = args.iter().map(Value::int).collect();
            let (start, end, step) = match numbers.as_slice() {
                [end] => (1, *end, if *end < 1 { -1 } else { 1 }),
                [start, end] => (*start, *end, if end < start { -1 } else { 1 }),
                [start, step, end] => {
                    if end < start && *step > 0 {
                        return Ok(Value::Str(String::new()));
                    }
                    (*start, *end, *step)
                }
                _ => return Ok(Value::Str(String::new())),
            };
            let past = if end < start { end - 1 } else { end + 1 };
            let written: Vec<String> = until_step(start, past, step)
                .iter()
                .map(i64::to_string)
                .collect();
            Ok(Value::Str(written.join(" ")))
        }),
    );
    functions.add(
        "tuple",
        Function::new(&[], Some(Any), |args| Ok(Value::List(args.to_vec()))),
    );
    // Sprig's `must` forms fail with the message the plain forms panic with.
    for name in [
        "first", "last", "rest", "initial", "reverse", "uniq", "compact", "has", "without",
        "append", "push", "prepend", "slice", "chunk",
    ] {
        if let Some(function) = functions.get(name).cloned() {
            let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
            functions.add(&must, function);
        }
    }
    functions
}

/// Sprig's `untilStep`: from `start` towards `stop` (not reaching it) by `step`.
fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut values = Vec::new();
    if stop < start {
        if step >= 0 {
            return values;
        }
        let mut at = start;
        while at > stop {
            values.push(at);
            at += step;
        }
        return values;
    }
    if step <= 0 {
        return values;
    }
    let mut at = start;
    while at < stop {
        values.push(at);
        at += step;
    }
    values
}

fn nil_list() -> CallError {
    CallError::Failed("runtime error: invalid memory address or nil pointer dereference".to_owned())
}
