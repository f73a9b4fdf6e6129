//! Sprig's defaults and flow helpers: `default`, `empty`, `coalesce`, `ternary`, `all`, `any`.

use crate::funcs::{Add, Function, Functions, Param};
use crate::value::Value;

pub(super) fn functions() -> Functions {
    use Param::{Any, Bool};
    let mut functions = Functions::new();
    functions.add(
        "default",
        Function::new(&[Any], Some(Any), |args| {
            Ok(match args.get(1) {
                Some(given) if given.truthy() => given.clone(),
                _ => args[0].clone(),
            })
        }),
    );
    functions.add(
        "empty",
        Function::new(&[Any], None, |args| Ok(Value::Bool(!args[0].truthy()))),
    );
    functions.add(
        "coalesce",
        Function::new(&[], Some(Any), |args| {
            Ok(args
                .iter()
                .find(|value| value.truthy())
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    functions.add(
        "ternary",
        Function::new(&[Any, Any, Bool], None, |args| {
            Ok(if args[2].truthy() {
                args[0].clone()
            } else {
                args[1].clone()
            })
        }),
    );
    functions.add(
        "all",
        Function::new(&[], Some(Any), |args| {
            Ok(Value::Bool(args.iter().all(Value::truthy)))
        }),
    );
    functions.add(
        "any",
        Function::new(&[], Some(Any), |args| {
            Ok(Value::Bool(args.iter().any(Value::truthy)))
        }),
    );
    functions
}
