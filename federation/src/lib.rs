//! The federation core: which member clusters the host manages and how it reaches them.
//!
//! State lives in the host cluster: a cluster-scoped `Cluster` custom resource per member and
//! the member's kubeconfig in a Secret. [`Registry`] reads and writes them, [`ClientPool`]
//! keeps one client per member, [`health`] keeps every member's status true, and [`proxy`]
//! passes Kubernetes API calls through to a member.

pub mod cache;
pub mod cluster;
pub mod health;
pub mod join;
pub mod pool;
pub mod proxy;
pub mod registry;
pub mod scope;
pub mod views;

pub use cache::{Caches, Kind};
pub use cluster::{Cluster, ClusterStatus};
pub use join::{JoinError, JoinRequest};
pub use pool::{ClientPool, PoolError};
pub use registry::{Registry, RegistryError};
pub use scope::Scope;
