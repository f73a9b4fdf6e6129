//! The wire types Orbital's server and browser share, defined once: what a cluster looks like
//! to the console ([`Cluster`]), the kinds listed across clusters ([`Kind`]), and the queries
//! and pages of those lists ([`Query`], [`Page`]). Serde only, so the browser bundle compiles
//! them as they are.

mod cluster;
mod view;

pub use cluster::{Cluster, ClusterStatus, Connection, Reason, cores, gibibytes};
pub use view::{Failure, Kind, PAGE_SIZE, Page, Query, Row, Sort};
