//! Call-history downloads (§2.7): `log/downloadjson` / `log/downloadcsv` start a job that is
//! finished at once; its status gives a `download_url` served by the emulator
//! (`/_emulator/downloads/{job}`): a zip holding `{service}_logs.json` (an array of detailed
//! logs) or `{service}_logs.csv` (Spark's CSV columns).

use std::io::Write;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::error::{ApiError, Family};
use crate::state::{AppState, CallRecord};
use crate::wire::{self, ok};

use super::history::detailed_log;
use super::parse_object;

pub(super) fn router() -> Router<AppState> {
    let base = "/{tenant}/api/v3/folders/{folder}/services/{service}/log";
    Router::new()
        .route(&format!("{base}/{{format}}"), post(start))
        .route(&format!("{base}/{{format}}/status/{{job}}"), get(status))
        .route("/_emulator/downloads/{job}", get(download))
        .route(
            "/api/v1/product/{folder}/engines/{service}/logs",
            post(search),
        )
}

/// `POST /api/v1/product/{f}/engines/{s}/logs`: call history of a service, newest first.
async fn search(
    State(state): State<AppState>,
    Path((folder, service)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, Family::V3)?;
    let mut from = None;
    let mut to = None;
    let mut version = None;
    let mut purpose = None;
    let mut text = None;
    let terms = match body.get("search") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => {
            return Err(ApiError::bad_request(
                Family::V3,
                format!("search must be a list of terms, got {other}"),
            ));
        }
    };
    for item in terms {
        // Both spellings of a term, as for the other searches (`search_terms`); a field the
        // emulator cannot filter on is a 400, never a filter silently dropped.
        let pick = |a: &str, b: &str| item.get(a).or_else(|| item.get(b));
        let field = pick("field", "fieldName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let value = pick("value", "fieldValue")
            .and_then(Value::as_str)
            .map(String::from);
        match field.as_str() {
            "startdate" => from = value.as_deref().and_then(wire::parse_instant),
            "enddate" => to = value.as_deref().and_then(wire::parse_instant),
            "version" => version = item["id"].as_str().map(String::from).or(value),
            "callpurpose" => purpose = value,
            "search" => text = value,
            _ => {
                return Err(ApiError::bad_request(
                    Family::V3,
                    format!(
                        "search term {item} filters on a field the call history cannot \
                         (startDate, endDate, version, callPurpose, search)"
                    ),
                ));
            }
        }
    }
    let mut records = state.inner.history.matching(|r| {
        let i = &r.version.info;
        let m = &r.request_meta;
        let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
        i.folder.eq_ignore_ascii_case(&folder)
            && i.service.eq_ignore_ascii_case(&service)
            && from.is_none_or(|f| r.at >= f)
            && to.is_none_or(|t| r.at <= t)
            && version
                .as_deref()
                .is_none_or(|v| i.id.eq_ignore_ascii_case(v))
            && purpose
                .as_deref()
                .is_none_or(|p| field("call_purpose") == p)
            && text.as_deref().is_none_or(|t| {
                r.call_id.eq_ignore_ascii_case(t)
                    || field("source_system") == t
                    || field("correlation_id") == t
            })
    });
    records.reverse();
    let page = body.get("page").and_then(Value::as_u64).unwrap_or(1).max(1) as usize;
    let size = body
        .get("pageSize")
        .and_then(Value::as_u64)
        .unwrap_or(100)
        .max(1) as usize;
    let count = records.len();
    let data: Vec<Value> = records
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|r| {
            let i = &r.version.info;
            let m = &r.request_meta;
            let at = wire::timestamp(r.at);
            json!({
                "id": r.call_id, "transactionDate": at, "timeStamp": at,
                "callGUID": r.call_id, "engineGUID": i.id, "engineHASH": r.version.hash,
                "serviceName": i.service, "serviceVersion": i.version.to_string(),
                "calcTime": r.calc_ms.to_string(),
                "callPurpose": m.get("call_purpose").cloned().unwrap_or(Value::Null),
                "sourceSystem": m.get("source_system").cloned().unwrap_or(Value::Null),
                "log": null, "totalTime": r.calc_ms.to_string(),
                "username": "emulator@cspark.local", "isBatchCall": r.api == "V4",
                "correlationId": m.get("correlation_id").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(ok(json!({
        "status": "Success", "data": data, "errorCode": null, "message": null, "count": count,
        "next": if page.saturating_mul(size) < count { json!(page + 1) } else { Value::Null },
        "previous": if page > 1 { json!(page - 1) } else { Value::Null },
    })))
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

fn csv_cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(records: &[std::sync::Arc<CallRecord>], logs: &[Value]) -> String {
    let (inputs, outputs): (Vec<String>, Vec<String>) = match records.first() {
        Some(r) => (
            r.version
                .engine
                .inputs()
                .iter()
                .map(|f| f.name.clone())
                .collect(),
            r.version
                .engine
                .outputs()
                .iter()
                .map(|f| f.name.clone())
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut out = String::from(
        "Description,Log Time,Transaction date,Version,Version ID,User name,Source system,\
         Correlation ID,Call purpose,Call ID,Calc time (ms),Total time (ms)",
    );
    for name in inputs.iter().chain(&outputs) {
        out.push(',');
        out.push_str(&csv_cell(&json!(name)));
    }
    out.push_str(",Error Details,Warning Details\r\n");
    for log in logs {
        let d = &log["EngineDetails"];
        let first_output = |name: &str| match &d["response_data"]["outputs"] {
            Value::Object(o) => o.get(name).cloned().unwrap_or(Value::Null),
            Value::Array(rows) => rows.first().map(|r| r[name].clone()).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let first_input = |name: &str| match &d["request_data"]["inputs"] {
            Value::Array(rows) => rows.first().map(|r| r[name].clone()).unwrap_or(Value::Null),
            other => other[name].clone(),
        };
        let mut cells = vec![
            json!(log["APIVersion"]),
            log["LogTime"].clone(),
            log["TransactionDate"].clone(),
            log["ServiceRevision"].clone(),
            d["request_meta"]["version_id"].clone(),
            log["UserName"].clone(),
            log["SourceSystem"].clone(),
            d["request_meta"]["correlation_id"].clone(),
            log["Purpose"].clone(),
            log["EngineCallId"].clone(),
            log["CalcTime"].clone(),
            log["SparkTotalTime"].clone(),
        ];
        cells.extend(inputs.iter().map(|n| first_input(n)));
        cells.extend(outputs.iter().map(|n| first_output(n)));
        cells.push(d["response_data"]["errors"].clone());
        cells.push(d["response_data"]["warnings"].clone());
        let row: Vec<String> = cells.iter().map(csv_cell).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn zip_one(name: &str, content: &[u8]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .map_err(|e| e.to_string())?;
    zip.write_all(content).map_err(|e| e.to_string())?;
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

async fn start(
    State(state): State<AppState>,
    Path((_tenant, folder, service, format)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let family = Family::V3;
    let json_format = match format.to_ascii_lowercase().as_str() {
        "downloadjson" => true,
        "downloadcsv" => false,
        _ => {
            return Err(ApiError::NotFound {
                family,
                code: "RESOURCE_NOT_FOUND",
                message: format!("no such log format {format}"),
            });
        }
    };
    let body = parse_object(&body, family)?;
    let data = body.get("request_data").cloned().unwrap_or(Value::Null);
    let ids: Vec<String> = wire::string_list(data.get("call_ids")).unwrap_or_default();
    let bound = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .and_then(wire::parse_instant)
    };
    let (from, to) = (bound("start_date"), bound("end_date"));
    let version_id = data
        .get("version_id")
        .or_else(|| body.get("request_meta").and_then(|m| m.get("version_id")))
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(String::from);
    let records = state.inner.history.matching(|r| {
        let i = &r.version.info;
        let m = &r.request_meta;
        let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
        i.folder.eq_ignore_ascii_case(&folder)
            && i.service.eq_ignore_ascii_case(&service)
            && version_id
                .as_deref()
                .is_none_or(|v| i.id.eq_ignore_ascii_case(v))
            && from.is_none_or(|f| r.at >= f)
            && to.is_none_or(|t| r.at <= t)
            && (ids.is_empty()
                || ids.iter().any(|id| {
                    r.call_id.eq_ignore_ascii_case(id)
                        || field("source_system") == id
                        || field("correlation_id") == id
                }))
    });
    let host = host(&headers);
    let logs: Vec<Value> = records
        .iter()
        .map(|r| detailed_log(r, state.tenant(), &host))
        .collect();
    let (inner_name, content) = if json_format {
        (
            format!("{service}_logs.json"),
            serde_json::to_vec(&logs).unwrap_or_default(),
        )
    } else {
        (
            format!("{service}_logs.csv"),
            csv(&records, &logs).into_bytes(),
        )
    };
    let zipped = zip_one(&inner_name, &content)
        .map_err(|e| ApiError::bad_request(family, format!("cannot build the archive: {e}")))?;
    let job = uuid::Uuid::new_v4().to_string();
    let file_name = format!("{service}_logs.zip");
    state
        .inner
        .downloads
        .insert(job.clone(), file_name, Bytes::from(zipped));
    Ok(ok(json!({
        "status": "Success",
        "response_data": {"job_id": job},
        "response_meta": wire::short_meta(),
        "error": null,
    })))
}

async fn status(
    State(state): State<AppState>,
    Path((_tenant, _folder, _service, _format, job)): Path<(
        String,
        String,
        String,
        String,
        String,
    )>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let known = state.inner.downloads.contains(&job);
    if !known {
        return Err(ApiError::NotFound {
            family: Family::V3,
            code: "JOB_NOT_FOUND",
            message: format!("job {job} not found"),
        });
    }
    let url = format!(
        "{}/_emulator/downloads/{job}",
        crate::origin::origin(&headers)
    );
    Ok(ok(json!({
        "response_data": {"progress": 100, "download_url": url},
        "response_meta": wire::short_meta(),
        "error": null,
    })))
}

async fn download(
    State(state): State<AppState>,
    Path(job): Path<String>,
) -> Result<Response, ApiError> {
    let found = state.inner.downloads.get(&job);
    let (name, bytes) = found.ok_or_else(|| ApiError::NotFound {
        family: Family::V3,
        code: "FILE_NOT_FOUND",
        message: format!("download {job} not found"),
    })?;
    // Log and export downloads are zips; rehydrated calls are workbooks.
    let content_type = if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "application/zip"
    };
    Ok(wire::attachment(bytes, content_type, &name))
}
