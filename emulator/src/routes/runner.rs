//! The hybrid runner's own endpoints (spark-platform.md §2.9, python-sdk.md §10.4), served at
//! the emulator root as on a real runner (`{runner}/version`, not `{runner}/{tenant}/…`):
//! `GET /version`, `GET /healthcheck`, `GET /status`, `POST /api/v3/upload` (and `/upload`).
//!
//! A runner does not authenticate: these paths need no credentials (declared in
//! `crate::access`). Once the emulator is started with keys or OAuth clients, an upload
//! without valid credentials may only load a version the store already has (same id, same
//! workbook); publishing a new one (into the store keyed callers execute) is a 401. They
//! otherwise go through the request gate like every route (counters, fault plan, request-id echo,
//! gzip), so a fault plan can make a runner's health check or upload fail as it would a
//! Spark call. Services run on the runner through the same `/{t}/api/v3|v4/…` paths as on
//! Spark: the emulator serves both roles from one store, so an uploaded bundle is published
//! into that store and those paths (which keep the emulator's credential check) execute it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::wasm::{MODEL_METADATA, model_metadata};
use crate::archive::UploadedZip;
use crate::engine;
use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::store::{Version, short_hash};
use crate::wire;

/// The runner version reported by `GET /version` (≥ 1.46.0, the first with `/status`).
const RUNNER_VERSION: &str = "1.46.0";

// The runner's paths; who may call them is declared in `crate::access` (probes open, the
// upload open only while the emulator runs without credentials).
const VERSION: &str = "/version";
const HEALTHCHECK: &str = "/healthcheck";
const STATUS: &str = "/status";
const UPLOAD: &str = "/api/v3/upload";
const UPLOAD_SHORT: &str = "/upload";

const F: Family = Family::V3;

/// What the runner has loaded: the versions uploaded to it, and the last upload.
struct Runner {
    app: AppState,
    started: DateTime<Utc>,
    loaded: Mutex<Loaded>,
}

#[derive(Default)]
struct Loaded {
    models: Vec<(Arc<Version>, DateTime<Utc>)>,
    last_pull: Option<(DateTime<Utc>, String)>,
}

