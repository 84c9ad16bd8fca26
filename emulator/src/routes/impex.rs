//! ImpEx (§2.8, §6.10): export services to a zip and import them back. Jobs finish at once.
//!
//! Export zip layout (like Spark's, with the original workbook instead of the compiled
//! bundle): `{tenant}/manifest.json` and `{tenant}/{folder}/{service}/{version}/{file}.xlsx`.
//! Import reads any zip of that layout; imported versions are numbered by bumping per
//! `update_version_type` (default `minor`), not copied from the source.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::archive::UploadedZip;
use crate::engine::load_xlsx;
use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::store::{Version, short_hash};
use crate::wire::{self, ok};

use super::parse_object;

const F: Family = Family::V4;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/api/v4/export", post(export))
        .route("/{tenant}/api/v4/export/status", get(describe_exports))
        .route("/{tenant}/api/v4/export/{job}/status", get(job_status))
        .route(
            "/{tenant}/api/v4/export/{job}",
            axum::routing::patch(cancel),
        )
        .route("/{tenant}/api/v4/import", post(import))
        .route("/{tenant}/api/v4/import/status", get(describe_imports))
        .route("/{tenant}/api/v4/import/{job}/status", get(job_status))
}

/// `scheme://host` for the absolute URLs of job documents.
fn host(headers: &HeaderMap) -> String {
    crate::origin::origin(headers)
}

fn invalid_job() -> ApiError {
    ApiError::Coded {
        family: F,
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "INVALID_JOB_ID",
        message: "Please Provide valid job id".into(),
    }
}

fn service_entry(v: &Version) -> Value {
    let i = &v.info;
    json!({"service_uri_source": format!("{}/{}", i.folder, i.service), "folder_source": i.folder,
           "service_source": i.service, "service_id_source": i.service_id})
}

fn version_entry(v: &Version) -> Value {
    let i = &v.info;
    json!({"service_uri_source": format!("{}/{}[{}]", i.folder, i.service, i.version),
           "folder_source": i.folder, "service_source": i.service,
           "version_source": i.version.to_string(), "service_id_source": i.service_id,
           "version_id_source": i.id})
}

/// The versions an export request selects.
fn select(state: &AppState, body: &Map<String, Value>) -> Vec<Arc<Version>> {
    let inputs = body.get("inputs").cloned().unwrap_or(Value::Null);
    let all_versions =
        wire::str_field(body, "version_filter").is_some_and(|f| f.eq_ignore_ascii_case("all"));
    let pick = |versions: &[Arc<Version>]| -> Vec<Arc<Version>> {
        if all_versions {
            versions.to_vec()
        } else {
            versions
                .iter()
                .max_by_key(|v| v.info.version)
                .cloned()
                .into_iter()
                .collect()
        }
    };
    let mut out: Vec<Arc<Version>> = Vec::new();
    let list = |k: &str| wire::string_list(inputs.get(k)).unwrap_or_default();
    let folders = list("folders");
    for versions in state.store().all() {
        if versions.first().is_some_and(|v| {
            folders
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&v.info.folder))
        }) {
            out.extend(pick(&versions));
        }
    }
    for uri in list("services") {
        let mut loc = crate::exec::Locator::default();
        loc.parse_uri(&uri);
        let versions = match (&loc.folder, &loc.service, &loc.service_id) {
            (Some(f), Some(s), _) => state.store().versions(f, s),
            (_, _, Some(id)) => state.store().versions_by_service_id(id),
            _ => None,
        };
        let Some(versions) = versions else { continue };
        match loc.version.as_deref().and_then(crate::store::parse_parts) {
            Some(parts) => out.extend(
                versions
                    .iter()
                    .filter(|v| v.info.version.matches(&parts))
                    .max_by_key(|v| v.info.version)
                    .cloned(),
            ),
            None => out.extend(pick(&versions)),
        }
    }
    for id in list("version_ids") {
        out.extend(state.store().version(&id));
    }
    let mut seen = HashSet::new();
    out.retain(|v| seen.insert(v.info.id.clone()));
    out
}

