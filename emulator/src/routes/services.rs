//! Service inspection and management: versions, schema, metadata, validation, exists,
//! search, download, delete.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{delete, get, post};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::exec::{self, Locator};
use crate::state::AppState;
use crate::store::Version;
use crate::wire::{self, ok, timestamp};
use crate::workbook::Validation;

use super::execute::{locator, response_meta};
use super::{parse_object, schema, search_terms};

pub(super) fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route(
            "/api/v1/product/{folder}/engines/getversions/{service}",
            get(versions),
        )
        .route(
            "/api/v1/product/{folder}/engines/get/{service}",
            get(get_schema),
        )
        // Coherent's OpenAPI `getProductEnginesGet`: the schema of a version, wrapped in
        // the v1 envelope's `data` (coherent-openapi-3.1.yaml, spark-openapi c8ee882).
        .route(
            "/api/v1/product/{folder}/engines/get/{service}/{version_id}",
            get(get_schema_wrapped),
        )
        .route(
            "/api/v1/product/{folder}/engines/getbyversionid/{service}/{version_id}",
            get(get_schema),
        )
        .route(
            "/{tenant}/api/v3/getenginedetailbyversionid/versionid/{version_id}",
            post(get_schema).get(get_schema),
        )
        .route(
            "/api/v1/product/{folder}/engines/delete/{service}",
            delete(remove),
        )
        .route(
            "/api/v1/product/{folder}/engines/{service}/download/",
            get(download),
        )
        .route(
            "/api/v1/product/{folder}/engines/{service}/download",
            get(download),
        )
        .route(
            "/api/v1/product/{folder}/engines/{service}/download/{version_id}",
            get(download),
        )
        .route(
            "/{tenant}/api/v3/folders/{folder}/services/{service}/exists",
            get(exists),
        )
        .route("/{tenant}/api/v3/services/search", post(search))
        // The hybrid runner's form: the locator in `request_meta` (python-sdk.md §10.4).
        .route("/{tenant}/api/v3/metadata", post(metadata))
        .route("/{tenant}/api/v3/validation", post(validation));
    for prefix in ["/{tenant}/api/v3", "/{tenant}/api/v3/public"] {
        for loc in [
            "folders/{folder}/services/{service}",
            "service/{service_id}",
            "version/{version_id}",
        ] {
            r = r
                .route(
                    &format!("{prefix}/{loc}/metadata"),
                    get(metadata).post(metadata),
                )
                .route(&format!("{prefix}/{loc}/validation"), post(validation));
        }
    }
    r
}

fn base_url(headers: &HeaderMap) -> String {
    crate::origin::origin(headers)
}

fn newest_first(mut versions: Vec<std::sync::Arc<Version>>) -> Vec<std::sync::Arc<Version>> {
    versions.sort_by_key(|v| std::cmp::Reverse(v.info.version));
    versions
}

