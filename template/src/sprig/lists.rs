//! Sprig's list functions. Like Sprig, they fail on a value that is not a list, naming its
//! kind.

use super::convert::{kind_of, strval};
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

/// The items of a list argument, or Sprig's complaint naming what `what` cannot be done on.
fn items<'a>(value: &'a Value, what: &str) -> Result<&'a [Value], CallError> {
    match value {
        Value::List(items) => Ok(items),
        Value::Nil => Err(CallError::Failed(
            "runtime error: invalid memory address or nil pointer dereference".to_owned(),
        )),
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
            let count = match args[0] {
                Value::Int(count) => count,
                _ => 0,
            };
            let step = if count < 0 { -1 } else { 1 };
            let mut values = Vec::new();
            let mut at = 0;
            while at != count {
                values.push(Value::Int(at));
                at += step;
            }
            Ok(Value::List(values))
        }),
    );
    functions
}
