//! The service tools: `spark_execute_v3` (through the emulator's own v3 execute route),
//! `spark_service_info` (from the workbook's fields) and `spark_compare_service_versions`
//! (inputs and outputs added, removed and retyped, with table columns as `table.column`,
//! as `cspark-codegen diff --live` reports drift).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use serde_json::{Map, Value, json};

use super::{Args, McpState, ToolFailure};
use crate::error::{ApiError, Family};
use crate::exec::{self, Locator};
use crate::store::Version;
use crate::workbook::{DataType, Field, Shape, Validation};

/// Largest execute response read back from the internal call.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

impl ToolFailure {
    /// A Spark error as a tool failure message.
    pub(crate) fn api(e: ApiError) -> ToolFailure {
        ToolFailure(match e {
            ApiError::NotFound { code, message, .. } => format!("{code}: {message}"),
            ApiError::BadRequest { code, message, .. } => format!("{code}: {message}"),
            ApiError::Rejected { message, .. } | ApiError::Coded { message, .. } => message,
            other => format!("{other:?}"),
        })
    }
}

/// The version `folder/service[version]` names (latest effective one without `version`).
pub(crate) fn resolve(
    state: &McpState,
    folder: &str,
    service: &str,
    version: Option<&str>,
    version_id: Option<&str>,
) -> Result<Arc<Version>, ToolFailure> {
    let loc = Locator {
        folder: Some(folder.to_string()),
        service: Some(service.to_string()),
        version: version.map(str::to_string),
        version_id: version_id.map(str::to_string),
        ..Locator::default()
    };
    exec::resolve(state.app.store(), &loc, Family::V3).map_err(|e| match e {
        ApiError::NotFound {
            code: "SERVICE_NOT_FOUND",
            ..
        } => ToolFailure(format!("service {folder}/{service} not found")),
        other => ToolFailure::api(other),
    })
}

/// `spark_execute_v3`: builds the v3 body and sends it through the emulator's own router,
/// with the caller's credentials, so history, pacing and faults apply as to any execute.
pub(super) async fn execute(
    state: &McpState,
    headers: &HeaderMap,
    args: &Args<'_>,
) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let mut body = match args.value("requestPayload") {
        Some(Value::Object(p))
            if p.contains_key("request_data") || p.contains_key("request_meta") =>
        {
            p.clone()
        }
        Some(Value::Object(inputs)) => {
            let mut body = Map::new();
            body.insert("request_data".into(), json!({"inputs": inputs}));
            body
        }
        _ => Map::new(),
    };
    let meta = body
        .entry("request_meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        for name in [
            "version",
            "version_id",
            "call_purpose",
            "source_system",
            "correlation_id",
            "service_category",
            "transaction_date",
        ] {
            if let Some(v) = args.str(name) {
                meta.insert(name.to_string(), Value::from(v));
            }
        }
    }
    let path = format!(
        "/{}/api/v3/folders/{}/services/{}/execute",
        segment(state.app.tenant()),
        segment(folder),
        segment(service)
    );
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header("content-type", "application/json");
    for name in ["authorization", "x-tenant-name", "x-request-id"] {
        if let Some(v) = headers.get(name) {
            request = request.header(name, v);
        }
    }
    let request = request
        .body(Body::from(Value::Object(body).to_string()))
        .map_err(|e| ToolFailure(format!("cannot build the execute request: {e}")))?;
    let router = state.app_router();
    let response = match tower::ServiceExt::oneshot(router, request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE)
        .await
        .map_err(|e| ToolFailure(format!("cannot read the execute response: {e}")))?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(value);
    }
    let message = value
        .pointer("/error/message")
        .or_else(|| value.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("no message");
    Err(ToolFailure(format!(
        "execute of {folder}/{service} failed with HTTP {}: {message}",
        status.as_u16()
    )))
}

/// A path segment, percent-encoded (everything but RFC 3986 unreserved characters).
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn type_name(t: DataType) -> &'static str {
    match t {
        DataType::Number => "number",
        DataType::Text => "text",
        DataType::Boolean => "boolean",
        DataType::Date => "date",
    }
}

fn field_json(f: &Field) -> Value {
    let mut out = json!({
        "name": f.name,
        "type": type_name(f.data_type),
        "address": format!("{}!{}", f.sheet, f.address),
        "default": f.default,
    });
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    if let Shape::Table { columns, rows } = &f.shape {
        obj.insert("type".into(), Value::from("table"));
        obj.insert(
            "columns".into(),
            columns
                .iter()
                .map(|(name, t)| json!({"name": name, "type": type_name(*t)}))
                .collect(),
        );
        obj.insert("rows".into(), Value::from(*rows));
    }
    if let Some(sub) = &f.subservice {
        obj.insert("subservice".into(), Value::from(sub.clone()));
    }
    match &f.validation {
        Some(Validation::List(values)) => {
            obj.insert("allowed_values".into(), Value::Array(values.clone()));
        }
        Some(Validation::Number { min, max, whole }) => {
            obj.insert(
                "range".into(),
                json!({"min": min, "max": max, "whole_number": whole}),
            );
        }
        None => {}
    }
    if let Some(d) = &f.description {
        obj.insert("description".into(), Value::from(d.clone()));
    }
    out
}