impl Runner {
    fn loaded(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The runner router over the emulator's state. Its handlers keep their own state (what was
/// uploaded), so it is given here; the result merges with the other routers under the gate
/// and body limit layers.
pub(super) fn router(app: AppState) -> Router<AppState> {
    let runner = Arc::new(Runner {
        app,
        started: Utc::now(),
        loaded: Mutex::new(Loaded::default()),
    });
    Router::new()
        .route(VERSION, get(version))
        .route(HEALTHCHECK, get(healthcheck))
        .route(STATUS, get(status))
        .route(UPLOAD, post(upload))
        .route(UPLOAD_SHORT, post(upload))
        .with_state(runner)
}

async fn version(State(runner): State<Arc<Runner>>) -> Response {
    let loaded = runner.loaded();
    let (pulled, hash) = match &loaded.last_pull {
        Some((at, hash)) => (json!(wire::timestamp(*at)), json!(hash)),
        None => (Value::Null, Value::Null),
    };
    wire::ok(json!({"lastPullDate": pulled, "filehash": hash, "version": RUNNER_VERSION}))
}

async fn healthcheck() -> Response {
    wire::ok(json!({"msg": "ok"}))
}

/// Loaded models with their statistics. Executions go through the Spark routes, which do not
/// report back here, so the timing and count statistics stay at zero.
async fn status(State(runner): State<Arc<Runner>>) -> Response {
    let now = Utc::now();
    let loaded = runner.loaded();
    let stats: Vec<Value> = loaded
        .models
        .iter()
        .map(|(v, at)| {
            json!({
                "thread_stats": {"threads": 1, "busy_threads": 0},
                "memory_usage_mb": 0,
                "uptime_ms": (now - *at).num_milliseconds(),
                "min_time_ms": 0, "mean_time_ms": 0, "p95_time_ms": 0, "p99_time_ms": 0,
                "max_time_ms": 0,
                "busy": false,
                "size": v.file.len(),
                "id": v.info.id,
                "folder_name": v.info.folder,
                "service_name": v.info.service,
                "last_use": wire::timestamp(*at),
                "completed_count": 0, "running_count": 0, "crash_count": 0, "timeout_count": 0,
            })
        })
        .collect();
    let models = if stats.is_empty() {
        Vec::new()
    } else {
        vec![json!({
            "tenant": runner.app.inner.tenant,
            "total_model": stats.len(),
            "total_instances": stats.len(),
            "model_stats": stats,
        })]
    };
    wire::ok(json!({
        "models": models,
        "memory_usage_mb": 0,
        "memory_limit_mb": 0,
        "uptime_ms": (now - runner.started).num_milliseconds(),
    }))
}

/// `POST /api/v3/upload`, multipart `file`: a bundle from the WASM download (or any zip with a
/// `ModelMetaData.json` and the workbook it names beside it).
async fn upload(
    State(runner): State<Arc<Runner>>,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let file = super::multipart::parts(multipart, F)
        .await?
        .into_iter()
        .find(|part| part.is("file") || part.is_file())
        .map(|part| part.bytes);
    let file = file.ok_or_else(|| bad("missing multipart part `file` (the bundle zip)"))?;
    let (metadata, workbook_name, workbook) = read_bundle(&file)?;
    let version = register(&runner.app, &metadata, &workbook_name, workbook).await?;
    let now = Utc::now();
    {
        let mut loaded = runner.loaded();
        loaded.models.retain(|(v, _)| v.info.id != version.info.id);
        loaded.models.push((version.clone(), now));
        loaded.last_pull = Some((now, short_hash(&file)));
    }
    let tenant = &runner.app.inner.tenant;
    let public = runner
        .app
        .is_public_service(&version.info.folder, &version.info.service);
    let service = model_metadata(&version, tenant, public);
    Ok(wire::ok(json!({
        "response_data": [{"tenant": tenant, "services": [service]}],
    })))
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(F, message)
}

/// The bundle's metadata and workbook (name, bytes).
fn read_bundle(file: &[u8]) -> Result<(Value, String, Bytes), ApiError> {
    let mut zip =
        UploadedZip::open(file).map_err(|e| bad(format!("the upload is not a zip: {e}")))?;
    let names = zip.names().to_vec();
    let meta_name = names
        .iter()
        .find(|n| n.rsplit('/').next() == Some(MODEL_METADATA))
        .cloned()
        .ok_or_else(|| bad(format!("not a runner bundle: no {MODEL_METADATA}")))?;
    let dir = &meta_name[..meta_name.len() - MODEL_METADATA.len()];
    let mut read = |name: &str| {
        zip.read(name)
            .map_err(|e| bad(format!("invalid bundle: {e}")))
    };
    let metadata: Value = serde_json::from_slice(&read(&meta_name)?)
        .map_err(|e| bad(format!("{MODEL_METADATA} is not JSON: {e}")))?;
    let original = metadata["EngineInformation"]["OriginalFileName"]
        .as_str()
        .unwrap_or_default();
    // The emulator runs workbooks, not compiled WASM: the bundle must carry the workbook.
    let workbook_name = names
        .iter()
        .find(|n| !original.is_empty() && n.strip_prefix(dir) == Some(original))
        .or_else(|| {
            names.iter().find(|n| {
                n.strip_prefix(dir)
                    .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".xlsx"))
            })
        })
        .cloned()
        .ok_or_else(|| {
            bad(
                "the bundle has no workbook: the emulator cannot run compiled WASM, only \
                 bundles from its own WASM download",
            )
        })?;
    let workbook = read(&workbook_name)?;
    let short = workbook_name[dir.len()..].to_string();
    Ok((metadata, short, Bytes::from(workbook)))
}

/// The version the bundle names, if this emulator already has it with the same workbook;
/// otherwise the workbook published as a new version of its folder/service.
async fn register(
    app: &AppState,
    metadata: &Value,
    file_name: &str,
    workbook: Bytes,
) -> Result<Arc<Version>, ApiError> {
    let store = app.store();
    if let Some(existing) = metadata["VersionId"]
        .as_str()
        .and_then(|vid| store.version(vid))
        .filter(|v| v.hash == short_hash(&workbook))
    {
        return Ok(existing);
    }
    let info = &metadata["EngineInformation"];
    let name = |key: &str| {
        info[key]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.contains('/'))
            .ok_or_else(|| {
                bad(format!(
                    "{MODEL_METADATA}: EngineInformation.{key} is missing"
                ))
            })
    };
    // Publishing changes what Spark's callers execute: not for an anonymous upload.
    crate::access::check_may_publish(F)?;
    let (folder, service) = (name("ProductName")?, name("ServiceName")?);
    // Checked and compiled on the evaluation pool, off the async workers.
    let (bytes, name) = (workbook.clone(), file_name.to_owned());
    let engine = app
        .eval_pool()
        .run(F, move || engine::load_xlsx(&bytes, &name))
        .await?
        .map_err(|e| bad(format!("the bundle's workbook cannot be loaded: {e}")))?;
    let date = |key: &str| metadata[key].as_str().and_then(wire::parse_instant);
    Ok(store.publish(
        folder,
        service,
        engine,
        workbook,
        file_name,
        "minor",
        (date("EffectiveStartDate"), date("EffectiveEndDate")),
        (None, None, None),
        false,
    ))
}
