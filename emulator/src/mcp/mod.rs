//! `/{tenant}/mcp`: the emulator as Coherent's remote MCP server
//! (`https://mcp.{env}.coherent.global/{tenant}/mcp`, docs.coherent.global "Model Context
//! Protocol (MCP)"), with the tools of [`catalog`] implemented over the emulator's own
//! services.
//!
//! Transport: MCP streamable HTTP, stateless. Every JSON-RPC message is one `POST`; a
//! request is answered with one `application/json` JSON-RPC response, a notification or a
//! response with `202 Accepted`. No session id is issued, and `GET` (the server-to-client
//! event stream) is `405`, both of which the specification allows (MCP 2025-06-18, "Streamable
//! HTTP"). A small hand-written handler rather than `rmcp`'s server: the emulator's tools
//! answer at once and never call back into the client, so the event-stream and session
//! machinery would go unused, while the handler needs the request's tenant and
//! credentials, which the emulator's request gate (`crate::routes`) already checks for every
//! route, this one included. It also keeps `schemars` and the macro crates out of the
//! emulator's build.
//!
//! Credentials: as every non-public route (the gate's check), plus: API keys are refused
//! (403), because Coherent's MCP server accepts only Keycloak bearer tokens (same page: "This
//! server uses OAuth 2.1 authentication with Keycloak, requiring a valid JWT token"), and
//! the path tenant must be this emulator's.
//!
//! Errors: an unknown tool, a malformed call or wrong argument types are JSON-RPC errors
//! (`-32602`, the MCP specification's code for both); a tool that runs and fails (unknown
//! service, version not found) answers a result with `isError: true`.

mod catalog;
mod history;
mod services;
mod snippet;
mod testbeds;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::state::AppState;

/// Protocol versions this endpoint speaks (all of them without the 2026 `server/discover`
/// lifecycle); the client's is echoed when listed, else the newest is offered.
const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// JSON-RPC error codes (JSON-RPC 2.0; MCP uses -32602 for unknown tools too).
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// What the MCP handlers share: the emulator's state plus the MCP-only stores.
#[derive(Clone)]
pub(crate) struct McpState {
    app: AppState,
    testbeds: Arc<testbeds::Testbeds>,
    /// Finished comparison / history jobs, for the tools' `job_id` argument.
    jobs: Arc<Mutex<HashMap<String, Value>>>,
    /// The application router, for tools that go through a REST route; built on first use
    /// (building it here would recurse: it contains this router) and then shared.
    app_router: Arc<OnceLock<Router>>,
}

impl McpState {
    fn remember_job(&self, result: &Value) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let mut stored = result.clone();
        if let Some(obj) = stored.as_object_mut() {
            obj.insert("job_id".into(), Value::from(id.clone()));
        }
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), stored);
        id
    }

    /// The whole application, as a service to send internal requests to.
    fn app_router(&self) -> Router {
        self.app_router
            .get_or_init(|| crate::app(self.app.clone()))
            .clone()
    }

    fn job(&self, id: &str) -> Option<Value> {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }
}

/// The `/{tenant}/mcp` route (merged into the application router, behind its gate).
pub(crate) fn router(app: AppState) -> Router<AppState> {
    let state = McpState {
        app,
        testbeds: Arc::default(),
        jobs: Arc::default(),
        app_router: Arc::default(),
    };
    Router::new()
        .route(
            "/{tenant}/mcp",
            post(handle).get(no_stream).delete(no_stream),
        )
        .with_state(state)
}

/// No server-to-client stream and no sessions to end (stateless server).
async fn no_stream() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        axum::Json(json!({"jsonrpc": "2.0", "id": null,
            "error": {"code": INVALID_REQUEST, "message": "this server has no event stream and no sessions: POST JSON-RPC messages"}})),
    )
        .into_response()
}

