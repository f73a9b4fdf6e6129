//! The functions every Go template has: comparisons, `len`, `index`, `slice`, the `print`
//! family and the escapers. `and` and `or` read their arguments lazily, so they live in the
//! executor.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::format::{plain, printf};
use crate::value::Value;

/// Why a function call failed, in Go's words (the executor adds "error calling NAME: ").
#[derive(Debug, PartialEq)]
pub enum CallError {
    /// The arguments do not fit the function.
    Failed(String),
    /// The call asks for something this engine does not do.
    Unsupported(String),
}

/// The Go type of a function's parameter. Arguments are checked against it as Go's
/// text/template checks them: constants convert where Go converts them, computed values must
/// have the type itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Param {
    /// `interface{}` (or `reflect.Value`): anything, nil included.
    Any,
    /// `string`.
    Str,
    /// `int`.
    Int,
    /// `float64`.
    Float,
    /// `bool`.
    Bool,
    /// `[]interface{}`.
    List,
    /// `map[string]interface{}`.
    Map,
}

impl Param {
    /// The type as Go's messages name it.
    pub fn go_type(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
        }
    }
}

/// What a function does with its checked arguments.
pub type Body = dyn Fn(&[Value]) -> Result<Value, CallError> + Send + Sync;

/// What a function does: work on its arguments, or run templates of the set it is called in.
#[derive(Clone)]
pub enum Call {
    /// A function of its arguments alone.
    Plain(Arc<Body>),
    /// Helm's `include`: the named template run over a value, as a string.
    Include,
    /// Helm's `tpl`: a string parsed as a template beside the set's, and run over a value.
    Tpl,
}

/// A function templates can call: its parameters and what it does.
#[derive(Clone)]
pub struct Function {
    /// The fixed parameters.
    pub params: Vec<Param>,
    /// The type of the arguments after them, for a variadic function.
    pub variadic: Option<Param>,
    /// The function itself.
    pub call: Call,
}

impl Function {
    /// A function with `params`, then any number of `variadic` arguments if given.
    pub fn new(
        params: &[Param],
        variadic: Option<Param>,
        body: impl Fn(&[Value]) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            params: params.to_vec(),
            variadic,
            call: Call::Plain(Arc::new(body)),
        }
    }

    /// A function that runs templates of the set it is called in.
    pub(crate) fn running(params: &[Param], call: Call) -> Self {
        Self {
            params: params.to_vec(),
            variadic: None,
            call,
        }
    }

    /// The type arguments at `at` must have.
    pub(crate) fn param(&self, at: usize) -> Param {
        self.params
            .get(at)
            .copied()
            .or(self.variadic)
            .unwrap_or(Param::Any)
    }

    /// Go's complaint when `count` arguments do not fit, if they do not.
    pub(crate) fn arity_error(&self, name: &str, count: usize) -> Option<String> {
        let fixed = self.params.len();
        match self.variadic {
            Some(_) if count < fixed => Some(format!(
                "wrong number of args for {name}: want at least {fixed} got {count}"
            )),
            None if count != fixed => Some(format!(
                "wrong number of args for {name}: want {fixed} got {count}"
            )),
            _ => None,
        }
    }
}

/// The functions by name.
pub type Functions = BTreeMap<String, Function>;

/// Adding a function by name.
pub(crate) trait Add {
    /// Adds `function` as `name`, over any of that name.
    fn add(&mut self, name: &str, function: Function);
}

impl Add for Functions {
    fn add(&mut self, name: &str, function: Function) {
        self.insert(name.to_owned(), function);
    }
}

fn failed(message: impl Into<String>) -> CallError {
    CallError::Failed(message.into())
}

