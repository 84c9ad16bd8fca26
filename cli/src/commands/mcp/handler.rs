//! The MCP server of `cspark mcp serve`: lists the catalogue's tools and runs a call through
//! the SDK.
//!
//! Failure modes, as MCP separates them:
//! * a request that cannot be a valid call (unknown tool, arguments that break the tool's
//!   input schema) is a JSON-RPC error `-32602` (invalid params) whose message names the tool
//!   and each offending field, with the details under `data`;
//! * a call Spark refused or could not run (HTTP error, calculation errors) is a tool result
//!   with `isError: true` and the reason as JSON text (`{"error": …}`), so that the assistant
//!   reads why.

use std::sync::Arc;

use cspark::Client;
use cspark::services::ExecuteOptions;
use cspark_codegen::service::json_check::{Violation, check};
use rmcp::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, CustomRequest,
    CustomResult, ErrorCode, ErrorData, Implementation, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};

use super::catalogue::{Catalogue, Entry};

/// What `source_system` Spark's history shows for calls made through the server.
const SOURCE_SYSTEM: &str = "cspark mcp serve";

/// The server: the tools and the client that runs them (cheap to clone; one per HTTP session).
#[derive(Clone)]
pub struct SparkTools {
    catalogue: Arc<Catalogue>,
    client: Client,
}

impl SparkTools {
    /// A server for `catalogue`, running calls with `client`.
    pub fn new(catalogue: Catalogue, client: Client) -> Self {
        Self {
            catalogue: Arc::new(catalogue),
            client,
        }
    }

    /// Checks the arguments of a call to `entry`, then runs it.
    async fn run(
        &self,
        entry: &Entry,
        arguments: Map<String, Value>,
    ) -> Result<CallToolResult, ErrorData> {
        let inputs = Value::Object(arguments);
        if let Err(violations) = check(&entry.input_schema, &inputs) {
            return Err(invalid_arguments(entry, &violations));
        }
        let mut options = ExecuteOptions::default().source_system(SOURCE_SYSTEM);
        if let Some(version) = &entry.version {
            options = options.version(version.clone());
        }
        let response = match self
            .client
            .services()
            .execute_with(&entry.uri, &inputs, &options)
            .await
        {
            Ok(response) => response,
            Err(e) => {
                return Ok(error_result(json!({
                    "error": format!("{} failed: {e}", entry.label),
                })));
            }
        };
        let meta = &response.response_meta;
        let data = &response.response_data;
        if !data.errors.is_empty() {
            return Ok(error_result(json!({
                "error": format!("{} reported calculation errors", entry.label),
                "errors": data.errors,
                "call_id": meta.call_id,
            })));
        }
        let mut result = json!({
            "outputs": data.outputs,
            "call_id": meta.call_id,
            "version": meta.version,
        });
        if !data.warnings.is_empty() {
            result["warnings"] = json!(data.warnings);
        }
        Ok(CallToolResult::structured(result))
    }
}

/// A tool result marked as an error, the JSON as its text. No `structuredContent`: clients
/// check that against the output schema (`{outputs, call_id, …}`), which an error does not
/// follow.
fn error_result(details: Value) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(details.to_string())])
}

/// The `-32602` error for arguments that break the input schema: the message lists every
/// violation by field; `data` has them as `{field, pointer, message}`.
fn invalid_arguments(entry: &Entry, violations: &[Violation]) -> ErrorData {
    let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
    let details: Vec<Value> = violations
        .iter()
        .map(|v| {
            json!({
                "field": top_field(&v.pointer),
                "pointer": v.pointer,
                "message": v.message,
            })
        })
        .collect();
    ErrorData::invalid_params(
        format!(
            "invalid arguments for tool {} ({}): {}",
            entry.tool.name,
            entry.label,
            listed.join("; ")
        ),
        Some(json!({"tool": entry.tool.name, "violations": details})),
    )
}

/// The input a JSON Pointer starts in (`/Drivers/0/Age` → `Drivers`), unescaped; `null` for
/// the root.
fn top_field(pointer: &str) -> Value {
    pointer
        .strip_prefix('/')
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .map_or(Value::Null, |t| {
            Value::String(t.replace("~1", "/").replace("~0", "~"))
        })
}

impl ServerHandler for SparkTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("cspark", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Each tool runs one Coherent Spark service (an Excel model) and returns its \
                 outputs. Input schemas list the allowed values and bounds; inputs left out \
                 keep the workbook's values.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.catalogue.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.catalogue.get(name).map(|e| e.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(entry) = self.catalogue.get(&request.name) else {
            // The MCP specification's example answer to an unknown tool is -32602.
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool {:?}; the tools are: {}",
                    request.name,
                    self.catalogue.names().join(", ")
                ),
                Some(json!({"tool": request.name})),
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        self.run(entry, arguments).await.map(CallToolResponse::from)
    }

    /// A `tools/call` whose params do not have the shape of one (`arguments` not an object,
    /// no `name`) reaches the server as an unknown request; it gets -32602, not rmcp's
    /// default -32601 "method not found", which would send the client looking elsewhere.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        if request.method == "tools/call" {
            return Err(ErrorData::invalid_params(
                "tools/call: params must be {\"name\": string, \"arguments\": object}",
                Some(json!({"params": request.params})),
            ));
        }
        Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            request.method,
            None,
        ))
    }
}
