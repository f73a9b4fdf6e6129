//! Users, workspaces, members and tokens as the console's pages show them. The objects
//! themselves (`iam.orbital.dev`) stay on the server; these carry no password or hash.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Role;

/// A user as listed to platform admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// The user's name, which they log in with.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their name as shown.
    pub display_name: String,
    /// Whether they are barred from logging in.
    pub disabled: bool,
    /// When they last logged in (RFC 3339), if ever.
    pub last_login: Option<String>,
}

/// A workspace as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    /// Its name.
    pub name: String,
    /// The clusters it is placed on.
    pub clusters: Vec<String>,
    /// What it is for.
    pub description: String,
}

/// A project: a namespace of a workspace on one of its clusters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Project {
    /// The cluster.
    pub cluster: String,
    /// The namespace.
    pub namespace: String,
}

/// What members are listed or granted on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberTarget {
    /// The whole platform.
    Platform,
    /// One cluster.
    Cluster(String),
    /// One workspace.
    Workspace(String),
    /// One project.
    Project(Project),
}

impl fmt::Display for MemberTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Platform => f.write_str("the platform"),
            Self::Cluster(cluster) => write!(f, "cluster {cluster}"),
            Self::Workspace(workspace) => write!(f, "workspace {workspace}"),
            Self::Project(project) => {
                write!(f, "project {}/{}", project.cluster, project.namespace)
            }
        }
    }
}

/// One grant, as a member list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The grant's name, by which it is revoked.
    pub grant: String,
    /// Whose it is.
    pub user: String,
    /// The role.
    pub role: Role,
    /// Where.
    pub target: MemberTarget,
}

/// A token as its owner's list shows it: never the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    /// What it is called, by which it is revoked.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it ends (RFC 3339).
    pub expires: String,
}

/// A token just made: the only time the token itself is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    /// The bearer token.
    pub token: String,
    /// How it is listed from now on.
    pub summary: TokenSummary,
}

/// What the caller may change, so pages offer only the controls that will work. The server
/// decides every change again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Manage members, users, workspaces and platform grants.
    pub platform_admin: bool,
    /// The workspaces whose projects the caller may create and delete, and whose projects'
    /// members they may grant roles.
    pub administered_workspaces: Vec<String>,
    /// Whether users and grants are managed on this console (not on a member console, which
    /// keeps copies from its host).
    pub managed_here: bool,
}

impl Permissions {
    /// Whether the caller administers `workspace`.
    pub fn administers(&self, workspace: &str) -> bool {
        self.platform_admin || self.administered_workspaces.iter().any(|w| w == workspace)
    }
}

/// One audited change, as the audit page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the answer was sent (RFC 3339).
    pub time: String,
    /// Who asked.
    pub user: String,
    /// The verb (`create`, `delete`, …).
    pub verb: String,
    /// The resource (`pods`, `users`, …).
    pub resource: String,
    /// The object's namespace, if any.
    pub namespace: Option<String>,
    /// The object's name, if any.
    pub name: Option<String>,
    /// The cluster it concerned, if any; the clusters, comma-separated, of a change made on
    /// several at once (an install of an app on several clusters).
    pub cluster: String,
    /// The answer's HTTP status.
    pub code: u16,
    /// The request's path.
    pub uri: String,
}

/// Which audited changes to list; an empty field matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Only this user's.
    pub user: Option<String>,
    /// Only this verb.
    pub verb: Option<String>,
    /// Only on this cluster.
    pub cluster: Option<String>,
    /// Only of this resource.
    pub resource: Option<String>,
    /// Only refused ones (a status of 400 or more).
    pub refused: bool,
}

impl AuditFilter {
    /// Whether `entry` is one to list.
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        let is =
            |wanted: &Option<String>, value: &str| wanted.as_deref().is_none_or(|w| w == value);
        let on_cluster = self
            .cluster
            .as_deref()
            .is_none_or(|wanted| entry.cluster.split(',').any(|cluster| cluster == wanted));
        is(&self.user, &entry.user)
            && is(&self.verb, &entry.verb)
            && on_cluster
            && is(&self.resource, &entry.resource)
            && (!self.refused || entry.code >= 400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_on_several_clusters_is_found_by_each_of_them() {
        let entry = AuditEntry {
            time: String::new(),
            user: "ann".to_owned(),
            verb: "create".to_owned(),
            resource: "releases".to_owned(),
            namespace: None,
            name: Some("web".to_owned()),
            cluster: "member-1,member-2".to_owned(),
            code: 200,
            uri: "/api/appstore/install".to_owned(),
        };
        let on = |cluster: &str| AuditFilter {
            cluster: Some(cluster.to_owned()),
            ..AuditFilter::default()
        };
        assert!(on("member-1").matches(&entry));
        assert!(on("member-2").matches(&entry));
        assert!(!on("member").matches(&entry));
        assert!(!on("member-1,member-2,").matches(&entry));
        assert!(AuditFilter::default().matches(&entry));
        let refused = AuditFilter {
            refused: true,
            ..on("member-1")
        };
        assert!(!refused.matches(&entry));
    }
}
