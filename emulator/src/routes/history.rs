//! API call history (§2.7): the detailed log of a call, `response_data` as a JSON string.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::error::{ApiError, Family};
use crate::exec;
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

/// Rehydration: `response_data.download_url` links to a copy of the version's workbook with
/// the call's inputs written into its input cells (record `index` of a v4 call, default 0;
/// an index out of range is a 400, as the TypeScript SDK's `index` documents). The envelope's
/// `status` is null.
async fn rehydrate(
    State(state): State<AppState>,
    Path((_tenant, _folder, _service, call_id)): Path<(String, String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    // The SDKs send `{}` or `null`: read it, or hyper closes the keep-alive connection
    // after answering and the SDK's next request on it fails.
    _body: Bytes,
) -> Result<Response, ApiError> {
    let family = Family::V3;
    let record = state
        .inner
        .history
        .get(&call_id)
        .ok_or(ApiError::NotFound {
            family,
            code: "CALL_NOT_FOUND",
            message: format!("call {call_id} not found"),
        })?;
    let records = if record.api == "V3" {
        vec![exec::normalise_inputs(Some(&record.inputs), family)?]
    } else {
        // The call was admitted once, so its records are within the limit.
        super::v4::records(Some(&record.inputs), family, usize::MAX)?.0
    };
    let index = match query.get("index").map(String::as_str) {
        None | Some("") => 0,
        Some(text) => text.parse::<usize>().map_err(|_| {
            ApiError::bad_request(family, format!("index {text:?} is not a record number"))
        })?,
    };
    let inputs = records.get(index).ok_or_else(|| {
        ApiError::bad_request(
            family,
            format!(
                "index {index} is out of range: call {call_id} has {} record(s)",
                records.len()
            ),
        )
    })?;
    let file = record
        .version
        .engine
        .workbook_with_inputs(inputs)
        .map_err(|reason| ApiError::bad_request(family, format!("cannot rehydrate: {reason}")))?;
    let stem = record
        .version
        .info
        .file_name
        .rsplit_once('.')
        .map_or(record.version.info.file_name.as_str(), |(stem, _)| stem);
    let job = format!("{call_id}-{index}");
    state
        .inner
        .downloads
        .insert(job.clone(), format!("{stem}.xlsx"), Bytes::from(file));
    let url = format!(
        "{}/_emulator/downloads/{job}",
        crate::origin::origin(&headers)
    );
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
