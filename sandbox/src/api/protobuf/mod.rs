//! Kubernetes protobuf request bodies, as `kubectl` sends them for the built-in kinds it
//! creates itself (`kubectl create deployment`, `create namespace`, `run`, `expose`, …).
//!
//! A body is the magic `k8s\0` followed by a `runtime.Unknown` envelope that names the kind
//! and carries the object's own encoding. Objects are decoded into JSON through the schema in
//! [`schema`]; a field the schema does not know is refused rather than silently dropped.

mod schema;
mod wire;

use serde_json::{Map, Value, json};

use super::ApiError;
use schema::{Field, FieldType};
use wire::{Reader, WireValue};

/// The media type of Kubernetes protobuf.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\x00";

/// Decodes a protobuf body into the JSON object it stands for.
pub fn decode(bytes: &[u8]) -> Result<Value, ApiError> {
    let envelope = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("the body does not start with the Kubernetes protobuf prefix"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for entry in Reader::new(envelope) {
        match entry.map_err(|e| bad(&e))? {
            (1, WireValue::Bytes(type_meta)) => {
                for field in Reader::new(type_meta) {
                    match field.map_err(|e| bad(&e))? {
                        (1, WireValue::Bytes(v)) => api_version = text(v)?,
                        (2, WireValue::Bytes(v)) => kind = text(v)?,
                        _ => {}
                    }
                }
            }
            (2, WireValue::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let fields = schema::object(&kind).ok_or_else(|| {
        ApiError::UnsupportedMediaType(format!(
            "application/json, application/yaml ({MEDIA_TYPE} is accepted for the built-in kinds kubectl generates; {kind} is not one of them)"
        ))
    })?;
    let mut object = message(raw, fields, &kind)?;
    if let Value::Object(map) = &mut object {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(object)
}

fn message(bytes: &[u8], fields: &[Field], context: &str) -> Result<Value, ApiError> {
    let mut object = Map::new();
    for entry in Reader::new(bytes) {
        let (number, value) = entry.map_err(|e| bad(&e))?;
        let Some(field) = fields.iter().find(|f| f.number == number) else {
            // Go always encodes struct-valued fields; one holding only zero values (such as a
            // new object's `status`) says nothing.
            if is_zero(&value) {
                continue;
            }
            return Err(ApiError::UnsupportedMediaType(format!(
                "application/json, application/yaml (field {number} of {context} cannot be read from {MEDIA_TYPE}; send JSON)"
            )));
        };
        let context = format!("{context}.{}", field.name);
        let decoded = scalar_or_message(&field.field_type, value, &context)?;
        match (&field.field_type, field.repeated) {
            (FieldType::Inline(_), _) => {
                if let Value::Object(fields) = decoded {
                    object.extend(fields);
                }
            }
            (FieldType::Map(_), _) => {
                let entry = object.entry(field.name).or_insert_with(|| json!({}));
                if let (Value::Object(target), Value::Object(pair)) = (entry, decoded) {
                    target.extend(pair);
                }
            }
            (_, true) => {
                let entry = object.entry(field.name).or_insert_with(|| json!([]));
                if let Value::Array(items) = entry {
                    match decoded {
                        Value::Array(packed) => items.extend(packed),
                        single => items.push(single),
                    }
                }
            }
            (_, false) => {
                if let Some(value) = decoded.filter_omitted(&field.field_type) {
                    object.insert(field.name.to_owned(), value);
                }
            }
        }
    }
    Ok(Value::Object(object))
}

fn scalar_or_message(
    field_type: &FieldType,
    value: WireValue<'_>,
    context: &str,
) -> Result<Value, ApiError> {
    let mismatch = || bad(&format!("{context} has an unexpected wire type"));
    Ok(match (field_type, value) {
        (FieldType::Str, WireValue::Bytes(b)) => json!(text(b)?),
        (FieldType::Bytes, WireValue::Bytes(b)) => json!(base64(b)),
        (FieldType::Int | FieldType::KeptInt, WireValue::Varint(v)) => json!(v as i64),
        (FieldType::Int | FieldType::KeptInt, WireValue::Bytes(packed)) => {
            let mut values = Vec::new();
            let mut rest = packed;
            while !rest.is_empty() {
                let (v, used) = wire::varint(rest).map_err(|e| bad(&e))?;
                values.push(json!(v as i64));
                rest = &rest[used..];
            }
            Value::Array(values)
        }
        (FieldType::Bool | FieldType::KeptBool, WireValue::Varint(v)) => json!(v != 0),
        (FieldType::Time, WireValue::Bytes(b)) => time(b)?,
        (FieldType::Quantity, WireValue::Bytes(b)) => {
            let mut quantity = Value::Null;
            for entry in Reader::new(b) {
                if let (1, WireValue::Bytes(v)) = entry.map_err(|e| bad(&e))? {
                    quantity = json!(text(v)?);
                }
            }
            quantity
        }
        (FieldType::IntOrString, WireValue::Bytes(b)) => {
            let (mut kind, mut int, mut string) = (0, 0i64, String::new());
            for entry in Reader::new(b) {
                match entry.map_err(|e| bad(&e))? {
                    (1, WireValue::Varint(v)) => kind = v,
                    (2, WireValue::Varint(v)) => int = v as i64,
                    (3, WireValue::Bytes(v)) => string = text(v)?,
                    _ => {}
                }
            }
            if kind == 1 { json!(string) } else { json!(int) }
        }
        (FieldType::Map(value_type), WireValue::Bytes(b)) => {
            let (mut key, mut entry_value) = (String::new(), Value::Null);
            for entry in Reader::new(b) {
                match entry.map_err(|e| bad(&e))? {
                    (1, WireValue::Bytes(k)) => key = text(k)?,
                    (2, v) => entry_value = scalar_or_message(value_type, v, context)?,
                    _ => {}
                }
            }
            if entry_value.is_null() {
                entry_value = match **value_type {
                    FieldType::Str => json!(""),
                    _ => entry_value,
                };
            }
            json!({ key: entry_value })
        }
        (FieldType::Message(fields) | FieldType::Inline(fields), WireValue::Bytes(b)) => {
            message(b, fields, context)?
        }
        _ => return Err(mismatch()),
    })
}

trait Omit {
    fn filter_omitted(self, field_type: &FieldType) -> Option<Value>;
}

impl Omit for Value {
    /// Go encodes every non-pointer field; JSON leaves out its zero value, and so do we.
    fn filter_omitted(self, field_type: &FieldType) -> Option<Value> {
        let zero = match (&self, field_type) {
            (Value::Null, _) => true,
            (Value::String(s), FieldType::Str) => s.is_empty(),
            (Value::Number(n), FieldType::Int) => n.as_i64() == Some(0),
            (Value::Bool(b), FieldType::Bool) => !b,
            _ => false,
        };
        (!zero).then_some(self)
    }
}

/// Whether a value is a zero: 0, an empty string, or a message of zeros.
fn is_zero(value: &WireValue<'_>) -> bool {
    match value {
        WireValue::Varint(v) => *v == 0,
        WireValue::Bytes(bytes) => {
            Reader::new(bytes).all(|field| field.is_ok_and(|(_, inner)| is_zero(&inner)))
        }
        WireValue::Fixed => false,
    }
}

fn time(bytes: &[u8]) -> Result<Value, ApiError> {
    let mut seconds = None;
    for entry in Reader::new(bytes) {
        if let (1, WireValue::Varint(v)) = entry.map_err(|e| bad(&e))? {
            seconds = Some(v as i64);
        }
    }
    Ok(match seconds {
        // The zero time, which JSON writes as null.
        None | Some(0) => Value::Null,
        Some(seconds) => jiff::Timestamp::from_second(seconds)
            .map(|t| json!(t.to_string()))
            .map_err(|_| bad("a timestamp is out of range"))?,
    })
}

fn text(bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("a string field is not UTF-8"))
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(format!("cannot decode the protobuf body: {message}"))
}

#[cfg(test)]
mod tests;
