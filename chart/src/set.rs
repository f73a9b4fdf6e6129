//! `--set`, `--set-string` and `--set-json`: Helm's `strvals` syntax (`a.b=1,list[0]=x,l={a,b}`,
//! `\` escaping the next character), read into the user's values as Helm reads it.

use orbital_template::{Map, Value};

/// How the values after `=` are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SetKind {
    /// `--set`: `true`/`false` (any case) are booleans, `null` is null, integers without a
    /// leading zero are `int64`s, anything else is text.
    Typed,
    /// `--set-string`: always text.
    Text,
    /// `--set-json`: JSON.
    Json,
}

/// Why a `--set` argument was refused, in Helm's words where it has them.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SetError {
    /// The argument does not follow the syntax.
    #[error("{0}")]
    Syntax(String),
}

fn refused(message: impl Into<String>) -> SetError {
    SetError::Syntax(message.into())
}

/// The deepest a key may nest and the largest list index, as in Helm.
const MAX_NESTING: usize = 30;
const MAX_INDEX: usize = 65_536;

/// Reads `text` (one `--set`-style argument) into `values`.
pub fn apply_set(values: &Map, text: &str, kind: SetKind) -> Result<(), SetError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        kind,
    };
    loop {
        match parser.key(values, 0) {
            Ok(()) => {}
            Err(Stop::End) => return Ok(()),
            Err(Stop::Error(error)) => return Err(error),
        }
    }
}

/// How reading stopped: at the end of the text, or at a mistake.
enum Stop {
    End,
    Error(SetError),
}

impl From<SetError> for Stop {
    fn from(error: SetError) -> Self {
        Stop::Error(error)
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    kind: SetKind,
}

impl Parser {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied();
        if c.is_some() {
            self.at += 1;
        }
        c
    }