fn build_zip(tenant: &str, id: &str, versions: &[Arc<Version>]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut services: Vec<Value> = Vec::new();
    let mut seen = HashSet::new();
    for v in versions {
        if seen.insert(v.info.service_id.clone()) {
            services.push(service_entry(v));
        }
        let i = &v.info;
        let path = format!(
            "{tenant}/{}/{}/{}/{}",
            i.folder, i.service, i.version, i.file_name
        );
        zip.start_file(path, options).map_err(|e| e.to_string())?;
        zip.write_all(&v.file).map_err(|e| e.to_string())?;
    }
    let manifest = json!({"object": "export", "id": id, "outputs": {"files": null,
        "services": services,
        "service_versions": versions.iter().map(|v| version_entry(v)).collect::<Vec<_>>()}});
    zip.start_file(format!("{tenant}/manifest.json"), options)
        .map_err(|e| e.to_string())?;
    zip.write_all(manifest.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    let body = parse_object(&body, F)?;
    let versions = select(&state, &body);
    if versions.is_empty() {
        return Err(ApiError::service_not_found(F));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let zipped = build_zip(state.tenant(), &id, &versions)
        .map_err(|e| ApiError::bad_request(F, format!("cannot build the export: {e}")))?;
    let hash = short_hash(&zipped);
    let name = wire::str_field(&body, "file_name")
        .filter(|n| !n.is_empty())
        .map(|n| {
            if n.ends_with(".zip") {
                n.to_string()
            } else {
                format!("{n}.zip")
            }
        })
        .unwrap_or_else(|| "package.zip".into());
    state
        .inner
        .downloads
        .insert(id.clone(), name, Bytes::from(zipped));
    let h = host(&headers);
    let status_url = format!("{h}/{}/api/v4/export/{id}/status", state.tenant());
    let mut services = Vec::new();
    let mut seen = HashSet::new();
    for v in &versions {
        if seen.insert(v.info.service_id.clone()) {
            services.push(service_entry(v));
        }
    }
    let result = json!({
        "id": id, "object": "export", "status": "closed", "status_url": status_url,
        "response_timestamp": wire::now_ts(), "process_time": started.elapsed().as_millis() as u64,
        "source_system": body.get("source_system").cloned().unwrap_or(Value::Null),
        "correlation_id": body.get("correlation_id").cloned().unwrap_or(Value::Null),
        "errors": null,
        "outputs": {
            "files": [{"file": format!("{h}/_emulator/downloads/{id}"), "file_hash": hash}],
            "services": services,
            "service_versions": versions.iter().map(|v| version_entry(v)).collect::<Vec<_>>(),
        },
    });
    state
        .inner
        .impex
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), ("export", result));
    Ok(ok(
        json!({"id": id, "object": "export", "status_url": status_url}),
    ))
}

async fn job_status(
    State(state): State<AppState>,
    Path((_tenant, job)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let found = state
        .inner
        .impex
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&job)
        .map(|(_, v)| v.clone());
    found.map(ok).ok_or_else(invalid_job)
}

/// `PATCH /{t}/api/v4/export/{id}` `{"export_status": "cancelled"}` (python `_impex.py`
/// `Export.cancel`, ts `impex.ts` `exports.cancel`). The body is read so hyper keeps the
/// connection (see `folders::cover`).
async fn cancel(
    State(state): State<AppState>,
    Path((_tenant, job)): Path<(String, String)>,
    _body: Bytes,
) -> Result<Response, ApiError> {
    let mut jobs = state.inner.impex.lock().unwrap_or_else(|e| e.into_inner());
    let (_, result) = jobs.get_mut(&job).ok_or_else(invalid_job)?;
    // The job has already finished; Spark reports it unchanged.
    Ok(ok(result.clone()))
}

fn describe(state: &AppState, kind: &'static str) -> Response {
    let jobs = state.inner.impex.lock().unwrap_or_else(|e| e.into_inner());
    let recent: Vec<Value> = jobs
        .iter()
        .filter(|(_, (k, _))| *k == kind)
        .map(|(id, (_, r))| {
            json!({"object": kind, "id": id, "data": {
                format!("{kind}_status"): r["status"], "response_timestamp": r["response_timestamp"],
                "created_by": "emulator@cspark.local", "created_timestamp": r["response_timestamp"],
                "updated_timestamp": r["response_timestamp"], "process_time": r["process_time"]}})
        })
        .collect();
    ok(json!({
        format!("in_progress_{kind}s"): [],
        format!("recent_{kind}s"): recent,
        "tenant": {"configuration": {format!("{kind}_api_job_limit"): 1},
                   "status": {format!("{kind}_api_jobs_in_progress"): 0}},
    }))
}

async fn describe_exports(State(state): State<AppState>) -> Response {
    describe(&state, "export")
}

async fn describe_imports(State(state): State<AppState>) -> Response {
    describe(&state, "import")
}

