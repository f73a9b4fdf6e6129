//! The whole matrix: every built-in role × every verb (and pod logs) × a Secret, a Pod, a Node
//! and a custom resource, in the role's scope and out of it. A cell is `y` (allowed), `.`
//! (forbidden: 403) or `h` (the cluster does not exist for the user: 404).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use orbital_iam::{
    Access, Decision, Grant, GrantScope, Policy, ResourceAccess, Role, Verb, Workspace,
    WorkspaceSpec,
};

#[path = "matrix/table.rs"]
mod table;

use table::{IN_SCOPE, OTHER_CLUSTER, OTHER_NAMESPACE, Row, VERBS};

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
