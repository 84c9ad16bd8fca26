//! Endpoints the emulator knows but cannot serve faithfully: proxy endpoints. They answer
//! 501 `NOT_SUPPORTED_BY_EMULATOR` in the v3 envelope instead of a confusing 404. (WASM
//! bundles are served by [`super::wasm`], with the workbook in place of compiled code.)

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;

use crate::error::{ApiError, Family};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/api/v3/proxy/{*suffix}", any(proxy))
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

async fn proxy() -> ApiError {
    unsupported("proxy execution")
}
