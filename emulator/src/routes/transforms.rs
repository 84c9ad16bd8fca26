//! Transform documents (§2.5, v4): save, get, delete, list, validate, upload. The emulator
//! stores and validates them but does not run JSONata / Node code: `…/for/…` calls answer
//! 501 `TRANSFORM_NOT_SUPPORTED`.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::wire::{self, ok, timestamp};

use super::{parse_object, search_terms};

const F: Family = Family::V4;
const TYPES: &[&str] = &["JSONtransforms_v1.0.1", "Nodejs22_v1.0.0"];

pub(super) fn router() -> Router<AppState> {
    let base = "/{tenant}/api/v4/transforms";
    Router::new()
        .route(&format!("{base}/validation"), post(validate))
        .route(&format!("{base}/list/{{folder}}"), post(list))
        .route(&format!("{base}/{{folder}}"), post(upload))
        .route(
            &format!("{base}/{{folder}}/{{name}}"),
            post(save).get(fetch).delete(remove),
        )
        .route(
            &format!("{base}/{{folder}}/{{name}}/for/{{f}}/{{s}}"),
            post(run),
        )
        .route(&format!("{base}/{{folder}}/{{name}}/run"), post(run))
        .route(
            &format!("{base}/{{name}}/for/folders/{{f}}/services/{{s}}"),
            post(run),
        )
        .merge(singular())
}

/// The Python SDK's document paths use the singular `transform` (cspark 0.3.3
/// `resources/_transforms.py`: `transform/list/{folder}`, `transform/validation`,
/// `transform/{folder}/{name}`); the same documents as under `transforms`.
fn singular() -> Router<AppState> {
    let base = "/{tenant}/api/v4/transform";
    Router::new()
        .route(&format!("{base}/validation"), post(validate))
        .route(&format!("{base}/list/{{folder}}"), post(list))
        .route(
            &format!("{base}/{{folder}}/{{name}}"),
            post(save).get(fetch).delete(remove),
        )
}

/// Check a transform document; `Err` holds Spark-style `{code, type, message}` errors.
fn check(content: &str) -> Result<String, Vec<Value>> {
    let err = |m: String| {
        vec![json!({"code": "INVALID_TRANSFORM", "type": "invalid_input", "message": m})]
    };
    let doc: Value = serde_json::from_str(content).map_err(|e| err(format!("not JSON: {e}")))?;
    let kind = doc
        .get("transform_type")
        .and_then(Value::as_str)
        .ok_or_else(|| err("missing transform_type".into()))?;
    if !TYPES.contains(&kind) {
        return Err(err(format!("unsupported transform_type {kind:?}")));
    }
    let needs: &[&str] = if kind.starts_with("Nodejs") {
        &["transform_code"]
    } else {
        &["input_body_transform", "output_body_transform"]
    };
    for key in needs {
        if !doc.get(*key).is_some_and(Value::is_string) {
            return Err(err(format!("missing {key}")));
        }
    }
    Ok(kind.to_string())
}

fn content_of(body: &serde_json::Map<String, Value>) -> Result<String, ApiError> {
    match body.get("transform_content") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ Value::Object(_)) => Ok(v.to_string()),
        _ => Err(ApiError::bad_request(F, "missing transform_content")),
    }
}

fn envelope(id: &str, outputs: Value) -> Response {
    ok(
        json!({"object": "transform", "response_timestamp": wire::now_ts(), "process_time": 0,
              "id": id, "status": "Success", "outputs": outputs}),
    )
}

fn store(
    state: &AppState,
    folder: &str,
    name: &str,
    content: String,
) -> Result<Response, ApiError> {
    let kind = check(&content).map_err(|errors| {
        ApiError::bad_request(
            F,
            errors[0]["message"]
                .as_str()
                .unwrap_or("invalid")
                .to_string(),
        )
    })?;
    let id = state.inner.transforms.save(folder, name, kind, content);
    Ok(envelope(
        &id,
        json!({"name": name, "transform_uri": format!("{folder}/{name}")}),
    ))
}

