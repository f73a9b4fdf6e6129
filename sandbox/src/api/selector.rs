//! Label and field selectors, as list and watch requests give them.

use serde_json::Value;

pub use orbital_syntax::LabelSelector;

use super::ApiError;
use crate::catalog::json_path;

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
