//! Endpoints the emulator knows but cannot serve faithfully: WASM bundles (no Neuron
//! compiler) and proxy endpoints. They answer 501 `NOT_SUPPORTED_BY_EMULATOR` in the v3
//! envelope instead of a confusing 404.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{any, get};

use crate::error::{ApiError, Family};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in [
        "/{tenant}/api/v3/nodegen",
        "/{tenant}/api/v3/nodegen/public",
    ] {
        r = r.route(
            &format!("{prefix}/getnodegenzipbyid/{{*locator}}"),
            get(wasm),
        );
    }
    r.route("/{tenant}/api/v3/proxy/{*suffix}", any(proxy))
        .route("/{tenant}/api/v3/public/proxy/{*suffix}", any(proxy))
}

fn unsupported(what: &str) -> ApiError {
    ApiError::Coded {
        family: Family::V3,
        status: StatusCode::NOT_IMPLEMENTED,
        code: "NOT_SUPPORTED_BY_EMULATOR",
        message: format!("{what} is not supported by the emulator"),
    }
}

async fn wasm() -> ApiError {
    unsupported("WASM download (getnodegenzipbyId)")
}

async fn proxy() -> ApiError {
    unsupported("proxy execution")
}
