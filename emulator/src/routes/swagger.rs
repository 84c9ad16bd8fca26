//! Per-service Swagger 2.0 (§5.5): `downloadswagger/{category}/{isDownload}/{versionId}`.
//!
//! Deterministic: the same version always yields the same document (properties follow
//! the workbook's field order; no timestamps or random ids inside). Types come from the
//! fields: number → `number`, text → `string`, boolean → `boolean`, date → `string` +
//! `format: date`, tables → `array` of `object`s with per-column properties, list
//! validations → `enum`, number validations → `minimum` / `maximum`. Property maps are
//! sorted by name.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::exec::{self, COMPILER_VERSION, Locator};
use crate::state::AppState;
use crate::store::Version;
use crate::wire::ok;
use crate::workbook::{DataType, Field, Shape, Validation};

pub(super) fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in ["/{tenant}/api/v3", "/{tenant}/api/v3/public"] {
        for loc in [
            "folders/{folder}/services/{service}",
            "service/{service_id}",
            "version/{version_id}",
        ] {
            let base = format!("{prefix}/{loc}/downloadswagger/{{category}}/{{is_download}}");
            r = r
                .route(&base, get(swagger))
                .route(&format!("{base}/"), get(swagger))
                .route(&format!("{base}/{{swagger_version_id}}"), get(swagger));
        }
    }
    r
}

fn type_schema(t: DataType) -> Map<String, Value> {
    let mut m = Map::new();
    match t {
        DataType::Number => {
            m.insert("type".into(), json!("number"));
        }
        DataType::Text => {
            m.insert("type".into(), json!("string"));
        }
        DataType::Boolean => {
            m.insert("type".into(), json!("boolean"));
        }
        DataType::Date => {
            m.insert("type".into(), json!("string"));
            m.insert("format".into(), json!("date"));
        }
    }
    m
}

/// The JSON-schema property of one field.
pub(super) fn property(field: &Field) -> Value {
    let mut prop = match &field.shape {
        Shape::Scalar => type_schema(field.data_type),
        Shape::Table { columns, .. } => {
            let props = sorted(
                columns
                    .iter()
                    .map(|(name, t)| (name.clone(), Value::Object(type_schema(*t)))),
            );
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            m.insert(
                "items".into(),
                json!({"type": "object", "properties": props}),
            );
            m
        }
    };
    match &field.validation {
        Some(Validation::List(options)) if matches!(field.shape, Shape::Scalar) => {
            prop.insert("enum".into(), Value::Array(options.clone()));
        }
        Some(Validation::Number { min, max, .. }) if matches!(field.shape, Shape::Scalar) => {
            if let Some(min) = min {
                prop.insert("minimum".into(), json!(min));
            }
            if let Some(max) = max {
                prop.insert("maximum".into(), json!(max));
            }
        }
        _ => {}
    }
    if let Some(d) = field.description.as_ref().filter(|d| !d.is_empty()) {
        prop.insert("description".into(), json!(d));
    }
    Value::Object(prop)
}

