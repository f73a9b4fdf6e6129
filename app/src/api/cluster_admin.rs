//! Changing a member on the host: its details, its kubeconfig, or removing it.

use leptos::prelude::*;
use orbital_types::Cluster;

use super::clusters::ClusterError;

/// Replaces a member's labels (`key=value` terms separated by commas or new lines), provider
/// and description.
#[server(endpoint = "clusters/update")]
pub async fn update_cluster(
    name: String,
    labels: String,
    provider: String,
    description: String,
) -> Result<Cluster, ClusterError> {
    use super::clusters::scope;

    let labels = ClusterError::check_labels(&labels)?;
    scope()?
        .update_details(&name, &labels, provider.trim(), description.trim())
        .await
        .map_err(ClusterError::from_join)
}

/// Replaces a member's kubeconfig with one that reaches the same cluster, e.g. after its
/// credentials were rotated.
#[server(endpoint = "clusters/rotate-kubeconfig")]
pub async fn rotate_kubeconfig(name: String, kubeconfig: String) -> Result<(), ClusterError> {
    use super::clusters::scope;

    scope()?
        .rotate_kubeconfig(&name, &kubeconfig)
        .await
        .map_err(ClusterError::from_join)
}

/// Removes a member, reachable or not; `confirm` must repeat its name. Sends the browser back
/// to the cluster list.
#[server(endpoint = "clusters/remove")]
pub async fn remove_cluster(name: String, confirm: String) -> Result<(), ClusterError> {
    use super::clusters::scope;

    if confirm.trim() != name {
        return Err(
            ClusterError::Refused("type the cluster's name to confirm its removal".into()).answer(),
        );
    }
    scope()?
        .remove(&name)
        .await
        .map_err(ClusterError::from_join)?;
    leptos_axum::redirect("/clusters");
    Ok(())
}
