//! Folder ("product") API v1 and categories (§2.2): bearer only, camelCase envelopes.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{delete, get, post};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::categories::Category;
use crate::error::{ApiError, Family};
use crate::folders::Folder;
use crate::state::AppState;
use crate::wire::{self, ok, str_field, timestamp};

use super::{parse_object, search_terms};

const F: Family = Family::V3;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/product/create", post(create))
        .route("/api/v1/product/getproduct/{folder}", get(get_folder))
        .route("/api/v1/product/list", post(list))
        .route("/api/v1/product/update/{folder}", post(update))
        .route("/api/v1/product/delete/{folder}", delete(remove))
        .route(
            "/api/v1/product/isproductexists/{name}",
            post(exists).get(exists),
        )
        .route("/api/v1/product/uploadcoverimage", post(cover))
        .route("/api/v1/product/{folder}/engines", post(services))
        .route("/api/v1/lookup/getcategories", get(categories))
        // Python SDK `Categories.save/delete` (cspark 0.3.3 `resources/_folders.py`) and
        // TypeScript SDK `folders.categories` (spark-ts-sdk `src/resources/folders.ts`).
        .route("/api/v1/lookup/savecategory", post(save_category))
        .route(
            "/api/v1/lookup/deletecategory/{key}",
            delete(delete_category),
        )
}

/// Folder APIs refuse API keys on Spark.
fn bearer_only(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.contains_key("x-synthetic-key") {
        return Err(ApiError::Unauthorized(F));
    }
    Ok(())
}

fn sync(state: &AppState) {
    let names: Vec<String> = state
        .store()
        .all()
        .iter()
        .filter_map(|v| v.first().map(|v| v.info.folder.clone()))
        .collect();
    state.inner.folders.ensure(names.iter().map(String::as_str));
}

fn service_count(state: &AppState, folder: &str) -> usize {
    state
        .store()
        .all()
        .iter()
        .filter(|v| {
            v.first()
                .is_some_and(|v| v.info.folder.eq_ignore_ascii_case(folder))
        })
        .count()
}

