//! Members: who holds which role on a cluster, a workspace or a project, granting and revoking.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::Role;
use orbital_types::tenancy::{Member, MemberTarget};

use super::IamError;

/// Which namespaces of the cluster `target` is on are projects, for deciding grants there.
#[cfg(feature = "ssr")]
async fn projects_for(
    cluster: Option<&str>,
) -> Result<orbital_federation::ClusterProjects, IamError> {
    Ok(match cluster {
        Some(cluster) => {
            super::iam_error::clusters()?
                .cluster_projects(cluster)
                .await
        }
        None => orbital_federation::ClusterProjects::default(),
    })
}

/// The grants on `target`, if the caller may see them.
#[server(endpoint = "members/list", input = Json)]
pub async fn list_members(target: MemberTarget) -> Result<Vec<Member>, IamError> {
    let cluster = match &target {
        MemberTarget::Cluster(cluster) => Some(cluster.as_str()),
        MemberTarget::Project(project) => Some(project.cluster.as_str()),
        MemberTarget::Platform | MemberTarget::Workspace(_) => None,
    };
    let projects = projects_for(cluster).await?;
    Ok(super::iam_error::tenancy()?.members(&target, &projects)?)
}

/// Gives `user` the role `role`, on the scope the role takes: `cluster`, `workspace`, or
/// `cluster` and `namespace`.
#[server(endpoint = "members/grant")]
pub async fn grant_role(
    user: String,
    role: Role,
    #[server(default)] cluster: Option<String>,
    #[server(default)] workspace: Option<String>,
    #[server(default)] namespace: Option<String>,
) -> Result<Member, IamError> {
    use orbital_types::RoleScope;
    use orbital_types::tenancy::Project;

    let given = |field: Option<String>, name: &str| {
        field
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| IamError::Refused(format!("a {role} grant needs a {name}")).answer())
    };
    let target = match role.scope() {
        RoleScope::Platform => MemberTarget::Platform,
        RoleScope::Cluster => MemberTarget::Cluster(given(cluster, "cluster")?),
        RoleScope::Workspace => MemberTarget::Workspace(given(workspace, "workspace")?),
        RoleScope::Project => MemberTarget::Project(Project {
            cluster: given(cluster, "cluster")?,
            namespace: given(namespace, "namespace")?,
        }),
    };
    let cluster = match &target {
        MemberTarget::Cluster(cluster) => Some(cluster.as_str()),
        MemberTarget::Project(project) => Some(project.cluster.as_str()),
        MemberTarget::Platform | MemberTarget::Workspace(_) => None,
    };
    if let Some(cluster) = cluster {
        let known = super::iam_error::clusters()?
            .cluster(cluster)
            .await
            .map_err(|error| {
                IamError::Failed(format!("the cluster list cannot be read: {error}")).answer()
            })?;
        if known.is_none() {
            return Err(
                IamError::NotFound(format!("no cluster named {cluster:?} is registered")).answer(),
            );
        }
    }
    let projects = match &target {
        MemberTarget::Project(project) => projects_for(Some(&project.cluster)).await?,
        _ => projects_for(None).await?,
    };
    Ok(super::iam_error::tenancy()?
        .grant(user.trim(), role, &target, &projects)
        .await?)
}

/// Takes back the grant `grant`; `cluster` is the cluster it is on, if any.
#[server(endpoint = "members/revoke")]
pub async fn revoke_grant(
    grant: String,
    #[server(default)] cluster: Option<String>,
) -> Result<(), IamError> {
    let projects = projects_for(cluster.as_deref().filter(|c| !c.is_empty())).await?;
    Ok(super::iam_error::tenancy()?
        .revoke(&grant, &projects)
        .await?)
}
