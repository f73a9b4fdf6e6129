//! Sprig's integer arithmetic: every operand goes through `cast.ToInt64`, every result is an
//! `int64`.

use super::convert::{to_float64, to_int64};
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

fn divide(name: &'static str, operation: fn(i64, i64) -> Option<i64>) -> (&'static str, Function) {
    (
        name,
        Function::new(&[Param::Any, Param::Any], None, move |args| {
            operation(to_int64(&args[0]), to_int64(&args[1]))
                .map(Value::Int64)
                .ok_or_else(|| {
                    CallError::Failed("runtime error: integer divide by zero".to_owned())
                })
        }),
    )
}

pub(super) fn functions() -> Functions {
    use Param::Any;
    let mut functions = Functions::new();
    functions.add(
        "add",
        Function::new(&[], Some(Any), |args| {
            Ok(Value::Int64(
                args.iter().map(to_int64).fold(0, i64::wrapping_add),
            ))
        }),
    );
    functions.add(
        "add1",
        Function::new(&[Any], None, |args| {
            Ok(Value::Int64(to_int64(&args[0]).wrapping_add(1)))
        }),
    );
    functions.add(
        "sub",
        Function::new(&[Any, Any], None, |args| {
            Ok(Value::Int64(
                to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
            ))
        }),
    );
    functions.add(
        "mul",
        Function::new(&[Any], Some(Any), |args| {
            Ok(Value::Int64(
                args.iter().map(to_int64).fold(1, i64::wrapping_mul),
            ))
        }),
    );
    for (name, function) in [
        divide("div", i64::checked_div),
        divide("mod", i64::checked_rem),
    ] {
        functions.add(name, function);
    }
    functions.add(
        "max",
        Function::new(&[Any], Some(Any), |args| {
            Ok(Value::Int64(args.iter().map(to_int64).max().unwrap_or(0)))
        }),
    );
    functions.add(
        "min",
        Function::new(&[Any], Some(Any), |args| {
            Ok(Value::Int64(args.iter().map(to_int64).min().unwrap_or(0)))
        }),
    );
    functions.add(
        "ceil",
        Function::new(&[Any], None, |args| {
            Ok(Value::Float(to_float64(&args[0]).ceil()))
        }),
    );
    functions.add(
        "floor",
        Function::new(&[Any], None, |args| {
            Ok(Value::Float(to_float64(&args[0]).floor()))
        }),
    );
    functions.add(
        "round",
        Function::new(&[Any, Param::Int], Some(Param::Float), |args| {
            let round_on = match args.get(2) {
                Some(Value::Float(round_on)) => *round_on,
                _ => 0.5,
            };
            #[allow(clippy::cast_precision_loss)]
            let power = 10f64.powf(args[1].int() as f64);
            let digits = power * to_float64(&args[0]);
            let rounded = if digits.fract() >= round_on {
                digits.ceil()
            } else {
                digits.floor()
            };
            Ok(Value::Float(rounded / power))
        }),
    );
    functions
}
