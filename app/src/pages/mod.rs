//! One component per routed page.

mod cluster;
mod cluster_admin;
mod clusters;
mod home;
mod login;
mod not_found;
mod resources;

pub use cluster::ClusterPage;
pub use clusters::ClustersPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use resources::ResourcesPage;
