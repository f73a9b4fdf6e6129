//! The expected cells of the whole matrix, shared by the authorizer's own test and the test
//! through the console with kubectl: every built-in role × every verb (and pod logs) × a
//! Secret, a Pod, a Node and a custom resource (`widgets.example.dev`), in the role's scope and
//! out of it. A cell is `y` (allowed), `.` (forbidden: 403) or `h` (the cluster does not exist
//! for the user: 404). The grant of each role is at the in-scope place: `member-1` for cluster
//! roles, workspace `team` (placed on `member-1`, with the project `demo`) for workspace roles,
//! `member-1/demo` for project roles.

use orbital_iam::{Role, Verb};

/// The verbs of the columns, in order; the Pod column has `logs` as an eighth.
pub const VERBS: [Verb; 7] = [
    Verb::Get,
    Verb::List,
    Verb::Watch,
    Verb::Create,
    Verb::Update,
    Verb::Patch,
    Verb::Delete,
];

/// One row: a role and its cells for Secret, Pod (+ logs), Node and a custom resource.
pub struct Row {
    pub role: Role,
    pub secret: &'static str,
    pub pod: &'static str,
    pub node: &'static str,
    pub widget: &'static str,
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
pub const IN_SCOPE: [Row; 9] = [
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
pub const OTHER_NAMESPACE: [Row; 9] = [
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
pub const OTHER_CLUSTER: [Row; 9] = [
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