fn info(state: &AppState, f: &Folder) -> Map<String, Value> {
    let count = service_count(state, &f.name);
    let date = |d: &Option<chrono::DateTime<chrono::Utc>>| d.map(timestamp);
    let json = json!({
        "id": f.id, "name": f.name, "status": f.status, "category": f.category,
        "description": f.description,
        "coverImagePath": if f.has_cover { json!(format!("/_emulator/covers/{}", f.id)) } else { Value::Null },
        "createdAt": timestamp(f.created_at), "createdBy": "emulator@cspark.local",
        "lastModifiedDate": timestamp(f.modified_at), "isStarred": false,
        "kanbanStatus": "Test 01", "startDate": date(&f.start_date),
        "launchDate": date(&f.launch_date), "activeServiceCount": count,
        "totalServiceCount": count,
    });
    match json {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The text fields of a create request (keys lower-cased) and whether it carried a cover.
/// The TypeScript SDK sends `multipart/form-data` (spark-ts-sdk `folders.ts`), the Python SDK
/// `application/x-www-form-urlencoded` (cspark 0.3.3 `_folders.py`: `data=form`, no files).
async fn create_fields(
    state: &AppState,
    req: axum::extract::Request,
) -> Result<(Map<String, Value>, bool), ApiError> {
    use axum::extract::FromRequest;
    let urlencoded = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let mut fields: Map<String, Value> = Map::new();
    if urlencoded {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(F, format!("invalid form body: {e}")))?;
        for (name, value) in pairs {
            fields.insert(name.to_ascii_lowercase(), Value::String(value));
        }
        return Ok((fields, false));
    }
    let multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| ApiError::bad_request(F, format!("invalid multipart body: {e}")))?;
    let mut has_cover = false;
    for part in super::multipart::parts(multipart, F).await? {
        if part.is_file() || part.is("coverimage") {
            has_cover = true;
        } else {
            fields.insert(part.name.to_ascii_lowercase(), Value::String(part.text()));
        }
    }
    Ok((fields, has_cover))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let (fields, has_cover) = create_fields(&state, req).await?;
    let text = |k: &str| {
        str_field(&fields, k)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let name = text("name").ok_or_else(|| ApiError::bad_request(F, "missing Name"))?;
    let mut folder = Folder::new(&name);
    if let Some(c) = text("category") {
        folder.category = c;
    }
    if let Some(s) = text("status") {
        folder.status = s;
    }
    folder.description = text("description");
    folder.start_date = text("startdate").and_then(|d| wire::parse_instant(&d));
    folder.launch_date = text("launchdate").and_then(|d| wire::parse_instant(&d));
    folder.has_cover = has_cover;
    let id = folder.id.clone();
    if !state.inner.folders.create(folder) {
        return Ok(ok(
            json!({"status": "Error", "message": "Folder already exists",
                            "errorCode": "PRODUCT_ALREADY_EXISTS", "data": null}),
        ));
    }
    let url = format!(
        "{}/api/v1/product/GetProduct/{id}",
        crate::origin::origin(&headers)
    );
    Ok(ok(wire::v1_success(
        json!({"folderId": id, "get_product_url": url}),
    )))
}

async fn get_folder(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(folder): Path<String>,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let f = state.inner.folders.find(&folder).ok_or_else(not_found)?;
    let mut data = info(&state, &f);
    data.insert("sections".into(), json!([]));
    data.insert(
        "calculationEngines".into(),
        json!({"count": 0, "next": "False", "previous": null, "message": null,
               "data": [], "errorCode": null, "status": "Success"}),
    );
    Ok(ok(wire::v1_success(Value::Object(data))))
}

fn not_found() -> ApiError {
    ApiError::NotFound {
        family: F,
        code: "PRODUCT_NOT_FOUND",
        message: "folder could not be found".into(),
    }
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let body = parse_object(&body, F)?;
    // Fields both SDKs' `find` send (`name`, `isstarred`, extra `**params`) and the folder
    // document's own (`status`, `category`, `id`).
    let filters = search_terms::terms(
        body.get("search"),
        F,
        &[
            ("name", "name"),
            ("status", "status"),
            ("category", "category"),
            ("id", "id"),
            ("isstarred", "isstarred"),
        ],
    )?;
    let rows: Vec<Value> = state
        .inner
        .folders
        .all()
        .iter()
        .filter(|f| {
            filters.iter().all(|(field, value)| match *field {
                "name" => f.name.to_lowercase().contains(value.as_str()),
                "status" => f.status.eq_ignore_ascii_case(value),
                "category" => f.category.eq_ignore_ascii_case(value),
                "id" => f.id.eq_ignore_ascii_case(value),
                // No folder is starred in the emulator.
                _ => value == "false",
            })
        })
        .map(|f| Value::Object(info(&state, f)))
        .collect();
    let page = body.get("page").and_then(Value::as_u64).unwrap_or(1).max(1) as usize;
    let size = body
        .get("pageSize")
        .and_then(Value::as_u64)
        .unwrap_or(100)
        .max(1) as usize;
    let count = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .collect();
    Ok(ok(json!({"status": "Success", "count": count,
                 "next": if page.saturating_mul(size) < count { json!(page + 1) } else { Value::Null },
                 "previous": if page > 1 { json!(page - 1) } else { Value::Null },
                 "message": null, "errorCode": null, "data": data})))
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(folder): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let body = parse_object(&body, F)?;
    let text = |k: &str| str_field(&body, k).map(String::from);
    state
        .inner
        .folders
        .update(&folder, |f| {
            if let Some(d) = text("description") {
                f.description = Some(d);
            }
            if let Some(c) = text("category") {
                f.category = c;
            }
            if let Some(s) = text("status") {
                f.status = s;
            }
            if let Some(d) = text("startDate").and_then(|d| wire::parse_instant(&d)) {
                f.start_date = Some(d);
            }
            if let Some(d) = text("launchDate").and_then(|d| wire::parse_instant(&d)) {
                f.launch_date = Some(d);
            }
        })
        .ok_or_else(not_found)?;
    Ok(ok(wire::v1_success(Value::Null)))
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(folder): Path<String>,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let f = state.inner.folders.remove(&folder).ok_or_else(not_found)?;
    let services: Vec<String> = state
        .store()
        .all()
        .iter()
        .filter_map(|v| v.first())
        .filter(|v| v.info.folder.eq_ignore_ascii_case(&f.name))
        .map(|v| v.info.service.clone())
        .collect();
    for s in services {
        state.store().delete(&f.name, &s);
    }
    Ok(ok(wire::v1_success(Value::Null)))
}

async fn exists(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    sync(&state);
    let found = state.inner.folders.find(&name).is_some();
    Ok(ok(wire::v1_success(json!(found))))
}

/// The cover image is not kept. Its body is read all the same: hyper closes a keep-alive
/// connection whose request body the handler left unread, and clients that send the body after
/// the headers (httpx) then fail their next request on it.
async fn cover(headers: HeaderMap, _body: Bytes) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    Ok(ok(wire::v1_success(Value::Null)))
}

