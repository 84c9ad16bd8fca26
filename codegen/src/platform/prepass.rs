//! Fixes applied to the OpenAPI document before progenitor sees it.
//!
//! progenitor 0.15 rejects or panics on several shapes (see `shared/spec/rust-codegen.md`
//! §1.6/§1.9). `openapi/spark.yaml` is written to avoid them, and this pass enforces that
//! (and repairs what can be repaired) so a careless edit fails with a message, not a panic:
//!
//! * operations marked `x-cspark-handwritten: true` are removed: the SDK writes those by
//!   hand ([`Report::removed`]);
//! * operations with a `multipart/form-data` (or several-type) request body, which progenitor
//!   0.15 cannot generate, are removed and listed in [`Report::unsupported`] (a user's
//!   description carries no promise that anyone wrote them by hand);
//! * every non-2xx response and the `default` response are removed: the generated client
//!   hands every error status over unread (`progenitor_client::Error::UnexpectedResponse`)
//!   and the SDK reads the error body itself, in all of Spark's error shapes, with the
//!   status, request id and attempts the transport attached (`sdk/src/hooks.rs`). A
//!   decoded error type would lose the body whenever it is not the declared JSON (an HTML
//!   502 from a proxy) and with it the status;
//! * `additionalProperties: false` is removed everywhere (it would become
//!   `deny_unknown_fields`, and Spark adds fields freely);
//! * a missing `operationId` is an error ([`super::normalise`] derives them first).

use serde_json::{Map, Value};

/// Extension that marks an operation as handwritten in the SDK.
pub const HANDWRITTEN: &str = "x-cspark-handwritten";

use super::normalise::{METHODS, escape};

/// What the pre-pass did, for reporting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// `METHOD path (operationId)` of every operation marked `x-cspark-handwritten`.
    pub removed: Vec<String>,
    /// `METHOD path (operationId): why` of every operation progenitor cannot generate.
    pub unsupported: Vec<String>,
    /// Number of error responses (non-2xx and `default`) removed.
    pub dropped_error_responses: usize,
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
    op.get(HANDWRITTEN).and_then(Value::as_bool) == Some(true)
}

/// Why progenitor 0.15 cannot generate the operation's request body, if it cannot.
fn unsupported_body(op: &Map<String, Value>) -> Option<String> {
    let content = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)?;
    if let Some(kind) = content.keys().find(|k| k.starts_with("multipart/")) {
        return Some(format!("{kind} request body"));
    }
    (content.len() > 1).then(|| {
        let kinds: Vec<&str> = content.keys().map(String::as_str).collect();
        format!("request body in several media types ({})", kinds.join(", "))
    })
}

/// Applies the pass to a parsed document (YAML or JSON, as a JSON value) that
/// [`super::normalise::apply`] has already brought to OpenAPI 3.0.
pub fn apply(doc: &mut Value) -> Result<Report, String> {
    let mut report = Report::default();
    strip_closed(doc, &mut report.stripped_closed_objects);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err("at /: the document has no `paths`".to_string());
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
            let label = format!(
                "{} {path} ({})",
                method.to_ascii_uppercase(),
                id.as_deref().unwrap_or("no operationId")
            );
            if handwritten(op) {
                report.removed.push(label);
                item.remove(*method);
                continue;
            }
            if let Some(why) = unsupported_body(op) {
                report.unsupported.push(format!("{label}: {why}"));
                item.remove(*method);
                continue;
            }
            if id.is_none() {
                return Err(format!(
                    "at /paths/{}/{method}: {} {path} has no operationId",
                    escape(path),
                    method.to_ascii_uppercase()
                ));
            }
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let Some(Value::Object(responses)) = op.get_mut("responses") else {
                continue;
            };
            let before = responses.len();
            responses.retain(|status, _| status.starts_with('2'));
            report.dropped_error_responses += before - responses.len();
        }
    }
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_multipart_and_error_responses_and_strips_closed_objects() {
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
        assert_eq!(r.removed, vec!["DELETE /b (del)"]);
        assert_eq!(
            r.unsupported,
            vec!["POST /a (upload): multipart/form-data request body"]
        );
        assert_eq!(r.dropped_error_responses, 2);
        assert_eq!(r.stripped_closed_objects, 1);
        let responses = doc.pointer("/paths/~1a/get/responses").unwrap();
        let kept: Vec<&String> = responses.as_object().unwrap().keys().collect();
        assert_eq!(kept, vec!["200"]);
    }

    #[test]
    fn missing_operation_id_names_the_operation() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {}}}}});
        assert_eq!(
            apply(&mut doc).unwrap_err(),
            "at /paths/~1a/get: GET /a has no operationId"
        );
    }
}
