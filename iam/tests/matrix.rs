//! The whole matrix: every built-in role × every verb (and pod logs) × a Secret, a Pod, a Node
//! and a custom resource, in the role's scope and out of it. A cell is `y` (allowed), `.`
//! (forbidden: 403) or `h` (the cluster does not exist for the user: 404).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use orbital_iam::{
    Access, Decision, Grant, GrantScope, Policy, ResourceAccess, Role, Verb, Workspace,
    WorkspaceSpec,
};

/// The verbs of the columns, in order; the Pod column has `logs` as an eighth.
const VERBS: [Verb; 7] = [
    Verb::Get,
    Verb::List,
    Verb::Watch,
    Verb::Create,
    Verb::Update,
    Verb::Patch,
    Verb::Delete,
];

/// One row: a role and its cells for Secret, Pod (+ logs), Node and a custom resource.
struct Row {
    role: Role,
    secret: &'static str,
    pod: &'static str,
    node: &'static str,
    widget: &'static str,
}

const fn row(
    role: Role,
    secret: &'static str,
    pod: &'static str,
    node: &'static str,
    widget: &'static str,
) -> Row {
    Row {
        role,
        secret,
        pod,
        node,
        widget,
    }
}

/// In scope: namespace `demo` of `member-1` (a project of workspace `team`, placed on
/// `member-1`); the Node is on `member-1`.
#[rustfmt::skip]
const IN_SCOPE: [Row; 9] = [
    //  role                    secret      pod+logs    node        widget
    row(Role::PlatformAdmin,    "yyyyyyy",  "yyyyyyyy", "yyyyyyy",  "yyyyyyy"),
    row(Role::PlatformRegular,  "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ClusterAdmin,     "yyyyyyy",  "yyyyyyyy", "yyyyyyy",  "yyyyyyy"),
    row(Role::ClusterViewer,    ".......",  "yyy....y", "yyy....",  "yyy...."),
    row(Role::WorkspaceAdmin,   "yyyyyyy",  "yyyyyyyy", ".......",  "yyyyyyy"),
    row(Role::WorkspaceViewer,  ".......",  "yyy....y", ".......",  "yyy...."),
    row(Role::ProjectAdmin,     "yyyyyyy",  "yyyyyyyy", ".......",  "yyyyyyy"),
    row(Role::ProjectOperator,  ".......",  "yyyyyyyy", ".......",  "yyy...."),
    row(Role::ProjectViewer,    ".......",  "yyy....y", ".......",  "yyy...."),
];

/// Out of scope on the same cluster: namespace `kube-system` of `member-1` (no project).
/// The Node has no namespace, so it has no such place.
#[rustfmt::skip]
const OTHER_NAMESPACE: [Row; 9] = [
    row(Role::PlatformAdmin,    "yyyyyyy",  "yyyyyyyy", "",         "yyyyyyy"),
    row(Role::PlatformRegular,  "hhhhhhh",  "hhhhhhhh", "",         "hhhhhhh"),
    row(Role::ClusterAdmin,     "yyyyyyy",  "yyyyyyyy", "",         "yyyyyyy"),
    row(Role::ClusterViewer,    ".......",  "yyy....y", "",         "yyy...."),
    row(Role::WorkspaceAdmin,   ".......",  "........", "",         "......."),
    row(Role::WorkspaceViewer,  ".......",  "........", "",         "......."),
    row(Role::ProjectAdmin,     ".......",  "........", "",         "......."),
    row(Role::ProjectOperator,  ".......",  "........", "",         "......."),
    row(Role::ProjectViewer,    ".......",  "........", "",         "......."),
];

/// Out of scope on another cluster: namespace `demo` of `member-2`, where the workspace is
/// not placed and no grant but the platform admin's reaches.
#[rustfmt::skip]
const OTHER_CLUSTER: [Row; 9] = [
    row(Role::PlatformAdmin,    "yyyyyyy",  "yyyyyyyy", "yyyyyyy",  "yyyyyyy"),
    row(Role::PlatformRegular,  "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ClusterAdmin,     "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ClusterViewer,    "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::WorkspaceAdmin,   "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::WorkspaceViewer,  "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ProjectAdmin,     "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ProjectOperator,  "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
    row(Role::ProjectViewer,    "hhhhhhh",  "hhhhhhhh", "hhhhhhh",  "hhhhhhh"),
];

/// The grant of `role` to `ann`, at the scope of the in-scope place.
fn grant(role: Role) -> Grant {
    let scope = match role.scope() {
        orbital_iam::RoleScope::Platform => GrantScope::Platform,
        orbital_iam::RoleScope::Cluster => GrantScope::Cluster("member-1".into()),
        orbital_iam::RoleScope::Workspace => GrantScope::Workspace("team".into()),
        orbital_iam::RoleScope::Project => GrantScope::Project {
            cluster: "member-1".into(),
            namespace: "demo".into(),
        },
    };
    Grant {
        user: "ann".into(),
        role,
        scope,
    }
}

fn policy(role: Role) -> Policy {
    let team = Workspace {
        name: "team".into(),
        spec: WorkspaceSpec {
            clusters: vec!["member-1".into()],
            description: String::new(),
        },
    };
    // Someone else's grants are beside ann's and must give her nothing.
    let other = Grant {
        user: "bob".into(),
        role: Role::PlatformAdmin,
        scope: GrantScope::Platform,
    };
    Policy::new([grant(role), other], [team])
}

fn projects() -> HashMap<(String, String), String> {
    // `demo` is a project of `team` on both clusters; only member-1 has the workspace placed.
    HashMap::from([
        (("member-1".into(), "demo".into()), "team".into()),
        (("member-2".into(), "demo".into()), "team".into()),
    ])
}

fn cell(decision: &Decision) -> char {
    match decision {
        Decision::Allow => 'y',
        Decision::Forbidden(_) => '.',
        Decision::Hidden => 'h',
    }
}

/// The accesses of a row's cells for one resource, with the logs access for pods.
fn accesses(namespace: Option<&str>, group: &str, resource: &str) -> Vec<Access> {
    let mut accesses: Vec<Access> = VERBS
        .iter()
        .map(|verb| {
            let mut access = ResourceAccess::new(*verb, namespace, group, resource);
            if !matches!(verb, Verb::List | Verb::Watch | Verb::Create) {
                access.name = Some("one".into());
            }
            Access::Resource(access)
        })
        .collect();
    if resource == "pods" {
        let mut logs = ResourceAccess::new(Verb::Get, namespace, "", "pods").on_subresource("log");
        logs.name = Some("one".into());
        accesses.push(Access::Resource(logs));
    }
    accesses
}

fn check(table: &[Row], cluster: &str, namespace: &str) {
    let projects = projects();
    let mut wrong = Vec::new();
    for row in table {
        let policy = policy(row.role);
        let columns = [
            (
                "secret",
                row.secret,
                accesses(Some(namespace), "", "secrets"),
            ),
            ("pod", row.pod, accesses(Some(namespace), "", "pods")),
            ("node", row.node, accesses(None, "", "nodes")),
            (
                "widget",
                row.widget,
                accesses(Some(namespace), "example.dev", "widgets"),
            ),
        ];
        for (column, expected, accesses) in columns {
            if expected.is_empty() {
                continue;
            }
            let got: String = accesses
                .iter()
                .map(|access| cell(&policy.authorize("ann", cluster, access, &projects)))
                .collect();
            if got != expected {
                wrong.push(format!(
                    "{} {column} on {cluster}/{namespace}: expected {expected}, got {got}",
                    row.role
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_role_in_its_scope() {
    check(&IN_SCOPE, "member-1", "demo");
}

#[test]
fn every_role_in_another_namespace_of_its_cluster() {
    check(&OTHER_NAMESPACE, "member-1", "kube-system");
}

#[test]
fn every_role_on_another_cluster() {
    check(&OTHER_CLUSTER, "member-2", "demo");
}

#[test]
fn the_tables_cover_every_role() {
    for table in [&IN_SCOPE, &OTHER_NAMESPACE, &OTHER_CLUSTER] {
        let roles: Vec<Role> = table.iter().map(|row| row.role).collect();
        assert_eq!(roles, Role::ALL);
    }
}
