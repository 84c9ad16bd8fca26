//! Batch API v4 routes: create, describe, info, status, push chunks, pull results, close/cancel.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Map, Value, json};

use crate::batches::{Batch, ChunkResult, INPUT_BUFFER, OUTPUT_BUFFER};
use crate::error::{ApiError, Family};
use crate::exec::{self, Selection};
use crate::pacing::EngineTime;
use crate::state::AppState;
use crate::wire::{self, ok};

use super::parse_object;

const F: Family = Family::V4;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/api/v4/batch", post(create))
        .route("/{tenant}/api/v4/batch/status", get(describe))
        .route("/{tenant}/api/v4/batch/{id}", get(info).patch(dispose))
        .route("/{tenant}/api/v4/batch/{id}/status", get(status))
        .route("/{tenant}/api/v4/batch/{id}/chunks", post(push))
        .route("/{tenant}/api/v4/batch/{id}/chunkresults", get(pull))
}

fn lock(b: &Mutex<Batch>) -> MutexGuard<'_, Batch> {
    b.lock().unwrap_or_else(|e| e.into_inner())
}

fn find(state: &AppState, id: &str) -> Result<Arc<Mutex<Batch>>, ApiError> {
    state
        .inner
        .batches
        .get(id)
        .ok_or_else(|| ApiError::NotFound {
            family: F,
            code: "BATCH_NOT_FOUND",
            message: format!("batch {id} could not be found"),
        })
        .inspect(|cell| lock(cell).expire(Utc::now()))
}

async fn create(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = parse_object(&body, F)?;
    let loc = super::v4::locator(&body, F)?;
    let version = exec::resolve(state.store(), &loc, F)?;
    let selection = Selection {
        outputs: wire::string_list(body.get("output").or_else(|| body.get("outputs"))),
        categories: wire::string_list(body.get("subservice")),
        pattern: None,
    };
    let requested = selection.requested(version.engine.outputs());
    let now = Utc::now();
    let batch = Batch {
        id: uuid::Uuid::new_v4().to_string(),
        version,
        requested,
        status: "created",
        request: body,
        created: now,
        updated: now,
        results: VecDeque::new(),
        chunks_submitted: 0,
        records_submitted: 0,
        chunks_completed: 0,
        records_completed: 0,
        records_failed: 0,
        compute_ms: 0,
        input_bytes: 0,
        output_bytes: 0,
    };
    let cell = state.inner.batches.insert(batch);
    state.inner.batches.save(&cell);
    let b = lock(&cell);
    Ok(ok(
        json!({"object": "batch", "id": b.id, "data": b.data_json(false)}),
    ))
}

async fn describe(State(state): State<AppState>) -> Response {
    let mut open = Vec::new();
    let mut recent = Vec::new();
    let (mut used, mut workers) = (0u64, 0u64);
    for cell in state.inner.batches.all() {
        let b = lock(&cell);
        let mut data = b.data_json(true);
        if let Value::Object(d) = &mut data {
            d.remove("configuration");
        }
        used += b.results.iter().map(|r| r.bytes).sum::<u64>();
        workers += 0;
        let entry = json!({"object": "batch", "id": b.id, "data": data});
        if b.open() {
            open.push(entry)
        } else {
            recent.push(entry)
        }
    }
    ok(json!({
        "in_progress_batches": open,
        "recent_batches": recent,
        "tenant": {
            "configuration": {"input_buffer_allocated_bytes": INPUT_BUFFER,
                              "output_buffer_allocated_bytes": OUTPUT_BUFFER, "max_workers": 100},
            "status": {"input_buffer_used_bytes": 0, "input_buffer_remaining_bytes": INPUT_BUFFER,
                       "output_buffer_used_bytes": used,
                       "output_buffer_remaining_bytes": OUTPUT_BUFFER.saturating_sub(used),
                       "workers_in_use": workers},
        },
        "environment": {"update": 0},
    }))
}

