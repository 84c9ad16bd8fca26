//! `GET /health` and the emulator's own control endpoints under `/_emulator`.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::state::AppState;
use crate::wire::ok;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/_emulator/counters", get(counters))
        .route("/_emulator/counters/reset", post(reset))
}

async fn health() -> Response {
    ok(json!({"status": "UP"}))
}

async fn counters(State(state): State<AppState>) -> Response {
    ok(serde_json::to_value(state.counters()).unwrap_or_default())
}

async fn reset(State(state): State<AppState>) -> Response {
    state.reset_counters();
    ok(json!({"status": "reset"}))
}
