//! The federation core: which clusters a console serves and the one gate through which every
//! page, server function and proxied call reaches them.
//!
//! State lives in the host cluster: a cluster-scoped `Cluster` custom resource per member and
//! the member's kubeconfig in a Secret owned by it. A [`Federation`] holds the registry, one
//! client per member, the health loop and the caches, all private to this crate; a
//! [`Scope`], built per request for a [`Principal`], is the only way through: listing and
//! managing clusters, cross-cluster views and following their changes, overviews, finding anything by name, and the API proxy.

pub mod agents;
mod cache;
pub mod cluster;
pub mod console_credentials;
mod copies;
mod discovery;
mod find;
mod follow;
mod health;
mod host;
pub mod host_mark;
mod join;
mod links;
mod overview;
mod pool;
mod principal;
mod projects;
pub mod proxy;
mod registry;
mod request_id;
mod rounds;
mod scope;
mod summary;
mod views;

pub use agents::Agents;
pub use discovery::DiscoveryError;
pub use follow::ViewChange;
pub use join::{AgentJoinRequest, AgentJoined, JoinError, JoinRequest};
pub use pool::client_from_kubeconfig;
pub use principal::{ClusterProjects, Principal, User};
pub use projects::ProjectError;
pub use registry::RegistryError;
pub use scope::{Accept, Answer, Call, Federation, Scope};
pub use views::ViewError;
