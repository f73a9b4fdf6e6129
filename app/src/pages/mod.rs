//! One component per routed page.

mod account;
mod appstore;
mod appstore_app;
mod audit;
mod cluster;
mod cluster_admin;
mod clusters;
mod create;
mod find;
mod home;
mod installed;
mod kind;
mod login;
mod not_found;
mod object;
mod release;
mod repositories;
mod resources;
mod users;
mod workspace;
mod workspaces;

pub use account::AccountPage;
pub use appstore::AppStorePage;
pub use appstore_app::AppStoreAppPage;
pub use audit::AuditPage;
pub use cluster::ClusterPage;
pub use clusters::ClustersPage;
pub use create::CreatePage;
pub use find::FindPage;
pub use home::HomePage;
pub use installed::InstalledAppsPage;
pub use kind::KindPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use object::ObjectPage;
pub use release::ReleasePage;
pub use repositories::RepositoriesPage;
pub use resources::ResourcesPage;
pub use users::UsersPage;
pub use workspace::{ProjectPage, WorkspacePage};
pub use workspaces::WorkspacesPage;

/// The value of `key` in a page's query, trimmed; `None` when absent or blank.
pub(crate) fn query_text(params: &leptos_router::params::ParamsMap, key: &str) -> Option<String> {
    params
        .get(key)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}
