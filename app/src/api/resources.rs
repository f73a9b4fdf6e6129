//! One kind of resource across clusters: filtered, sorted and paged on the server, from the
//! console's caches.

use leptos::prelude::*;
use orbital_types::{Kind, Page, Query};

use super::clusters::ClusterError;

/// A page of `kind` across the clusters this request may reach; a malformed label selector is
/// a `BadRequest` (400) that says what is wrong with it.
#[server(endpoint = "views/list")]
pub async fn list_resources(kind: Kind, query: Query) -> Result<Page, ClusterError> {
    use orbital_federation::ViewError;

    super::clusters::scope()?
        .view(kind, &query)
        .await
        .map_err(|error| match error {
            ViewError::Selector(_) => ClusterError::BadRequest(error.to_string()).answer(),
            ViewError::Registry(_) => {
                tracing::warn!("the {} view failed: {error}", kind.plural());
                ClusterError::Failed(
                    "the cluster list cannot be read right now; try again shortly".into(),
                )
                .answer()
            }
        })
}
