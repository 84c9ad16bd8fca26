//! Fixes applied to the OpenAPI document before progenitor sees it.
//!
//! progenitor 0.15 rejects or panics on several shapes (see `shared/spec/rust-codegen.md`
//! §1.6/§1.9). `openapi/spark.yaml` is written to avoid them, and this pass enforces that
//! (and repairs what can be repaired) so a careless edit fails with a message, not a panic:
//!
//! * operations marked `x-cspark-handwritten: true`, and any operation with a
//!   `multipart/form-data` (or otherwise non-JSON, non-binary, multi-type) request body, are
//!   removed: the SDK writes those by hand;
//! * every non-2xx response body and the `default` response are pointed at the one shared
//!   error schema (`components.schemas.SparkError` when it exists, otherwise `{}`), so each
//!   operation has at most one error type (`response_types.len() <= 1`);
//! * `additionalProperties: false` is removed everywhere (it would become
//!   `deny_unknown_fields`, and Spark adds fields freely);
//! * a missing `operationId` or a version other than 3.0.x is an error.

use serde_json::{Map, Value, json};

/// Name of the shared error schema in `components.schemas`.
pub const ERROR_SCHEMA: &str = "SparkError";
/// Extension that marks an operation as handwritten in the SDK.
pub const HANDWRITTEN: &str = "x-cspark-handwritten";

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What the pre-pass did, for reporting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// `METHOD path (operationId)` of every removed operation.
    pub removed: Vec<String>,
    /// Number of responses re-pointed at the shared error schema.
    pub unified_errors: usize,
    /// Number of `additionalProperties: false` removed.
    pub stripped_closed_objects: usize,
}

fn strip_closed(v: &mut Value, count: &mut usize) {
    match v {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
                *count += 1;
            }
            for child in map.values_mut() {
                strip_closed(child, count);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| strip_closed(c, count)),
        _ => {}
    }
}

fn handwritten(op: &Map<String, Value>) -> bool {
    if op.get(HANDWRITTEN).and_then(Value::as_bool) == Some(true) {
        return true;
    }
    let content = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object);
    content.is_some_and(|c| c.len() > 1 || c.keys().any(|k| k.starts_with("multipart/")))
}

/// Applies the pass to a parsed document (YAML or JSON, as a JSON value).
pub fn apply(doc: &mut Value) -> Result<Report, String> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.0.") {
        return Err(format!(
            "openapi version {version:?} is not 3.0.x (progenitor 0.15 needs 3.0)"
        ));
    }
    let mut report = Report::default();
    strip_closed(doc, &mut report.stripped_closed_objects);
    let has_error_schema = doc
        .pointer(&format!("/components/schemas/{ERROR_SCHEMA}"))
        .is_some();
    let error_body = if has_error_schema {
        json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")})
    } else {
        json!({})
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err("document has no `paths`".to_string());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            let Some(Value::Object(op)) = item.get(*method) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            if handwritten(op) {
                report.removed.push(format!(
                    "{} {path} ({})",
                    method.to_ascii_uppercase(),
                    id.as_deref().unwrap_or("no operationId")
                ));
                item.remove(*method);
                continue;
            }
            if id.is_none() {
                return Err(format!(
                    "{} {path} has no operationId",
                    method.to_ascii_uppercase()
                ));
            }
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let Some(Value::Object(responses)) = op.get_mut("responses") else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                if status.starts_with('2') {
                    continue;
                }
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                if status == "default" {
                    content.clear();
                } else {
                    content.clear();
                    content.insert(
                        "application/json".into(),
                        json!({"schema": error_body.clone()}),
                    );
                }
                if let Some(r) = response.as_object_mut()
                    && r.get("content")
                        .and_then(Value::as_object)
                        .is_some_and(Map::is_empty)
                {
                    r.remove("content");
                }
                report.unified_errors += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn removes_multipart_unifies_errors_and_strips_closed_objects() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {
                "/a": {
                    "post": {"operationId": "upload", "requestBody": {"content": {"multipart/form-data": {}}}},
                    "get": {"operationId": "get", "responses": {
                        "200": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false}}}},
                        "404": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "default": {"description": "x", "content": {"application/json": {"schema": {"type": "string"}}}}
                    }}
                },
                "/b": {"delete": {"operationId": "del", "x-cspark-handwritten": true}}
            },
            "components": {"schemas": {"SparkError": {"type": "object"}}}
        });
        let r = apply(&mut doc).unwrap();
        assert_eq!(r.removed, vec!["POST /a (upload)", "DELETE /b (del)"]);
        assert_eq!(r.unified_errors, 2);
        assert_eq!(r.stripped_closed_objects, 1);
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/404/content/application~1json/schema/$ref")
                .unwrap(),
            "#/components/schemas/SparkError"
        );
        assert!(
            doc.pointer("/paths/~1a/get/responses/default/content")
                .is_none()
        );
    }

    #[test]
    fn missing_operation_id_and_bad_version() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {}}}}});
        assert!(
            apply(&mut doc)
                .unwrap_err()
                .contains("GET /a has no operationId")
        );
        let mut doc = json!({"openapi": "3.1.0", "paths": {}});
        assert!(apply(&mut doc).unwrap_err().contains("not 3.0.x"));
    }
}
