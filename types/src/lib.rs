//! The wire types Orbital's server and browser share, defined once: what a cluster looks like
//! to the console ([`Cluster`]), the kinds listed across clusters ([`Kind`]), and the queries
//! and pages of those lists ([`Query`], [`Page`]), the built-in roles ([`Role`]), the overview of clusters ([`Overview`]), what the command palette finds ([`Findings`]) and the
//! tenancy objects as pages show them ([`tenancy`]). No server code, so the browser bundle
//! compiles them as they are.

mod api_kind;
pub mod appstore;
mod cluster;
mod diff;
mod find;
mod object;
mod overview;
mod role;
mod table;
pub mod tenancy;
mod view;

pub use api_kind::{ApiKind, ApiVerb, LiveTarget, address, object_page};
pub use cluster::{
    AgentAvailability, Cluster, ClusterStatus, Connection, Reason, cores, gibibytes,
};
pub use diff::{DiffLine, LineChange, line_diff};
pub use find::{FIND_TEXT_MAX, FOUND_LIMIT, Findings, Found, FoundWhat, Match};
pub use object::{InvalidObjectRef, ObjectRef};
pub use overview::{
    Amounts, ClusterLoad, Load, NodeLoad, OVERVIEW_LIMIT, Overview, Warning, Workload,
};
pub use role::{Role, RoleScope, UnknownRole};
pub use table::{Table, TableColumn, TableQuery, TableRow};
pub use view::{Failure, Kind, PAGE_SIZE, Page, Query, Row, Sort};
