//! WASM bundle download (`GET /{t}/api/v3/nodegen[/public]/getnodegenzipbyId/{locator}`,
//! spark-platform.md §6.11).
//!
//! The emulator has no Neuron compiler, so the zip carries no `.wasm`/`.js`/`.data` files.
//! It holds what the emulator can produce faithfully, named like the real package, plus the
//! original workbook, which stands in for the compiled code: the emulator's hybrid runner
//! ([`super::runner`]) loads that workbook when the bundle is uploaded to it.

use std::io::Write;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::exec::{self, Locator};
use crate::state::AppState;
use crate::store::Version;
use crate::wire;
use crate::workbook::{Field, Validation};

/// The metadata document of a bundle (PascalCase, as in on-prem packages).
pub(super) const MODEL_METADATA: &str = "ModelMetaData.json";

pub(super) fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in [
        "/{tenant}/api/v3/nodegen",
        "/{tenant}/api/v3/nodegen/public",
    ] {
        r = r.route(
            &format!("{prefix}/getnodegenzipbyid/{{*locator}}"),
            get(download),
        );
    }
    r
}

async fn download(
    State(state): State<AppState>,
    Path((_tenant, locator)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let loc = parse_locator(&locator)?;
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let public = state.is_public_service(&version.info.folder, &version.info.service);
    let bytes = bundle(&version, &state.inner.tenant, public).map_err(|e| ApiError::Coded {
        family: Family::V3,
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "INTERNAL_SERVER_ERROR",
        message: format!("could not build the WASM bundle: {e}"),
    })?;
    let name = format!("{}.zip", version.info.service);
    Ok(wire::attachment(bytes, "application/zip", &name))
}

/// `folders/{f}/services/{s}[{version}]`, `service/{id}` or `version/{id}` (already
/// percent-decoded by the router). Proxy locators name no service: 501, as before.
fn parse_locator(text: &str) -> Result<Locator, ApiError> {
    let text = text.trim_matches('/');
    let (kind, rest) = text.split_once('/').unwrap_or((text, ""));
    let mut loc = Locator::default();
    match kind.to_ascii_lowercase().as_str() {
        "folders" => loc.parse_uri(text),
        "service" if !rest.is_empty() && !rest.contains('/') => {
            loc.service_id = Some(rest.to_string())
        }
        "version" if !rest.is_empty() && !rest.contains('/') => {
            loc.version_id = Some(rest.to_string())
        }
        "proxy" => {
            return Err(ApiError::Coded {
                family: Family::V3,
                status: StatusCode::NOT_IMPLEMENTED,
                code: "NOT_SUPPORTED_BY_EMULATOR",
                message: "WASM download of a proxy endpoint is not supported by the emulator"
                    .into(),
            });
        }
        _ => {}
    }
    if loc.folder.is_none() && loc.service_id.is_none() && loc.version_id.is_none() {
        return Err(ApiError::bad_request(
            Family::V3,
            format!(
                "invalid service locator {text:?}: use folders/{{f}}/services/{{s}}, \
                 service/{{id}} or version/{{id}}"
            ),
        ));
    }
    Ok(loc)
}

/// The zip: `ModelMetaData.json`, `{service}DefaultValidations.json` and the workbook.
fn bundle(version: &Version, tenant: &str, public: bool) -> Result<Vec<u8>, String> {
    let i = &version.info;
    let entries: [(String, Vec<u8>); 3] = [
        (
            MODEL_METADATA.to_string(),
            wire::to_bytes(&model_metadata(version, tenant, public)).to_vec(),
        ),
        (
            format!("{}DefaultValidations.json", i.service),
            wire::to_bytes(&default_validations(version.engine.inputs())).to_vec(),
        ),
        (i.file_name.clone(), version.file.to_vec()),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// `ModelMetaData.json`: the fields of the real document the emulator knows.
pub(super) fn model_metadata(version: &Version, tenant: &str, public: bool) -> Value {
    let i = &version.info;
    let table = |fields: &[Field], key: &str| -> Vec<Value> {
        fields
            .iter()
            .map(|f| {
                let mut row = Map::new();
                row.insert(key.into(), json!(f.name));
                row.insert("Description".into(), json!(f.description));
                row.insert("Address".into(), json!(f.address));
                Value::Object(row)
            })
            .collect()
    };
    json!({
        "EffectiveStartDate": wire::timestamp(i.effective_start),
        "EffectiveEndDate": wire::timestamp(i.effective_end),
        "EngineInformation": {
            "FileSize": version.file.len(),
            "Author": "cspark-emulator",
            "ProductName": i.folder,
            "Revision": i.version.to_string(),
            "Description": null,
            "FileMD5Hash": null,
            "ReleaseDate": wire::timestamp(i.created_at),
            "ServiceName": i.service,
            "NoOfInstance": 1,
            "DefaultEngineType": "Neuron",
            "OriginalFileName": i.file_name,
            "SizeOfUploadedFile": version.file.len(),
            "ReleaseNote": i.release_note,
            "IsTypeScriptFile": false,
            "PublicAPI": public,
            "ServiceGuid": i.service_id,
            "ServiceVersionGuid": i.id,
            "Tenant": tenant,
            "VersionLabel": i.label,
            "Tags": i.tags,
            "OriginalServiceHash": version.hash,
            "CompilerVersion": exec::COMPILER_VERSION,
        },
        "XInputTable": table(version.engine.inputs(), "Input Name"),
        "XOutputTable": table(version.engine.outputs(), "Output Name"),
        "VersionId": i.id,
        "HasSignatureChain": null,
    })
}

/// `{service}DefaultValidations.json`: the validation outputs with each input's default.
fn default_validations(inputs: &[Field]) -> Value {
    let mut outputs = Map::new();
    for f in inputs {
        let (allow, kind, min, max, options) = match &f.validation {
            None => (Value::Null, "none", Value::Null, Value::Null, Value::Null),
            Some(Validation::List(options)) => (
                json!("List"),
                "static",
                Value::Null,
                Value::Null,
                json!(options),
            ),
            Some(Validation::Number { min, max, whole }) => (
                json!(if *whole { "WholeNumber" } else { "Decimal" }),
                "static",
                json!(min),
                json!(max),
                Value::Null,
            ),
        };
        outputs.insert(
            f.name.clone(),
            json!({
                "validation_allow": allow, "validation_type": kind, "dependent_inputs": null,
                "min": min, "max": max, "options": options, "ignore_blank": false,
                "input_message_title": null, "input_message": null, "error_style": null,
                "error_title": null, "error_message": null, "default_value": f.default,
            }),
        );
    }
    json!({"outputs": outputs, "warnings": null, "errors": null, "service_chain": null})
}
