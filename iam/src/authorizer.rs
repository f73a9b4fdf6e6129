//! The one authorizer: every request a user makes, decided from their grants and the
//! workspaces before anything is sent to a cluster.

use std::collections::HashMap;

use crate::access::{Access, ResourceAccess};
use crate::grant::{Grant, GrantScope};
use crate::workspace::{Projects, Workspace};
use orbital_types::Role;

/// Subresources that open a shell, a stream or a connection into a workload: never a read.
const INTERACTIVE: &[&str] = &["attach", "exec", "portforward", "proxy"];

/// What a project operator may change: `(group, resource)`.
const OPERATED: &[(&str, &str)] = &[
    ("", "configmaps"),
    ("", "pods"),
    ("", "services"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
];

/// The answer for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// The cluster does not exist for this user: answer as for a name that never existed.
    Hidden,
    /// The cluster is visible, the request is not allowed; the message names the verb and
    /// the resource.
    Forbidden(String),
}

/// Everyone's grants and every workspace, indexed for deciding.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    grants: HashMap<String, Vec<Grant>>,
    workspaces: HashMap<String, Workspace>,
}

impl Policy {
    /// The policy of `grants` over `workspaces`.
    pub fn new(
        grants: impl IntoIterator<Item = Grant>,
        workspaces: impl IntoIterator<Item = Workspace>,
    ) -> Self {
        let mut by_user: HashMap<String, Vec<Grant>> = HashMap::new();
        for grant in grants {
            by_user.entry(grant.user.clone()).or_default().push(grant);
        }
        Self {
            grants: by_user,
            workspaces: workspaces
                .into_iter()
                .map(|w| (w.name.clone(), w))
                .collect(),
        }
    }

    /// The grants of `user`.
    pub fn grants_of(&self, user: &str) -> &[Grant] {
        self.grants.get(user).map_or(&[], Vec::as_slice)
    }

    /// The workspace `name`.
    pub fn workspace(&self, name: &str) -> Option<&Workspace> {
        self.workspaces.get(name)
    }

    /// Whether `user` may do everything, the platform's own objects included.
    pub fn is_platform_admin(&self, user: &str) -> bool {
        self.grants_of(user)
            .iter()
            .any(|g| g.role == Role::PlatformAdmin)
    }

    /// Every workspace.
    pub fn workspaces(&self) -> impl Iterator<Item = &Workspace> {
        self.workspaces.values()
    }

    /// Whether `user` may create and delete the projects of `workspace`, and grant roles on
    /// them: a platform admin, or an admin of that workspace.
    pub fn administers_workspace(&self, user: &str, workspace: &str) -> bool {
        self.grants_of(user).iter().any(|grant| match &grant.scope {
            GrantScope::Platform => grant.role == Role::PlatformAdmin,
            GrantScope::Workspace(w) => w == workspace && grant.role == Role::WorkspaceAdmin,
            _ => false,
        })
    }

    /// Whether `user` holds any grant on `workspace`, or administers the platform.
    pub fn is_in_workspace(&self, user: &str, workspace: &str) -> bool {
        self.is_platform_admin(user)
            || self
                .grants_of(user)
                .iter()
                .any(|grant| grant.scope == GrantScope::Workspace(workspace.to_owned()))
    }

    /// Whether `user` may give (or take back) `grant`. Platform admins may give any; project
    /// roles may also be given by the project's admins, the admins of its cluster, and the
    /// admins of the workspace it is a project of (which `projects` says).
    pub fn may_grant(&self, user: &str, grant: &Grant, projects: &impl Projects) -> bool {
        if self.is_platform_admin(user) {
            return true;
        }
        let GrantScope::Project { cluster, namespace } = &grant.scope else {
            return false;
        };
        self.grants_of(user)
            .iter()
            .any(|mine| match (&mine.scope, mine.role) {
                (GrantScope::Cluster(c), Role::ClusterAdmin) => c == cluster,
                (
                    GrantScope::Project {
                        cluster: c,
                        namespace: n,
                    },
                    Role::ProjectAdmin,
                ) => c == cluster && n == namespace,
                (GrantScope::Workspace(w), Role::WorkspaceAdmin) => {
                    self.workspace(w).is_some_and(|w| w.is_on(cluster))
                        && projects.is_project_of(cluster, namespace, w)
                }
                _ => false,
            })
    }

    /// Whether `user` may create a project of `workspace` on `cluster`: the workspace is
    /// placed there and they administer it, or the cluster.
    pub fn may_create_project(&self, user: &str, cluster: &str, workspace: &str) -> bool {
        let placed = self.workspace(workspace).is_some_and(|w| w.is_on(cluster));
        let cluster_admin = self.grants_of(user).iter().any(|grant| {
            grant.role == Role::ClusterAdmin && grant.scope == GrantScope::Cluster(cluster.into())
        });
        placed && (self.administers_workspace(user, workspace) || cluster_admin)
    }

