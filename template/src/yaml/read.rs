//! Reading YAML as Helm reads values: go-yaml v2 decodes it (plain scalars resolved by YAML
//! 1.1's rules, `<<` merge keys, a repeated key's last value winning), then the result goes
//! through JSON, so every number becomes a float, every key a string, and a timestamp stays
//! its text.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::resolve::{Plain, resolve};
use crate::value::{Map, Value};

/// Why a YAML text could not be read as Helm reads it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum YamlError {
    /// The text is not YAML.
    #[error("yaml: {0}")]
    Syntax(String),
    /// It is YAML Helm would not take either, or that this reader does not take.
    #[error("{0}")]
    Refused(String),
}

/// A node as the parser gave it, before decoding.
#[derive(Clone, Debug)]
enum Raw {
    Scalar { text: String, plain: bool },
    Sequence(Vec<Raw>),
    Mapping(Vec<(Raw, Raw)>),
}

/// Builds nodes from the parser's events, anchors and aliases resolved.
#[derive(Default)]
struct Builder {
    /// The open collections: a sequence's items or a mapping's alternating keys and values.
    open: Vec<(Vec<Raw>, bool, usize)>,
    anchors: BTreeMap<usize, Raw>,
    documents: Vec<Raw>,
    error: Option<YamlError>,
}

impl Builder {
    fn finish(&mut self, node: Raw, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.open.last_mut() {
            Some((items, _, _)) => items.push(node),
            None => self.documents.push(node),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, _mark: Marker) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(tag) = tag {
                    self.error.get_or_insert(YamlError::Refused(format!(
                        "the tag {}{} is not read here",
                        tag.handle, tag.suffix
                    )));
                }
                let plain = style == TScalarStyle::Plain;
                self.finish(Raw::Scalar { text, plain }, anchor);
            }
            Event::SequenceStart(anchor, _) => self.open.push((Vec::new(), false, anchor)),
            Event::MappingStart(anchor, _) => self.open.push((Vec::new(), true, anchor)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((items, mapping, anchor)) = self.open.pop() {
                    let node = if mapping {
                        let mut pairs = Vec::new();
                        let mut items = items.into_iter();
                        while let (Some(key), Some(value)) = (items.next(), items.next()) {
                            pairs.push((key, value));
                        }
                        Raw::Mapping(pairs)
                    } else {
                        Raw::Sequence(items)
                    };
                    self.finish(node, anchor);
                }
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor).cloned() {
                Some(node) => self.finish(node, 0),
                None => {
                    self.error
                        .get_or_insert(YamlError::Syntax("unknown anchor referenced".to_owned()));
                }
            },
            _ => {}
        }
    }
}

/// `text` as Helm reads a YAML document into a value: nothing (an empty document) is `Nil`.
pub fn read_yaml(text: &str) -> Result<Value, YamlError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|error| YamlError::Syntax(error.to_string()))?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    match builder.documents.into_iter().next() {
        Some(root) => decode(&root),
        None => Ok(Value::Nil),
    }
}

fn refused(message: impl Into<String>) -> YamlError {
    YamlError::Refused(message.into())
}

/// A node decoded as go-yaml decodes into `interface{}`, then carried through JSON.
fn decode(node: &Raw) -> Result<Value, YamlError> {
    match node {
        Raw::Scalar { text, plain: false } => Ok(Value::Str(text.clone())),
        Raw::Scalar { text, plain: true } => match resolve(text) {
            Plain::Null => Ok(Value::Nil),
            Plain::Bool(value) => Ok(Value::Bool(value)),
            #[allow(clippy::cast_precision_loss)]
            Plain::Int(value) => Ok(Value::Float(value as f64)),
            #[allow(clippy::cast_precision_loss)]
            Plain::Uint(value) => Ok(Value::Float(value as f64)),
            Plain::Float(value) if value.is_finite() => Ok(Value::Float(value)),
            Plain::Float(value) => Err(refused(format!(
                "error converting YAML to JSON: json: unsupported value: {}",
                crate::format::shortest(value)
            ))),
            Plain::Timestamp | Plain::Str => Ok(Value::Str(text.clone())),
        },
        Raw::Sequence(items) => Ok(Value::List(
            items.iter().map(decode).collect::<Result<_, _>>()?,
        )),
        Raw::Mapping(pairs) => {
            let mut map = BTreeMap::new();
            for (key, value) in pairs {
                if matches!(key, Raw::Scalar { text, plain: true } if text == "<<") {
                    merge(&mut map, value)?;
                    continue;
                }
                map.insert(key_text(key)?, decode(value)?);
            }
            Ok(Value::Map(Map::new(map)))
        }
    }
}

/// A merge key's value: a mapping, or mappings of which the earlier win.
fn merge(map: &mut BTreeMap<String, Value>, source: &Raw) -> Result<(), YamlError> {
    let sources: Vec<&Raw> = match source {
        Raw::Mapping(_) => vec![source],
        Raw::Sequence(items) => items.iter().rev().collect(),
        Raw::Scalar { .. } => {
            return Err(refused(
                "map merge requires map or sequence of maps as the value",
            ));
        }
    };
    for source in sources {
        let Value::Map(entries) = decode(source)? else {
            return Err(refused(
                "map merge requires map or sequence of maps as the value",
            ));
        };
        map.extend(entries.snapshot());
    }
    Ok(())
}

/// A key as JSON writes it.
fn key_text(key: &Raw) -> Result<String, YamlError> {
    match key {
        Raw::Scalar { text, plain: false } => Ok(text.clone()),
        Raw::Scalar { text, plain: true } => match resolve(text) {
            Plain::Str | Plain::Timestamp => Ok(text.clone()),
            Plain::Bool(value) => Ok(value.to_string()),
            Plain::Int(value) => Ok(value.to_string()),
            other => Err(refused(format!("unsupported map key: {other:?}"))),
        },
        _ => Err(refused("invalid map key: a collection")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_read_as_yaml_one_one_reads_them() {
        let value = read_yaml("a: yes\nb: 012\nc: '012'\nd: 2024-01-02\ne: ~\nf: 1_000\n10: ten\n")
            .unwrap();
        let Value::Map(map) = value else { panic!() };
        assert_eq!(map.get("a"), Some(Value::Bool(true)));
        assert_eq!(map.get("b"), Some(Value::Float(10.0)));
        assert_eq!(map.get("c"), Some(Value::Str("012".into())));
        assert_eq!(map.get("d"), Some(Value::Str("2024-01-02".into())));
        assert_eq!(map.get("e"), Some(Value::Nil));
        assert_eq!(map.get("f"), Some(Value::Float(1000.0)));
        assert_eq!(map.get("10"), Some(Value::Str("ten".into())));
    }

    #[test]
    fn merge_keys_give_way_to_the_keys_written_beside_them() {
        // (`y` would be a boolean key in YAML 1.1, hence `p` and `q`.)
        let value = read_yaml("base: &b {p: 1, q: 2}\nuse:\n  <<: *b\n  q: 3\n").unwrap();
        let Value::Map(map) = value else { panic!() };
        let Some(Value::Map(used)) = map.get("use") else {
            panic!()
        };
        assert_eq!(used.get("p"), Some(Value::Float(1.0)));
        assert_eq!(used.get("q"), Some(Value::Float(3.0)));
    }
}