async fn handle(
    State(state): State<McpState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if headers.contains_key("x-synthetic-key") {
        return ApiError::Forbidden(Family::V3).into_response();
    }
    if let Err(e) =
        crate::auth::check_tenant(&headers, Some(&tenant), state.app.tenant(), Family::V3)
    {
        return e.into_response();
    }
    let message: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return rpc_reply(
                StatusCode::BAD_REQUEST,
                error_body(Value::Null, PARSE_ERROR, format!("not JSON: {e}")),
            );
        }
    };
    let Some(obj) = message.as_object() else {
        return rpc_reply(
            StatusCode::BAD_REQUEST,
            error_body(
                Value::Null,
                INVALID_REQUEST,
                "expected one JSON-RPC message (an object)",
            ),
        );
    };
    let id = obj.get("id").cloned();
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        // A response to a server request (this server sends none) or garbage: nothing to do.
        return match id {
            Some(_) if obj.contains_key("result") || obj.contains_key("error") => accepted(),
            _ => rpc_reply(
                StatusCode::BAD_REQUEST,
                error_body(id.unwrap_or(Value::Null), INVALID_REQUEST, "no method"),
            ),
        };
    };
    let Some(id) = id else {
        // Notifications (`notifications/initialized`, `notifications/cancelled`, …).
        return accepted();
    };
    let params = obj.get("params").cloned().unwrap_or(Value::Null);
    let outcome = match method {
        "initialize" => Ok(initialize(&params)),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": catalog::list()})),
        "tools/call" => call(&state, &headers, &params).await,
        other => Err((
            METHOD_NOT_FOUND,
            format!("method {other:?} is not supported"),
        )),
    };
    let body = match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err((code, message)) => error_body(id, code, message),
    };
    rpc_reply(StatusCode::OK, body)
}

fn initialize(params: &Value) -> Value {
    let asked = params.get("protocolVersion").and_then(Value::as_str);
    let version = asked
        .filter(|v| PROTOCOL_VERSIONS.contains(v))
        .unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "cspark-emulator", "version": env!("CARGO_PKG_VERSION")},
        "instructions": "Coherent Spark MCP tools served by cspark-emulator over its own services.",
    })
}

/// A tool's failure while running: reported in the result (`isError`), not as a JSON-RPC
/// error, so the model using the tool can read it.
pub(crate) struct ToolFailure(pub String);

/// Arguments of a checked call (see [`catalog::check`]).
pub(crate) struct Args<'a>(&'a Map<String, Value>);

impl Args<'_> {
    /// A string argument; absent, null or blank → `None`.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A required string argument (presence is checked by the catalogue; blank fails here).
    pub fn required(&self, name: &str) -> Result<&str, ToolFailure> {
        self.str(name)
            .ok_or_else(|| ToolFailure(format!("argument {name:?} must not be blank")))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.0.get(name).and_then(Value::as_bool)
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A list of strings given as an array or as one comma-separated string.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        match self.value(name)? {
            Value::String(s) => Some(
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
            ),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => None,
        }
    }
}

async fn call(
    state: &McpState,
    headers: &HeaderMap,
    params: &Value,
) -> Result<Value, (i64, String)> {
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or((INVALID_PARAMS, "tools/call needs a tool name".to_string()))?;
    let tool =
        catalog::find(name).ok_or_else(|| (INVALID_PARAMS, format!("unknown tool: {name}")))?;
    let empty = Map::new();
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(obj)) => obj,
        Some(_) => {
            return Err((
                INVALID_PARAMS,
                format!("arguments of {name} must be an object"),
            ));
        }
    };
    catalog::check(tool, arguments).map_err(|m| (INVALID_PARAMS, m))?;
    let args = Args(arguments);
    let outcome = match tool.name {
        "spark_execute_v3" => services::execute(state, headers, &args).await,
        "spark_service_info" => services::info(state, &args),
        "spark_generate_snippet" => snippet::generate(state, &args),
        "spark_compare_service_versions" => services::compare_versions(state, &args),
        "spark_download_api_history" => history::download(state, &args),
        "spark_download_testbed_template" => testbeds::template(state, &args),
        "spark_download_testbed_result" => testbeds::download_result(state, &args),
        "spark_list_testbeds" => testbeds::list(state, &args),
        "spark_list_testbed_results" => testbeds::list_results(state, &args),
        "spark_run_testbed" => testbeds::run(state, &args),
        "spark_run_status_testbed" => testbeds::status(state, &args),
        "spark_compare_testbed_results" => testbeds::compare(state, &args),
        "emulator_upload_testbed" => testbeds::upload(state, &args),
        other => Err(ToolFailure(format!(
            "tool {other} is listed but not implemented"
        ))),
    };
    Ok(match outcome {
        Ok(value) => json!({
            "content": [{"type": "text", "text": value.to_string()}],
            "structuredContent": value,
            "isError": false,
        }),
        Err(ToolFailure(message)) => json!({
            "content": [{"type": "text", "text": message}],
            "isError": true,
        }),
    })
}

fn error_body(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message.into()}})
}

fn rpc_reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn accepted() -> Response {
    StatusCode::ACCEPTED.into_response()
}
