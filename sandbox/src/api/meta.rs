//! Object metadata: reading it, validating names, and the fields the server sets.

use serde_json::{Map, Value, json};

use super::{ApiError, Cause};
use crate::catalog::ResourceType;

/// The object's `metadata`, if it is a map.
pub fn metadata(object: &Value) -> Option<&Map<String, Value>> {
    object.get("metadata")?.as_object()
}

/// The object's `metadata`, created empty if missing.
pub fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    match object.get_mut("metadata") {
        Some(Value::Object(metadata)) => metadata,
        _ => unreachable!("metadata was just made a map"),
    }
}

/// A string field of `metadata`.
pub fn meta_str<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    metadata(object)?
        .get(field)?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// The object's finalizers.
pub fn finalizers(object: &Value) -> Vec<String> {
    crate::catalog::strings(metadata(object).and_then(|m| m.get("finalizers")))
}

/// Now, as Kubernetes writes timestamps: whole seconds, never ahead of the clock.
pub fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// Which naming rule a type's objects follow.
fn name_rule(resource_type: &ResourceType) -> NameRule {
    match (resource_type.group.as_str(), resource_type.plural.as_str()) {
        ("", "namespaces") => NameRule::Label,
        ("", "services") => NameRule::Dns1035,
        ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    PathSegment,
}

/// Problems with `name` for an object of `resource_type`, worded as a real server words them.
pub fn validate_name(resource_type: &ResourceType, name: &str) -> Option<Cause> {
    let problem = match name_rule(resource_type) {
        NameRule::Subdomain => (!is_subdomain(name)).then_some({
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character (e.g. \
             'example.com', regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        }),
        NameRule::Label => (!is_label(name)).then_some({
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \
             '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or \
             '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        }),
        NameRule::Dns1035 => {
            let starts_with_letter = name.starts_with(|c: char| c.is_ascii_lowercase());
            (!(is_label(name) && starts_with_letter)).then_some({
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', \
                 start with an alphabetic character, and end with an alphanumeric character \
                 (e.g. 'my-name',  or 'abc-123', regex used for validation is \
                 '[a-z]([-a-z0-9]*[a-z0-9])?')"
            })
        }
        NameRule::PathSegment => (name == "." || name == ".." || name.contains(['/', '%']))
            .then_some("may not be '.' or '..' and may not contain '/' or '%'"),
    };
    problem.map(|message| Cause {
        reason: "FieldValueInvalid",
        field: "metadata.name".to_owned(),
        message: format!("Invalid value: {name:?}: {message}"),
    })
}

/// RFC 1123 label: at most 63 lowercase alphanumerics or '-', alphanumeric at both ends.
pub fn is_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_label)
}

/// Checks that the body's `apiVersion` and `kind` are those of the URL; fills them if absent.
pub fn check_type(resource_type: &ResourceType, object: &mut Value) -> Result<(), ApiError> {
    let expected_version = resource_type.api_version();
    match object.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => object["apiVersion"] = json!(expected_version),
        Some(version) if version == expected_version => {}
        Some(version) => {
            return Err(ApiError::BadRequest(format!(
                "the API version in the data ({version}) does not match the expected API version ({expected_version})"
            )));
        }
    }
    match object.get("kind").and_then(Value::as_str) {
        None | Some("") => object["kind"] = json!(resource_type.kind),
        Some(kind) if kind == resource_type.kind => {}
        Some(kind) => {
            return Err(ApiError::BadRequest(format!(
                "the kind in the data ({kind}) does not match the expected kind ({})",
                resource_type.kind
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn names_follow_the_rule_of_their_type() {
        let catalog = Catalog::builtin();
        let configmaps = catalog.get("", "v1", "configmaps").unwrap();
        let namespaces = catalog.get("", "v1", "namespaces").unwrap();
        let services = catalog.get("", "v1", "services").unwrap();
        let roles = catalog
            .get("rbac.authorization.k8s.io", "v1", "clusterroles")
            .unwrap();
        assert!(validate_name(&configmaps, "app.config-1").is_none());
        assert!(validate_name(&configmaps, "Bad_Name").is_some());
        assert!(validate_name(&namespaces, "a.b").is_some());
        assert!(validate_name(&services, "1web").is_some());
        assert!(validate_name(&services, "web-1").is_none());
        assert!(validate_name(&roles, "system:controller").is_none());
        assert_eq!(
            validate_name(&configmaps, "-x").unwrap().field,
            "metadata.name"
        );
        assert!(!is_label(&"a".repeat(64)));
    }

    #[test]
    fn body_type_must_match_the_url() {
        let catalog = Catalog::builtin();
        let deployments = catalog.get("apps", "v1", "deployments").unwrap();
        let mut missing = json!({});
        check_type(&deployments, &mut missing).unwrap();
        assert_eq!(missing["apiVersion"], "apps/v1");
        assert_eq!(missing["kind"], "Deployment");
        let mut wrong_kind = json!({"apiVersion": "apps/v1", "kind": "StatefulSet"});
        assert!(check_type(&deployments, &mut wrong_kind).is_err());
        let mut wrong_version = json!({"apiVersion": "v1", "kind": "Deployment"});
        assert!(check_type(&deployments, &mut wrong_version).is_err());
    }
}
