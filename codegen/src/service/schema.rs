//! Reading the two documents Spark publishes for a service.
//!
//! * The **swagger** (Swagger 2.0, from `downloadswagger`): the execute body schema holds
//!   `request_data.inputs.properties` and the 200 response holds
//!   `response_data.outputs.properties`; each property is a JSON Schema (draft 4 subset) whose
//!   `type` Spark derives from the cell's *value*.
//! * The **schema** (from `/api/v1/product/{folder}/engines/get/{service}`): `xlInputs[]` and
//!   `xOutput[]` cell descriptors with the Excel `dataType` (`NUMBER`, `TEXT`, `BOOLEAN`,
//!   `DATE`), `description`, `address`, `validation` and `headerSpecs`, plus
//!   `inputMetadata`/`outputMetadata` listing table names under `tables`.
//!
//! Both are read leniently as `serde_json::Value`: Spark adds keys freely and several fields
//! are `null` in practice. Unknown shapes are ignored here; [`super::model`] decides whether a
//! field can be typed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Which side of the service a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// Request `inputs`.
    Inputs,
    /// Response `outputs`.
    Outputs,
}

/// One cell descriptor from the schema document (`xlInputs[]` / `xOutput[]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// `dataType`, upper-cased (`NUMBER`, `TEXT`, `BOOLEAN`, `DATE`, …).
    pub data_type: Option<String>,
    /// `description` (the Excel name's comment).
    pub description: Option<String>,
    /// `sheetName`.
    pub sheet: Option<String>,
    /// `address`, e.g. `C7`.
    pub address: Option<String>,
    /// The allowed values of a List data validation, when the cell has one.
    pub options: Option<Vec<Value>>,
    /// Column headings from `headerSpecs`, with their data types when given.
    pub headers: Vec<(String, Option<String>)>,
    /// Listed under `tables` in `inputMetadata`/`outputMetadata`.
    pub is_table: bool,
    /// Listed under `solves` or `reports` there: a block Spark answers as a JSON object.
    pub is_block: bool,
    /// The cell's value in the uploaded workbook (an input's default): a scalar, or an
    /// array of row objects for a table.
    pub value: Option<Value>,
    /// The cell's `validation` object as given (number, date and length rules are read
    /// from it by [`super::model::rules`]).
    pub validation: Option<Value>,
}

/// Follows a local `$ref` (`#/definitions/X`) in the swagger document, up to a fixed depth.
pub fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let Some(pointer) = r.strip_prefix('#') else {
            return schema;
        };
        match doc.pointer(pointer) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// The `properties` map of `schema` (after `$ref` resolution), if it has one.
pub fn properties<'a>(
    doc: &'a Value,
    schema: &'a Value,
) -> Option<&'a serde_json::Map<String, Value>> {
    resolve(doc, schema)
        .get("properties")
        .and_then(Value::as_object)
}

/// The execute operation of the swagger: the `post` of the path ending in `/execute`, else of
/// the first path (paths are visited in sorted order).
fn execute_operation(swagger: &Value) -> Option<&Value> {
    let paths = swagger.get("paths")?.as_object()?;
    let mut sorted: Vec<(&String, &Value)> = paths.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .find(|(p, v)| p.to_ascii_lowercase().ends_with("/execute") && v.get("post").is_some())
        .or_else(|| sorted.iter().find(|(_, v)| v.get("post").is_some()))
        .and_then(|(_, v)| v.get("post"))
}

/// The input or output property schemas of the swagger, keyed by their wire name.
///
/// Returns `None` when the document has no recognisable execute operation or the path
/// `request_data.inputs` / `response_data.outputs` is absent.
pub fn swagger_fields(swagger: &Value, side: Side) -> Option<BTreeMap<String, Value>> {
    let op = execute_operation(swagger)?;
    let root = match side {
        Side::Inputs => op
            .get("parameters")?
            .as_array()?
            .iter()
            .map(|p| resolve(swagger, p))
            .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?
            .get("schema")?,
        Side::Outputs => {
            let responses = op.get("responses")?;
            let ok = responses.get("200").or_else(|| responses.get("201"))?;
            resolve(swagger, ok).get("schema")?
        }
    };
    let (envelope, key) = match side {
        Side::Inputs => ("request_data", "inputs"),
        Side::Outputs => ("response_data", "outputs"),
    };
    let data = properties(swagger, root)?.get(envelope)?;
    let inner = properties(swagger, data)?.get(key)?;
    let props = properties(swagger, inner)?;
    Some(
        props
            .iter()
            .map(|(k, v)| (k.clone(), resolve(swagger, v).clone()))
            .collect(),
    )
}