/// `spark_service_info`.
pub(super) fn info(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let version = resolve(state, folder, service, args.str("version"), None)?;
    let versions: Vec<Value> = state
        .app
        .store()
        .versions(folder, service)
        .unwrap_or_default()
        .iter()
        .map(|v| {
            json!({"version": v.info.version.to_string(), "version_id": v.info.id,
                   "created_at": crate::wire::timestamp(v.info.created_at)})
        })
        .collect();
    let info = &version.info;
    Ok(json!({
        "folder": info.folder,
        "service": info.service,
        "service_id": info.service_id,
        "version": info.version.to_string(),
        "version_id": info.id,
        "file_name": info.file_name,
        "effective_start": crate::wire::timestamp(info.effective_start),
        "effective_end": crate::wire::timestamp(info.effective_end),
        "inputs": version.engine.inputs().iter().map(field_json).collect::<Vec<_>>(),
        "outputs": version.engine.outputs().iter().map(field_json).collect::<Vec<_>>(),
        "versions": versions,
    }))
}

/// Wire name → type description; table columns as `table.column`.
fn flatten(fields: &[Field]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in fields {
        match &f.shape {
            Shape::Scalar => {
                out.insert(f.name.clone(), type_name(f.data_type).to_string());
            }
            Shape::Table { columns, .. } => {
                out.insert(f.name.clone(), "table".to_string());
                for (col, t) in columns {
                    out.insert(format!("{}.{col}", f.name), type_name(*t).to_string());
                }
            }
        }
    }
    out
}

fn side(old: &[Field], new: &[Field]) -> Value {
    let (old, new) = (flatten(old), flatten(new));
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let retyped: Vec<Value> = old
        .iter()
        .filter_map(|(name, o)| {
            let n = new.get(name)?;
            (n != o).then(|| json!({"name": name, "old": o, "new": n}))
        })
        .collect();
    json!({"added": added, "removed": removed, "retyped": retyped})
}

/// `spark_compare_service_versions`.
pub(super) fn compare_versions(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    if let Some(job) = args.str("job_id") {
        return state
            .job(job)
            .ok_or_else(|| ToolFailure(format!("no comparison job {job}")));
    }
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let mut all = state
        .app
        .store()
        .versions(folder, service)
        .ok_or_else(|| ToolFailure(format!("service {folder}/{service} not found")))?;
    all.sort_by_key(|v| v.info.version);
    let newer = match args.str("version_2") {
        Some(v) => resolve(state, folder, service, Some(v), None)?,
        None => all
            .last()
            .cloned()
            .ok_or_else(|| ToolFailure(format!("service {folder}/{service} has no version")))?,
    };
    let older = match args.str("version_1") {
        Some(v) => resolve(state, folder, service, Some(v), None)?,
        None => all
            .iter()
            .rev()
            .find(|v| v.info.version < newer.info.version)
            .cloned()
            .ok_or_else(|| {
                ToolFailure(format!(
                    "{folder}/{service} has no version older than {}; give version_1",
                    newer.info.version
                ))
            })?,
    };
    let inputs = side(older.engine.inputs(), newer.engine.inputs());
    let outputs = side(older.engine.outputs(), newer.engine.outputs());
    let changed = |side: &Value| {
        ["added", "removed", "retyped"]
            .iter()
            .any(|k| side[k].as_array().is_some_and(|a| !a.is_empty()))
    };
    let removed_or_retyped_outputs = ["removed", "retyped"]
        .iter()
        .any(|k| outputs[k].as_array().is_some_and(|a| !a.is_empty()));
    let mut result = json!({
        "folder": older.info.folder,
        "service": older.info.service,
        "version_1": {"version": older.info.version.to_string(), "version_id": older.info.id},
        "version_2": {"version": newer.info.version.to_string(), "version_id": newer.info.id},
        "identical": !changed(&inputs) && !changed(&outputs),
        "breaking": changed(&inputs) || removed_or_retyped_outputs,
        "inputs": inputs,
        "outputs": outputs,
        "status": "Completed",
    });
    let job = state.remember_job(&result);
    if let Some(obj) = result.as_object_mut() {
        obj.insert("job_id".into(), Value::from(job));
    }
    Ok(result)
}
