//! Server functions and the types they exchange with the browser.

mod clusters;
mod overview;
mod pods;
mod status;

pub use clusters::{
    ClusterSummary, GetCluster, JoinCluster, ListClusters, get_cluster, join_cluster, list_clusters,
};
pub use overview::{ConsoleOverview, GetConsoleOverview, get_console_overview};
pub use pods::{ListPods, PAGE_SIZE, PodPage, PodQuery, PodRow, list_pods};
pub use status::{CheckConsoleStatus, ConsoleStatus, check_console_status};

#[cfg(feature = "ssr")]
use leptos::prelude::{ServerFnError, use_context};

/// The console context every server function needs, or an error if the server did not provide it.
#[cfg(feature = "ssr")]
fn console_context() -> Result<crate::ConsoleContext, ServerFnError> {
    use_context::<crate::ConsoleContext>()
        .ok_or_else(|| ServerFnError::new("the console is not initialised; try again shortly"))
}