async fn save(
    State(state): State<AppState>,
    Path((_t, folder, name)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, F)?;
    store(&state, &folder, &name, content_of(&body)?)
}

async fn upload(
    State(state): State<AppState>,
    Path((_t, folder)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let mut last = None;
    for part in super::multipart::parts(multipart, F).await? {
        let file_name = part.file_name.as_deref().unwrap_or("transform.json");
        let name = file_name.rsplit_once('.').map_or(file_name, |(n, _)| n);
        last = Some(store(&state, &folder, name, part.text())?);
    }
    last.ok_or_else(|| ApiError::bad_request(F, "missing file part"))
}

fn not_found(folder: &str, name: &str) -> ApiError {
    ApiError::NotFound {
        family: F,
        code: "TRANSFORM_NOT_FOUND",
        message: format!("transform {folder}/{name} not found"),
    }
}

async fn fetch(
    State(state): State<AppState>,
    Path((_t, folder, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let t = state
        .inner
        .transforms
        .get(&folder, &name)
        .ok_or_else(|| not_found(&folder, &name))?;
    Ok(envelope(
        &t.id,
        json!({"transform_document": t.document, "updatedAt": timestamp(t.updated)}),
    ))
}

async fn remove(
    State(state): State<AppState>,
    Path((_t, folder, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let t = state
        .inner
        .transforms
        .remove(&folder, &name)
        .ok_or_else(|| not_found(&folder, &name))?;
    Ok(envelope(
        &t.id,
        json!({"name": t.name, "transform_uri": format!("{folder}/{}", t.name)}),
    ))
}

async fn list(
    State(state): State<AppState>,
    Path((_t, folder)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, F)?;
    // The TypeScript SDK sends the parameters flat (`transforms.ts`), the Python SDK inside
    // `request_data` (`_transforms.py`).
    let body = match body.get("request_data") {
        Some(Value::Object(inner)) => inner.clone(),
        _ => body,
    };
    let page = body.get("page").and_then(Value::as_u64).unwrap_or(1).max(1) as usize;
    let size = body
        .get("pageSize")
        .and_then(Value::as_u64)
        .unwrap_or(100)
        .max(1) as usize;
    // Python SDK `transforms.list(search=[…])` (`_transforms.py`); the listed columns.
    let filters = search_terms::terms(
        body.get("search"),
        F,
        &[("transform_type", true), ("name", false)],
    )?;
    let rows: Vec<Value> = state
        .inner
        .transforms
        .in_folder(&folder)
        .iter()
        .filter(|t| {
            filters.iter().all(|(by_kind, value)| {
                if *by_kind {
                    t.kind.eq_ignore_ascii_case(value)
                } else {
                    t.name.to_lowercase().contains(value.as_str())
                }
            })
        })
        .map(|t| {
            json!({"id": t.id, "name": t.name, "transform_type": t.kind,
                   "createdAt": timestamp(t.created), "createdBy": "emulator@cspark.local",
                   "updatedAt": timestamp(t.updated), "modifiedBy": "emulator@cspark.local"})
        })
        .collect();
    let count = rows.len();
    let result: Vec<Value> = rows
        .into_iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .collect();
    Ok(ok(
        json!({"count": count, "page": page, "pageSize": size, "result": result}),
    ))
}

async fn validate(body: Bytes) -> Result<Response, ApiError> {
    let body = parse_object(&body, F)?;
    let content = content_of(&body)?;
    let (valid, error) = match check(&content) {
        Ok(_) => (true, Value::Null),
        Err(errors) => (false, Value::Array(errors)),
    };
    Ok(envelope("", json!({"isValid": valid, "error": error})))
}

/// Running a transform: 501. The body is read so hyper keeps the connection.
async fn run(_body: Bytes) -> ApiError {
    ApiError::Coded {
        family: F,
        status: StatusCode::NOT_IMPLEMENTED,
        code: "TRANSFORM_NOT_SUPPORTED",
        message: "the emulator stores transforms but does not run them".into(),
    }
}
