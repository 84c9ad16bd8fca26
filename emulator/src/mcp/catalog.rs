//! The tools the emulator's MCP endpoint offers: names, descriptions, arguments. One table
//! drives both the JSON Schemas of `tools/list` and the checking of `tools/call` arguments,
//! so the two cannot disagree.
//!
//! Tool and argument names are those of Coherent's MCP server as the Python SDK's client
//! calls them (`cspark` 0.3.3, `cspark/mcp/_tools.py`); `emulator_upload_testbed` is the
//! emulator's own (Coherent's Testing Center takes testbeds as uploads in its UI, which no
//! MCP tool reaches).

use serde_json::{Map, Value, json};

/// JSON types an argument may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    Bool,
    Int,
    Num,
    Obj,
    /// A list of strings, or one comma-separated string.
    List,
    /// An array of objects.
    Rows,
}

impl Kind {
    fn schema(self) -> Value {
        match self {
            Kind::Str => json!({"type": "string"}),
            Kind::Bool => json!({"type": "boolean"}),
            Kind::Int => json!({"type": "integer", "minimum": 0}),
            Kind::Num => json!({"type": "number", "minimum": 0}),
            Kind::Obj => json!({"type": "object"}),
            Kind::List => json!({"type": ["array", "string"], "items": {"type": "string"}}),
            Kind::Rows => json!({"type": "array", "items": {"type": "object"}}),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Kind::Str => value.is_string(),
            Kind::Bool => value.is_boolean(),
            Kind::Int => value.as_u64().is_some(),
            Kind::Num => value.as_f64().is_some_and(|n| n >= 0.0),
            Kind::Obj => value.is_object(),
            Kind::List => {
                value.is_string()
                    || value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_string))
            }
            Kind::Rows => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_object)),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Bool => "a boolean",
            Kind::Int => "a non-negative integer",
            Kind::Num => "a non-negative number",
            Kind::Obj => "an object",
            Kind::List => "a list of strings or a comma-separated string",
            Kind::Rows => "an array of objects",
        }
    }
}

/// One argument: name, type, required, description.
pub(super) type Arg = (&'static str, Kind, bool, &'static str);

/// One tool.
pub(super) struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub args: &'static [Arg],
}

const FOLDER: Arg = ("folder", Kind::Str, true, "Folder of the service.");
const SERVICE: Arg = ("service", Kind::Str, true, "Service name.");
const TESTBED: Arg = ("testbed", Kind::Str, true, "Testbed name.");
const VERSION: Arg = (
    "version",
    Kind::Str,
    false,
    "Semantic version (default: the latest).",
);

