//! `values.schema.json`: a chart's values checked against its JSON Schema before rendering, as
//! Helm checks them (drafts 4 to 7, the checks in the order Helm's validator makes them, and
//! its words for each failure, as `- field: what is wrong`).

use orbital_template::{Map, Value, to_json};
use serde_json::Value as Json;

use crate::error::ChartError;

/// The failures of one validation, and how well it went (which of several alternatives of
/// `anyOf` or `oneOf` came closest is the one whose failures are told).
#[derive(Default)]
struct Outcome {
    errors: Vec<String>,
    score: i64,
}

impl Outcome {
    fn fail(&mut self, path: &[String], description: String) {
        self.errors.push(format!("{}: {description}", field(path)));
        self.score -= 2;
    }

    fn merge(&mut self, other: Outcome) {
        self.errors.extend(other.errors);
        self.score += other.score;
    }

    fn valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How a failure names where it is: `(root)`, or the path below it joined by dots.
fn field(path: &[String]) -> String {
    if path.is_empty() {
        "(root)".to_owned()
    } else {
        path.join(".")
    }
}

fn child(path: &[String], step: impl Into<String>) -> Vec<String> {
    let mut path = path.to_vec();
    path.push(step.into());
    path
}

/// Checks `values` against a chart's schema; the failures, each as `- field: description`.
pub(crate) fn validate(schema: &[u8], values: &Map) -> Result<Vec<String>, ChartError> {
    let root: Json = serde_json::from_slice(schema).map_err(|error| {
        ChartError::Values(format!("invalid character in values.schema.json: {error}"))
    })?;
    let validator = Validator { root: &root };
    let outcome = validator.check(&root, &Value::Map(values.clone()), &[])?;
    Ok(outcome
        .errors
        .into_iter()
        .map(|error| format!("- {error}\n"))
        .collect())
}

struct Validator<'a> {
    root: &'a Json,
}

/// A value's JSON, numbers compared by value (`1` and `1.0` are the same).
fn canonical(value: &Value) -> String {
    to_json(value)
}

fn canonical_json(value: &Json) -> String {
    to_json(&Value::from(value.clone()))
}

fn is_integer(number: f64) -> bool {
    number.fract() == 0.0
}

fn number_text(number: f64) -> String {
    Value::Float(number).print()
}

fn unsigned(schema: &Json, key: &str) -> Option<u64> {
    schema.get(key).and_then(|value| {
        value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|n| is_integer(*n) && *n >= 0.0)
                .map(|n| n as u64)
        })
    })
}

