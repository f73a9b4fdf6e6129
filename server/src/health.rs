//! Probe endpoints: `/healthz` says the process is alive, `/readyz` that it is ready to serve.

use axum::extract::State;
use axum::http::StatusCode;

use crate::router::ConsoleState;

/// Always 200 while the process can answer at all.
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 once the console is ready, 503 before that and while it shuts down.
pub async fn readyz(State(state): State<ConsoleState>) -> (StatusCode, &'static str) {
    if state.console.readiness().is_ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