/// Go's text/template built-in functions, with Go's parameters.
pub fn builtins() -> Functions {
    use Param::{Any, Str};
    let mut functions: Functions = BTreeMap::new();
    functions.add(
        "not",
        Function::new(&[Any], None, |args| Ok(Value::Bool(!args[0].truthy()))),
    );
    functions.add("len", Function::new(&[Any], None, length));
    functions.add("index", Function::new(&[Any], Some(Any), index));
    functions.add("slice", Function::new(&[Any], Some(Any), slice));
    functions.add(
        "print",
        Function::new(&[], Some(Any), |args| Ok(Value::Str(sprint(args)))),
    );
    functions.add(
        "println",
        Function::new(&[], Some(Any), |args| {
            let parts: Vec<String> = args.iter().map(plain).collect();
            Ok(Value::Str(format!("{}\n", parts.join(" "))))
        }),
    );
    functions.add(
        "printf",
        Function::new(&[Str], Some(Any), |args| {
            let Value::Str(format) = &args[0] else {
                return Err(failed("wrong type for value; expected string"));
            };
            printf(format, &args[1..])
                .map(Value::Str)
                .map_err(|verb| CallError::Unsupported(verb.0))
        }),
    );
    functions.add("eq", Function::new(&[Any], Some(Any), equal));
    functions.add(
        "ne",
        Function::new(&[Any, Any], None, |args| {
            equal(args).map(|same| Value::Bool(!same.truthy()))
        }),
    );
    for (name, wanted) in [
        ("lt", &[Ordering::Less][..]),
        ("le", &[Ordering::Less, Ordering::Equal][..]),
        ("gt", &[Ordering::Greater][..]),
        ("ge", &[Ordering::Greater, Ordering::Equal][..]),
    ] {
        functions.add(
            name,
            Function::new(&[Any, Any], None, move |args| {
                Ok(Value::Bool(wanted.contains(&order(&args[0], &args[1])?)))
            }),
        );
    }
    functions.add(
        "html",
        Function::new(&[], Some(Any), |args| Ok(Value::Str(html(&sprint(args))))),
    );
    functions.add(
        "js",
        Function::new(&[], Some(Any), |args| Ok(Value::Str(js(&sprint(args))))),
    );
    functions.add(
        "urlquery",
        Function::new(&[], Some(Any), |args| {
            Ok(Value::Str(urlquery(&sprint(args))))
        }),
    );
    functions.add(
        "call",
        Function::new(&[Any], Some(Any), |_| {
            Err(CallError::Unsupported("the function call".to_owned()))
        }),
    );
    functions
}

/// `fmt.Sprint`: operands joined with a space where neither side is a string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (at, arg) in args.iter().enumerate() {
        if at > 0 && !matches!(arg, Value::Str(_)) && !matches!(args[at - 1], Value::Str(_)) {
            out.push(' ');
        }
        out.push_str(&plain(arg));
    }
    out
}

fn length(args: &[Value]) -> Result<Value, CallError> {
    let count = match &args[0] {
        Value::Str(text) => text.len(),
        Value::List(items) => items.len(),
        Value::Map(entries) => entries.len(),
        Value::Object(object) if object.collection().is_some() => {
            return object
                .collection()
                .map_or(Ok(Value::Int(0)), |items| length(&[items]));
        }
        Value::Nil => return Err(failed("len of nil pointer")),
        other => return Err(failed(format!("len of type {}", other.go_type()))),
    };
    Ok(Value::Int(i64::try_from(count).unwrap_or(i64::MAX)))
}

fn position(value: &Value, length: usize, what: &str) -> Result<usize, CallError> {
    let at = match value {
        Value::Int(at) | Value::Int64(at) => *at,
        Value::Nil => return Err(failed(format!("cannot {what} with nil"))),
        other => {
            return Err(failed(format!(
                "cannot {what} with type {}",
                other.go_type()
            )));
        }
    };
    usize::try_from(at)
        .ok()
        .filter(|at| *at <= length)
        .ok_or_else(|| failed(format!("{what} out of range: {at}")))
}

fn index(args: &[Value]) -> Result<Value, CallError> {
    let Some((first, keys)) = args.split_first() else {
        return Err(failed(
            "wrong number of args for index: want at least 1 got 0",
        ));
    };
    let mut value = first.clone();
    for key in keys {
        value = match (&value, key) {
            (Value::Map(entries), Value::Str(key)) => entries.get(key).unwrap_or(Value::Nil),
            (Value::Map(_), other) => {
                return Err(failed(format!(
                    "value has type {}; should be string",
                    other.go_type()
                )));
            }
            (Value::List(items), _) => {
                let at = position(key, items.len(), "index")?;
                items
                    .get(at)
                    .cloned()
                    .ok_or_else(|| failed(format!("index out of range: {at}")))?
            }
            (Value::Str(text), _) => {
                let at = position(key, text.len(), "index")?;
                text.as_bytes()
                    .get(at)
                    .map(|byte| Value::Int(i64::from(*byte)))
                    .ok_or_else(|| failed(format!("index out of range: {at}")))?
            }
            (Value::Nil, _) => return Err(failed("index of untyped nil")),
            (other, _) => {
                return Err(failed(format!(
                    "can't index item of type {}",
                    other.go_type()
                )));
            }
        };
    }
    Ok(value)
}

