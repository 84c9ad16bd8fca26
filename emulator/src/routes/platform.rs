//! Platform configuration (`GET /api/v1/config/GetSparkConfiguration`, bearer only) and the
//! emulator's file links (`/_emulator/files/{version_id}`, the target of `download_url`s).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::wire::ok;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/config/getsparkconfiguration", get(config))
        .route("/_emulator/files/{version_id}", get(file))
}

async fn config(headers: HeaderMap) -> Result<Response, ApiError> {
    // API keys are not accepted here on Spark (bearer only).
    if headers.contains_key("x-synthetic-key") {
        return Err(ApiError::Unauthorized(Family::V3));
    }
    Ok(ok(json!({
        "status": "Success",
        "data": {
            "Acceptable_Error_Percentage": "0",
            "Batch_Chunk_Size": "100",
            "Batch_Max_Input_In_Mb": "450",
            "CompilerVersion_NeuronStableLatest": "Neuron_v1.12.0",
            "CompilerVersions_Neuron": "Neuron_v1.12.0",
            "DateFormat": "yyyy-MM-dd",
            "EnablePublicAPI": "True",
            "EngineType": "Neuron",
            "ExportAPIJobLimit": "1",
            "ImpExSizeLimit_InBytes": "209715200",
            "SupportedEngineTypes_UI": "Neuron",
            "SupportedEngineTypes_Backend": "Nodegen",
            "Transforms_List": "JSONtransforms_v1.0.1,Nodejs22_v1.0.0",
            "UploadFileSizeLimit_InBytes": "199229440",
            "APICallHistoryWriteFormat": "V3",
            "TrackAPICallHistory": "TRUE",
        }
    })))
}

/// The original workbook of a version, without credentials (like a signed entitystore link).
async fn file(
    State(state): State<AppState>,
    Path(version_id): Path<String>,
) -> Result<Response, ApiError> {
    let version = state
        .store()
        .version(&version_id)
        .ok_or_else(|| ApiError::version_not_found(Family::V3, "unknown file"))?;
    let mut res = (StatusCode::OK, version.file.clone()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(version.file.len()),
    );
    Ok(res)
}
