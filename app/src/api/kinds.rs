//! The kinds one cluster serves, from its discovery: the navigation of the resource browser.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ApiKind;

use super::ObjectError;

/// Every kind the cluster `cluster` serves that can be listed, built-in and custom, at its
/// preferred version.
#[server(endpoint = "objects/kinds", input = Json)]
pub async fn list_kinds(cluster: String) -> Result<Vec<ApiKind>, ObjectError> {
    use super::object_call;
    use orbital_types::ApiVerb;
    let kinds = object_call::scope()?
        .kinds(&cluster)
        .await
        .map_err(object_call::discovery_error)?;
    Ok(kinds
        .iter()
        .filter(|kind| kind.allows(ApiVerb::List))
        .cloned()
        .collect())
}
