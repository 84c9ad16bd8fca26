//! Execute API v3 (§3): every locator form, public variants, request_meta effects.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ApiError, Family};
use crate::exec::{self, COMPILER_VERSION, Locator, Selection};
use crate::state::{AppState, CallRecord};
use crate::store::Version;
use crate::wire::{self, str_field};

use super::parse_object;

pub(super) fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in ["/{tenant}/api/v3", "/{tenant}/api/v3/public"] {
        r = r
            .route(
                &format!("{prefix}/folders/{{folder}}/services/{{service}}/execute"),
                post(execute),
            )
            .route(&format!("{prefix}/service/{{service_id}}"), post(execute))
            .route(
                &format!("{prefix}/service/{{service_id}}/execute"),
                post(execute),
            )
            .route(&format!("{prefix}/version/{{version_id}}"), post(execute))
            .route(
                &format!("{prefix}/version/{{version_id}}/execute"),
                post(execute),
            )
            .route(&format!("{prefix}/execute"), post(execute));
    }
    r.route("/{tenant}/api/v3", post(execute_root))
}

/// The locator parts of an execute path (decoded path parameters).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PathParams<'a> {
    pub folder: Option<&'a str>,
    pub service: Option<&'a str>,
    pub service_id: Option<&'a str>,
    pub version_id: Option<&'a str>,
}

impl<'a> PathParams<'a> {
    fn of(params: &'a HashMap<String, String>) -> PathParams<'a> {
        PathParams {
            folder: params.get("folder").map(String::as_str),
            service: params.get("service").map(String::as_str),
            service_id: params.get("service_id").map(String::as_str),
            version_id: params.get("version_id").map(String::as_str),
        }
    }
}

/// Build a locator from path parameters plus `request_meta`.
pub(super) fn locator(
    params: &HashMap<String, String>,
    meta: &Map<String, Value>,
    family: Family,
) -> Result<Locator, ApiError> {
    locator_of(PathParams::of(params), meta, family)
}

fn locator_of(
    params: PathParams<'_>,
    meta: &Map<String, Value>,
    family: Family,
) -> Result<Locator, ApiError> {
    let mut loc = Locator {
        folder: params.folder.map(str::to_string),
        service: params.service.map(str::to_string),
        service_id: params.service_id.map(str::to_string),
        version_id: params.version_id.map(str::to_string),
        ..Locator::default()
    };
    let has_path_locator =
        loc.folder.is_some() || loc.service_id.is_some() || loc.version_id.is_some();
    if !has_path_locator {
        if let Some(uri) = str_field(meta, "service_uri") {
            loc.parse_uri(uri);
        }
        if let Some(sid) = str_field(meta, "service_id").filter(|s| !s.is_empty()) {
            loc.service_id = Some(sid.to_string());
        }
    }
    if loc.version_id.is_none()
        && let Some(vid) = str_field(meta, "version_id").filter(|s| !s.is_empty())
    {
        loc.version_id = Some(vid.to_string());
    }
    if let Some(v) = str_field(meta, "version").filter(|s| !s.is_empty()) {
        loc.version = Some(v.to_string());
    }
    if let Some(date) = str_field(meta, "transaction_date").filter(|s| !s.is_empty()) {
        loc.at = Some(wire::parse_instant(date).ok_or_else(|| {
            ApiError::bad_request(family, format!("invalid transaction_date {date:?}"))
        })?);
    }
    Ok(loc)
}

/// The v3 `response_meta` of an execution. Fields are declared in alphabetical order: that is
/// the order the other routes' `serde_json` maps give, so the body of an execute is the same
/// whether it is written straight from this struct or goes through a [`Value`].
#[derive(Serialize)]
pub(super) struct ResponseMeta<'a> {
    call_id: &'a str,
    compiler_type: &'static str,
    compiler_version: &'static str,
    correlation_id: &'a Value,
    engine_id: &'a str,
    parameterset_version_id: &'a Value,
    process_time: u64,
    request_timestamp: String,
    service_id: &'a str,
    source_hash: (),
    system: &'static str,
    version: String,
    version_id: &'a str,
}

/// Echoed when the request has no `correlation_id`.
static EMPTY_TEXT: Value = Value::String(String::new());

impl<'a> ResponseMeta<'a> {
    /// The meta of a call to `version` with request metadata `meta`.
    pub(super) fn new(
        version: &'a Version,
        meta: &'a Map<String, Value>,
        call_id: &'a str,
        process_time: u64,
        at: chrono::DateTime<Utc>,
    ) -> ResponseMeta<'a> {
        let info = &version.info;
        ResponseMeta {
            call_id,
            compiler_type: "Neuron",
            compiler_version: COMPILER_VERSION,
            correlation_id: meta.get("correlation_id").unwrap_or(&EMPTY_TEXT),
            engine_id: &version.hash,
            parameterset_version_id: meta.get("parameterset_version_id").unwrap_or(&Value::Null),
            process_time,
            request_timestamp: wire::timestamp(at),
            service_id: &info.service_id,
            source_hash: (),
            system: "SPARK",
            version: info.version.to_string(),
            version_id: &info.id,
        }
    }
}