impl Validator<'_> {
    fn resolve(&self, reference: &str) -> Result<&Json, ChartError> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            ChartError::Unsupported(format!("a values schema referring to {reference}"))
        })?;
        let found = if pointer.is_empty() {
            Some(self.root)
        } else {
            self.root.pointer(pointer)
        };
        found.ok_or_else(|| {
            ChartError::Values(format!(
                "Object has no key '{}'",
                pointer.trim_start_matches('/')
            ))
        })
    }

    fn check(&self, schema: &Json, node: &Value, path: &[String]) -> Result<Outcome, ChartError> {
        let mut outcome = Outcome::default();
        self.recurse(schema, node, path, &mut outcome)?;
        Ok(outcome)
    }

    /// gojsonschema's `validateRecursive`.
    fn recurse(
        &self,
        schema: &Json,
        node: &Value,
        path: &[String],
        outcome: &mut Outcome,
    ) -> Result<(), ChartError> {
        match schema {
            Json::Bool(true) => return Ok(()),
            Json::Bool(false) => {
                outcome.fail(path, "False always fails validation".to_owned());
                return Ok(());
            }
            _ => {}
        }
        if let Some(Json::String(reference)) = schema.get("$ref") {
            let target = self.resolve(reference)?;
            return self.recurse(target, node, path, outcome);
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(one)) => vec![one.as_str()],
            Some(Json::Array(many)) => many.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        let expected = if types.len() > 1 {
            format!("[{}]", types.join(","))
        } else {
            types.first().copied().unwrap_or_default().to_owned()
        };
        let given = match node {
            Value::Nil => "null",
            Value::Int(_) | Value::Int64(_) => "integer",
            Value::Float(number) if is_integer(*number) => "integer",
            Value::Float(_) => "number",
            Value::List(_) => "array",
            Value::Map(_) | Value::Object(_) => "object",
            Value::Bool(_) => "boolean",
            Value::Str(_) => "string",
        };
        let accepted = types.contains(&given) || (given == "integer" && types.contains(&"number"));
        if !types.is_empty() && !accepted {
            outcome.fail(
                path,
                format!("Invalid type. Expected: {expected}, given: {given}"),
            );
            return Ok(());
        }
        self.combinators(schema, node, path, outcome)?;
        match node {
            Value::Int(_) | Value::Int64(_) | Value::Float(_) => {
                self.number(schema, node, path, outcome)
            }
            Value::List(items) => self.array(schema, items, path, outcome)?,
            Value::Map(entries) => self.object(schema, entries, path, outcome)?,
            _ => {}
        }
        self.common(schema, node, path, outcome);
        if let Value::Str(text) = node {
            self.string(schema, text, path, outcome);
        }
        if let (Value::Map(entries), Some(Json::Object(properties))) =
            (node, schema.get("properties"))
        {
            for (name, property) in properties {
                if let Some(value) = entries.get(name) {
                    self.recurse(property, &value, &child(path, name.clone()), outcome)?;
                }
            }
        }
        outcome.score += 1;
        Ok(())
    }

    /// Checks `attempts` in order until one passes: `None` when one does, else the failure
    /// that came closest (the highest score, the first of equals), whose errors are told.
    fn first_passing<'n>(
        &self,
        attempts: impl Iterator<Item = (&'n Json, &'n Value, Vec<String>)>,
    ) -> Result<Option<Outcome>, ChartError> {
        let mut closest: Option<Outcome> = None;
        for (schema, node, path) in attempts {
            let result = self.check(schema, node, &path)?;
            if result.valid() {
                return Ok(None);
            }
            if closest
                .as_ref()
                .is_none_or(|best| result.score > best.score)
            {
                closest = Some(result);
            }
        }
        Ok(Some(closest.unwrap_or_default()))
    }

    /// `anyOf`, `oneOf`, `allOf`, `not`, `dependencies` and `if`/`then`/`else`.
    fn combinators(
        &self,
        schema: &Json,
        node: &Value,
        path: &[String],
        outcome: &mut Outcome,
    ) -> Result<(), ChartError> {
        if let Some(Json::Array(alternatives)) = schema.get("anyOf")
            && !alternatives.is_empty()
        {
            let attempts = alternatives
                .iter()
                .map(|alternative| (alternative, node, path.to_vec()));
            if let Some(closest) = self.first_passing(attempts)? {
                outcome.fail(path, "Must validate at least one schema (anyOf)".to_owned());
                outcome.merge(closest);
            }
        }
        if let Some(Json::Array(alternatives)) = schema.get("oneOf") {
            let mut passed = 0;
            let mut best: Option<Outcome> = None;
            for alternative in alternatives {
                let result = self.check(alternative, node, path)?;
                if result.valid() {
                    passed += 1;
                } else if passed == 0 && best.as_ref().is_none_or(|best| result.score > best.score)
                {
                    best = Some(result);
                }
            }
            if passed != 1 {
                outcome.fail(
                    path,
                    "Must validate one and only one schema (oneOf)".to_owned(),
                );
                if passed == 0
                    && let Some(best) = best
                {
                    outcome.merge(best);
                }
            }
        }
        if let Some(Json::Array(all)) = schema.get("allOf") {
            let mut passed = 0;
            for each in all {
                let result = self.check(each, node, path)?;
                if result.valid() {
                    passed += 1;
                }
                outcome.merge(result);
            }
            if passed != all.len() {
                outcome.fail(path, "Must validate all the schemas (allOf)".to_owned());
            }
        }
        if let Some(not) = schema.get("not")
            && self.check(not, node, path)?.valid()
        {
            outcome.fail(path, "Must not validate the schema (not)".to_owned());
        }
        if let (Some(Json::Object(dependencies)), Value::Map(entries)) =
            (schema.get("dependencies"), node)
        {
            for key in entries.snapshot().keys() {
                match dependencies.get(key) {
                    Some(Json::Array(needed)) => {
                        for needed in needed.iter().filter_map(Json::as_str) {
                            if !entries.contains_key(needed) {
                                outcome.fail(path, format!("Has a dependency on {needed}"));
                            }
                        }
                    }
                    Some(dependency @ (Json::Object(_) | Json::Bool(_))) => {
                        self.recurse(dependency, node, path, outcome)?;
                    }
                    _ => {}
                }
            }
        }
        if let Some(condition) = schema.get("if") {
            let matched = self.check(condition, node, path)?.valid();
            let (branch, message) = if matched {
                ("then", "Must validate \"then\" as \"if\" was valid")
            } else {
                ("else", "Must validate \"else\" as \"if\" was not valid")
            };
            if let Some(branch_schema) = schema.get(branch) {
                let result = self.check(branch_schema, node, path)?;
                if !result.valid() {
                    outcome.fail(path, message.to_owned());
                    outcome.merge(result);
                }
            }
        }
        outcome.score += 1;
        Ok(())
    }

    /// `const`, `enum` and `format`.
    fn common(&self, schema: &Json, node: &Value, path: &[String], outcome: &mut Outcome) {
        if let Some(constant) = schema.get("const") {
            let allowed = canonical_json(constant);
            if canonical(node) != allowed {
                outcome.fail(path, format!("{} does not match: {allowed}", field(path)));
            }
        }
        if let Some(Json::Array(choices)) = schema.get("enum")
            && !choices.is_empty()
        {
            let allowed: Vec<String> = choices.iter().map(canonical_json).collect();
            if !allowed.contains(&canonical(node)) {
                outcome.fail(
                    path,
                    format!(
                        "{} must be one of the following: {}",
                        field(path),
                        allowed.join(", ")
                    ),
                );
            }
        }
        if let (Some(Json::String(format)), Value::Str(text)) = (schema.get("format"), node)
            && !format_matches(format, text)
        {
            outcome.fail(path, format!("Does not match format '{format}'"));
        }
        outcome.score += 1;
    }

    fn number(&self, schema: &Json, node: &Value, path: &[String], outcome: &mut Outcome) {
        let number = match node {
            #[allow(clippy::cast_precision_loss)]
            Value::Int(n) | Value::Int64(n) => *n as f64,
            Value::Float(n) => *n,
            _ => return,
        };
        if let Some(multiple) = schema.get("multipleOf").and_then(Json::as_f64)
            && multiple != 0.0
            && !is_integer(number / multiple)
        {
            outcome.fail(
                path,
                format!("Must be a multiple of {}", number_text(multiple)),
            );
        }
        let (mut maximum, mut exclusive_maximum) = (
            schema.get("maximum").and_then(Json::as_f64),
            schema.get("exclusiveMaximum").and_then(Json::as_f64),
        );
        // Draft 4: a boolean makes `maximum` exclusive.
        if schema.get("exclusiveMaximum") == Some(&Json::Bool(true)) {
            exclusive_maximum = maximum.take();
        }
        let (mut minimum, mut exclusive_minimum) = (
            schema.get("minimum").and_then(Json::as_f64),
            schema.get("exclusiveMinimum").and_then(Json::as_f64),
        );
        if schema.get("exclusiveMinimum") == Some(&Json::Bool(true)) {
            exclusive_minimum = minimum.take();
        }
        if let Some(max) = maximum.filter(|max| number > *max) {
            outcome.fail(
                path,
                format!("Must be less than or equal to {}", number_text(max)),
            );
        }
        if let Some(max) = exclusive_maximum.filter(|max| number >= *max) {
            outcome.fail(path, format!("Must be less than {}", number_text(max)));
        }
        if let Some(min) = minimum.filter(|min| number < *min) {
            outcome.fail(
                path,
                format!("Must be greater than or equal to {}", number_text(min)),
            );
        }
        if let Some(min) = exclusive_minimum.filter(|min| number <= *min) {
            outcome.fail(path, format!("Must be greater than {}", number_text(min)));
        }
        outcome.score += 1;
    }

    fn string(&self, schema: &Json, text: &str, path: &[String], outcome: &mut Outcome) {
        let length = text.chars().count() as u64;
        if let Some(min) = unsigned(schema, "minLength").filter(|min| length < *min) {
            outcome.fail(
                path,
                format!("String length must be greater than or equal to {min}"),
            );
        }
        if let Some(max) = unsigned(schema, "maxLength").filter(|max| length > *max) {
            outcome.fail(
                path,
                format!("String length must be less than or equal to {max}"),
            );
        }
        if let Some(Json::String(pattern)) = schema.get("pattern")
            && regex::Regex::new(pattern).is_ok_and(|compiled| !compiled.is_match(text))
        {
            outcome.fail(path, format!("Does not match pattern '{pattern}'"));
        }
        outcome.score += 1;
    }

    fn array(
        &self,
        schema: &Json,
        items: &[Value],
        path: &[String],
        outcome: &mut Outcome,
    ) -> Result<(), ChartError> {
        match schema.get("items") {
            Some(Json::Array(positional)) => {
                for (at, (item_schema, item)) in positional.iter().zip(items).enumerate() {
                    let result = self.check(item_schema, item, &child(path, at.to_string()))?;
                    outcome.merge(result);
                }
                if positional.len() < items.len() {
                    match schema.get("additionalItems") {
                        Some(Json::Bool(false)) => {
                            outcome.fail(path, "No additional items allowed on array".to_owned())
                        }
                        Some(additional @ Json::Object(_)) => {
                            for (at, item) in items.iter().enumerate().skip(positional.len()) {
                                let result =
                                    self.check(additional, item, &child(path, at.to_string()))?;
                                outcome.merge(result);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some(single @ (Json::Object(_) | Json::Bool(_))) => {
                for (at, item) in items.iter().enumerate() {
                    let result = self.check(single, item, &child(path, at.to_string()))?;
                    outcome.merge(result);
                }
            }
            _ => {}
        }
        let count = items.len() as u64;
        if let Some(min) = unsigned(schema, "minItems").filter(|min| count < *min) {
            outcome.fail(path, format!("Array must have at least {min} items"));
        }
        if let Some(max) = unsigned(schema, "maxItems").filter(|max| count > *max) {
            outcome.fail(path, format!("Array must have at most {max} items"));
        }
        if schema.get("uniqueItems") == Some(&Json::Bool(true)) {
            let mut seen: Vec<(String, usize)> = Vec::new();
            for (j, item) in items.iter().enumerate() {
                let text = canonical(item);
                if let Some(at) = seen.iter().position(|(seen, _)| *seen == text) {
                    let i = seen[at].1;
                    outcome.fail(path, format!("array items[{i},{j}] must be unique"));
                    seen[at].1 = j;
                } else {
                    seen.push((text, j));
                }
            }
        }
        if let Some(contains) = schema.get("contains") {
            let attempts = items
                .iter()
                .enumerate()
                .map(|(at, item)| (contains, item, child(path, at.to_string())));
            if let Some(closest) = self.first_passing(attempts)? {
                outcome.fail(path, "At least one of the items must match".to_owned());
                outcome.merge(closest);
            }
        }
        outcome.score += 1;
        Ok(())
    }

    fn object(
        &self,
        schema: &Json,
        entries: &Map,
        path: &[String],
        outcome: &mut Outcome,
    ) -> Result<(), ChartError> {
        let entries = entries.snapshot();
        let count = entries.len() as u64;
        if let Some(min) = unsigned(schema, "minProperties").filter(|min| count < *min) {
            outcome.fail(path, format!("Must have at least {min} properties"));
        }
        if let Some(max) = unsigned(schema, "maxProperties").filter(|max| count > *max) {
            outcome.fail(path, format!("Must have at most {max} properties"));
        }
        if let Some(Json::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Json::as_str) {
                if entries.contains_key(name) {
                    outcome.score += 1;
                } else {
                    outcome.fail(path, format!("{name} is required"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Json::as_object);
        let patterns = schema.get("patternProperties").and_then(Json::as_object);
        for (key, value) in &entries {
            let declared = properties.is_some_and(|properties| properties.contains_key(key));
            let mut matched_pattern = false;
            for (pattern, pattern_schema) in patterns.into_iter().flatten() {
                if regex::Regex::new(pattern).is_ok_and(|compiled| compiled.is_match(key)) {
                    matched_pattern = true;
                    let result = self.check(pattern_schema, value, &child(path, key.clone()))?;
                    outcome.merge(result);
                }
            }
            if declared || matched_pattern {
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Json::Bool(false)) => {
                    outcome.fail(path, format!("Additional property {key} is not allowed"));
                }
                Some(additional @ Json::Object(_)) => {
                    let result = self.check(additional, value, &child(path, key.clone()))?;
                    outcome.merge(result);
                }
                _ => {}
            }
        }
        if let Some(names) = schema.get("propertyNames") {
            for key in entries.keys() {
                let result = self.check(names, &Value::Str(key.clone()), path)?;
                if !result.valid() {
                    outcome.fail(path, format!("Property name of \"{key}\" does not match"));
                    outcome.merge(result);
                }
            }
        }
        outcome.score += 1;
        Ok(())
    }
}

/// The formats checked; others pass, as Helm's validator lets unknown formats pass.
fn format_matches(format: &str, text: &str) -> bool {
    match format {
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => {
            let parts: Vec<&str> = text.split('-').collect();
            parts.iter().map(|part| part.len()).eq([8, 4, 4, 4, 12])
                && parts
                    .iter()
                    .all(|part| part.bytes().all(|byte| byte.is_ascii_hexdigit()))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(schema: &str, values: &str) -> Vec<String> {
        let Value::Map(values) = orbital_template::read_yaml(values).unwrap() else {
            panic!("values are a map")
        };
        validate(schema.as_bytes(), &values).unwrap()
    }

    #[test]
    fn failures_are_told_in_helms_words_object_first_then_its_properties() {
        let schema = r#"{
            "type": "object",
            "required": ["image", "port"],
            "properties": {
                "image": {"type": "string"},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "mode": {"enum": ["a", "b"]},
                "name": {"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
                "list": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}
            },
            "additionalProperties": false
        }"#;
        assert_eq!(
            errors(
                schema,
                "port: 70000\nmode: c\nname: Abcd\nlist: [x, 1, x]\nextra: 1\n"
            ),
            [
                "- (root): image is required\n",
                "- (root): Additional property extra is not allowed\n",
                "- list.1: Invalid type. Expected: string, given: integer\n",
                "- list: array items[0,2] must be unique\n",
                "- mode: mode must be one of the following: \"a\", \"b\"\n",
                "- name: String length must be less than or equal to 3\n",
                "- name: Does not match pattern '^[a-z]+$'\n",
                "- port: Must be less than or equal to 65535\n",
            ]
        );
        assert!(errors(schema, "image: x\nport: 80\n").is_empty());
    }

    #[test]
    fn references_and_alternatives_are_followed() {
        let schema = r##"{
            "definitions": {"size": {"type": "string", "pattern": "^[0-9]+Gi$"}},
            "properties": {
                "size": {"$ref": "#/definitions/size"},
                "replicas": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^auto$"}]}
            }
        }"##;
        assert_eq!(
            errors(schema, "size: 10Mi\nreplicas: many\n"),
            [
                "- replicas: Must validate at least one schema (anyOf)\n",
                "- replicas: Does not match pattern '^auto$'\n",
                "- size: Does not match pattern '^[0-9]+Gi$'\n",
            ]
        );
        assert!(matches!(
            validate(
                br#"{"$ref": "https://example.com/s.json"}"#,
                &Map::default()
            ),
            Err(ChartError::Unsupported(_))
        ));
    }
}
