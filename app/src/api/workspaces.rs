//! Workspaces and their projects: listing, placing, and making and deleting projects.

use leptos::prelude::*;
use orbital_types::tenancy::{Project, WorkspaceSummary};

use super::IamError;

/// The workspaces the caller belongs to (every one, for platform admins).
#[server(endpoint = "workspaces/list")]
pub async fn list_workspaces() -> Result<Vec<WorkspaceSummary>, IamError> {
    Ok(super::iam_error::tenancy()?.workspaces())
}

/// The workspace `name` and its projects on the clusters the caller sees.
#[server(endpoint = "workspaces/get")]
pub async fn get_workspace(name: String) -> Result<(WorkspaceSummary, Vec<Project>), IamError> {
    let workspace = super::iam_error::tenancy()?
        .workspace(&name)
        .ok_or_else(|| {
            IamError::NotFound(format!("the workspace {name:?} does not exist")).answer()
        })?;
    let projects = super::iam_error::clusters()?
        .projects_of(&workspace.name, &workspace.clusters)
        .await;
    Ok((workspace, projects))
}

/// Makes a workspace placed on `clusters` (names separated by commas or spaces).
#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(
    name: String,
    clusters: String,
    description: String,
) -> Result<String, IamError> {
    let scope = super::iam_error::clusters()?;
    let mut placed: Vec<String> = Vec::new();
    for cluster in clusters
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let known = scope.cluster(cluster).await.map_err(|error| {
            IamError::Failed(format!("the cluster list cannot be read: {error}")).answer()
        })?;
        if known.is_none() {
            return Err(IamError::Refused(format!(
                "there is no cluster {cluster:?} to place the workspace on"
            ))
            .answer());
        }
        if !placed.iter().any(|p| p == cluster) {
            placed.push(cluster.to_owned());
        }
    }
    let name = name.trim().to_owned();
    super::iam_error::tenancy()?
        .create_workspace(&name, &placed, &description)
        .await?;
    Ok(name)
}

/// Deletes the workspace `name` and the grants on it; `confirm` must repeat its name. Sends
/// the browser back to the workspace list.
#[server(endpoint = "workspaces/delete")]
pub async fn delete_workspace(name: String, confirm: String) -> Result<(), IamError> {
    if confirm.trim() != name {
        return Err(
            IamError::Refused("type the workspace's name to confirm its deletion".into()).answer(),
        );
    }
    super::iam_error::tenancy()?.delete_workspace(&name).await?;
    leptos_axum::redirect("/workspaces");
    Ok(())
}

/// Makes the namespace `namespace` on `cluster` a new project of `workspace`.
#[server(endpoint = "projects/create")]
pub async fn create_project(
    workspace: String,
    cluster: String,
    namespace: String,
) -> Result<Project, IamError> {
    super::iam_error::tenancy()?
        .workspace(&workspace)
        .ok_or_else(|| {
            IamError::NotFound(format!("the workspace {workspace:?} does not exist")).answer()
        })?;
    Ok(super::iam_error::clusters()?
        .create_project(cluster.trim(), namespace.trim(), &workspace)
        .await?)
}

/// Deletes the project `namespace` of `cluster`, with everything in it.
#[server(endpoint = "projects/delete")]
pub async fn delete_project(cluster: String, namespace: String) -> Result<(), IamError> {
    Ok(super::iam_error::clusters()?
        .delete_project(&cluster, &namespace)
        .await?)
}