fn slice(args: &[Value]) -> Result<Value, CallError> {
    let Some((first, bounds)) = args.split_first() else {
        return Err(failed(
            "wrong number of args for slice: want at least 1 got 0",
        ));
    };
    if bounds.len() > 2 {
        return Err(CallError::Unsupported(
            "slice with three indexes".to_owned(),
        ));
    }
    let length = match first {
        Value::Str(text) => text.len(),
        Value::List(items) => items.len(),
        Value::Nil => return Err(failed("slice of untyped nil")),
        other => {
            return Err(failed(format!(
                "can't slice item of type {}",
                other.go_type()
            )));
        }
    };
    let low = bounds
        .first()
        .map(|at| position(at, length, "slice index"))
        .transpose()?
        .unwrap_or(0);
    let high = bounds
        .get(1)
        .map(|at| position(at, length, "slice index"))
        .transpose()?
        .unwrap_or(length);
    if low > high {
        return Err(failed(format!("invalid slice index: {low} > {high}")));
    }
    Ok(match first {
        Value::Str(text) => Value::Str(
            text.get(low..high)
                .ok_or_else(|| CallError::Unsupported("slicing inside a character".to_owned()))?
                .to_owned(),
        ),
        Value::List(items) => Value::List(items[low..high].to_vec()),
        _ => Value::Nil,
    })
}

/// The kinds Go's comparisons tell apart.
#[derive(PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn kind(value: &Value) -> Kind {
    match value {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        _ => Kind::Other,
    }
}

/// `eq a b c…`: whether `a` equals any of the others.
fn equal(args: &[Value]) -> Result<Value, CallError> {
    let (first, others) = args
        .split_first()
        .ok_or_else(|| failed("missing argument for comparison"))?;
    if others.is_empty() {
        return Err(failed("missing argument for comparison"));
    }
    if matches!(first, Value::List(_) | Value::Map(_)) {
        return Err(failed("non-comparable type"));
    }
    for other in others {
        if matches!(other, Value::List(_) | Value::Map(_)) {
            return Err(failed("non-comparable types"));
        }
        let same = if kind(first) != kind(other) {
            if matches!(first, Value::Nil) || matches!(other, Value::Nil) {
                false
            } else {
                return Err(failed("incompatible types for comparison"));
            }
        } else if kind(first) == Kind::Int {
            order(first, other)? == Ordering::Equal
        } else {
            first == other
        };
        if same {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn order(left: &Value, right: &Value) -> Result<Ordering, CallError> {
    let basic = |value: &Value| {
        matches!(
            value,
            Value::Int(_) | Value::Int64(_) | Value::Float(_) | Value::Str(_)
        )
    };
    if !basic(left) || !basic(right) {
        return Err(failed("invalid type for comparison"));
    }
    match (left, right) {
        (Value::Int(a) | Value::Int64(a), Value::Int(b) | Value::Int64(b)) => Ok(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => Ok(a.partial_cmp(b).unwrap_or(Ordering::Equal)),
        (Value::Str(a), Value::Str(b)) => Ok(a.cmp(b)),
        _ => Err(failed("incompatible types for comparison")),
    }
}

fn html(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn urlquery(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprint_spaces_only_between_non_strings() {
        assert_eq!(
            sprint(&[
                Value::Str("a".into()),
                Value::Int(1),
                Value::Int(2),
                Value::Str("b".into())
            ]),
            "a1 2b"
        );
    }

    #[test]
    fn a_value_read_from_yaml_is_not_comparable_with_an_integer_constant() {
        assert_eq!(
            equal(&[Value::Float(1.0), Value::Int(1)]),
            Err(failed("incompatible types for comparison"))
        );
        assert_eq!(
            equal(&[Value::Nil, Value::Str("x".into())]),
            Ok(Value::Bool(false))
        );
    }
}
