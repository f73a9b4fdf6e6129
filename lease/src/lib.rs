//! One replica at a time. Several console replicas serve the same host cluster; work that must
//! happen once (status writes, copies to members, clean-up) runs only on the replica holding a
//! `coordination.k8s.io/v1` `Lease`, and moves to another replica when the holder stops renewing
//! it.
//!
//! [`Candidate::start`] campaigns for the lease in the background; its [`Leadership`] tells
//! whether this replica leads now, and [`while_leading`] runs a task only while it does.

mod campaign;
mod leadership;

pub use campaign::{Candidate, LeaseError, LeaseSettings};
pub use leadership::{Leadership, while_leading};
