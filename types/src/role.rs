//! The built-in roles and the scope each is granted at.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a role is granted on: the scope fields a [`Grant`](crate::Grant) of it must fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleScope {
    /// The whole platform: no scope field.
    Platform,
    /// One cluster: `cluster`.
    Cluster,
    /// One workspace: `workspace`.
    Workspace,
    /// One project: `cluster` and `namespace`.
    Project,
}

/// A built-in role. Written as in `Grant.spec.role`, e.g. `cluster-viewer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything: every cluster, users, grants, workspaces, members, the App Store.
    PlatformAdmin,
    /// May log in; sees only what their other grants give.
    PlatformRegular,
    /// Every verb on every resource of one cluster.
    ClusterAdmin,
    /// Reads every resource of one cluster but Secrets; pod logs.
    ClusterViewer,
    /// Everything in a workspace's projects; creates and deletes projects.
    WorkspaceAdmin,
    /// Reads a workspace's projects but Secrets; pod logs.
    WorkspaceViewer,
    /// Every verb in one namespace, Secrets included.
    ProjectAdmin,
    /// Changes workloads, services, config maps and jobs in one namespace; reads it but Secrets.
    ProjectOperator,
    /// Reads one namespace but Secrets; pod logs.
    ProjectViewer,
}

impl Role {
    /// Every built-in role.
    pub const ALL: [Role; 9] = [
        Role::PlatformAdmin,
        Role::PlatformRegular,
        Role::ClusterAdmin,
        Role::ClusterViewer,
        Role::WorkspaceAdmin,
        Role::WorkspaceViewer,
        Role::ProjectAdmin,
        Role::ProjectOperator,
        Role::ProjectViewer,
    ];

    /// The name written in a grant.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform-admin",
            Self::PlatformRegular => "platform-regular",
            Self::ClusterAdmin => "cluster-admin",
            Self::ClusterViewer => "cluster-viewer",
            Self::WorkspaceAdmin => "workspace-admin",
            Self::WorkspaceViewer => "workspace-viewer",
            Self::ProjectAdmin => "project-admin",
            Self::ProjectOperator => "project-operator",
            Self::ProjectViewer => "project-viewer",
        }
    }

    /// What a grant of this role is made on.
    pub fn scope(self) -> RoleScope {
        match self {
            Self::PlatformAdmin | Self::PlatformRegular => RoleScope::Platform,
            Self::ClusterAdmin | Self::ClusterViewer => RoleScope::Cluster,
            Self::WorkspaceAdmin | Self::WorkspaceViewer => RoleScope::Workspace,
            Self::ProjectAdmin | Self::ProjectOperator | Self::ProjectViewer => RoleScope::Project,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the built-in roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a role; the roles are platform-admin, platform-regular, cluster-admin, cluster-viewer, workspace-admin, workspace-viewer, project-admin, project-operator and project-viewer"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == name)
            .ok_or_else(|| UnknownRole(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_written_in_grants() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::from(role.as_str())
            );
        }
        assert!("cluster_admin".parse::<Role>().is_err());
        assert!("Cluster-Admin".parse::<Role>().is_err());
    }
}
