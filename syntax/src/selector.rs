//! Label selectors as Kubernetes writes them (`app=web,tier in (front,back),!legacy`), shared by
//! the sandbox API server and the console's cached cross-cluster views.

use serde_json::Value;

/// A selector that could not be read; the message names the term, as an API server's does.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse requirement: found '{0}', expected: in, notin, =, ==, !=, gt, lt")]
pub struct SelectorError(String);

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
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements
                .push(parse_requirement(term).ok_or_else(|| SelectorError(term.to_owned()))?);
        }
        Ok(Self(requirements))
    }

    /// The labels, `key` and `value`, that every selected object has: those the selector
    /// requires to equal one value. An index of objects by label can start from them.
    pub fn equalities(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter_map(|requirement| match requirement {
            LabelRequirement::Equals(key, value) => Some((key.as_str(), value.as_str())),
            LabelRequirement::In(key, values) if values.len() == 1 => {
                Some((key.as_str(), values[0].as_str()))
            }
            _ => None,
        })
    }

    /// Whether an object with `labels` is selected.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        self.matches_by(|key| labels.and_then(|l| l.get(key)).and_then(Value::as_str))
    }

    /// Whether an object whose label `key` is `label(key)` is selected; for labels held in
    /// any form, without converting them.
    pub fn matches_by<'a>(&self, label: impl Fn(&str) -> Option<&'a str>) -> bool {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn equalities_are_what_every_selected_object_has() {
        let selector =
            LabelSelector::parse("app=web, tier in (front), zone in (a,b), env!=prod, team")
                .unwrap();
        let equal: Vec<_> = selector.equalities().collect();
        assert_eq!(equal, [("app", "web"), ("tier", "front")]);
        assert_eq!(LabelSelector::parse("").unwrap().equalities().count(), 0);
    }

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
    fn every_operator_selects_and_refuses() {
        // For each selector: is it met by `app=web`, by `app=db`, and by no `app` label?
        let cases: &[(&str, [bool; 3])] = &[
            ("app=web", [true, false, false]),
            ("app==web", [true, false, false]),
            ("app!=web", [false, true, true]),
            ("app in (web,api)", [true, false, false]),
            ("app in (api)", [false, false, false]),
            ("app notin (web,api)", [false, true, true]),
            ("app notin (api)", [true, true, true]),
            ("app", [true, true, false]),
            ("!app", [false, false, true]),
        ];
        let labels = [
            json!({"app": "web"}),
            json!({"app": "db"}),
            json!({"other": "web"}),
        ];
        for (text, expected) in cases {
            let selector = LabelSelector::parse(text).unwrap();
            let seen: Vec<bool> = labels.iter().map(|l| selector.matches(Some(l))).collect();
            assert_eq!(seen, expected, "{text}");
            assert_eq!(
                selector.matches(None),
                expected[2],
                "{text} on an object without labels"
            );
        }
        // Terms split at commas outside parentheses only.
        let after_a_set = LabelSelector::parse("app in (web,api),tier=front").unwrap();
        assert!(after_a_set.matches(Some(&json!({"app": "api", "tier": "front"}))));
        assert!(!after_a_set.matches(Some(&json!({"app": "api", "tier": "back"}))));
        // Every requirement must hold.
        let both = LabelSelector::parse("app=web,tier=front").unwrap();
        assert!(both.matches(Some(&json!({"app": "web", "tier": "front"}))));
        assert!(!both.matches(Some(&json!({"app": "web", "tier": "back"}))));
        assert!(!both.matches(Some(&json!({"app": "db", "tier": "front"}))));
        assert!(LabelSelector::parse("").unwrap().is_empty());
        assert!(!both.is_empty());
    }
}
