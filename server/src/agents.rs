//! `/agent/connect/{cluster}`: where the agents of members in networks the host cannot dial
//! connect; and `/peer/clusters/{cluster}/...`, where other replicas relay the requests of a
//! member whose agent is connected to this one. Both outside the login gate: an agent's
//! credential is its cluster's join token and a replica's the token the replicas share, which
//! the federation checks.

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

/// Serves a request another replica relays to the agent member `cluster` (host mode only).
pub async fn relayed(
    State(state): State<ConsoleState>,
    Path((cluster, _)): Path<(String, String)>,
    request: Request,
) -> Response {
    let Some(federation) = state.federation.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The path on the member, still encoded as the relaying replica sent it.
    let prefix = orbital_agent::relay_path(&cluster);
    let path_and_query = request
        .uri()
        .path_and_query()
        .and_then(|path| path.as_str().strip_prefix(prefix.as_str()))
        .unwrap_or_default()
        .to_owned();
    federation.relayed(&cluster, &path_and_query, request).await
}