fn invalid_zip(reason: impl Into<String>) -> ApiError {
    ApiError::Coded {
        family: F,
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "INVALID_IMPORT_ZIP",
        message: reason.into(),
    }
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    let mut entity = Map::new();
    let mut file: Option<Bytes> = None;
    for part in super::multipart::parts(multipart, F).await? {
        if part.is("importRequestEntity") {
            entity = parse_object(&part.bytes, F)?;
        } else if part.is_file() || part.is("file") {
            file = Some(part.bytes);
        }
    }
    let file = file.ok_or_else(|| ApiError::bad_request(F, "missing file part"))?;
    let mut zip = UploadedZip::open(&file).map_err(|e| invalid_zip(format!("not a zip: {e}")))?;
    let names = zip.names().to_vec();
    let manifest_name = names
        .iter()
        .find(|n| n.ends_with("manifest.json"))
        .cloned()
        .ok_or_else(|| invalid_zip("no manifest.json"))?;
    let prefix = manifest_name.trim_end_matches("manifest.json").to_string();
    let manifest: Value = zip
        .read(&manifest_name)
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(invalid_zip)?;
    let modify: Vec<Value> = entity
        .get("inputs")
        .and_then(|i| i.get("services_modify"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let existing = wire::str_field(&entity, "services_existing")
        .unwrap_or("abort")
        .to_ascii_lowercase();
    let mut entries: Vec<Value> = manifest["outputs"]["service_versions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    entries.sort_by_key(|e| {
        e["version_source"]
            .as_str()
            .and_then(crate::store::SemVer::parse)
            .unwrap_or(crate::store::SemVer(0, 0, 0))
    });
    let mut services_out: Vec<Value> = Vec::new();
    let mut versions_out: Vec<Value> = Vec::new();
    let mut touched: HashSet<String> = HashSet::new();
    for e in entries {
        let folder = e["folder_source"].as_str().unwrap_or_default();
        let service = e["service_source"].as_str().unwrap_or_default();
        let version = e["version_source"].as_str().unwrap_or_default();
        let source_uri = format!("{folder}/{service}");
        let rule = modify.iter().find(|m| {
            m["service_uri_source"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(&source_uri))
        });
        if !modify.is_empty() && rule.is_none() {
            continue;
        }
        let dest_uri = rule
            .and_then(|r| r["service_uri_destination"].as_str())
            .filter(|d| !d.is_empty())
            .unwrap_or(&source_uri)
            .to_string();
        let Some((dest_folder, dest_service)) = dest_uri.split_once('/') else {
            return Err(invalid_zip(format!("invalid destination {dest_uri:?}")));
        };
        let bump = rule
            .and_then(|r| r["update_version_type"].as_str())
            .unwrap_or("minor")
            .to_string();
        let dir = format!("{prefix}{folder}/{service}/{version}/");
        let Some(xlsx) = names
            .iter()
            .find(|n| n.starts_with(&dir) && n.to_ascii_lowercase().ends_with(".xlsx"))
            .cloned()
        else {
            return Err(invalid_zip(format!(
                "no workbook for {source_uri}[{version}]"
            )));
        };
        let bytes = Bytes::from(zip.read(&xlsx).map_err(invalid_zip)?);
        let file_name = xlsx
            .rsplit('/')
            .next()
            .unwrap_or("service.xlsx")
            .to_string();
        // Checked and compiled on the evaluation pool, off the async workers.
        let (workbook, name) = (bytes.clone(), file_name.clone());
        let engine = state
            .eval_pool()
            .run(F, move || load_xlsx(&workbook, &name))
            .await?
            .map_err(invalid_zip)?;
        let key = dest_uri.to_lowercase();
        let exists = state.store().versions(dest_folder, dest_service).is_some();
        let mut status = if exists { "updated" } else { "added" };
        if exists && touched.insert(key.clone()) {
            match existing.as_str() {
                "replace" => {
                    state.store().delete(dest_folder, dest_service);
                    status = "replaced";
                }
                "add_version" | "update" => {}
                _ => {
                    return Err(ApiError::Coded {
                        family: F,
                        status: StatusCode::CONFLICT,
                        code: "SERVICE_ALREADY_EXISTS",
                        message: format!("{dest_uri} already exists (services_existing=abort)"),
                    });
                }
            }
        }
        touched.insert(key);
        let published = state.store().publish(
            dest_folder,
            dest_service,
            engine,
            bytes,
            &file_name,
            &bump,
            (None, None),
            (None, None, None),
            false,
        );
        let i = &published.info;
        if !services_out
            .iter()
            .any(|s| s["service_id_destination"] == json!(i.service_id))
        {
            services_out.push(json!({
                "service_uri_source": source_uri, "folder_source": folder, "service_source": service,
                "service_id_source": e["service_id_source"], "service_uri_destination": dest_uri,
                "folder_destination": i.folder, "service_destination": i.service,
                "service_id_destination": i.service_id, "status": status}));
        }
        versions_out.push(json!({
            "service_uri_source": format!("{source_uri}[{version}]"), "folder_source": folder,
            "service_source": service, "version_source": version,
            "service_id_source": e["service_id_source"], "version_id_source": e["version_id_source"],
            "service_uri_destination": format!("{dest_uri}[{}]", i.version),
            "folder_destination": i.folder, "service_destination": i.service,
            "version_destination": i.version.to_string(), "service_id_destination": i.service_id,
            "version_id_destination": i.id, "status": "added"}));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let status_url = format!(
        "{}/{}/api/v4/import/{id}/status",
        host(&headers),
        state.tenant()
    );
    let result = json!({
        "object": "import", "id": id, "response_timestamp": wire::now_ts(), "status": "closed",
        "status_url": status_url, "process_time": started.elapsed().as_millis() as u64,
        "outputs": {"services": services_out, "service_versions": versions_out},
        "errors": null, "warnings": [],
        "source_system": entity.get("source_system").cloned().unwrap_or(Value::Null),
        "correlation_id": entity.get("correlation_id").cloned().unwrap_or(Value::Null),
    });
    state
        .inner
        .impex
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), ("import", result));
    Ok(ok(
        json!({"id": id, "object": "import", "status_url": status_url}),
    ))
}
