//! Upload → compilation progress → publish (§2.3): a real `.xlsx` becomes a new version.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::engine::load_xlsx;
use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::store::{Draft, short_hash};
use crate::wire::{self, ok, str_field};

use super::parse_object;

pub(super) fn router() -> Router<AppState> {
    let base = "/{tenant}/api/v3/folders/{folder}/services/{service}";
    Router::new()
        .route(&format!("{base}/upload"), post(upload))
        .route(
            &format!("{base}/getcompilationprogess/{{job_id}}"),
            get(progress),
        )
        .route(&format!("{base}/publish"), post(publish))
        .route(&format!("{base}/recompilenodgen"), post(recompile))
}

async fn upload(
    State(state): State<AppState>,
    Path((_tenant, folder, service)): Path<(String, String, String)>,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let family = Family::V3;
    let mut entity = Value::Null;
    let mut file: Option<(String, Bytes)> = None;
    for part in super::multipart::parts(multipart, family).await? {
        if part.is("engineUploadRequestEntity") {
            entity = super::parse_json(&part.bytes, family)?;
        } else if part.is("serviceFile") || part.is_file() {
            let name = part.file_name.unwrap_or_else(|| format!("{service}.xlsx"));
            file = Some((name, part.bytes));
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| ApiError::bad_request(family, "missing file part serviceFile"))?;
    // Checked and compiled on the evaluation pool, off the async workers.
    let (workbook, name) = (bytes.clone(), file_name.clone());
    let engine = state
        .eval_pool()
        .run(family, move || load_xlsx(&workbook, &name))
        .await?
        .map_err(|reason| ApiError::BadRequest {
            family,
            code: "INVALID_SERVICE_FILE",
            message: reason,
        })?;
    let warnings: Vec<Value> = engine
        .load_warnings()
        .iter()
        .map(|w| json!({"source_path": w.field, "message": w.message}))
        .collect();
    let inputs = engine.inputs().len();
    let outputs = engine.outputs().len();
    // The file loaded, so it is a readable package; a part the counter cannot parse counts 0.
    let stats = crate::package::statistics(&bytes).unwrap_or_default();
    let request_data = entity.get("request_data").cloned().unwrap_or(Value::Null);
    let hash = short_hash(&bytes);
    let doc_id = state.store().add_draft(Draft {
        folder: folder.clone(),
        service: service.clone(),
        file_name,
        file: bytes,
        engine,
    });
    let service_id = state
        .store()
        .service_id_for(&folder, &service)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let data = json!({
        "lines_of_code": 0, "hours_saved": 0,
        "nodegen_compilation_jobid": doc_id,
        "original_file_documentid": doc_id,
        "engine_file_documentid": doc_id,
        "warnings": warnings, "current_statistics": null,
        "no_of_sheets": stats.sheets, "no_of_inputs": inputs, "no_of_outputs": outputs,
        "no_of_formulas": stats.formulas, "no_of_cellswithdata": stats.cells_with_data,
    });
    // The version a publish with the same `version_difference` creates (Spark's sample shows
    // `0.1.0` for a new service; a later upload reports the next one).
    let difference = request_data
        .get("version_difference")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .unwrap_or("minor");
    let next = state.store().next_version(&folder, &service, difference);
    let meta = json!({
        "service_id": service_id, "version_id": uuid::Uuid::new_v4().to_string(),
        "version": next.to_string(), "process_time": 0, "call_id": null, "compiler_type": "Neuron",
        "compiler_version": null, "source_hash": hash, "engine_id": hash,
        "correlation_id": request_data.get("correlation_id").cloned().unwrap_or(Value::Null),
        "parameterset_version_id": null, "system": "SPARK", "request_timestamp": wire::now_ts(),
    });
    Ok(ok(wire::v3_success(data, meta)))
}

async fn progress(
    State(state): State<AppState>,
    Path((_tenant, _folder, _service, job)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    if state.store().draft(&job).is_none() {
        return Err(ApiError::NotFound {
            family: Family::V3,
            code: "JOB_NOT_FOUND",
            message: format!("compilation job {job} not found"),
        });
    }
    let data = json!({"status": "Success", "last_error_message": "null", "progress": 100});
    Ok(ok(wire::v3_success(data, wire::short_meta())))
}

async fn publish(
    State(state): State<AppState>,
    Path((_tenant, folder, service)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let family = Family::V3;
    let body = parse_object(&body, family)?;
    let data = match body.get("request_data") {
        Some(Value::Object(d)) => d.clone(),
        _ => return Err(ApiError::bad_request(family, "missing request_data")),
    };
    let doc = str_field(&data, "original_file_documentid")
        .or_else(|| str_field(&data, "engine_file_documentid"))
        .ok_or_else(|| ApiError::bad_request(family, "missing original_file_documentid"))?;
    let draft = state.store().draft(doc).ok_or_else(|| ApiError::NotFound {
        family,
        code: "DOCUMENT_NOT_FOUND",
        message: format!("uploaded document {doc} not found"),
    })?;
    let date = |key: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        match str_field(&data, key).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(text) => wire::parse_instant(text)
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(family, format!("invalid {key} {text:?}"))),
        }
    };
    let window = (date("effective_start_date")?, date("effective_end_date")?);
    let text = |key: &str| {
        str_field(&data, key)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let difference = text("version_difference").unwrap_or_else(|| "minor".into());
    let version = state.store().publish(
        &folder,
        &service,
        draft.engine,
        draft.file,
        &draft.file_name,
        &difference,
        window,
        (text("release_note"), text("version_label"), text("tags")),
        false,
    );
    Ok(ok(wire::v3_success(
        json!({"version_id": version.info.id}),
        wire::short_meta(),
    )))
}

/// `recompileNodgen` (sic): republish a version's workbook as a new version
/// (`upgradeType`, default `patch`); the returned `jobId` is pollable like an upload's.
async fn recompile(
    State(state): State<AppState>,
    Path((_tenant, folder, service)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let family = Family::V3;
    let body = parse_object(&body, family)?;
    let data = match body.get("request_data") {
        Some(Value::Object(d)) => d.clone(),
        _ => serde_json::Map::new(),
    };
    let loc = crate::exec::Locator {
        folder: Some(folder.clone()),
        service: Some(service.clone()),
        version_id: str_field(&data, "versionId")
            .filter(|s| !s.is_empty())
            .map(String::from),
        ..Default::default()
    };
    let source = crate::exec::resolve(state.store(), &loc, family)?;
    let text = |key: &str| {
        str_field(&data, key)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let date = |key: &str| text(key).and_then(|t| wire::parse_instant(&t));
    let upgrade = text("upgradeType").unwrap_or_else(|| "patch".into());
    let job = state.store().add_draft(Draft {
        folder: folder.clone(),
        service: service.clone(),
        file_name: source.info.file_name.clone(),
        file: source.file.clone(),
        engine: source.engine.clone(),
    });
    let version = state.store().publish(
        &folder,
        &service,
        source.engine.clone(),
        source.file.clone(),
        &source.info.file_name,
        &upgrade,
        (
            date("effectiveStartDate").or(Some(source.info.effective_start)),
            date("effectiveEndDate").or(Some(source.info.effective_end)),
        ),
        (
            text("releaseNotes"),
            text("versionLabel").or_else(|| text("label")),
            text("tags"),
        ),
        false,
    );
    Ok(ok(json!({
        "status": "Success",
        "error": null,
        "response_data": {"versionId": version.info.id,
                          "revision": version.info.version.to_string(), "jobId": job},
        "response_meta": {"system": "SPARK", "request_timestamp": wire::now_ts()},
    })))
}
