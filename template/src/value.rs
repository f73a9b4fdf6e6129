//! The values templates work on: what YAML and JSON hold, with Go's kinds of number, and maps
//! shared as Go shares them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::funcs::Function;

/// A Go value with fields and methods of its own, as Helm's `.Files` and `.Capabilities` are.
/// A field chain calls its methods (the last step with the command's arguments) and reads its
/// fields.
pub trait Object: fmt::Debug + Send + Sync {
    /// Its Go type, as `typeOf` and messages name it (for example `chartutil.Files`).
    fn go_type(&self) -> &'static str;
    /// The field `name`, if it has one.
    fn field(&self, name: &str) -> Option<Value>;
    /// The method `name`, if it has one.
    fn method(&self, name: &str) -> Option<Function>;
    /// The value as data, which `toJson` and `toYaml` write.
    fn data(&self) -> Value;
    /// How `%v` prints it.
    fn print(&self) -> String;
    /// What `range`, `len` and `if` see, when its Go type is a map or a slice; a struct has
    /// none and is always true.
    fn collection(&self) -> Option<Value> {
        None
    }
}

/// A map with string keys, shared as a Go map is: every copy of it is the same map, so what
/// `set` or `merge` changes through one is seen through all.
#[derive(Clone, Default)]
pub struct Map(Arc<Mutex<BTreeMap<String, Value>>>);

impl Map {
    /// A map of `entries`.
    pub fn new(entries: BTreeMap<String, Value>) -> Self {
        Self(Arc::new(Mutex::new(entries)))
    }

    fn entries(&self) -> MutexGuard<'_, BTreeMap<String, Value>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.entries().get(key).cloned()
    }

    /// Whether `key` is in the map.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries().contains_key(key)
    }

    /// Sets `key` to `value`.
    pub fn insert(&self, key: String, value: Value) {
        self.entries().insert(key, value);
    }

    /// Takes `key` out.
    pub fn remove(&self, key: &str) {
        self.entries().remove(key);
    }

    /// How many keys it has.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether it has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// A copy sharing no map with this one.
    pub fn deep_copy(&self) -> Map {
        Map::new(
            self.snapshot()
                .into_iter()
                .map(|(key, value)| (key, value.deep_copy()))
                .collect(),
        )
    }

    /// Its entries as they are now, in key order.
    pub fn snapshot(&self) -> BTreeMap<String, Value> {
        self.entries().clone()
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.snapshot() == other.snapshot()
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.snapshot().fmt(formatter)
    }
}

/// A value a template reads, computes or prints.
#[derive(Clone, Debug)]
pub enum Value {
    /// No value: a missing key, or YAML's `null`.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// An `int`: what a template's own integer constants and `len` are.
    Int(i64),
    /// An `int64`: what Sprig's arithmetic gives. Printed and compared as an `int` is, but not
    /// accepted where Go wants an `int`.
    Int64(i64),
    /// A floating-point number: what every number read from JSON or YAML values is, as Go
    /// reads them into `interface{}`.
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A map with string keys; Go visits and prints them in sorted order.
    Map(Map),
    /// A value with fields and methods of its own.
    Object(Arc<dyn Object>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            // The same object only: Go compares such values by identity at best.
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Value {
    /// Whether the value counts as true in `if`, `with`, `and`, `or` and `not`: anything but
    /// false, zero, nil and empty.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(value) => *value,
            Value::Int(value) | Value::Int64(value) => *value != 0,
            Value::Float(value) => *value != 0.0,
            Value::Str(value) => !value.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            Value::Object(object) => object.collection().is_none_or(|items| items.truthy()),
        }
    }

    /// The text of a string (checked to be one before a function body reads it), else "".
    pub(crate) fn text(&self) -> &str {
        match self {
            Value::Str(text) => text,
            _ => "",
        }
    }

    /// The number of an `int` (checked to be one before a function body reads it), else 0.
    pub(crate) fn int(&self) -> i64 {
        match self {
            Value::Int(value) => *value,
            _ => 0,
        }
    }

    /// A copy sharing no map with this value (Sprig's `deepCopy`; what Helm copies values
    /// with before coalescing them).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(items) => Value::List(items.iter().map(Value::deep_copy).collect()),
            Value::Map(map) => Value::Map(map.deep_copy()),
            other => other.clone(),
        }
    }

    /// The value as Go's `%v` prints it (what `{{ . }}` writes).
    pub fn print(&self) -> String {
        crate::format::plain(self)
    }

    /// The Go type name of the value, as Go's messages give it.
    pub fn go_type(&self) -> &'static str {
        match self {
            Value::Object(object) => object.go_type(),
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(value) => Value::Bool(value),
            serde_json::Value::Number(number) => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(value) => Value::Str(value),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(Map::new(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, Value::from(value)))
                    .collect(),
            )),
        }
    }
}
