//! Workspaces: a tenant's place on some clusters, whose projects are labelled namespaces there.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The label that makes a namespace a project of a workspace: its value is the workspace name.
pub const WORKSPACE_LABEL: &str = "iam.orbital.dev/workspace";

/// The `spec` of a `Workspace` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSpec {
    /// The clusters the workspace is placed on.
    #[serde(default)]
    pub clusters: Vec<String>,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// A workspace by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// Its name.
    pub name: String,
    /// What it says.
    pub spec: WorkspaceSpec,
}

impl Workspace {
    /// Whether the workspace is placed on `cluster`.
    pub fn is_on(&self, cluster: &str) -> bool {
        self.spec.clusters.iter().any(|c| c == cluster)
    }
}

/// Which namespaces are projects of which workspace: the namespaces' labels, on each cluster.
pub trait Projects {
    /// Whether `namespace` on `cluster` is labelled as a project of `workspace`.
    fn is_project_of(&self, cluster: &str, namespace: &str, workspace: &str) -> bool;
}

/// `(cluster, namespace)` → workspace.
impl Projects for HashMap<(String, String), String> {
    fn is_project_of(&self, cluster: &str, namespace: &str, workspace: &str) -> bool {
        self.get(&(cluster.to_owned(), namespace.to_owned()))
            .is_some_and(|w| w == workspace)
    }
}