/// Every tool, in the order `tools/list` gives them.
pub(super) const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "spark_execute_v3",
        description: "Execute a Spark service (Execute API v3) and return the v3 response.",
        args: &[
            FOLDER,
            SERVICE,
            VERSION,
            ("version_id", Kind::Str, false, "Version UUID."),
            (
                "requestPayload",
                Kind::Obj,
                false,
                "The v3 request body ({request_data, request_meta}) or just the inputs.",
            ),
            (
                "call_purpose",
                Kind::Str,
                false,
                "request_meta.call_purpose.",
            ),
            (
                "source_system",
                Kind::Str,
                false,
                "request_meta.source_system.",
            ),
            (
                "correlation_id",
                Kind::Str,
                false,
                "request_meta.correlation_id.",
            ),
            (
                "service_category",
                Kind::Str,
                false,
                "Subservices to run (comma-separated).",
            ),
            (
                "transaction_date",
                Kind::Str,
                false,
                "Run the version effective at this instant.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_service_info",
        description: "Summary of a service: versions, inputs and outputs with types, defaults and validations.",
        args: &[FOLDER, SERVICE, VERSION],
    },
    ToolSpec {
        name: "spark_generate_snippet",
        description: "A code snippet calling the service (rust uses cspark's generated bindings; python, typescript, curl).",
        args: &[
            FOLDER,
            SERVICE,
            VERSION,
            (
                "language_code",
                Kind::Str,
                false,
                "rust (default), python, typescript or curl.",
            ),
            (
                "language_variant",
                Kind::Str,
                false,
                "For rust: typed (default) or json.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_compare_service_versions",
        description: "Inputs and outputs added, removed and retyped between two versions.",
        args: &[
            FOLDER,
            SERVICE,
            (
                "version_1",
                Kind::Str,
                false,
                "Older version (default: the one before version_2).",
            ),
            (
                "version_2",
                Kind::Str,
                false,
                "Newer version (default: the latest).",
            ),
            (
                "job_id",
                Kind::Str,
                false,
                "Fetch the result of an earlier comparison.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_download_api_history",
        description: "The service's API call history (inputs, outputs, call metadata).",
        args: &[
            FOLDER,
            SERVICE,
            VERSION,
            ("start_date", Kind::Str, false, "Earliest call (ISO 8601)."),
            ("end_date", Kind::Str, false, "Latest call (ISO 8601)."),
            ("call_ids", Kind::List, false, "Only these call ids."),
            (
                "call_purpose",
                Kind::Str,
                false,
                "Only calls with this call purpose.",
            ),
            (
                "username",
                Kind::Str,
                false,
                "Only calls by this user (the emulator records none).",
            ),
            (
                "has_warnings",
                Kind::Bool,
                false,
                "Only calls with (true) or without (false) warnings.",
            ),
            (
                "has_errors",
                Kind::Bool,
                false,
                "Only calls with (true) or without (false) errors.",
            ),
            (
                "include_inputs",
                Kind::Bool,
                false,
                "Include inputs (default true).",
            ),
            (
                "include_outputs",
                Kind::Bool,
                false,
                "Include outputs (default true).",
            ),
            (
                "requested_outputs",
                Kind::List,
                false,
                "Only these outputs.",
            ),
            (
                "heading_order",
                Kind::Str,
                false,
                "Column order of the CSV: inputs_first (default) or outputs_first.",
            ),
            (
                "job_id",
                Kind::Str,
                false,
                "Fetch the result of an earlier download.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_download_testbed_template",
        description: "The template of a testbed for the service: one column per input and per expected output.",
        args: &[FOLDER, SERVICE],
    },
    ToolSpec {
        name: "spark_download_testbed_result",
        description: "One testbed result: every case with its inputs, expected and actual outputs (JSON and CSV).",
        args: &[
            FOLDER,
            SERVICE,
            TESTBED,
            ("testbed_result", Kind::Str, true, "Result name or run id."),
        ],
    },
    ToolSpec {
        name: "spark_list_testbeds",
        description: "The testbeds of a service.",
        args: &[
            FOLDER,
            SERVICE,
            ("testbed", Kind::Str, false, "Only this testbed."),
        ],
    },
    ToolSpec {
        name: "spark_list_testbed_results",
        description: "The results (runs) of a testbed.",
        args: &[
            FOLDER,
            SERVICE,
            TESTBED,
            (
                "testbed_result_name",
                Kind::Str,
                false,
                "Only results with this name.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_run_testbed",
        description: "Run a testbed against a version; every case's outputs are compared with its expected outputs.",
        args: &[
            FOLDER,
            SERVICE,
            TESTBED,
            (
                "revision",
                Kind::Str,
                false,
                "Semantic version to run (default: the latest).",
            ),
            ("version_id", Kind::Str, false, "Version UUID to run."),
            (
                "service_category",
                Kind::Str,
                false,
                "Subservices to run (comma-separated).",
            ),
            (
                "testbed_result",
                Kind::Str,
                false,
                "Name of the result (default: generated).",
            ),
            (
                "testbed_result_description",
                Kind::Str,
                false,
                "Description of the result.",
            ),
            (
                "testbed_list_max_pages",
                Kind::Int,
                false,
                "Accepted for compatibility; the emulator lists all testbeds.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_run_status_testbed",
        description: "Status of a testbed run (the emulator runs testbeds to completion at once).",
        args: &[
            (
                "run_id",
                Kind::Str,
                true,
                "Run id returned by spark_run_testbed.",
            ),
            TESTBED,
            (
                "wait_for_complete",
                Kind::Bool,
                false,
                "Wait until the run completes.",
            ),
            (
                "poll_interval_seconds",
                Kind::Num,
                false,
                "Seconds between polls.",
            ),
            ("max_iterations", Kind::Int, false, "Most polls."),
            ("folder", Kind::Str, false, "Folder of the service."),
            ("service", Kind::Str, false, "Service name."),
            ("revision", Kind::Str, false, "Semantic version."),
            ("version_id", Kind::Str, false, "Version UUID."),
            ("service_category", Kind::Str, false, "Subservices."),
            ("testbed_result", Kind::Str, false, "Name of the result."),
            (
                "testbed_result_description",
                Kind::Str,
                false,
                "Description of the result.",
            ),
            (
                "testbed_list_max_pages",
                Kind::Int,
                false,
                "Accepted for compatibility.",
            ),
        ],
    },
    ToolSpec {
        name: "spark_compare_testbed_results",
        description: "Case by case, the outputs that differ between two results of a testbed.",
        args: &[
            FOLDER,
            SERVICE,
            TESTBED,
            (
                "testbed_result_1",
                Kind::Str,
                true,
                "First result (name or run id).",
            ),
            (
                "testbed_result_2",
                Kind::Str,
                true,
                "Second result (name or run id).",
            ),
        ],
    },
    ToolSpec {
        name: "emulator_upload_testbed",
        description: "Emulator only: store a testbed, a table of cases {inputs, expected} (replaces one of the same name).",
        args: &[
            FOLDER,
            SERVICE,
            TESTBED,
            (
                "cases",
                Kind::Rows,
                true,
                "Cases: [{\"inputs\": {...}, \"expected\": {...}}].",
            ),
            ("description", Kind::Str, false, "What the testbed covers."),
        ],
    },
];

/// The tool named `name`.
pub(super) fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

/// `tools/list` entries.
pub(super) fn list() -> Vec<Value> {
    TOOLS
        .iter()
        .map(|t| {
            let properties: Map<String, Value> = t
                .args
                .iter()
                .map(|(name, kind, _, doc)| {
                    let mut schema = kind.schema();
                    if let Some(obj) = schema.as_object_mut() {
                        obj.insert("description".into(), Value::from(*doc));
                    }
                    ((*name).to_string(), schema)
                })
                .collect();
            let required: Vec<&str> = t
                .args
                .iter()
                .filter(|(_, _, required, _)| *required)
                .map(|(name, ..)| *name)
                .collect();
            json!({
                "name": t.name,
                "description": t.description,
                "inputSchema": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                },
            })
        })
        .collect()
}

/// Checks `arguments` against the tool's table: required present, types right, no unknown
/// names. The message names the argument and the offending value.
pub(super) fn check(tool: &ToolSpec, arguments: &Map<String, Value>) -> Result<(), String> {
    for (name, value) in arguments {
        let Some((_, kind, _, _)) = tool.args.iter().find(|(n, ..)| n == name) else {
            let known: Vec<&str> = tool.args.iter().map(|(n, ..)| *n).collect();
            return Err(format!(
                "unknown argument {name:?} for tool {}; known: {}",
                tool.name,
                known.join(", ")
            ));
        };
        if value.is_null() {
            continue;
        }
        if !kind.accepts(value) {
            return Err(format!(
                "argument {name:?} of tool {} must be {}, got {}",
                tool.name,
                kind.expected(),
                excerpt(value)
            ));
        }
    }
    for (name, ..) in tool.args.iter().filter(|(_, _, required, _)| *required) {
        if arguments.get(*name).is_none_or(Value::is_null) {
            return Err(format!(
                "missing required argument {name:?} for tool {}",
                tool.name
            ));
        }
    }
    Ok(())
}

/// A value for an error message, cut to 80 characters.
fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_unknown_and_missing_arguments_are_named() {
        let Some(tool) = find("spark_service_info") else {
            unreachable!("the table has spark_service_info")
        };
        let args = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            check(tool, &args(json!({"folder": "f", "service": "s"}))),
            Ok(())
        );
        let wrong = check(tool, &args(json!({"folder": 7, "service": "s"})));
        assert!(
            wrong
                .as_ref()
                .is_err_and(|m| m.contains("\"folder\"") && m.contains("got 7")),
            "{wrong:?}"
        );
        let unknown = check(
            tool,
            &args(json!({"folder": "f", "service": "s", "vers": "1"})),
        );
        assert!(unknown.is_err_and(|m| m.contains("\"vers\"")));
        let missing = check(tool, &args(json!({"folder": "f"})));
        assert!(missing.is_err_and(|m| m.contains("\"service\"")));
    }

    #[test]
    fn every_listed_schema_names_its_required_arguments() {
        let listed = list();
        assert_eq!(listed.len(), TOOLS.len());
        for tool in &listed {
            let required = tool["inputSchema"]["required"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for name in required {
                let name = name.as_str().unwrap_or_default();
                assert!(
                    tool["inputSchema"]["properties"].get(name).is_some(),
                    "{name}"
                );
            }
        }
    }
}
