//! The audit log, for platform admins.

use leptos::prelude::*;
use orbital_types::tenancy::{AuditEntry, AuditFilter};

use super::IamError;

/// The most entries one page lists.
pub const AUDIT_PAGE: usize = 200;

/// The newest audited changes `filter` matches (platform admins only), the newest first.
#[server(endpoint = "audit/list")]
pub async fn list_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, IamError> {
    if !super::iam_error::tenancy()?.permissions().platform_admin {
        return Err(
            IamError::Forbidden("only a platform admin may read the audit log".into()).answer(),
        );
    }
    let console = super::console_context().map_err(|e| IamError::Failed(e.to_string()).answer())?;
    let trail = console
        .audit()
        .ok_or_else(|| IamError::Failed("this console keeps no audit log".into()).answer())?;
    Ok(trail.recent(&filter, AUDIT_PAGE))
}
