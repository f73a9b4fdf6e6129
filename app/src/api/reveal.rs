//! A Secret's values, on an explicit request by a caller allowed to read them; each request is
//! recorded in the audit log.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::ObjectRef;

use super::ObjectError;

/// The values of the Secret `target` names, decoded (bytes that are not UTF-8 are shown
/// replaced).
#[server(endpoint = "objects/reveal", input = Json)]
pub async fn reveal_secret(target: ObjectRef) -> Result<BTreeMap<String, String>, ObjectError> {
    use super::object_call::{self, Ask};
    use super::object_view::ssr::is_secret;
    use base64::Engine;
    use http::{Method, StatusCode};
    if !is_secret(&target) || target.name.is_none() {
        return Err(object_call::refuse(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "only a Secret's values are revealed".into(),
        ));
    }
    let secret = object_call::json(&object_call::send(Ask::new(Method::GET, &target)).await?)?;
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(secret["data"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| {
            let bytes = engine
                .decode(value.as_str().unwrap_or_default())
                .unwrap_or_default();
            (key.clone(), String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect())
}
