//! Label and field selectors, as list and watch requests give them.

use serde_json::Value;

use super::ApiError;
use crate::catalog::json_path;

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum LabelRequirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed `labelSelector`; every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<LabelRequirement>);

impl LabelSelector {
    /// Parses the selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(term).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "unable to parse requirement: found '{term}', expected: in, notin, =, ==, !=, gt, lt"
                ))
            })?);
        }
        Ok(Self(requirements))
    }

    /// Whether an object with `labels` is selected.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|requirement| match requirement {
            LabelRequirement::Equals(key, value) => label(key) == Some(value.as_str()),
            LabelRequirement::NotEquals(key, value) => label(key) != Some(value.as_str()),
            LabelRequirement::In(key, values) => {
                label(key).is_some_and(|v| values.iter().any(|x| x == v))
            }
            LabelRequirement::NotIn(key, values) => {
                label(key).is_none_or(|v| !values.iter().any(|x| x == v))
            }
            LabelRequirement::Exists(key) => label(key).is_some(),
            LabelRequirement::DoesNotExist(key) => label(key).is_none(),
        })
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Splits on commas that are not inside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_requirement(term: &str) -> Option<LabelRequirement> {
    if let Some(key) = term.strip_prefix('!') {
        return valid_key(key.trim()).map(|k| LabelRequirement::DoesNotExist(k.to_owned()));
    }
    for (operator, build) in [
        (
            "!=",
            LabelRequirement::NotEquals as fn(String, String) -> LabelRequirement,
        ),
        ("==", LabelRequirement::Equals),
        ("=", LabelRequirement::Equals),
    ] {
        if let Some((key, value)) = term.split_once(operator) {
            let key = valid_key(key.trim())?;
            return Some(build(key.to_owned(), value.trim().to_owned()));
        }
    }
    for (operator, build) in [
        (
            " notin ",
            LabelRequirement::NotIn as fn(String, Vec<String>) -> LabelRequirement,
        ),
        (" in ", LabelRequirement::In),
    ] {
        if let Some((key, values)) = term.split_once(operator) {
            let key = valid_key(key.trim())?;
            let values = values.trim().strip_prefix('(')?.strip_suffix(')')?;
            let values = values.split(',').map(|v| v.trim().to_owned()).collect();
            return Some(build(key.to_owned(), values));
        }
    }
    valid_key(term).map(|k| LabelRequirement::Exists(k.to_owned()))
}

fn valid_key(key: &str) -> Option<&str> {
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then_some(key)
}

/// One requirement of a field selector.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FieldRequirement {
    field: String,
    value: String,
    equal: bool,
}

/// A parsed `fieldSelector`; every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<FieldRequirement>);

/// Fields of a kind, beyond `metadata.name` and `metadata.namespace`, a selector may use.
fn selectable_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        "Secret" => &["type"],
        "Namespace" => &["status.phase"],
        "Node" => &["spec.unschedulable"],
        "ReplicaSet" | "Job" => &["status.replicas", "status.successful"],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses `a=b,c!=d` for objects of `kind`; unknown fields are refused as a real server does.
    pub fn parse(text: &str, kind: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, value, equal) = if let Some((f, v)) = term.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, v, true)
            } else {
                return Err(ApiError::BadRequest(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                )));
            };
            let field = field.trim();
            let known = matches!(field, "metadata.name" | "metadata.namespace")
                || selectable_fields(kind).contains(&field);
            if !known {
                return Err(ApiError::BadRequest(format!(
                    "field label not supported: {field}"
                )));
            }
            requirements.push(FieldRequirement {
                field: field.to_owned(),
                value: value.trim().to_owned(),
                equal,
            });
        }
        Ok(Self(requirements))
    }

    /// Whether `object` is selected.
    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|requirement| {
            let actual = match json_path(object, &requirement.field) {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (actual == requirement.value) == requirement.equal
        })
    }

    /// The value an equality requirement on `metadata.name` demands, if any.
    pub fn name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|r| r.equal && r.field == "metadata.name")
            .map(|r| r.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn label_selectors_follow_kubernetes_semantics() {
        let labels = json!({"app": "web", "tier": "front", "env": "prod"});
        let selects = |text: &str| LabelSelector::parse(text).unwrap().matches(Some(&labels));
        assert!(selects(""));
        assert!(selects("app=web"));
        assert!(selects("app==web,tier=front"));
        assert!(!selects("app=db"));
        assert!(selects("app!=db"));
        assert!(selects("env in (prod, staging)"));
        assert!(!selects("env notin (prod)"));
        assert!(selects("tier"));
        assert!(selects("!missing"));
        assert!(!selects("!app"));
        assert!(selects("missing notin (x)"));
        assert!(!selects("missing in (x)"));
        assert!(LabelSelector::parse("app in prod").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn field_selectors_read_the_object() {
        let pod = json!({"metadata": {"name": "p", "namespace": "demo"}, "spec": {"nodeName": "node-1"}, "status": {"phase": "Running"}});
        let selects = |text: &str| FieldSelector::parse(text, "Pod").unwrap().matches(&pod);
        assert!(selects("metadata.name=p"));
        assert!(selects("spec.nodeName=node-1,status.phase!=Pending"));
        assert!(!selects("metadata.namespace=other"));
        assert!(selects("spec.schedulerName="));
        assert!(FieldSelector::parse("spec.containers=x", "Pod").is_err());
        assert!(FieldSelector::parse("spec.nodeName=x", "ConfigMap").is_err());
        assert_eq!(
            FieldSelector::parse("metadata.name=p", "Pod")
                .unwrap()
                .name(),
            Some("p")
        );
    }
}