async fn versions(
    State(state): State<AppState>,
    Path((folder, service)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let versions = state
        .store()
        .versions(&folder, &service)
        .ok_or_else(|| ApiError::service_not_found(Family::V3))?;
    let data: Vec<Value> = newest_first(versions)
        .iter()
        .map(|v| {
            let i = &v.info;
            json!({
                "id": i.id, "createdAt": timestamp(i.created_at), "engine": i.service,
                "revision": i.version.to_string(),
                "effectiveStartDate": timestamp(i.effective_start),
                "effectiveEndDate": timestamp(i.effective_end),
                "isActive": true, "releaseNote": i.release_note, "childEngines": null,
                "versionLabel": i.label.clone().unwrap_or_default(),
                "defaultEngineType": "Neuron", "tags": i.tags, "product": i.folder,
                "author": "emulator@cspark.local", "originalFileName": i.file_name,
            })
        })
        .collect();
    Ok(ok(wire::v1_success(Value::Array(data))))
}

async fn get_schema(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Ok(ok(schema_of(&state, &params, &headers)?))
}

/// The OpenAPI form answers `{"status", "message", "errorCode", "data": schema}`.
async fn get_schema_wrapped(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Ok(ok(wire::v1_success(schema_of(&state, &params, &headers)?)))
}

fn schema_of(
    state: &AppState,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Value, ApiError> {
    let loc = Locator {
        folder: params.get("folder").cloned(),
        service: params.get("service").cloned(),
        version_id: params.get("version_id").cloned(),
        ..Locator::default()
    };
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let public = state.is_public_service(&version.info.folder, &version.info.service);
    Ok(schema::schema(
        &version,
        state.tenant(),
        &base_url(headers),
        public,
    ))
}

async fn remove(
    State(state): State<AppState>,
    Path((folder, service)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !state.store().delete(&folder, &service) {
        return Err(ApiError::service_not_found(Family::V3));
    }
    Ok(ok(
        json!({"status": "Success", "data": null, "message": null, "errorCode": null}),
    ))
}

async fn download(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let loc = Locator {
        folder: params.get("folder").cloned(),
        service: params.get("service").cloned(),
        version_id: params.get("version_id").cloned().filter(|v| !v.is_empty()),
        ..Locator::default()
    };
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let name = query
        .get("filename")
        .filter(|f| !f.is_empty())
        .cloned()
        .unwrap_or_else(|| version.info.file_name.clone());
    // `type=withmetadata` is the "configured" file (python-sdk `_services.py` `download`,
    // ts-sdk `services.ts`: `type: 'configured'`): the original plus the service's properties.
    let configured = query
        .get("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("withmetadata"));
    let file = if configured {
        let i = &version.info;
        let properties = [
            ("ServiceName", i.service.clone()),
            ("ProductName", i.folder.clone()),
            ("Revision", i.version.to_string()),
            ("ServiceGUID", i.service_id.clone()),
            ("ServiceVersionGUID", i.id.clone()),
            ("VersionLabel", i.label.clone().unwrap_or_default()),
            ("ReleaseNote", i.release_note.clone().unwrap_or_default()),
            ("EffectiveStartDate", timestamp(i.effective_start)),
            ("EffectiveEndDate", timestamp(i.effective_end)),
            ("Tenant", state.tenant().to_string()),
        ];
        bytes::Bytes::from(
            crate::package::configured(&version.file, &properties).map_err(|reason| {
                ApiError::bad_request(
                    Family::V3,
                    format!("cannot configure {}: {reason}", i.file_name),
                )
            })?,
        )
    } else {
        version.file.clone()
    };
    Ok(wire::attachment(
        file,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    ))
}

async fn exists(
    State(state): State<AppState>,
    Path((_tenant, folder, service)): Path<(String, String, String)>,
) -> Response {
    let found = state.store().versions(&folder, &service).is_some();
    ok(wire::v3_success(
        json!({"is_exists": found}),
        wire::short_meta(),
    ))
}

async fn search(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = parse_object(&body, Family::V3)?;
    let data = body.get("request_data").cloned().unwrap_or(Value::Null);
    let page = data.get("page").and_then(Value::as_i64).unwrap_or(1).max(1);
    let page_size = data.get("page_size").and_then(Value::as_i64).unwrap_or(-1);
    let filters = search_terms::terms(data.get("search"), Family::V3, SEARCH_FIELDS)?;
    let mut rows: Vec<Value> = Vec::new();
    for versions in state.store().all() {
        let Some(latest) = versions.iter().max_by_key(|v| v.info.version) else {
            continue;
        };
        let i = &latest.info;
        let keep = filters.iter().all(|(field, value)| {
            let hay = match field {
                SearchField::Folder => i.folder.to_lowercase(),
                SearchField::Service => i.service.to_lowercase(),
                SearchField::Id => i.service_id.to_lowercase(),
                SearchField::Version => i.version.to_string(),
            };
            hay.contains(value.as_str())
        });
        if keep {
            rows.push(json!({
                "id": i.service_id, "folderName": i.folder, "fileName": i.service,
                "version": i.version.to_string(), "modifiedDate": timestamp(i.created_at),
            }));
        }
    }
    let count = rows.len() as i64;
    let (start, size) = if page_size <= 0 {
        (0, count.max(1))
    } else {
        ((page - 1).saturating_mul(page_size), page_size)
    };
    let page_rows: Vec<Value> = rows
        .into_iter()
        .skip(start as usize)
        .take(size as usize)
        .collect();
    let page_total = if page_size <= 0 {
        1
    } else {
        count.saturating_add(page_size - 1) / page_size
    };
    let meta = json!({
        "count": count, "next": if page < page_total { json!(page + 1) } else { Value::Null },
        "page": page, "page_size": page_size, "page_total": page_total,
        "previous": if page > 1 { json!(page - 1) } else { Value::Null },
        "request_timestamp": wire::now_ts(), "system": "SPARK",
    });
    Ok(ok(wire::v3_success(Value::Array(page_rows), meta)))
}

/// A field a services-search term can filter on.
#[derive(Clone, Copy)]
enum SearchField {
    Folder,
    Service,
    Id,
    Version,
}

/// The field names a services-search term may name, after the names of the result columns
/// (`fields` default `id, foldername, filename, version`: python-sdk `_services.py` `search`,
/// ts-sdk `services.ts`).
const SEARCH_FIELDS: &[(&str, SearchField)] = &[
    ("foldername", SearchField::Folder),
    ("folder", SearchField::Folder),
    ("filename", SearchField::Service),
    ("servicename", SearchField::Service),
    ("service", SearchField::Service),
    ("name", SearchField::Service),
    ("id", SearchField::Id),
    ("version", SearchField::Version),
];

fn meta_of(body: &Map<String, Value>) -> Map<String, Value> {
    match body.get("request_meta") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

async fn metadata(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, Family::V3)?;
    let meta = meta_of(&body);
    let loc = locator(&params, &meta, Family::V3)?;
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let fields: Vec<_> = version
        .engine
        .outputs()
        .iter()
        .filter(|f| {
            f.subservice
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("metadata"))
        })
        .collect();
    let mut outputs = Map::new();
    if !fields.is_empty() {
        let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        let (eval, _) = exec::evaluate(&version, &Map::new(), Some(&names));
        for f in fields {
            let sub = f.subservice.as_deref().unwrap_or("Metadata");
            let value = eval
                .outputs
                .get(&f.name)
                .cloned()
                .unwrap_or_else(|| f.default.clone());
            outputs.insert(format!("{sub}.{}", f.name), value);
        }
    }
    let call_id = uuid::Uuid::new_v4().to_string();
    let rmeta = response_meta(&version, &meta, &call_id, 0, chrono::Utc::now());
    let data = json!({"outputs": outputs, "warnings": null, "errors": null, "service_chain": null});
    Ok(ok(wire::v3_success(data, rmeta)))
}

async fn validation(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, Family::V3)?;
    let meta = meta_of(&body);
    let loc = locator(&params, &meta, Family::V3)?;
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let kind = wire::str_field(&meta, "validation_type").unwrap_or("default_values");
    let dynamic = kind.eq_ignore_ascii_case("dynamic");
    let mut outputs = Map::new();
    // The engine reports static rules only, so a dynamic validation never differs from the
    // stored one and returns no entries (Spark returns only the differing ones).
    if !dynamic {
        for f in version.engine.inputs() {
            let Some(rule) = &f.validation else { continue };
            let (allow, min, max, options) = match rule {
                Validation::List(options) => ("List", Value::Null, Value::Null, json!(options)),
                Validation::Number { min, max, whole } => (
                    if *whole { "WholeNumber" } else { "Decimal" },
                    json!(min),
                    json!(max),
                    Value::Null,
                ),
            };
            outputs.insert(
                f.name.clone(),
                json!({"validation_allow": allow, "validation_type": "static",
                       "dependent_inputs": null, "min": min, "max": max,
                       "options": options, "ignore_blank": true}),
            );
        }
    }
    let call_id = uuid::Uuid::new_v4().to_string();
    let rmeta = response_meta(&version, &meta, &call_id, 0, chrono::Utc::now());
    let data = json!({"outputs": outputs, "warnings": null, "errors": null, "service_chain": null});
    Ok(ok(wire::v3_success(data, rmeta)))
}
