//! `/agent/connect/{cluster}`: where the agents of members in networks the host cannot dial
//! connect. Outside the login gate: an agent's credential is its cluster's join token, which
//! the federation checks before it takes the connection over.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::client_address;
use crate::router::ConsoleState;

/// Hands an agent's connection for `cluster` to the federation (host mode only).
pub async fn connect(
    State(state): State<ConsoleState>,
    Path(cluster): Path<String>,
    request: Request,
) -> Response {
    let Some(agents) = state.federation.as_ref().and_then(|f| f.agents()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let client = client_address(request.extensions())
        .map(|address| address.to_string())
        .unwrap_or_default();
    agents.connect(&cluster, request, &client).await
}