    /// Characters up to one of `stops` (taken, and returned), `\` escaping the next one; the
    /// stop is `None` at the end of the text.
    fn until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut taken = String::new();
        while let Some(c) = self.next() {
            if stops.contains(&c) {
                return (taken, Some(c));
            }
            if c == '\\' {
                match self.next() {
                    Some(escaped) => taken.push(escaped),
                    None => return (taken, None),
                }
            } else {
                taken.push(c);
            }
        }
        (taken, None)
    }

    fn typed(&self, text: String) -> Value {
        if self.kind == SetKind::Text {
            return Value::Str(text);
        }
        let lower = text.to_lowercase();
        match lower.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Nil,
            "0" => Value::Int64(0),
            _ if !text.starts_with('0') => text.parse().map_or(Value::Str(text), Value::Int64),
            _ => Value::Str(text),
        }
    }

    fn key(&mut self, data: &Map, nesting: usize) -> Result<(), Stop> {
        let (key, last) = self.until(&['=', '[', ',', '.']);
        match last {
            None if key.is_empty() => Err(Stop::End),
            None => Err(refused(format!("key {key:?} has no value")).into()),
            Some('[') => {
                let index = self.index()?;
                let list = match data.get(&key) {
                    None => Vec::new(),
                    Some(Value::List(items)) => items,
                    Some(other) => return Err(not_a(&other, "[]interface {}").into()),
                };
                let (list, result) = self.list_item(list, index, nesting);
                set(data, &key, Value::List(list));
                result
            }
            Some('=') => {
                let (value, empty_at_end) = self.value()?;
                set(data, &key, value);
                // Helm stops reading after a value left empty at the very end.
                if empty_at_end { Err(Stop::End) } else { Ok(()) }
            }
            Some(',') => {
                set(data, &key, Value::Str(String::new()));
                Err(refused(format!("key {key:?} has no value (cannot end with ,)")).into())
            }
            _ => {
                let nesting = nesting + 1;
                if nesting > MAX_NESTING {
                    return Err(refused(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTING}"
                    ))
                    .into());
                }
                let inner = match data.get(&key) {
                    None => Map::default(),
                    Some(Value::Map(inner)) => inner,
                    Some(other) => return Err(not_a(&other, "map[string]interface {}").into()),
                };
                let result = self.key(&inner, nesting);
                if result.is_ok() && inner.is_empty() {
                    return Err(refused(format!("key map {key:?} has no value")).into());
                }
                if !inner.is_empty() {
                    set(data, &key, Value::Map(inner));
                }
                result
            }
        }
    }

    /// The value after `=`, and whether it was left empty at the very end of the text.
    fn value(&mut self) -> Result<(Value, bool), Stop> {
        if self.kind == SetKind::Json {
            return self.json_value().map(|value| (value, false));
        }
        match self.list() {
            Some(Ok(list)) => Ok((Value::List(list), false)),
            Some(Err(error)) => Err(error.into()),
            None if self.at >= self.chars.len() => Ok((Value::Str(String::new()), true)),
            None => {
                let (text, _) = self.until(&[',']);
                Ok((self.typed(text), false))
            }
        }
    }

    /// `{a,b}`, if the value is one.
    fn list(&mut self) -> Option<Result<Vec<Value>, SetError>> {
        if self.chars.get(self.at) != Some(&'{') {
            return None;
        }
        self.at += 1;
        let mut items = Vec::new();
        loop {
            let (text, stop) = self.until(&[',', '}']);
            match stop {
                None => return Some(Err(refused("list must terminate with '}'"))),
                Some('}') => {
                    if self.chars.get(self.at) == Some(&',') {
                        self.at += 1;
                    }
                    items.push(self.typed(text));
                    return Some(Ok(items));
                }
                _ => items.push(self.typed(text)),
            }
        }
    }

    fn json_value(&mut self) -> Result<Value, Stop> {
        if self.empty_value() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.at..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            _ => return Err(refused("--set-json value is not JSON").into()),
        };
        let used = rest[..stream.byte_offset()].chars().count();
        self.at += used;
        self.empty_value();
        Ok(Value::from(value))
    }

    /// Skips white space up to and including a `,`; whether the value was empty.
    fn empty_value(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.at) {
            if c == ',' {
                self.at += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.at += 1;
        }
        true
    }

    fn index(&mut self) -> Result<usize, Stop> {
        let (text, stop) = self.until(&[']']);
        if stop.is_none() {
            return Err(refused("error parsing index: EOF").into());
        }
        let index: i64 = text.parse().map_err(|_| {
            refused(format!(
                "error parsing index: strconv.Atoi: parsing {text:?}: invalid syntax"
            ))
        })?;
        if index < 0 {
            return Err(refused(format!("negative {index} index not allowed")).into());
        }
        usize::try_from(index).map_err(|_| Stop::End)
    }

    /// What follows `name[index]`, set into `list`.
    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        index: usize,
        nesting: usize,
    ) -> (Vec<Value>, Result<(), Stop>) {
        let (rest, last) = self.until(&['[', '.', '=']);
        if !rest.is_empty() {
            // Go prints the runes it found as a list of quoted characters.
            let runes: Vec<String> = rest.chars().map(quote_rune).collect();
            let message = format!(
                "unexpected data at end of array index: [{}]",
                runes.join(" ")
            );
            return (list, Err(refused(message).into()));
        }
        let item = match last {
            None => return (list, Err(Stop::End)),
            Some('=') => match self.value() {
                Ok((value, _)) => value,
                Err(error) => return (list, Err(error)),
            },
            Some('[') => {
                let inner_index = match self.index() {
                    Ok(inner_index) => inner_index,
                    Err(error) => return (list, Err(error)),
                };
                let inner = match list.get(index) {
                    Some(Value::List(items)) => items.clone(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(other) => {
                        let error = not_a(other, "[]interface {}");
                        return (list, Err(error.into()));
                    }
                };
                let (inner, result) = self.list_item(inner, inner_index, nesting);
                if let Err(error) = result {
                    return (list, Err(error));
                }
                Value::List(inner)
            }
            _ => {
                let inner = match list.get(index) {
                    Some(Value::Map(inner)) => inner.clone(),
                    _ => Map::default(),
                };
                if let Err(error) = self.key(&inner, nesting) {
                    return (list, Err(error));
                }
                Value::Map(inner)
            }
        };
        let result = set_index(&mut list, index, item);
        (list, result)
    }
}

fn set(data: &Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_owned(), value);
    }
}

fn set_index(list: &mut Vec<Value>, index: usize, value: Value) -> Result<(), Stop> {
    if index > MAX_INDEX {
        return Err(refused(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ))
        .into());
    }
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = value;
    Ok(())
}

/// A character as Go's `%q` writes a rune.
fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_owned(),
        '\\' => "'\\\\'".to_owned(),
        c if c.is_control() => format!("'{}'", c.escape_default()),
        c => format!("'{c}'"),
    }
}

/// Helm's complaint when a key path goes through a value of the wrong kind.
fn not_a(value: &Value, wanted: &str) -> SetError {
    refused(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {wanted}",
        value.go_type()
    ))
}
