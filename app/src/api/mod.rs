//! Server functions and the types they exchange with the browser.

// The server macro turns each function's arguments into the fields of a public struct, which
// cannot carry docs of their own: the functions' docs describe them.
#[allow(missing_docs)]
mod cluster_admin;
#[allow(missing_docs)]
mod clusters;
mod me;
mod overview;
#[allow(missing_docs)]
mod resources;
mod status;

pub use cluster_admin::{
    RemoveCluster, RotateKubeconfig, UpdateCluster, remove_cluster, rotate_kubeconfig,
    update_cluster,
};
pub use clusters::{
    ClusterError, GetCluster, JoinCluster, ListClusters, get_cluster, join_cluster, list_clusters,
};
pub use me::{GetMe, Me, get_me};
pub use overview::{ConsoleOverview, GetConsoleOverview, get_console_overview};
pub use resources::{ListResources, list_resources};
pub use status::{ConsoleStatus, GetConsoleStatus, get_console_status};

#[cfg(feature = "ssr")]
use leptos::prelude::{ServerFnError, use_context};

/// The console context every server function needs, or an error if the server did not provide it.
#[cfg(feature = "ssr")]
fn console_context() -> Result<crate::ConsoleContext, ServerFnError> {
    use_context::<crate::ConsoleContext>()
        .ok_or_else(|| ServerFnError::new("the console is not initialised; try again shortly"))
}

/// The server functions that change something, as the audit log records them: the path they
/// answer at and the verb they amount to on the `Cluster` they name.
#[cfg(feature = "ssr")]
pub fn changing(path: &str) -> Option<orbital_iam::Verb> {
    use leptos::server_fn::ServerFn;
    use orbital_iam::Verb;
    [
        (JoinCluster::PATH, Verb::Create),
        (UpdateCluster::PATH, Verb::Update),
        (RotateKubeconfig::PATH, Verb::Update),
        (RemoveCluster::PATH, Verb::Delete),
    ]
    .into_iter()
    .find_map(|(changes, verb)| (changes == path).then_some(verb))
}