/// `POST /api/v1/product/{folder}/engines`: the services of a folder (CLI "list services").
async fn services(
    State(state): State<AppState>,
    Path(folder): Path<String>,
    _paging: Bytes, // read to keep the connection (see `cover`); the list is not paged
) -> Result<Response, ApiError> {
    let data: Vec<Value> = state
        .store()
        .all()
        .iter()
        .filter_map(|vs| vs.iter().max_by_key(|v| v.info.version))
        .filter(|v| v.info.folder.eq_ignore_ascii_case(&folder))
        .map(|v| {
            let i = &v.info;
            json!({"serviceName": i.service, "id": i.service_id, "versionId": i.id,
                   "version": i.version.to_string(), "product": i.folder,
                   "originalFileName": i.file_name, "createdAt": timestamp(i.created_at)})
        })
        .collect();
    Ok(ok(
        json!({"status": "Success", "count": data.len(), "next": null, "previous": null,
                 "message": null, "errorCode": null, "data": data}),
    ))
}

async fn categories(State(state): State<AppState>) -> Response {
    let data: Vec<Value> = state
        .inner
        .categories
        .all()
        .iter()
        .map(|c| json!({"key": c.key, "value": c.value, "icon": c.icon}))
        .collect();
    ok(wire::v1_success(Value::Array(data)))
}

/// Save and delete answer the whole list under `data["Metadata.ProductCategories"]`, its items
/// in PascalCase (both SDKs lower-case the keys: python `_folders.py`, ts `folders.ts`).
fn category_list(list: &[Category]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|c| json!({"Key": c.key, "Value": c.value, "Icon": c.icon}))
        .collect();
    wire::v1_success(json!({"Metadata.ProductCategories": items}))
}

/// `POST /api/v1/lookup/savecategory` `{"value": name, "key": uuid, "icon": "other.svg"}`
/// (the body both SDKs send; `key` and `icon` are optional there, defaulted the same way).
async fn save_category(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    let body = parse_object(&body, F)?;
    let value = str_field(&body, "value")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request(F, "savecategory needs a non-empty \"value\""))?;
    let category = Category {
        key: str_field(&body, "key")
            .filter(|k| !k.is_empty())
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), String::from),
        value: value.to_string(),
        icon: str_field(&body, "icon")
            .filter(|i| !i.is_empty())
            .unwrap_or("other.svg")
            .to_string(),
    };
    let list = state.inner.categories.save(category);
    Ok(ok(category_list(&list)))
}

/// `DELETE /api/v1/lookup/deletecategory/{key}`; an unknown key is a 404.
async fn delete_category(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    let list = state
        .inner
        .categories
        .delete(&key)
        .ok_or_else(|| ApiError::NotFound {
            family: F,
            code: "CATEGORY_NOT_FOUND",
            message: format!("no folder category with key {key:?}"),
        })?;
    Ok(ok(category_list(&list)))
}
