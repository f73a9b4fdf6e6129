//! Label sets as people type them (`env=prod, team=payments`), checked against the rules an API
//! server applies to `metadata.labels`, so a bad label is refused with a reason before it is sent.

use std::collections::BTreeMap;

/// Why a label set was refused; the message names the label and the rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LabelSetError {
    /// A term is not `key=value`.
    #[error("{0:?} is not a label: write key=value")]
    NotALabel(String),
    /// A key breaks the key rules.
    #[error(
        "{0:?} is not a valid label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    )]
    InvalidKey(String),
    /// A value breaks the value rules.
    #[error(
        "{0:?} is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)"
    )]
    InvalidValue(String),
    /// A key appears twice with different values.
    #[error("the label {0:?} is given twice")]
    Repeated(String),
}

/// Parses `key=value` terms separated by commas or new lines; blank terms are skipped.
pub fn parse_label_set(text: &str) -> Result<BTreeMap<String, String>, LabelSetError> {
    let mut labels = BTreeMap::new();
    for term in text.split([',', '\n']).map(str::trim) {
        if term.is_empty() {
            continue;
        }
        let (key, value) = term
            .split_once('=')
            .ok_or_else(|| LabelSetError::NotALabel(term.to_owned()))?;
        let (key, value) = (key.trim(), value.trim());
        if !is_valid_key(key) {
            return Err(LabelSetError::InvalidKey(key.to_owned()));
        }
        if !value.is_empty() && !is_valid_name(value) {
            return Err(LabelSetError::InvalidValue(value.to_owned()));
        }
        if labels.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(LabelSetError::Repeated(key.to_owned()));
        }
    }
    Ok(labels)
}

/// A label key: `[prefix/]name`, the prefix a DNS-1123 subdomain.
fn is_valid_key(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_valid_name(name),
        None => is_valid_name(key),
    }
}

/// A label name or value: at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends.
fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.
fn is_dns_subdomain(prefix: &str) -> bool {
    prefix.len() <= 253 && prefix.split('.').all(is_dns_label)
}

/// Whether `name` is a DNS-1123 label: at most 63 lower-case letters, digits and '-',
/// alphanumeric at both ends (what Kubernetes requires of namespace and cluster names).
pub fn is_dns_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_are_read_and_checked_like_metadata_labels() {
        let labels = parse_label_set("env=prod, team.example.com/owner = payments\ntier=").unwrap();
        assert_eq!(
            labels.into_iter().collect::<Vec<_>>(),
            [
                ("env".to_owned(), "prod".to_owned()),
                ("team.example.com/owner".to_owned(), "payments".to_owned()),
                ("tier".to_owned(), String::new()),
            ]
        );
        assert!(parse_label_set("  ").unwrap().is_empty());
        assert_eq!(
            parse_label_set("env"),
            Err(LabelSetError::NotALabel("env".into()))
        );
        assert_eq!(
            parse_label_set("-env=prod"),
            Err(LabelSetError::InvalidKey("-env".into()))
        );
        assert_eq!(
            parse_label_set("Team.Example/owner=x"),
            Err(LabelSetError::InvalidKey("Team.Example/owner".into()))
        );
        assert_eq!(
            parse_label_set("env=prod eu"),
            Err(LabelSetError::InvalidValue("prod eu".into()))
        );
        assert!(matches!(
            parse_label_set(&format!("env={}", "x".repeat(64))),
            Err(LabelSetError::InvalidValue(_))
        ));
        assert_eq!(
            parse_label_set("env=prod,env=dev"),
            Err(LabelSetError::Repeated("env".into()))
        );
    }

    #[test]
    fn dns_labels_are_short_lower_case_and_hyphenated() {
        assert!(is_dns_label("member-1"));
        assert!(is_dns_label("a"));
        assert!(!is_dns_label(""));
        assert!(!is_dns_label("Member"));
        assert!(!is_dns_label("-edge"));
        assert!(!is_dns_label("edge-"));
        assert!(!is_dns_label("a.b"));
        assert!(!is_dns_label(&"x".repeat(64)));
    }
}
