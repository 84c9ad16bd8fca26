//! The tools of `cspark mcp serve`: one per service of a services directory, with the JSON
//! Schemas `cspark_codegen::service::json_schema` derives from the service's documents.
//!
//! The schemas are built when the server starts (the CLI is a prebuilt binary, so nothing can
//! be generated at compile time). Tool names are the module names the generated bindings use
//! (`demo_volume_cylinder` for `demo/volume-cylinder`): ASCII letters, digits and `_`, unique,
//! as MCP asks of tool names.

use std::path::Path;
use std::sync::Arc;

use cspark::ServiceUri;
use cspark_codegen::Lockfile;
use cspark_codegen::names::{Namer, snake_ident};
use cspark_codegen::service::{json_schema, load_dir};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::error::{CliError, CliResult};

/// One service offered as a tool.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The MCP tool (name, description, schemas).
    pub tool: Tool,
    /// The service to run.
    pub uri: ServiceUri,
    /// `folder/service`, for messages.
    pub label: String,
    /// The version calls are pinned to (from `cspark.lock` or the schema document), if known.
    pub version: Option<String>,
    /// The input schema, as checked before each call.
    pub input_schema: Value,
}

/// Every tool of a services directory, in folder then service order.
#[derive(Debug, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// Reads `dir` and builds a tool per service; any unreadable document is an error that
    /// names it (the server does not start half-configured).
    pub fn load(dir: &Path) -> CliResult<Self> {
        let services =
            load_dir(dir).map_err(|e| CliError::usage(format!("{}: {e}", dir.display())))?;
        let lock = Lockfile::read_dir(dir)
            .map_err(|e| CliError::usage(format!("{}: {e}", dir.display())))?;
        let mut names = Namer::snake();
        let mut entries = Vec::with_capacity(services.len());
        for docs in &services {
            let label = docs.label();
            // Untyped fields get an open schema rather than stopping the server.
            let schemas = json_schema::service_schemas(docs)
                .map_err(|e| CliError::usage(format!("{label}: {e}")))?;
            let uri = ServiceUri::new(&docs.folder, &docs.service)
                .map_err(|e| CliError::usage(format!("{label}: {e}")))?;
            let locked = lock
                .as_ref()
                .and_then(|l| l.get(&docs.folder, &docs.service));
            if let Some(entry) = locked {
                check_lock(&label, entry, docs)?;
            }
            let version = locked
                .and_then(|e| e.version.clone())
                .or_else(|| {
                    docs.schema
                        .as_ref()
                        .and_then(|s| cspark_codegen::service::schema::schema_version(s).0)
                })
                .filter(|v| !v.is_empty());
            let raw_name = snake_ident(&format!("{} {}", docs.folder, docs.service));
            let name = names.unique(raw_name.trim_start_matches("r#").to_string());
            let input_schema = schemas.inputs;
            let output_schema = result_schema(schemas.outputs);
            let description = describe(&label, version.as_deref());
            let tool = Tool::new(name, description, object(&input_schema))
                .with_title(label.clone())
                .with_raw_output_schema(Arc::new(object(&output_schema)))
                .with_annotations(
                    // A calculation: it changes nothing and gives the same answer for the same
                    // inputs, on a remote service.
                    ToolAnnotations::with_title(label.clone())
                        .read_only(true)
                        .destructive(false)
                        .idempotent(true)
                        .open_world(true),
                );
            entries.push(Entry {
                tool,
                uri,
                label,
                version,
                input_schema,
            });
        }
        Ok(Self { entries })
    }

    /// The tools, in catalogue order.
    pub fn tools(&self) -> Vec<Tool> {
        self.entries.iter().map(|e| e.tool.clone()).collect()
    }

    /// The entry of a tool name.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tool.name == name)
    }

    /// The tool names, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.tool.name.as_ref()).collect()
    }
}

/// Refuses documents that differ from what `cspark.lock` recorded, as `cspark codegen
/// services` does: the calls are pinned to the locked version, which the changed documents
/// may no longer describe.
fn check_lock(
    label: &str,
    entry: &cspark_codegen::LockEntry,
    docs: &cspark_codegen::ServiceDocs,
) -> CliResult {
    for (kind, locked, actual) in [
        ("swagger", &entry.swagger_sha256, &docs.swagger_sha256),
        ("schema", &entry.schema_sha256, &docs.schema_sha256),
    ] {
        if let (Some(l), Some(a)) = (locked, actual)
            && !l.eq_ignore_ascii_case(a)
        {
            return Err(CliError::usage(format!(
                "{label}: the {kind} document has sha256 {a}, {} says {l}; fetch the service \
                 again or run `cspark codegen lock`",
                cspark_codegen::lock::LOCK_FILE
            )));
        }
    }
    Ok(())
}

/// What a successful call returns as structured content: the outputs, and the call id to
/// find the call in Spark's history (`cspark logs get CALL_ID`).
fn result_schema(outputs: Value) -> Value {
    json!({
        "type": "object",
        "properties": {
            "outputs": outputs,
            "call_id": {"type": ["string", "null"], "description": "Spark's call id (execution history)."},
            "version": {"type": ["string", "null"], "description": "The service version that ran."},
            "warnings": {"type": "array", "description": "Spark's calculation warnings, if any."},
        },
        "required": ["outputs", "call_id"],
    })
}

fn describe(label: &str, version: Option<&str>) -> String {
    let pinned = version.map_or_else(String::new, |v| format!(" (version {v})"));
    format!(
        "Runs the Coherent Spark service {label}{pinned}, an Excel model, on the inputs given \
         and returns its outputs with the call id. Inputs left out keep the workbook's values."
    )
}

/// The members of a schema object (the builders above always make objects).
fn object(schema: &Value) -> JsonObject {
    schema.as_object().cloned().unwrap_or_default()
}
