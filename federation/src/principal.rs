//! Who a request to a cluster is made for, and what they may do there.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use orbital_iam::{Access, Decision, Policy, Projects};

/// A logged-in user, with the policy their requests are decided by.
#[derive(Clone)]
pub struct User {
    name: String,
    policy: Arc<Policy>,
}

impl User {
    /// The user `name`, decided by `policy` (the directory's as of the request).
    pub fn new(name: &str, policy: Arc<Policy>) -> Self {
        Self {
            name: name.to_owned(),
            policy,
        }
    }

    /// The user's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "User({})", self.name)
    }
}

/// The caller on whose behalf a [`Scope`](crate::Scope) acts. Every scope is built for one, so
/// that what it may reach is decided in one place.
#[derive(Clone, Debug)]
pub enum Principal {
    /// The console itself: its own start-up work.
    Console,
    /// A logged-in user: only what their grants allow.
    User(User),
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Console => f.write_str("console"),
            Self::User(user) => write!(f, "user {}", user.name),
        }
    }
}

/// Which namespaces of one cluster are projects of which workspace: their labels, as the
/// console's namespace cache holds them.
#[derive(Debug, Default)]
pub struct ClusterProjects {
    cluster: String,
    workspaces: HashMap<String, String>,
}

impl ClusterProjects {
    /// The namespaces that are projects of `workspace`.
    pub fn namespaces_of<'a>(&'a self, workspace: &'a str) -> impl Iterator<Item = String> + 'a {
        self.workspaces
            .iter()
            .filter(move |(_, w)| *w == workspace)
            .map(|(namespace, _)| namespace.clone())
    }

    /// Whether `namespace` is a project of some workspace.
    pub fn is_project(&self, namespace: &str) -> bool {
        self.workspaces.contains_key(namespace)
    }

    /// The projects of `cluster`: namespace → workspace.
    pub(crate) fn new(cluster: &str, workspaces: HashMap<String, String>) -> Self {
        Self {
            cluster: cluster.to_owned(),
            workspaces,
        }
    }
}

impl Projects for ClusterProjects {
    fn is_project_of(&self, cluster: &str, namespace: &str, workspace: &str) -> bool {
        cluster == self.cluster
            && self
                .workspaces
                .get(namespace)
                .is_some_and(|w| w == workspace)
    }
}

impl Principal {
    /// Whether `cluster` exists for this caller.
    pub(crate) fn sees(&self, cluster: &str) -> bool {
        match self {
            Self::Console => true,
            Self::User(user) => user.policy.sees_cluster(&user.name, cluster),
        }
    }

    /// Whether deciding for this caller on `cluster` needs to know its projects.
    pub(crate) fn needs_projects(&self, cluster: &str) -> bool {
        match self {
            Self::Console => false,
            Self::User(user) => user.policy.needs_projects(&user.name, cluster),
        }
    }

    /// Whether this caller may manage the platform: members, users, grants, workspaces.
    pub fn is_platform_admin(&self) -> bool {
        match self {
            Self::Console => true,
            Self::User(user) => user.policy.is_platform_admin(&user.name),
        }
    }

    /// Whether this caller may make a project of `workspace` on `cluster`.
    pub(crate) fn may_create_project(&self, cluster: &str, workspace: &str) -> bool {
        match self {
            Self::Console => true,
            Self::User(user) => user
                .policy
                .may_create_project(&user.name, cluster, workspace),
        }
    }

    /// The decision on `access` to `cluster`.
    pub(crate) fn decide(
        &self,
        cluster: &str,
        access: &Access,
        projects: &ClusterProjects,
    ) -> Decision {
        match self {
            Self::Console => Decision::Allow,
            Self::User(user) => user.policy.authorize(&user.name, cluster, access, projects),
        }
    }
}
