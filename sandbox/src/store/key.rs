use std::fmt;

/// Where an object lives: its type (group and plural), namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// API group; empty for the core group.
    pub group: String,
    /// The type's plural name.
    pub plural: String,
    /// The namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl ObjectKey {
    /// A key for an object of `group`/`plural`.
    pub fn new(group: &str, plural: &str, namespace: &str, name: &str) -> Self {
        Self {
            group: group.to_owned(),
            plural: plural.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The key in the database. Groups, plurals, namespaces and names never contain `/`,
    /// so keys of one type, or of one type in one namespace, share a prefix.
    pub fn encode(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.group, self.plural, self.namespace, self.name
        )
    }

    /// The inverse of [`ObjectKey::encode`].
    pub fn decode(encoded: &str) -> Option<Self> {
        let mut parts = encoded.splitn(4, '/');
        Some(Self {
            group: parts.next()?.to_owned(),
            plural: parts.next()?.to_owned(),
            namespace: parts.next()?.to_owned(),
            name: parts.next()?.to_owned(),
        })
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

/// A set of objects to list: one type, optionally one namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// API group; empty for the core group.
    pub group: String,
    /// The type's plural name.
    pub plural: String,
    /// Only this namespace, or every namespace.
    pub namespace: Option<String>,
}

impl Scope {
    /// The database key prefix every object in the scope shares.
    pub fn prefix(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{}/{}/", self.group, self.plural, namespace),
            None => format!("{}/{}/", self.group, self.plural),
        }
    }

    /// Whether the object at `key` belongs to the scope.
    pub fn contains(&self, key: &ObjectKey) -> bool {
        key.group == self.group
            && key.plural == self.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == key.namespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_share_scope_prefixes() {
        let key = ObjectKey::new("apps", "deployments", "demo", "web");
        assert_eq!(ObjectKey::decode(&key.encode()), Some(key.clone()));
        let scope = Scope {
            group: "apps".into(),
            plural: "deployments".into(),
            namespace: Some("demo".into()),
        };
        assert!(key.encode().starts_with(&scope.prefix()));
        assert!(scope.contains(&key));
        let other = ObjectKey::new("apps", "deployments", "demo2", "web");
        assert!(!other.encode().starts_with(&scope.prefix()));
        assert!(!scope.contains(&other));
    }
}
