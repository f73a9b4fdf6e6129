//! Probe endpoints: `/healthz` says the process is alive, `/readyz` that it is ready to serve.

use axum::extract::State;
use axum::http::StatusCode;

use crate::router::ConsoleState;

/// Always 200 while the process can answer at all.
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 once the console serves and the cluster it depends on answers (the host cluster's
/// registry, or a member console's own cluster); 503 before that, while that cluster does not
/// answer, and while the console shuts down.
pub async fn readyz(State(state): State<ConsoleState>) -> (StatusCode, &'static str) {
    if state.console.readiness().is_ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
