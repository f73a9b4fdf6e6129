//! One component per routed page.

mod cluster;
mod clusters;
mod home;
mod not_found;
mod pods;

pub use cluster::ClusterPage;
pub use clusters::ClustersPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use pods::PodsPage;
