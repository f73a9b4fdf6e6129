//! One kind of resource across clusters: filtered, sorted and paged on the server, from the
//! console's caches.

use leptos::prelude::*;
use orbital_types::{Kind, Page, Query};

use super::clusters::ClusterError;

/// A page of `kind` across the clusters this request may reach; a malformed label selector is
/// a `BadRequest` (400) that says what is wrong with it, a kind no cluster serves `Missing` (404).
#[server(endpoint = "views/list")]
pub async fn list_resources(kind: Kind, query: Query) -> Result<Page, ClusterError> {
    super::clusters::scope()?
        .view(&kind, &query)
        .await
        .map_err(|error| ClusterError::from_view(error, &format!("the {kind} view")))
}