/// The input values of the execute body's `example` in the swagger (Spark fills it with the
/// workbook's values), keyed by wire name.
pub fn swagger_example_inputs(swagger: &Value) -> Option<&serde_json::Map<String, Value>> {
    let op = execute_operation(swagger)?;
    let body = op
        .get("parameters")?
        .as_array()?
        .iter()
        .map(|p| resolve(swagger, p))
        .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?;
    let schema = resolve(swagger, body.get("schema")?);
    schema
        .get("example")?
        .get("request_data")?
        .get("inputs")?
        .as_object()
}

/// Text of a JSON value that should be a string; `None` for null/empty.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The allowed values of a List validation, in any of the shapes seen or plausible:
/// an array, or an object with `options` (as the Validation API returns), `values`, `list`
/// or `listValues`, or a comma-separated string under one of those keys. Number/date/length
/// rules (objects with `min`/`max` but no list) give `None`.
fn validation_options(v: Option<&Value>) -> Option<Vec<Value>> {
    let v = v?;
    let list = match v {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => ["options", "values", "list", "listValues", "listItems"]
            .iter()
            .find_map(|k| match map.get(*k) {
                Some(Value::Array(items)) => Some(items.clone()),
                Some(Value::String(s)) if !s.is_empty() => Some(
                    s.split(',')
                        .map(|x| Value::String(x.trim().to_string()))
                        .collect(),
                ),
                _ => None,
            }),
        _ => None,
    }?;
    (!list.is_empty()).then_some(list)
}

/// Column headings of a table cell from `headerSpecs` (a list of strings, or of objects with
/// the heading under `name`/`header`/`headerName`/`title`/`value` and an optional `dataType`).
fn headers(v: Option<&Value>) -> Vec<(String, Option<String>)> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|h| match h {
            Value::String(s) => Some((s.clone(), None)),
            Value::Object(m) => {
                let name = ["name", "header", "headerName", "title", "value"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(Value::as_str))?;
                let dt = m
                    .get("dataType")
                    .and_then(Value::as_str)
                    .map(str::to_ascii_uppercase);
                Some((name.to_string(), dt))
            }
            _ => None,
        })
        .collect()
}

/// The body of a schema document: the document itself, or its `data` member in the
/// wrapped form `{status, data: {...}}` that the versioned endpoint
/// (`GET /api/v1/product/{folder}/engines/get/{service}/{versionId}`, Coherent's OpenAPI
/// description) answers with.
pub fn schema_body(schema: &Value) -> &Value {
    match schema.get("data") {
        Some(data @ Value::Object(_)) if !has_cells(schema) => data,
        _ => schema,
    }
}

/// True when the (unwrapped) schema document lists input or output cells.
fn has_cells(schema: &Value) -> bool {
    [
        "xlInputs",
        "xInputs",
        "xlInput",
        "xOutput",
        "xlOutputs",
        "xOutputs",
    ]
    .iter()
    .any(|k| schema.get(*k).is_some_and(Value::is_array))
}

/// Why a schema document cannot describe a service (no cell lists, an error envelope), or
/// `None` when it can.
pub fn schema_problem(schema: &Value) -> Option<String> {
    let body = schema_body(schema);
    if has_cells(body) {
        return None;
    }
    let error = ["error", "errorCode", "message"].iter().find_map(|k| {
        body.get(*k)
            .or_else(|| schema.get(*k))
            .filter(|v| !v.is_null())
    });
    Some(match error {
        Some(e) => format!("an error response, not a schema ({e}); re-fetch the service"),
        None => {
            "no `xlInputs`/`xOutput` cell lists (neither at the top nor under `data`)".to_string()
        }
    })
}