/// The v3 `response_meta` of an execution, as a JSON value (metadata and validation).
pub(super) fn response_meta(
    version: &Version,
    meta: &Map<String, Value>,
    call_id: &str,
    process_time: u64,
    at: chrono::DateTime<Utc>,
) -> Value {
    serde_json::to_value(ResponseMeta::new(version, meta, call_id, process_time, at))
        .unwrap_or(Value::Null)
}

/// The v3 success body of an execute, serialized straight from the evaluation's parts:
/// building it as a [`Value`] tree first cost a map insert per field and its drop.
/// Alphabetical field order, as [`ResponseMeta`].
#[derive(Serialize)]
struct ExecuteBody<'a> {
    error: (),
    response_data: ExecuteData<'a>,
    response_meta: ResponseMeta<'a>,
    status: &'static str,
}

#[derive(Serialize)]
struct ExecuteData<'a> {
    errors: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    inputs: Option<&'a Map<String, Value>>,
    outputs: &'a Map<String, Value>,
    service_chain: (),
    warnings: &'a Value,
}

/// `POST /{tenant}/api/v3`: like `/api/v3/execute`, but API keys are refused (403), as on Spark.
async fn execute_root(
    state: State<AppState>,
    params: Path<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if headers.contains_key("x-synthetic-key") {
        return Err(ApiError::Forbidden(Family::V3));
    }
    execute(state, params, body).await
}

async fn execute(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    run_paced(&state, PathParams::of(&params), body).await
}

/// [`run`], answered no sooner than the modelled engine time of one record allows
/// ([`crate::pacing`]); shared by the routed handler and the fast path.
pub(super) async fn run_paced(
    state: &AppState,
    params: PathParams<'_>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    // Evaluated on the bounded pool (`crate::eval_pool`), off the async workers.
    let owned = [
        params.folder,
        params.service,
        params.service_id,
        params.version_id,
    ]
    .map(|p| p.map(str::to_string));
    let shared = state.clone();
    let response = state
        .eval_pool()
        .run(Family::V3, move || {
            let [folder, service, service_id, version_id] = &owned;
            let params = PathParams {
                folder: folder.as_deref(),
                service: service.as_deref(),
                service_id: service_id.as_deref(),
                version_id: version_id.as_deref(),
            };
            run(&shared, params, &body)
        })
        .await??;
    state.inner.engine_time.pace(started, 1).await;
    Ok(response)
}

/// The v3 execute itself.
fn run(state: &AppState, params: PathParams<'_>, body: &[u8]) -> Result<Response, ApiError> {
    let family = Family::V3;
    let at = Utc::now();
    let mut body = parse_object(body, family)?;
    let meta = match body.remove("request_meta") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            return Err(ApiError::bad_request(
                family,
                "request_meta must be an object",
            ));
        }
    };
    let loc = locator_of(params, &meta, family)?;
    let version = exec::resolve(state.store(), &loc, family)?;
    let raw_inputs = match body.remove("request_data") {
        Some(Value::Object(mut d)) => d.remove("inputs").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let inputs = exec::normalise_inputs(Some(&raw_inputs), family)?;
    let selection = Selection {
        outputs: wire::string_list(meta.get("requested_output")),
        categories: wire::string_list(meta.get("service_category")),
        pattern: exec::output_pattern(meta.get("requested_output_regex"), family)?,
    };
    let requested = selection.requested(version.engine.outputs());
    let (eval, ms) = exec::evaluate(&version, &inputs, requested.as_deref());
    let ms = state.inner.engine_time.process_ms(ms);
    let warnings = exec::warnings_json(&eval);
    let errors = exec::errors_json(&eval);
    let mut outputs = eval.outputs;
    if let Some(which) = wire::string_list(meta.get("array_outputs")) {
        exec::apply_array_outputs(&mut outputs, version.engine.outputs(), &which);
    }
    let echo_inputs = meta.get("response_data_inputs").and_then(Value::as_bool) == Some(true);
    let call_id = wire::call_id();
    let response = wire::to_bytes(&ExecuteBody {
        error: (),
        response_data: ExecuteData {
            errors: &errors,
            inputs: echo_inputs.then_some(&eval.inputs),
            outputs: &outputs,
            service_chain: (),
            warnings: &warnings,
        },
        response_meta: ResponseMeta::new(&version, &meta, &call_id, ms, at),
        status: "Success",
    });
    state.inner.history.push(CallRecord {
        call_id,
        version: Arc::clone(&version),
        api: "V3",
        at,
        request_meta: meta,
        inputs: raw_inputs,
        response: response.clone(),
        calc_ms: ms,
    });
    Ok(wire::ok_bytes(response))
}
