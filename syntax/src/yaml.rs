//! YAML as people edit Kubernetes objects in it: documents read with the line of each error,
//! objects written back, and the line a field path (`spec.replicas`) an API server names is on.

use serde::Deserialize;
use serde_json::Value;

/// A document that is not valid YAML, or not an object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What is wrong.
    pub message: String,
    /// The line it is on, from 1, when known.
    pub line: Option<usize>,
}

/// Every document in `text`, each read on its own; empty documents are skipped.
pub fn documents(text: &str) -> Vec<Result<Value, YamlError>> {
    let mut read = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        match Value::deserialize(document) {
            Ok(Value::Null) => {}
            Ok(value @ Value::Object(_)) => read.push(Ok(value)),
            Ok(_) => read.push(Err(YamlError {
                message: "a document must be an object with apiVersion, kind and metadata".into(),
                line: None,
            })),
            Err(error) => {
                read.push(Err(YamlError {
                    line: error.location().map(|location| location.line()),
                    message: error.to_string(),
                }));
                // After a syntax error the rest of the stream cannot be trusted.
                break;
            }
        }
    }
    read
}

/// The single object `text` holds.
pub fn object(text: &str) -> Result<Value, YamlError> {
    let mut documents = documents(text).into_iter();
    match (documents.next(), documents.next()) {
        (Some(only), None) => only,
        (None, _) => Err(YamlError {
            message: "the text holds no object".into(),
            line: None,
        }),
        (Some(_), Some(_)) => Err(YamlError {
            message: "the text holds more than one object; edit one at a time".into(),
            line: None,
        }),
    }
}

/// `value` as YAML.
pub fn to_text(value: &Value) -> String {
    serde_yaml_ng::to_string(value).unwrap_or_else(|error| format!("# {error}\n"))
}

/// The field path an API server's error message names (`spec.replicas` in
/// `… is invalid: spec.replicas: Invalid value: -1: …`), if any.
pub fn field_in_message(message: &str) -> Option<&str> {
    const CAUSES: [&str; 8] = [
        "Invalid value",
        "Required value",
        "Unsupported value",
        "Forbidden",
        "Duplicate value",
        "Too long",
        "Too many",
        "Not found",
    ];
    let mut rest = message;
    while let Some(at) = rest.find(": ") {
        let after = &rest[at + 2..];
        if CAUSES.iter().any(|cause| after.starts_with(cause)) {
            let before = &rest[..at];
            let start = before
                .rfind(|c: char| c.is_whitespace() || c == ',')
                .map_or(0, |i| i + 1);
            // A list of causes opens with a bracket, which no field starts with.
            let field = before[start..].trim_start_matches('[');
            if !field.is_empty() {
                return Some(field);
            }
        }
        rest = after;
    }
    None
}

/// The line, from 1, where `path` (`spec.template.spec.containers[0].image`) is in the YAML
/// `text`: the deepest part of the path found.
pub fn line_of(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = None;
    // The block being searched: lines after `start` indented more than `parent`.
    let (mut start, mut parent) = (0usize, -1isize);
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        let at = find_key(&lines, start, parent, key)?;
        found = Some(at + 1);
        let (indent, _) = content(lines[at]);
        // The key's own column: after any `- ` that opens a sequence item on its line.
        let key_column = lines[at].find(key).unwrap_or(0) as isize;
        (start, parent) = (at + 1, key_column);
        for index in indices
            .split(['[', ']'])
            .filter_map(|i| i.parse::<usize>().ok())
        {
            let item = find_item(&lines, start, indent, index)?;
            found = Some(item + 1);
            let dash = lines[item].find('-').unwrap_or(0) as isize;
            // The item's keys start on its own line, after the dash.
            (start, parent) = (item, dash);
        }
    }
    found
}

/// A line's indentation and what follows it; blank and comment lines have none.
fn content(line: &str) -> (isize, &str) {
    let trimmed = line.trim_start();
    (
        (line.len() - trimmed.len()) as isize,
        if trimmed.starts_with('#') {
            ""
        } else {
            trimmed
        },
    )
}

fn find_key(lines: &[&str], start: usize, parent: isize, key: &str) -> Option<usize> {
    for (at, line) in lines.iter().enumerate().skip(start) {
        let (indent, text) = content(line);
        if text.is_empty() {
            continue;
        }
        // A line at or left of the parent's column ends the block, unless it is the item line
        // the search starts on.
        if indent <= parent && !(at == start && text.starts_with("- ")) {
            return None;
        }
        let text = text.trim_start_matches("- ");
        let bare = text
            .strip_prefix(key)
            .is_some_and(|after| after.starts_with(':'));
        let quoted = text
            .strip_prefix(&format!("\"{key}\""))
            .is_some_and(|after| after.starts_with(':'));
        if bare || quoted {
            return Some(at);
        }
    }
    None
}

fn find_item(lines: &[&str], start: usize, key_indent: isize, index: usize) -> Option<usize> {
    let mut seen = 0;
    for (at, line) in lines.iter().enumerate().skip(start) {
        let (indent, text) = content(line);
        if text.is_empty() {
            continue;
        }
        if indent < key_indent || (indent == key_indent && !text.starts_with('-')) {
            return None;
        }
        if text.starts_with('-') {
            if seen == index {
                return Some(at);
            }
            seen += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: a
        image: one
      - name: b
        image: two
";

    #[test]
    fn documents_are_read_one_by_one_with_the_line_of_an_error() {
        let read = documents("a: 1\n---\nb: 2\n---\n");
        assert_eq!(read, [Ok(json!({"a": 1})), Ok(json!({"b": 2}))]);
        let broken = documents("a: 1\n---\nb: [1,\nc: 2\n");
        assert_eq!(broken[0], Ok(json!({"a": 1})));
        let error = broken[1].clone().unwrap_err();
        assert!(error.line.is_some_and(|line| line >= 3), "{error:?}");
        assert!(documents("- 1\n- 2\n")[0].is_err(), "a list is no object");
        assert!(object("a: 1\n---\nb: 2\n").is_err());
        assert_eq!(
            object(&to_text(&json!({"x": {"y": [1]}}))),
            Ok(json!({"x": {"y": [1]}}))
        );
    }

    #[test]
    fn the_field_an_error_names_is_found_in_the_text() {
        let message = "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: \
                       must be greater than or equal to 0";
        assert_eq!(field_in_message(message), Some("spec.replicas"));
        assert_eq!(
            field_in_message("[spec.template.spec.containers[1].image: Required value]"),
            Some("spec.template.spec.containers[1].image")
        );
        assert_eq!(field_in_message("the server could not find it"), None);
        assert_eq!(line_of(DEPLOYMENT, "spec.replicas"), Some(6));
        assert_eq!(line_of(DEPLOYMENT, "metadata.name"), Some(4));
        assert_eq!(
            line_of(DEPLOYMENT, "spec.template.spec.containers[1].image"),
            Some(13)
        );
        assert_eq!(
            line_of(DEPLOYMENT, "spec.template.spec.containers[0]"),
            Some(10)
        );
        assert_eq!(line_of(DEPLOYMENT, "spec.paused"), None);
        assert_eq!(line_of(DEPLOYMENT, "status.replicas"), None);
    }
}