/// Why a swagger document cannot describe a service (no execute operation, or neither
/// `request_data.inputs` nor `response_data.outputs`), or `None` when it can.
pub fn swagger_problem(swagger: &Value) -> Option<String> {
    if execute_operation(swagger).is_none() {
        return Some("no execute operation (a `post` under `paths`)".to_string());
    }
    let inputs = swagger_fields(swagger, Side::Inputs);
    let outputs = swagger_fields(swagger, Side::Outputs);
    (inputs.is_none() && outputs.is_none()).then(|| {
        "the execute operation has neither `request_data.inputs` nor `response_data.outputs`"
            .to_string()
    })
}

/// The cell descriptors of one side of the schema document, keyed by `name`.
///
/// Cells without a name are skipped; when two cells share a name the first one wins (Spark
/// requires unique names, so this only matters for malformed documents).
pub fn schema_cells(schema: &Value, side: Side) -> BTreeMap<String, Cell> {
    let schema = schema_body(schema);
    let (list_keys, meta_key): (&[&str], &str) = match side {
        Side::Inputs => (&["xlInputs", "xInputs", "xlInput"], "inputMetadata"),
        Side::Outputs => (&["xOutput", "xlOutputs", "xOutputs"], "outputMetadata"),
    };
    let tables: BTreeSet<&str> = schema
        .get(meta_key)
        .and_then(|m| m.get("tables"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let blocks: BTreeSet<&str> = ["solves", "reports"]
        .iter()
        .filter_map(|k| schema.get(meta_key)?.get(*k)?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let cells = list_keys
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array));
    let mut out = BTreeMap::new();
    for c in cells.into_iter().flatten() {
        let Some(name) = c.get("name").and_then(Value::as_str) else {
            continue;
        };
        if out.contains_key(name) {
            continue;
        }
        let cell = Cell {
            data_type: text(c.get("dataType")).map(|s| s.to_ascii_uppercase()),
            description: text(c.get("description")),
            sheet: text(c.get("sheetName")),
            address: text(c.get("address")),
            options: validation_options(c.get("validation")),
            validation: c.get("validation").filter(|v| v.is_object()).cloned(),
            headers: headers(c.get("headerSpecs")),
            is_table: tables.contains(name),
            is_block: blocks.contains(name),
            value: c
                .get("value")
                .filter(|v| {
                    matches!(v, Value::Number(_) | Value::Bool(_) | Value::Array(_))
                        || v.as_str().is_some_and(|s| !s.is_empty())
                })
                .cloned(),
        };
        out.insert(name.to_string(), cell);
    }
    out
}

/// `(version, version id)` recorded in the schema document's `bookSummary`, if present.
pub fn schema_version(schema: &Value) -> (Option<String>, Option<String>) {
    let summary = schema_body(schema).get("bookSummary");
    (
        text(summary.and_then(|s| s.get("bookRevision"))),
        text(summary.and_then(|s| s.get("versionId"))),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_shapes() {
        let opts = |v: Value| validation_options(Some(&v));
        assert_eq!(opts(json!(["a", "b"])).unwrap().len(), 2);
        assert_eq!(
            opts(json!({"validation_allow": "List", "options": ["x"]}))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(opts(json!({"list": "a, b,c"})).unwrap()[1], json!("b"));
        assert!(opts(json!({"min": 1, "max": 3})).is_none());
        assert!(opts(json!([])).is_none());
        assert!(opts(Value::Null).is_none());
    }

    #[test]
    fn refs_are_followed_and_cycles_stop() {
        let doc =
            json!({"definitions": {"A": {"$ref": "#/definitions/A"}, "B": {"type": "string"}}});
        assert_eq!(
            resolve(&doc, &json!({"$ref": "#/definitions/B"})),
            &json!({"type": "string"})
        );
        // A self-referencing definition terminates.
        let _ = resolve(&doc, &json!({"$ref": "#/definitions/A"}));
        // Dangling refs are returned unchanged.
        let dangling = json!({"$ref": "#/definitions/Nope"});
        assert_eq!(resolve(&doc, &dangling), &dangling);
    }
}
