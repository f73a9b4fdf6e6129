//! The overview of the clusters in scope, or of one: the nodes' load, workloads that are not
//! healthy and the latest Warning events, answered from the console's caches.

use leptos::prelude::*;
use orbital_types::Overview;

use super::clusters::ClusterError;

/// The overview of `cluster`, or of every cluster this request may reach when `None`. A
/// cluster that cannot answer is named in the overview's failures; one the caller may not see
/// is left out, as if it did not exist.
#[server(endpoint = "overview")]
pub async fn get_overview(cluster: Option<String>) -> Result<Overview, ClusterError> {
    super::clusters::scope()?
        .overview(cluster.as_deref())
        .await
        .map_err(|error| ClusterError::from_view(error, "the overview"))
}
