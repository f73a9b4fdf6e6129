//! Server functions and the types they exchange with the browser.

mod cluster_admin;
mod clusters;
mod overview;
mod resources;
mod status;

pub use cluster_admin::{
    RemoveCluster, RotateKubeconfig, UpdateCluster, remove_cluster, rotate_kubeconfig,
    update_cluster,
};
pub use clusters::{
    ClusterError, ClusterSummary, GetCluster, JoinCluster, ListClusters, get_cluster, join_cluster,
    list_clusters,
};
pub use overview::{ConsoleOverview, GetConsoleOverview, get_console_overview};
pub use resources::{
    ListResources, PAGE_SIZE, ResourceKind, ResourcePage, ResourceQuery, ResourceRow,
    list_resources,
};
pub use status::{CheckConsoleStatus, ConsoleStatus, check_console_status};

#[cfg(feature = "ssr")]
use leptos::prelude::{ServerFnError, use_context};

/// The console context every server function needs, or an error if the server did not provide it.
#[cfg(feature = "ssr")]
fn console_context() -> Result<crate::ConsoleContext, ServerFnError> {
    use_context::<crate::ConsoleContext>()
        .ok_or_else(|| ServerFnError::new("the console is not initialised; try again shortly"))
}