    /// Whether `cluster` exists for `user`: some grant of theirs reaches into it.
    pub fn sees_cluster(&self, user: &str, cluster: &str) -> bool {
        self.grants_of(user).iter().any(|grant| match &grant.scope {
            GrantScope::Platform => grant.role == Role::PlatformAdmin,
            GrantScope::Cluster(c) | GrantScope::Project { cluster: c, .. } => c == cluster,
            GrantScope::Workspace(w) => self.workspace(w).is_some_and(|w| w.is_on(cluster)),
        })
    }

    /// Whether deciding for `user` on `cluster` depends on which namespaces are projects: they
    /// hold a grant on a workspace placed there.
    pub fn needs_projects(&self, user: &str, cluster: &str) -> bool {
        self.grants_of(user).iter().any(|grant| match &grant.scope {
            GrantScope::Workspace(w) => self.workspace(w).is_some_and(|w| w.is_on(cluster)),
            _ => false,
        })
    }

    /// Decides whether `user` may make the request `access` on `cluster`, where `projects`
    /// says which namespaces belong to which workspace.
    pub fn authorize(
        &self,
        user: &str,
        cluster: &str,
        access: &Access,
        projects: &impl Projects,
    ) -> Decision {
        if !self.sees_cluster(user, cluster) {
            return Decision::Hidden;
        }
        let resource = match access {
            Access::Discovery => return Decision::Allow,
            Access::Resource(resource) => resource,
        };
        let allowed = self
            .grants_of(user)
            .iter()
            .any(|grant| self.grant_allows(grant, cluster, resource, projects));
        if allowed {
            Decision::Allow
        } else {
            Decision::Forbidden(forbidden_message(user, cluster, resource))
        }
    }

