//! Where the audit page reads from: the server's audit log, behind a trait so that the format
//! stays the server's.

use std::fmt;
use std::sync::Arc;

use orbital_types::tenancy::{AuditEntry, AuditFilter};

/// The audited changes the console has recorded.
pub trait AuditTrail: Send + Sync {
    /// The newest `limit` entries `filter` matches, the newest first.
    fn recent(&self, filter: &AuditFilter, limit: usize) -> Vec<AuditEntry>;
}

/// A shared audit trail, as the console context carries it.
#[derive(Clone)]
pub struct SharedAuditTrail(pub Arc<dyn AuditTrail>);

impl fmt::Debug for SharedAuditTrail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditTrail")
    }
}
