//! The command palette's search: clusters, namespaces, kinds and objects by name across every
//! cluster the caller may see, answered from the console's caches.

use leptos::prelude::*;
use orbital_types::Findings;

use super::clusters::ClusterError;

/// The best matches for `text` (at most [`orbital_types::FIND_TEXT_MAX`] characters, case
/// ignored), each with its page, and the clusters that could not answer. Empty text finds
/// nothing; longer text is a `BadRequest` (400).
#[server(endpoint = "find")]
pub async fn find_anything(text: String) -> Result<Findings, ClusterError> {
    use orbital_types::FIND_TEXT_MAX;

    if text.chars().count() > FIND_TEXT_MAX {
        return Err(ClusterError::BadRequest(format!(
            "a search is at most {FIND_TEXT_MAX} characters"
        ))
        .answer());
    }
    super::clusters::scope()?
        .find(&text)
        .await
        .map_err(|error| ClusterError::from_view(error, "a search"))
}