    fn grant_allows(
        &self,
        grant: &Grant,
        cluster: &str,
        access: &ResourceAccess,
        projects: &impl Projects,
    ) -> bool {
        let in_project = |c: &str, n: &str| c == cluster && access.namespace.as_deref() == Some(n);
        let in_workspace = |w: &str| {
            self.workspace(w)
                .is_some_and(|workspace| workspace.is_on(cluster))
                && access
                    .namespace
                    .as_deref()
                    .is_some_and(|n| projects.is_project_of(cluster, n, w))
        };
        match (&grant.scope, grant.role) {
            (_, Role::PlatformAdmin) => true,
            (GrantScope::Cluster(c), Role::ClusterAdmin) => c == cluster,
            (GrantScope::Cluster(c), Role::ClusterViewer) => c == cluster && views(access),
            (GrantScope::Workspace(w), Role::WorkspaceAdmin) => in_workspace(w),
            (GrantScope::Workspace(w), Role::WorkspaceViewer) => in_workspace(w) && views(access),
            (
                GrantScope::Project {
                    cluster: c,
                    namespace: n,
                },
                role,
            ) if in_project(c, n) => {
                match role {
                    // The namespace object itself (its labels say which workspace it is in)
                    // is changed only from above the project.
                    Role::ProjectAdmin => views(access) || !is_namespace(access),
                    Role::ProjectOperator => views(access) || operates(access),
                    Role::ProjectViewer => views(access),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// What the viewer roles may do: read anything but Secrets, pod logs included, without
/// opening a connection into a workload.
fn views(access: &ResourceAccess) -> bool {
    access.verb.reads() && !is_secret(access) && !is_interactive(access)
}

/// What a project operator may change.
fn operates(access: &ResourceAccess) -> bool {
    let operated = OPERATED
        .iter()
        .any(|(group, resource)| access.group == *group && access.resource == *resource);
    operated && matches!(access.subresource.as_deref(), None | Some("scale"))
}

fn is_secret(access: &ResourceAccess) -> bool {
    access.group.is_empty() && access.resource == "secrets"
}

fn is_namespace(access: &ResourceAccess) -> bool {
    access.group.is_empty() && access.resource == "namespaces"
}

fn is_interactive(access: &ResourceAccess) -> bool {
    access
        .subresource
        .as_deref()
        .is_some_and(|s| INTERACTIVE.contains(&s))
}

/// The message of a 403, in the words of the Kubernetes API server.
fn forbidden_message(user: &str, cluster: &str, access: &ResourceAccess) -> String {
    let target = match &access.name {
        Some(name) => format!("{} {name:?}", access.resource_name()),
        None => access.resource_name(),
    };
    let place = match &access.namespace {
        Some(namespace) => format!("in the namespace {namespace:?}"),
        None => "at the cluster scope".to_owned(),
    };
    format!(
        "{target} is forbidden: User {user:?} cannot {verb} resource {resource:?} in API group {group:?} {place} on cluster {cluster:?}",
        verb = access.verb,
        resource = match &access.subresource {
            Some(sub) => format!("{}/{sub}", access.resource),
            None => access.resource.clone(),
        },
        group = access.group,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::access::Verb;
    use crate::workspace::WorkspaceSpec;

    fn project_grant(role: Role) -> Grant {
        Grant {
            user: "ann".into(),
            role,
            scope: GrantScope::Project {
                cluster: "member-1".into(),
                namespace: "demo".into(),
            },
        }
    }

    fn decide(policy: &Policy, access: ResourceAccess) -> Decision {
        let projects: HashMap<(String, String), String> = HashMap::new();
        policy.authorize("ann", "member-1", &Access::Resource(access), &projects)
    }

    #[test]
    fn viewers_open_no_shell_and_operators_scale_but_do_not_exec() {
        let viewer = Policy::new([project_grant(Role::ProjectViewer)], []);
        let operator = Policy::new([project_grant(Role::ProjectOperator)], []);
        let exec = ResourceAccess::new(Verb::Get, Some("demo"), "", "pods").on_subresource("exec");
        assert!(matches!(
            decide(&viewer, exec.clone()),
            Decision::Forbidden(_)
        ));
        assert!(matches!(decide(&operator, exec), Decision::Forbidden(_)));
        let scale = ResourceAccess::new(Verb::Patch, Some("demo"), "apps", "deployments")
            .on_subresource("scale");
        assert_eq!(decide(&operator, scale.clone()), Decision::Allow);
        assert!(matches!(decide(&viewer, scale), Decision::Forbidden(_)));
        let role = ResourceAccess::new(
            Verb::Create,
            Some("demo"),
            "rbac.authorization.k8s.io",
            "rolebindings",
        );
        assert!(matches!(decide(&operator, role), Decision::Forbidden(_)));
    }

    #[test]
    fn a_project_admin_reads_but_does_not_change_the_namespace_object() {
        let admin = Policy::new([project_grant(Role::ProjectAdmin)], []);
        let mut namespace = ResourceAccess::new(Verb::Get, Some("demo"), "", "namespaces");
        namespace.name = Some("demo".into());
        assert_eq!(decide(&admin, namespace.clone()), Decision::Allow);
        namespace.verb = Verb::Patch;
        assert!(matches!(decide(&admin, namespace), Decision::Forbidden(_)));
    }

    #[test]
    fn a_workspace_grant_reaches_only_the_clusters_it_is_placed_on() {
        let grant = Grant {
            user: "ann".into(),
            role: Role::WorkspaceViewer,
            scope: GrantScope::Workspace("team".into()),
        };
        let team = Workspace {
            name: "team".into(),
            spec: WorkspaceSpec {
                clusters: vec!["member-1".into()],
                description: String::new(),
            },
        };
        let policy = Policy::new([grant.clone()], [team]);
        assert!(policy.sees_cluster("ann", "member-1"));
        assert!(!policy.sees_cluster("ann", "member-2"));
        assert!(!policy.sees_cluster("bob", "member-1"));
        assert!(!policy.is_platform_admin("ann"));
        assert!(policy.needs_projects("ann", "member-1"));
        assert!(!policy.needs_projects("ann", "member-2"));
        let without_workspace = Policy::new([grant], []);
        assert!(!without_workspace.sees_cluster("ann", "member-1"));
    }

    #[test]
    fn a_refusal_names_the_verb_the_resource_and_the_place() {
        let viewer = Policy::new([project_grant(Role::ProjectViewer)], []);
        let mut delete = ResourceAccess::new(Verb::Delete, Some("demo"), "", "pods");
        delete.name = Some("web".into());
        let Decision::Forbidden(message) = decide(&viewer, delete) else {
            panic!("a viewer deleted a pod");
        };
        assert_eq!(
            message,
            "pods \"web\" is forbidden: User \"ann\" cannot delete resource \"pods\" in API group \"\" in the namespace \"demo\" on cluster \"member-1\""
        );
        let list = ResourceAccess::new(Verb::List, None, "apps", "deployments");
        let Decision::Forbidden(message) = decide(&viewer, list) else {
            panic!("a project viewer listed every namespace");
        };
        assert!(
            message.contains("deployments.apps is forbidden"),
            "{message}"
        );
        assert!(
            message.contains(
                "cannot list resource \"deployments\" in API group \"apps\" at the cluster scope"
            ),
            "{message}"
        );
    }
}