async fn info(
    State(state): State<AppState>,
    Path((_t, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let cell = find(&state, &id)?;
    let b = lock(&cell);
    Ok(ok(
        json!({"object": "batch", "id": b.id, "data": b.data_json(true)}),
    ))
}

async fn status(
    State(state): State<AppState>,
    Path((_t, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let at = Utc::now();
    let cell = find(&state, &id)?;
    let b = lock(&cell);
    Ok(ok(b.status_json(at)))
}

async fn dispose(
    State(state): State<AppState>,
    Path((_t, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, F)?;
    let cell = find(&state, &id)?;
    let target = wire::str_field(&body, "batch_status")
        .unwrap_or("closed")
        .to_ascii_lowercase();
    let mut b = lock(&cell);
    if !b.open() {
        return Err(ApiError::BadRequest {
            family: F,
            code: "BATCH_ALREADY_CLOSED",
            message: format!("batch {id} is already {}", b.status),
        });
    }
    match target.as_str() {
        "closed" => b.status = "closed",
        "cancelled" | "canceled" => {
            b.status = "cancelled";
            b.results.clear();
        }
        other => {
            return Err(ApiError::bad_request(
                F,
                format!("unsupported batch_status {other:?}"),
            ));
        }
    }
    b.updated = Utc::now();
    // The answer reports the state asked for (`closed`, as Spark's dispose documents it) even
    // when nothing is left to pull; the batch settles to `completed` for later reads.
    let data = b.data_json(false);
    let body = json!({"object": "batch", "id": b.id, "data": data, "meta": data});
    b.settle();
    drop(b);
    state.inner.batches.save(&cell);
    Ok(ok(body))
}

/// Compute one chunk; returns its result document.
fn run_chunk(
    version: &crate::store::Version,
    requested: Option<&[String]>,
    chunk: &Value,
    engine: &EngineTime,
    pushed: Instant,
) -> Result<(ChunkResult, u64, u64), ApiError> {
    let id = chunk
        .get("id")
        .cloned()
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()));
    let data = chunk.get("data").unwrap_or(chunk);
    let (mut recs, columnar) = super::v4::records(data.get("inputs"), F, usize::MAX)?;
    if let Some(Value::Object(params)) = data.get("parameters") {
        for rec in &mut recs {
            for (k, v) in params {
                rec.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    let mut outputs: Vec<Map<String, Value>> = Vec::with_capacity(recs.len());
    let (mut warnings, mut errors, mut times) = (Vec::new(), Vec::new(), Vec::new());
    let (mut total_ms, mut failed) = (0, 0);
    for rec in &recs {
        let (eval, ms) = exec::evaluate(version, rec, requested);
        let ms = engine.process_ms(ms);
        total_ms += ms;
        if !eval.errors.is_empty() {
            failed += 1;
        }
        warnings.push(exec::warnings_json(&eval));
        errors.push(exec::errors_json(&eval));
        times.push(json!(ms));
        outputs.push(eval.outputs);
    }
    let summary_output = summarise(data.get("summary"), &outputs);
    let outputs_json = if columnar {
        let headers: Vec<String> = version
            .engine
            .outputs()
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| outputs.first().is_some_and(|o| o.contains_key(n)))
            .collect();
        let rows: Vec<Value> = outputs.into_iter().map(Value::Object).collect();
        wire::columnar_from_rows(&rows, &headers)
    } else {
        Value::Array(outputs.into_iter().map(Value::Object).collect())
    };
    let body = json!({
        "id": id, "summary_output": summary_output, "outputs": outputs_json,
        "warnings": warnings, "errors": errors, "process_time": times,
    });
    let bytes = body.to_string().len() as u64;
    Ok((
        ChunkResult {
            body,
            records: recs.len() as u64,
            bytes,
            // Each chunk runs on its own modelled worker, all starting at the push.
            ready_at: engine.ready_at(pushed, recs.len()),
            seq: 0,
        },
        total_ms,
        failed,
    ))
}

/// `summary.aggregation` → `[[output names…],[values…]]` (`[[]]` without aggregation).
fn summarise(summary: Option<&Value>, outputs: &[Map<String, Value>]) -> Value {
    let Some(aggs) = summary
        .and_then(|s| s.get("aggregation"))
        .and_then(Value::as_array)
    else {
        return json!([[]]);
    };
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for agg in aggs {
        let Some(name) = agg.get("output_name").and_then(Value::as_str) else {
            continue;
        };
        let op = agg
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or("SUM")
            .to_ascii_uppercase();
        let nums: Vec<f64> = outputs
            .iter()
            .filter_map(|o| o.get(name)?.as_f64())
            .collect();
        let value = match op.as_str() {
            "COUNT" => json!(nums.len()),
            "MIN" => json!(nums.iter().copied().fold(f64::INFINITY, f64::min)),
            "MAX" => json!(nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            "AVG" | "AVERAGE" | "MEAN" if !nums.is_empty() => {
                json!(nums.iter().sum::<f64>() / nums.len() as f64)
            }
            "AVG" | "AVERAGE" | "MEAN" => Value::Null,
            _ => json!(nums.iter().sum::<f64>()),
        };
        names.push(json!(name));
        values.push(value);
    }
    json!([names, values])
}

async fn push(
    State(state): State<AppState>,
    Path((_t, id)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let at = Utc::now();
    let body = parse_object(&raw, F)?;
    let cell = find(&state, &id)?;
    let (version, requested) = {
        let b = lock(&cell);
        if !b.open() {
            return Err(ApiError::BadRequest {
                family: F,
                code: "BATCH_NOT_OPEN",
                message: format!("batch {id} is {}; no more chunks are accepted", b.status),
            });
        }
        (b.version.clone(), b.requested.clone())
    };
    let chunks: Vec<Value> = match body.get("chunks") {
        Some(Value::Array(c)) => c.clone(),
        _ => match body.get("inputs") {
            // legacy `POST /batch/{id}/data {"inputs": [...]}` form
            Some(inputs) => vec![json!({"data": {"inputs": inputs}})],
            None => return Err(ApiError::bad_request(F, "missing chunks")),
        },
    };
    let records = chunks
        .iter()
        .map(|c| crate::limits::record_count(c.get("data").unwrap_or(c).get("inputs")))
        .sum();
    crate::limits::check_records(records, F, state.limits().records_per_call)?;
    let pushed = Instant::now();
    // Evaluated on the bounded pool (`crate::eval_pool`), off the async workers.
    let shared = state.clone();
    let results = state
        .eval_pool()
        .run(F, move || {
            let engine = &shared.inner.engine_time;
            let mut results = Vec::with_capacity(chunks.len());
            for chunk in &chunks {
                results.push(run_chunk(
                    &version,
                    requested.as_deref(),
                    chunk,
                    engine,
                    pushed,
                )?);
            }
            Ok::<_, ApiError>(results)
        })
        .await??;
    let mut b = lock(&cell);
    if !b.open() {
        return Err(ApiError::BadRequest {
            family: F,
            code: "BATCH_NOT_OPEN",
            message: format!("batch {id} is {}; no more chunks are accepted", b.status),
        });
    }
    b.status = "in_progress";
    b.input_bytes += raw.len() as u64;
    for (result, ms, failed) in results {
        b.chunks_submitted += 1;
        b.chunks_completed += 1;
        b.records_submitted += result.records;
        b.records_completed += result.records;
        b.records_failed += failed;
        b.compute_ms += ms;
        b.output_bytes += result.bytes;
        b.results.push_back(result);
    }
    b.updated = Utc::now();
    let body = b.status_json(at);
    drop(b);
    state.inner.batches.save(&cell);
    Ok(ok(body))
}

async fn pull(
    State(state): State<AppState>,
    Path((_t, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let at = Utc::now();
    let cell = find(&state, &id)?;
    let max = query
        .get("max")
        .or_else(|| query.get("max_chunks"))
        .map(|m| m.parse::<usize>())
        .transpose()
        .map_err(|_| ApiError::bad_request(F, "max must be a positive integer"))?
        .unwrap_or(50)
        .clamp(1, 100);
    let mut b = lock(&cell);
    let data = b.take_ready(max);
    let n = data.len();
    b.settle();
    if n > 0 {
        b.updated = Utc::now();
    }
    let body = json!({"data": data, "status": b.status_json(at)});
    drop(b);
    if n > 0 {
        state.inner.batches.save(&cell);
    }
    Ok(ok(body))
}
