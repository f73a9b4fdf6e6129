//! Sprig's conversions: `toString`, `int`, `int64`, `float64`, `atoi`, `typeOf`, `kindOf`,
//! `typeIs`, `kindIs`, `toJson`, and the `cast` rules every numeric function uses.

use crate::format::{plain, shortest};
use crate::funcs::{Add, Function, Functions, Param};
use crate::value::Value;

/// `strval`: a string as it is, anything else as `%v` writes it.
pub(crate) fn strval(value: &Value) -> String {
    match value {
        Value::Str(text) => text.clone(),
        other => plain(other),
    }
}

/// `cast.ToInt64`: numbers truncated, strings parsed as Go integers (base prefixes, a `.0`
/// tail dropped), booleans as 1 and 0, anything else 0.
pub(crate) fn to_int64(value: &Value) -> i64 {
    match value {
        Value::Int(value) | Value::Int64(value) => *value,
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(value) => *value as i64,
        Value::Bool(value) => i64::from(*value),
        Value::Str(text) => parse_int(text).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub(crate) fn to_float64(value: &Value) -> f64 {
    match value {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(value) | Value::Int64(value) => *value as f64,
        Value::Float(value) => *value,
        Value::Bool(value) => f64::from(u8::from(*value)),
        Value::Str(text) => text.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A string as Go's `strconv.ParseInt(s, 0, 0)` reads it after `cast` drops a `.0` tail.
fn parse_int(text: &str) -> Option<i64> {
    let text = text
        .strip_suffix(".0")
        .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        .unwrap_or(text);
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(octal) = lower.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()?
    } else if let Some(binary) = lower.strip_prefix("0b") {
        i64::from_str_radix(binary, 2).ok()?
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8).ok()?
    } else if lower.bytes().all(|b| b.is_ascii_digit()) && !lower.is_empty() {
        lower.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// What Go's reflection calls the value's kind.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Nil => "invalid",
        Value::Object(object) => kind_of(&object.data()),
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
    }
}

/// Go's `encoding/json`: keys sorted, `<`, `>` and `&` escaped, floats in plain form below
/// 1e21.
pub fn to_json(value: &Value) -> String {
    match value {
        Value::Nil => "null".to_owned(),
        Value::Object(object) => to_json(&object.data()),
        Value::Bool(value) => value.to_string(),
        Value::Int(value) | Value::Int64(value) => value.to_string(),
        Value::Float(value) => json_float(*value),
        Value::Str(text) => json_string(text),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(to_json).collect::<Vec<_>>().join(",")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .snapshot()
                .iter()
                .map(|(key, value)| format!("{}:{}", json_string(key), to_json(value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn json_float(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
        // Go writes these in exponent form, a negative exponent without its leading zero.
        return shortest(value).replace("e-0", "e-");
    }
    format!("{value}")
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn functions() -> Functions {
    use Param::{Any, Str};
    let mut functions = Functions::new();
    functions.add(
        "toString",
        Function::new(&[Any], None, |args| Ok(Value::Str(strval(&args[0])))),
    );
    functions.add(
        "int64",
        Function::new(&[Any], None, |args| Ok(Value::Int64(to_int64(&args[0])))),
    );
    functions.add(
        "int",
        Function::new(&[Any], None, |args| Ok(Value::Int(to_int64(&args[0])))),
    );
    functions.add(
        "float64",
        Function::new(&[Any], None, |args| Ok(Value::Float(to_float64(&args[0])))),
    );
    functions.add(
        "atoi",
        Function::new(&[Str], None, |args| {
            let text = strval(&args[0]);
            Ok(Value::Int(text.parse().unwrap_or(0)))
        }),
    );
    functions.add(
        "typeOf",
        Function::new(&[Any], None, |args| {
            Ok(Value::Str(args[0].go_type().to_owned()))
        }),
    );
    functions.add(
        "kindOf",
        Function::new(&[Any], None, |args| {
            Ok(Value::Str(kind_of(&args[0]).to_owned()))
        }),
    );
    functions.add(
        "typeIs",
        Function::new(&[Str, Any], None, |args| {
            Ok(Value::Bool(strval(&args[0]) == args[1].go_type()))
        }),
    );
    functions.add(
        "kindIs",
        Function::new(&[Str, Any], None, |args| {
            Ok(Value::Bool(strval(&args[0]) == kind_of(&args[1])))
        }),
    );
    functions.add(
        "toJson",
        Function::new(&[Any], None, |args| Ok(Value::Str(to_json(&args[0])))),
    );
    functions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_become_integers_as_cast_reads_them() {
        for (text, expected) in [
            ("42", 42),
            ("0x1F", 31),
            ("010", 8),
            ("3.0", 3),
            ("3.5", 0),
            ("x", 0),
            ("-7", -7),
        ] {
            assert_eq!(to_int64(&Value::Str(text.into())), expected, "{text}");
        }
    }

    #[test]
    fn json_is_written_as_go_writes_it() {
        let value = Value::from(serde_json::json!({"b": [1, 1e21, 0.5], "a": "<&>"}));
        assert_eq!(
            to_json(&value),
            r#"{"a":"\u003c\u0026\u003e","b":[1,1e+21,0.5]}"#
        );
    }
}
