//! One version changed in place, the two calls only Coherent's OpenAPI description documents
//! (spark-openapi): `PUT …/updateversion/{versionId}` edits a version's description, release
//! note, label, tags and effective window (`putFoldersServicesUpdateversion`), and
//! `DELETE …/version/{versionId}` deletes an intermediate version, never the first or the
//! latest (`deleteFoldersServicesVersion`).
//!
//! The description sends every `request_data` field, `null` for the ones not changed; the
//! emulator reads `null` (or an absent field) as "unchanged" and an empty string as "cleared".
//! `book_properties` is accepted and not stored (the emulator keeps no book properties).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, put};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::state::AppState;
use crate::store::{VersionChangeError, VersionEdit};
use crate::wire::{self, ok};

use super::parse_object;

const FAMILY: Family = Family::V3;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/api/v3/folders/{folder}/services/{service}/updateversion/{version_id}",
            put(update_version),
        )
        .route(
            "/{tenant}/api/v3/folders/{folder}/services/{service}/version/{version_id}",
            delete(delete_version),
        )
}

async fn update_version(
    State(state): State<AppState>,
    Path((_tenant, folder, service, version_id)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body, FAMILY)?;
    let Some(Value::Object(data)) = body.get("request_data") else {
        return Err(ApiError::bad_request(FAMILY, "missing request_data"));
    };
    let edit = VersionEdit {
        description: text(data, "description")?,
        release_note: text(data, "release_note")?,
        label: text(data, "version_label")?,
        tags: tags(data)?,
        effective_start: date(data, "effective_start_date")?,
        effective_end: date(data, "effective_end_date")?,
    };
    let version = state
        .store()
        .edit_version(&folder, &service, &version_id, &edit)
        .map_err(|e| refusal(e, &version_id))?;
    let data = json!({
        "version_id": version.info.id,
        "revision": version.info.version.to_string(),
        "jobid": null,
    });
    Ok(ok(wire::v3_success(data, wire::short_meta())))
}

async fn delete_version(
    State(state): State<AppState>,
    Path((_tenant, folder, service, version_id)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    state
        .store()
        .delete_version(&folder, &service, &version_id)
        .map_err(|e| refusal(e, &version_id))?;
    Ok(ok(wire::v1_success(Value::Null)))
}

fn refusal(error: VersionChangeError, version_id: &str) -> ApiError {
    match error {
        VersionChangeError::UnknownService => ApiError::service_not_found(FAMILY),
        VersionChangeError::UnknownVersion => {
            ApiError::version_not_found(FAMILY, format!("the service has no version {version_id}"))
        }
        VersionChangeError::FirstOrLatest => ApiError::bad_request(
            FAMILY,
            format!(
                "version {version_id} is the first or the latest version of the service, \
                 which cannot be deleted"
            ),
        ),
        VersionChangeError::EndBeforeStart => {
            ApiError::bad_request(FAMILY, "effective_end_date is before effective_start_date")
        }
    }
}

/// A text field: absent or `null` → unchanged, `""` → cleared, a string → set.
fn text(data: &Map<String, Value>, key: &str) -> Result<Option<Option<String>>, ApiError> {
    match data.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some((!s.is_empty()).then(|| s.clone()))),
        Some(other) => Err(ApiError::bad_request(
            FAMILY,
            format!("{key} must be a string or null, not {other}"),
        )),
    }
}

/// `tags`: a comma-separated string as documented; a list of strings is joined.
fn tags(data: &Map<String, Value>) -> Result<Option<Option<String>>, ApiError> {
    match data.get("tags") {
        Some(list @ Value::Array(_)) => Ok(Some(
            wire::string_list(Some(list)).map(|tags| tags.join(",")),
        )),
        _ => text(data, "tags"),
    }
}

/// A date field: absent or `null` → unchanged, otherwise an ISO 8601 date or date-time.
fn date(data: &Map<String, Value>, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match text(data, key)? {
        None | Some(None) => Ok(None),
        Some(Some(text)) => wire::parse_instant(&text)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(FAMILY, format!("invalid {key} {text:?}"))),
    }
}
