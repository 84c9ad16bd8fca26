//! Execute API v4 (§4): records or columnar inputs, parallel output arrays, one call id.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::exec::{self, COMPILER_VERSION, Locator, Selection};
use crate::state::{AppState, CallRecord};
use crate::wire::{self, str_field};

use super::parse_object;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/api/v4/execute", post(execute))
        .route("/{tenant}/api/v4/public/execute", post(execute))
}

/// Locator of a v4 body (`service`, `service_id`, `version_id`, `version_by_timestamp`);
/// also used by batch creation.
pub(super) fn locator(body: &Map<String, Value>, family: Family) -> Result<Locator, ApiError> {
    let mut loc = Locator::default();
    if let Some(uri) = str_field(body, "service")
        .or_else(|| str_field(body, "service_uri"))
        .filter(|s| !s.is_empty())
    {
        loc.parse_uri(uri);
    }
    if let Some(sid) = str_field(body, "service_id").filter(|s| !s.is_empty()) {
        loc.service_id = Some(sid.to_string());
    }
    if let Some(vid) = str_field(body, "version_id").filter(|s| !s.is_empty()) {
        loc.version_id = Some(vid.to_string());
    }
    if let Some(v) = str_field(body, "version").filter(|s| !s.is_empty()) {
        loc.version = Some(v.to_string());
    }
    if let Some(t) = str_field(body, "version_by_timestamp").filter(|s| !s.is_empty()) {
        loc.at = Some(wire::parse_instant(t).ok_or_else(|| {
            ApiError::bad_request(family, format!("invalid version_by_timestamp {t:?}"))
        })?);
    }
    Ok(loc)
}

/// Split v4 `inputs` (records or columnar) into records; `true` when columnar. More than
/// `max` records is a 400 (`crate::limits`).
pub(super) fn records(
    inputs: Option<&Value>,
    family: Family,
    max: usize,
) -> Result<(Vec<Map<String, Value>>, bool), ApiError> {
    let items = match inputs {
        None | Some(Value::Null) => return Ok((Vec::new(), false)),
        Some(Value::Array(items)) => items,
        Some(Value::Object(one)) => return Ok((vec![normalise_record(one.clone())], false)),
        Some(_) => return Err(ApiError::bad_request(family, "inputs must be an array")),
    };
    crate::limits::check_records(items.len(), family, max)?;
    if wire::is_columnar(items) {
        let Value::Array(rows) = wire::rows_from_columnar(Value::Array(items.clone())) else {
            return Ok((Vec::new(), true));
        };
        let recs = rows
            .into_iter()
            .filter_map(|r| match r {
                Value::Object(o) => Some(o),
                _ => None,
            })
            .collect();
        return Ok((recs, true));
    }
    let mut recs = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Object(o) => recs.push(normalise_record(o.clone())),
            _ => {
                return Err(ApiError::bad_request(
                    family,
                    "each input record must be an object (or use the columnar form)",
                ));
            }
        }
    }
    Ok((recs, false))
}

fn normalise_record(record: Map<String, Value>) -> Map<String, Value> {
    record
        .into_iter()
        .map(|(k, v)| (k, wire::rows_from_columnar(v)))
        .collect()
}

async fn execute(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let family = Family::V4;
    let at = Utc::now();
    let started = Instant::now();
    let body = parse_object(&body, family)?;
    let loc = locator(&body, family)?;
    let version = exec::resolve(state.store(), &loc, family)?;
    let max = state.limits().records_per_call;
    let (recs, _columnar) = records(body.get("inputs"), family, max)?;
    let selection = Selection {
        outputs: wire::string_list(body.get("output").or_else(|| body.get("outputs"))),
        categories: wire::string_list(body.get("subservice")),
        pattern: None,
    };
    let requested = selection.requested(version.engine.outputs());
    let records = recs.len();
    // Evaluated on the bounded pool (`crate::eval_pool`), off the async workers.
    let (shared, evaluated) = (state.clone(), Arc::clone(&version));
    let (outputs, times, warnings, errors, total) = state
        .eval_pool()
        .run(family, move || {
            let mut outputs = Vec::with_capacity(recs.len());
            let mut times = Vec::with_capacity(recs.len());
            let mut warnings = Vec::with_capacity(recs.len());
            let mut errors = Vec::with_capacity(recs.len());
            let mut total = 0;
            for rec in &recs {
                let (eval, ms) = exec::evaluate(&evaluated, rec, requested.as_deref());
                let ms = shared.inner.engine_time.process_ms(ms);
                total += ms;
                warnings.push(exec::warnings_json(&eval));
                errors.push(exec::errors_json(&eval));
                outputs.push(Value::Object(eval.outputs));
                times.push(json!(ms));
            }
            (outputs, times, warnings, errors, total)
        })
        .await?;
    let call_id = wire::call_id();
    let info = &version.info;
    let mut r = Map::new();
    r.insert("outputs".into(), Value::Array(outputs));
    r.insert("process_time".into(), Value::Array(times));
    r.insert("warnings".into(), Value::Array(warnings));
    r.insert("errors".into(), Value::Array(errors));
    r.insert("service_chain".into(), Value::Array(Vec::new()));
    r.insert("service_id".into(), Value::String(info.service_id.clone()));
    r.insert("version_id".into(), Value::String(info.id.clone()));
    r.insert("version".into(), Value::String(info.version.to_string()));
    r.insert("call_id".into(), Value::String(call_id.clone()));
    r.insert("compiler_version".into(), json!(COMPILER_VERSION));
    r.insert(
        "correlation_id".into(),
        body.get("correlation_id").cloned().unwrap_or(Value::Null),
    );
    r.insert(
        "request_timestamp".into(),
        Value::String(wire::timestamp(at)),
    );
    let response = wire::to_bytes(&Value::Object(r));
    let mut meta = body;
    let inputs = meta.remove("inputs").unwrap_or(Value::Null);
    state.inner.history.push(CallRecord {
        call_id,
        version: Arc::clone(&version),
        api: "V4",
        at,
        request_meta: meta,
        inputs,
        response: response.clone(),
        calc_ms: total,
    });
    // One worker evaluates the call's records one after another.
    state.inner.engine_time.pace(started, records).await;
    Ok(wire::ok_bytes(response))
}
