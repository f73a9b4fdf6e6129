//! A grant: one role for one user at one scope.

use serde::{Deserialize, Serialize};

use orbital_types::{Role, RoleScope};

/// Where a grant applies, as its role needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GrantScope {
    /// The whole platform.
    Platform,
    /// One cluster.
    Cluster(String),
    /// One workspace.
    Workspace(String),
    /// One namespace of one cluster.
    Project {
        /// The cluster.
        cluster: String,
        /// The namespace.
        namespace: String,
    },
}

/// The `spec` of a `Grant` object, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantSpec {
    /// The user's name.
    #[serde(default)]
    pub user: String,
    /// The role's name.
    #[serde(default)]
    pub role: String,
    /// The cluster, for cluster and project roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The workspace, for workspace roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// The namespace, for project roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A grant the authorizer can use: a known role with exactly the scope it needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    /// Who it is for.
    pub user: String,
    /// What they may do.
    pub role: Role,
    /// Where.
    pub scope: GrantScope,
}

/// Why a written grant gives nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// No user is named.
    #[error("a grant must name a user")]
    NoUser,
    /// The role is not a built-in one.
    #[error(transparent)]
    Role(#[from] orbital_types::UnknownRole),
    /// A field the role needs is empty.
    #[error("a {role} grant needs spec.{field}")]
    Missing {
        /// The role.
        role: Role,
        /// The missing field.
        field: &'static str,
    },
    /// A field the role does not use is set, so the grant would not mean what it says.
    #[error("a {role} grant does not take spec.{field}")]
    Extra {
        /// The role.
        role: Role,
        /// The field that should be empty.
        field: &'static str,
    },
}

impl TryFrom<&GrantSpec> for Grant {
    type Error = GrantError;

    fn try_from(spec: &GrantSpec) -> Result<Self, GrantError> {
        if spec.user.is_empty() {
            return Err(GrantError::NoUser);
        }
        let role: Role = spec.role.parse()?;
        let fields = [
            ("cluster", given(&spec.cluster)),
            ("workspace", given(&spec.workspace)),
            ("namespace", given(&spec.namespace)),
        ];
        let needed: &[&str] = match role.scope() {
            RoleScope::Platform => &[],
            RoleScope::Cluster => &["cluster"],
            RoleScope::Workspace => &["workspace"],
            RoleScope::Project => &["cluster", "namespace"],
        };
        let mut values = Vec::new();
        for (field, value) in fields {
            match (needed.contains(&field), value) {
                (true, Some(value)) => values.push(value.to_owned()),
                (true, None) => return Err(GrantError::Missing { role, field }),
                (false, Some(_)) => return Err(GrantError::Extra { role, field }),
                (false, None) => {}
            }
        }
        let mut values = values.into_iter();
        let mut next = || values.next().unwrap_or_default();
        let scope = match role.scope() {
            RoleScope::Platform => GrantScope::Platform,
            RoleScope::Cluster => GrantScope::Cluster(next()),
            RoleScope::Workspace => GrantScope::Workspace(next()),
            RoleScope::Project => GrantScope::Project {
                cluster: next(),
                namespace: next(),
            },
        };
        Ok(Self {
            user: spec.user.clone(),
            role,
            scope,
        })
    }
}

/// A scope field, unless empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(role: &str, cluster: &str, workspace: &str, namespace: &str) -> GrantSpec {
        let field = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        GrantSpec {
            user: "ann".into(),
            role: role.into(),
            cluster: field(cluster),
            workspace: field(workspace),
            namespace: field(namespace),
        }
    }

    #[test]
    fn each_role_takes_exactly_its_scope() {
        let grant = Grant::try_from(&spec("project-viewer", "member-1", "", "demo")).unwrap();
        assert_eq!(
            grant.scope,
            GrantScope::Project {
                cluster: "member-1".into(),
                namespace: "demo".into()
            }
        );
        assert_eq!(
            Grant::try_from(&spec("workspace-admin", "", "ws", ""))
                .unwrap()
                .scope,
            GrantScope::Workspace("ws".into())
        );
        assert_eq!(
            Grant::try_from(&spec("platform-admin", "", "", ""))
                .unwrap()
                .scope,
            GrantScope::Platform
        );
        assert_eq!(
            Grant::try_from(&spec("project-viewer", "member-1", "", "")),
            Err(GrantError::Missing {
                role: Role::ProjectViewer,
                field: "namespace"
            })
        );
        assert_eq!(
            Grant::try_from(&spec("cluster-admin", "member-1", "", "demo")),
            Err(GrantError::Extra {
                role: Role::ClusterAdmin,
                field: "namespace"
            })
        );
        assert_eq!(
            Grant::try_from(&spec("platform-admin", "member-1", "", "")),
            Err(GrantError::Extra {
                role: Role::PlatformAdmin,
                field: "cluster"
            })
        );
        assert!(matches!(
            Grant::try_from(&spec("root", "", "", "")),
            Err(GrantError::Role(_))
        ));
        let mut nobody = spec("platform-admin", "", "", "");
        nobody.user.clear();
        assert_eq!(Grant::try_from(&nobody), Err(GrantError::NoUser));
    }
}