/// Keys in byte order whatever `serde_json`'s map flavour (`preserve_order` or not), so the
/// document is byte-identical in every build.
fn sorted(entries: impl Iterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = entries.collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

fn in_category(field: &Field, categories: &Option<Vec<String>>) -> bool {
    let Some(cats) = categories else { return true };
    cats.iter().any(|c| match &field.subservice {
        None => c.eq_ignore_ascii_case("#Default#") || c.eq_ignore_ascii_case("Default"),
        Some(s) => s.eq_ignore_ascii_case(c),
    })
}

/// The Swagger 2.0 document of one version, for the given subservice categories.
pub(super) fn document(version: &Version, tenant: &str, category: &str) -> Value {
    let info = &version.info;
    let cats = if category.is_empty() || category.eq_ignore_ascii_case("all") {
        None
    } else {
        Some(category.split(',').map(|c| c.trim().to_string()).collect())
    };
    let inputs: Vec<&Field> = version
        .engine
        .inputs()
        .iter()
        .filter(|f| in_category(f, &cats))
        .collect();
    let outputs: Vec<&Field> = version
        .engine
        .outputs()
        .iter()
        .filter(|f| in_category(f, &cats))
        .collect();
    let props = |fs: &[&Field]| -> Map<String, Value> {
        fs.iter().map(|f| (f.name.clone(), property(f))).collect()
    };
    let defaults = |fs: &[&Field]| -> Map<String, Value> {
        fs.iter()
            .map(|f| (f.name.clone(), f.default.clone()))
            .collect()
    };
    let path_param = |name: &str, example: &str, desc: &str| {
        json!({"name": name, "in": "path", "required": true, "type": "string",
               "x-example": example, "description": desc})
    };
    let request_schema = json!({
        "type": "object",
        "properties": {"request_data": {"type": "object", "properties": {
            "inputs": {"type": "object", "properties": props(&inputs)}}}},
        "example": {
            "request_data": {"inputs": defaults(&inputs)},
            "request_meta": {"version_id": info.id, "transaction_date": null, "call_purpose": null,
                "source_system": null, "correlation_id": null, "service_category": "#Default#",
                "requested_output": null},
        },
    });
    let response_schema = json!({
        "type": "object",
        "properties": {"response_data": {"type": "object", "properties": {
            "outputs": {"type": "object", "properties": props(&outputs)}}}},
        "example": {
            "status": "Success",
            "response_data": {"outputs": defaults(&outputs), "warnings": null, "errors": null,
                              "service_chain": null},
            "response_meta": {"service_id": info.service_id, "version_id": info.id,
                "version": info.version.to_string(), "process_time": 0, "call_id": "uuid",
                "compiler_type": "Neuron", "compiler_version": COMPILER_VERSION,
                "source_hash": null, "engine_id": version.hash, "correlation_id": "",
                "parameterset_version_id": null, "system": "SPARK",
                "request_timestamp": "1970-01-01T00:00:00.000Z"},
            "error": null,
        },
    });
    json!({
        "swagger": "2.0",
        "host": "excel.my-env.coherent.global",
        "schemes": ["https", "http"],
        "info": {
            "title": info.service,
            "description": format!("\n **Product Name** : {}\n **Service Name** : {}\n", info.folder, info.service),
            "contact": {"name": "Spark", "url": "https://www.coherent.global/products#spark"},
            "version": "v3",
        },
        "paths": {"/{tenant}/api/v3/folders/{product}/services/{engine}/execute": {"post": {
            "tags": ["Spark Api"],
            "consumes": ["application/json"],
            "parameters": [
                path_param("tenant", tenant, "Tenant Name"),
                path_param("product", &info.folder, "Product Name"),
                path_param("engine", &info.service, "Engine Name"),
                {"name": "x-tenant-name", "in": "header", "required": true, "type": "string",
                 "x-example": tenant,
                 "description": "Tenant Name  - This is optional if Bearer Authorization is used."},
                {"name": "x-synthetic-key", "in": "header", "required": true, "type": "string",
                 "description": "API key provided by Coherent  - This is optional if Bearer Authorization is used."},
                {"name": "Access-Control-Allow-Origin", "in": "header", "required": true,
                 "type": "string", "x-example": "https://editor.swagger.io/"},
                {"name": "request", "in": "body", "required": true, "schema": request_schema,
                 "x-example": "https://editor.swagger.io/", "description": "Engine Request Object."},
            ],
            "responses": {
                "200": {"description": "Success response", "schema": response_schema},
                "401": {"description": "Access token is missing or invalid"},
                "404": {"description": "Service cannot be found"},
                "500": {"description": "Internal server error occurred. Please contact administrator."},
            },
        }}},
    })
}

async fn swagger(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut loc = Locator {
        folder: params.get("folder").cloned(),
        service: params.get("service").cloned(),
        service_id: params.get("service_id").cloned(),
        version_id: params.get("version_id").cloned(),
        ..Locator::default()
    };
    if let Some(v) = params.get("swagger_version_id").filter(|v| !v.is_empty()) {
        loc.version_id = Some(v.clone());
    }
    let version = exec::resolve(state.store(), &loc, Family::V3)?;
    let category = params.get("category").map(String::as_str).unwrap_or("All");
    let doc = document(&version, state.tenant(), category);
    let download = params
        .get("is_download")
        .is_some_and(|d| d.eq_ignore_ascii_case("true"));
    let mut res = ok(doc);
    if download {
        let name = format!("{}_swagger.json", version.info.service);
        crate::wire::set_attachment_name(res.headers_mut(), &name);
    }
    Ok(res)
}
