//! API call history (§2.7): the detailed log of a call, `response_data` as a JSON string.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::error::{ApiError, Family};
use crate::state::{AppState, CallRecord};
use crate::wire::{self, ok};

pub(super) fn router() -> Router<AppState> {
    let base = "/{tenant}/api/v3/folders/{folder}/services/{service}";
    Router::new()
        .route(
            "/{tenant}/api/v3/log/getexecutionhistorybycallid/{call_id}",
            get(by_call_id),
        )
        .route(
            &format!("{base}/download/xml/{{call_id}}"),
            post(rehydrate).get(rehydrate),
        )
        .route(
            &format!("{base}/download/{{call_id}}"),
            post(rehydrate).get(rehydrate),
        )
}

/// Rehydration: `response_data.download_url` links to the workbook of the call's version
/// (the emulator does not write the call's inputs into the file); envelope `status` is null.
async fn rehydrate(
    State(state): State<AppState>,
    Path((_tenant, _folder, _service, call_id)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = state
        .inner
        .history
        .get(&call_id)
        .ok_or(ApiError::NotFound {
            family: Family::V3,
            code: "CALL_NOT_FOUND",
            message: format!("call {call_id} not found"),
        })?;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let url = format!("http://{host}/_emulator/files/{}", record.version.info.id);
    Ok(ok(json!({
        "status": null,
        "response_data": {"download_url": url},
        "response_meta": wire::short_meta(),
        "error": null,
    })))
}

fn log_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The detailed-log document (§6.9) of one call.
pub(super) fn detailed_log(r: &CallRecord, tenant: &str, host: &str) -> Value {
    let m = &r.request_meta;
    let info = &r.version.info;
    let text = |k: &str| m.get(k).cloned().unwrap_or(Value::Null);
    let sent: Value = serde_json::from_slice(&r.response).unwrap_or(Value::Null);
    let (response_data, mut response_meta) = if r.api == "V3" {
        (sent["response_data"].clone(), sent["response_meta"].clone())
    } else {
        (sent, Value::Null)
    };
    if let Value::Object(obj) = &mut response_meta {
        obj.insert("spark_total_time".into(), json!(r.calc_ms));
    }
    json!({
        "EngineCallId": r.call_id,
        "LogTime": log_time(r.at),
        "TransactionDate": m.get("transaction_date").and_then(Value::as_str)
            .and_then(wire::parse_instant).map(log_time).unwrap_or_else(|| log_time(r.at)),
        "SourceSystem": text("source_system"),
        "Purpose": text("call_purpose"),
        "UserName": "emulator@cspark.local",
        "HostName": host,
        "Tenant": tenant,
        "Service": info.service,
        "Product": info.folder,
        "EngineDetails": {
            "response_data": response_data,
            "response_meta": response_meta,
            "request_data": {"inputs": r.inputs},
            "request_meta": {
                "service_uri": text("service_uri"),
                "service_id": info.service_id,
                "version": info.version.to_string(),
                "version_id": info.id,
                "transaction_date": text("transaction_date"),
                "call_purpose": text("call_purpose"),
                "source_system": text("source_system"),
                "correlation_id": m.get("correlation_id").cloned().unwrap_or(json!("")),
                "requested_output": text("requested_output"),
                "service_category": m.get("service_category").cloned().unwrap_or(json!("")),
                "compiler_type": "Neuron",
                "array_outputs": text("array_outputs"),
                "response_data_inputs": m.get("response_data_inputs").cloned().unwrap_or(json!(false)),
                "parameterset_version_id": text("parameterset_version_id"),
                "validation_type": text("validation_type"),
                "xreport_options": text("xreport_options"),
            },
        },
        "CalcTime": r.calc_ms,
        "SparkTotalTime": r.calc_ms,
        "ServiceRevision": info.version.to_string(),
        "APIVersion": r.api,
        "ControlLogReference": null,
    })
}

async fn by_call_id(
    State(state): State<AppState>,
    Path((_tenant, call_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = state
        .inner
        .history
        .get(&call_id)
        .ok_or(ApiError::NotFound {
            family: Family::V3,
            code: "CALL_NOT_FOUND",
            message: format!("call {call_id} not found"),
        })?;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let log = detailed_log(&record, state.tenant(), host);
    let data = Value::String(log.to_string());
    Ok(ok(wire::v3_success(data, wire::short_meta())))
}
