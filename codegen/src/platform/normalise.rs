//! Brings an OpenAPI 3.0.x or 3.1.x document to the OpenAPI 3.0 subset progenitor reads.
//!
//! Coherent publishes its description of Spark as OpenAPI 3.1 (JSON Schema 2020-12 in its
//! schemas); progenitor 0.15 and `openapiv3` read 3.0 only. This pass rewrites, in every
//! schema (components, parameters, media types, headers, and their sub-schemas):
//!
//! * `type: [X, 'null']` → `type: X, nullable: true`; several non-null types → `anyOf`;
//!   `type: 'null'` alone → a nullable schema without a type;
//! * `oneOf`/`anyOf` with a null member (`{type: 'null'}`, `const: null`, `enum: [null]`) →
//!   the other members, `nullable: true`; a single remaining member is folded into the
//!   schema (a `$ref` becomes `allOf: [$ref]`, the 3.0 way to make a reference nullable);
//! * `const: v` → `enum: [v]`; `examples: [a, …]` → `example: a`; numeric
//!   `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` with the 3.0 boolean;
//! * keywords 3.0 does not have (`$schema`, `$id`, `$comment`, `contentMediaType`, …) are
//!   dropped, and so are document members 3.0 does not have (`webhooks`,
//!   `jsonSchemaDialect`, `info.summary`, `license.identifier`);
//!
//! and, in any 3.0.x or 3.1.x document, gives every operation without an `operationId` a
//! deterministic one derived from its method and path (`GET /api/v1/product/{folder}` →
//! `getApiV1ProductByFolder`), made unique in document order. A 3.0 document that needs
//! none of this comes out unchanged. Errors name the JSON pointer of the offending node.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

/// HTTP methods of a path item, in the order operations are visited.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// JSON Schema keywords without an OpenAPI 3.0 counterpart; dropped.
const DROPPED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "$comment",
    "$defs",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "propertyNames",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "if",
    "then",
    "else",
];

/// A node the pass cannot bring to OpenAPI 3.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormaliseError {
    /// JSON pointer (RFC 6901) of the offending node, e.g. `/paths/~1a/get/responses`.
    pub pointer: String,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for NormaliseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: {}", display_pointer(&self.pointer), self.reason)
    }
}

/// `""` (the document root) shown as `/`.
pub fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// What the pass changed, for reporting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// The document was OpenAPI 3.1 (its version is now `3.0.3`).
    pub from_3_1: bool,
    /// `METHOD path → operationId` for every operation that had no `operationId`.
    pub derived_ids: Vec<String>,
}

/// Escapes one reference token of a JSON pointer.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn err(pointer: &str, reason: impl Into<String>) -> NormaliseError {
    NormaliseError {
        pointer: pointer.to_string(),
        reason: reason.into(),
    }
}

/// Applies the pass to a parsed document (YAML or JSON, as a JSON value).
pub fn apply(doc: &mut Value) -> Result<Notes, NormaliseError> {
    let Some(root) = doc.as_object_mut() else {
        return Err(err("", "the document is not an object"));
    };
    let version = match root.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => return Err(err("/openapi", "the version is not a string")),
        None if root.contains_key("swagger") => {
            return Err(err(
                "/swagger",
                "a Swagger 2.0 document; the platform generator reads OpenAPI 3.0.x or 3.1.x",
            ));
        }
        None => return Err(err("", "no `openapi` version field")),
    };
    let mut notes = Notes::default();
    if version.starts_with("3.1.") {
        notes.from_3_1 = true;
        root.insert("openapi".into(), json!("3.0.3"));
        for key in ["webhooks", "jsonSchemaDialect"] {
            root.remove(key);
        }
        if let Some(Value::Object(info)) = root.get_mut("info") {
            info.remove("summary");
            if let Some(Value::Object(license)) = info.get_mut("license") {
                license.remove("identifier");
            }
        }
        if let Some(Value::Object(components)) = root.get_mut("components") {
            components.remove("pathItems");
        }
    } else if !version.starts_with("3.0.") {
        return Err(err(
            "/openapi",
            format!("openapi version {version:?} is neither 3.0.x nor 3.1.x"),
        ));
    }
    walk(doc, &mut String::new())?;
    derive_operation_ids(doc, &mut notes)?;
    Ok(notes)
}

/// Walks the non-schema part of the document and hands every schema to [`schema`].
fn walk(v: &mut Value, ptr: &mut String) -> Result<(), NormaliseError> {
    match v {
        Value::Object(map) => {
            let in_component_schemas = ptr == "/components/schemas";
            for (key, child) in map.iter_mut() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape(key));
                if in_component_schemas || (key == "schema" && child.is_object()) {
                    schema(child, ptr)?;
                } else if key != "example" && key != "examples" && !key.starts_with("x-") {
                    // Example values are data: a `schema` key inside one is not a schema.
                    walk(child, ptr)?;
                }
                ptr.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                walk(child, ptr)?;
                ptr.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// True for a schema that admits only `null`.
fn is_null_only(s: &Value) -> bool {
    match s {
        Value::Object(m) => match (m.get("type"), m.get("const"), m.get("enum")) {
            (Some(Value::String(t)), _, _) => t == "null",
            (Some(Value::Array(ts)), _, _) => !ts.is_empty() && ts.iter().all(|t| t == "null"),
            (None, Some(Value::Null), _) => true,
            (None, None, Some(Value::Array(e))) => !e.is_empty() && e.iter().all(Value::is_null),
            _ => false,
        },
        _ => false,
    }
}

/// Normalises one schema object and its sub-schemas.
fn schema(v: &mut Value, ptr: &mut String) -> Result<(), NormaliseError> {
    let Value::Object(s) = v else {
        // `true`/`false` schemas (3.1): `true` accepts anything.
        if v.is_boolean() {
            *v = json!({});
            return Ok(());
        }
        return Err(err(ptr, "a schema must be an object"));
    };
    for key in DROPPED_KEYWORDS {
        s.remove(*key);
    }
    if s.contains_key("$ref") {
        // 3.0 ignores the siblings of `$ref`; keep only the ones it tolerates.
        s.retain(|k, _| k == "$ref" || k == "description" || k == "summary");
        return Ok(());
    }
    types(s, ptr)?;
    if let Some(c) = s.remove("const") {
        if c.is_null() {
            s.insert("nullable".into(), json!(true));
        } else {
            s.insert("enum".into(), json!([c]));
        }
    }
    if let Some(Value::Array(e)) = s.get_mut("enum")
        && e.iter().any(Value::is_null)
        && !e.iter().all(Value::is_null)
    {
        e.retain(|x| !x.is_null());
        s.insert("nullable".into(), json!(true));
    }
    if let Some(examples) = s.remove("examples")
        && !s.contains_key("example")
        && let Some(first) = examples.as_array().and_then(|a| a.first())
    {
        s.insert("example".into(), first.clone());
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = s.get(exclusive).filter(|n| n.is_number()).cloned() {
            s.insert(bound.into(), n);
            s.insert(exclusive.into(), json!(true));
        }
    }
    for combinator in ["oneOf", "anyOf"] {
        null_members(s, combinator, ptr)?;
    }
    sub_schemas(s, ptr)
}

/// `type` as a list (3.1) or `'null'` → a 3.0 `type` with `nullable`.
fn types(s: &mut Map<String, Value>, ptr: &str) -> Result<(), NormaliseError> {
    let names: Vec<String> = match s.get("type") {
        None => return Ok(()),
        Some(Value::String(t)) if t != "null" => return Ok(()),
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .map(|t| t.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| err(&format!("{ptr}/type"), "a type list holds a non-string"))?,
        Some(other) => {
            return Err(err(
                &format!("{ptr}/type"),
                format!("`type` is neither a string nor a list of strings: {other}"),
            ));
        }
    };
    let nullable = names.iter().any(|t| t == "null");
    let mut concrete: Vec<String> = names.into_iter().filter(|t| t != "null").collect();
    concrete.dedup();
    s.remove("type");
    match concrete.len() {
        0 => {}
        1 => {
            s.insert("type".into(), json!(concrete[0]));
        }
        _ if s.contains_key("anyOf") || s.contains_key("oneOf") => {
            return Err(err(
                &format!("{ptr}/type"),
                "several types beside `anyOf`/`oneOf` cannot be expressed in OpenAPI 3.0",
            ));
        }
        _ => {
            let members: Vec<Value> = concrete.iter().map(|t| json!({"type": t})).collect();
            s.insert("anyOf".into(), Value::Array(members));
        }
    }
    if nullable {
        s.insert("nullable".into(), json!(true));
    }
    Ok(())
}

/// Removes the null members of `oneOf`/`anyOf`, marking the schema `nullable`.
fn null_members(
    s: &mut Map<String, Value>,
    combinator: &str,
    ptr: &str,
) -> Result<(), NormaliseError> {
    let Some(members) = s.get_mut(combinator) else {
        return Ok(());
    };
    let Value::Array(list) = members else {
        return Err(err(
            &format!("{ptr}/{combinator}"),
            format!("`{combinator}` is not a list"),
        ));
    };
    let before = list.len();
    list.retain(|m| !is_null_only(m));
    if list.len() == before {
        return Ok(());
    }
    s.insert("nullable".into(), json!(true));
    let mut rest = match s.remove(combinator) {
        Some(Value::Array(rest)) => rest,
        _ => Vec::new(),
    };
    match rest.len() {
        0 => {}
        1 if !s.contains_key("type") && !s.contains_key("properties") => {
            match rest.pop() {
                Some(Value::Object(member)) if member.contains_key("$ref") => {
                    s.insert("allOf".into(), json!([member]));
                }
                Some(Value::Object(member)) => {
                    // The schema's own keywords (description, example) win over the member's.
                    for (k, v) in member {
                        s.entry(k).or_insert(v);
                    }
                }
                Some(other) => {
                    s.insert(combinator.into(), json!([other]));
                }
                None => {}
            }
        }
        _ => {
            s.insert(combinator.into(), Value::Array(rest));
        }
    }
    Ok(())
}

/// Recurses into the sub-schemas of a schema.
fn sub_schemas(s: &mut Map<String, Value>, ptr: &mut String) -> Result<(), NormaliseError> {
    for (key, child) in s.iter_mut() {
        let len = ptr.len();
        ptr.push('/');
        ptr.push_str(&escape(key));
        match (key.as_str(), child) {
            ("properties", Value::Object(props)) => {
                for (name, p) in props.iter_mut() {
                    let l = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&escape(name));
                    schema(p, ptr)?;
                    ptr.truncate(l);
                }
            }
            ("items" | "not", c @ (Value::Object(_) | Value::Bool(_))) => schema(c, ptr)?,
            ("additionalProperties", c @ Value::Object(_)) => schema(c, ptr)?,
            ("allOf" | "anyOf" | "oneOf", Value::Array(members)) => {
                for (i, m) in members.iter_mut().enumerate() {
                    let l = ptr.len();
                    ptr.push_str(&format!("/{i}"));
                    schema(m, ptr)?;
                    ptr.truncate(l);
                }
            }
            _ => {}
        }
        ptr.truncate(len);
    }
    Ok(())
}

/// An `operationId` from method and path: `GET /a/{b}/c-d` → `getABByBCD`… in words:
/// the method, then each literal segment, then `By` and each path parameter.
pub fn derived_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let (prefix, word) = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => ("By", param),
            None => ("", segment),
        };
        let word = word.to_upper_camel_case();
        if !word.is_empty() {
            id.push_str(prefix);
            id.push_str(&word);
        }
    }
    id
}

fn derive_operation_ids(doc: &mut Value, notes: &mut Notes) -> Result<(), NormaliseError> {
    let Some(paths) = doc.get_mut("paths") else {
        return Err(err("", "the document has no `paths`"));
    };
    let Value::Object(paths) = paths else {
        return Err(err("/paths", "`paths` is not an object"));
    };
    let mut taken = BTreeSet::new();
    for (path, item) in paths.iter() {
        for method in METHODS {
            if let Some(id) = item.get(*method).and_then(|op| op.get("operationId")) {
                let pointer = format!("/paths/{}/{method}/operationId", escape(path));
                let Some(id) = id.as_str() else {
                    return Err(err(&pointer, "`operationId` is not a string"));
                };
                if !taken.insert(id.to_string()) {
                    return Err(err(&pointer, format!("duplicate operationId {id:?}")));
                }
            }
        }
    }
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            if op.contains_key("operationId") {
                continue;
            }
            let base = derived_operation_id(method, path);
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{base}{n}");
                n += 1;
            }
            taken.insert(id.clone());
            notes
                .derived_ids
                .push(format!("{} {path} → {id}", method.to_ascii_uppercase()));
            op.insert("operationId".into(), json!(id));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn normalised_schema(s: Value) -> Value {
        let mut doc = json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"S": s}}});
        apply(&mut doc).unwrap();
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn type_lists_become_nullable_types() {
        assert_eq!(
            normalised_schema(json!({"type": ["null", "string"]})),
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            normalised_schema(
                json!({"type": ["null", "array"], "items": {"type": ["null", "integer"]}})
            ),
            json!({"type": "array", "nullable": true, "items": {"type": "integer", "nullable": true}})
        );
        assert_eq!(
            normalised_schema(json!({"type": ["string", "number"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "number"}]})
        );
        assert_eq!(
            normalised_schema(json!({"type": "null"})),
            json!({"nullable": true})
        );
    }

    #[test]
    fn null_members_of_one_of_and_any_of_are_folded() {
        assert_eq!(
            normalised_schema(
                json!({"description": "d", "oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]})
            ),
            json!({"description": "d", "nullable": true, "type": "string", "format": "uuid"})
        );
        assert_eq!(
            normalised_schema(
                json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/T"}]})
            ),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
        assert_eq!(
            normalised_schema(
                json!({"anyOf": [{"type": "null"}, {"type": "string", "format": "date"}, {"type": "integer"}]})
            ),
            json!({"nullable": true, "anyOf": [{"type": "string", "format": "date"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_examples_and_exclusive_bounds() {
        assert_eq!(
            normalised_schema(json!({"const": "v4", "examples": ["v4", "x"]})),
            json!({"enum": ["v4"], "example": "v4"})
        );
        assert_eq!(
            normalised_schema(json!({"type": "number", "exclusiveMinimum": 0, "$comment": "c"})),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            normalised_schema(json!({"type": "string", "enum": ["a", null]})),
            json!({"type": "string", "enum": ["a"], "nullable": true})
        );
    }

    #[test]
    fn media_type_examples_are_left_alone_and_schemas_under_them_too() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/a": {"post": {
            "operationId": "a",
            "requestBody": {"content": {"application/json": {
                "schema": {"type": ["null", "object"], "properties": {"x": {"const": 1}}},
                "examples": {"one": {"value": {"schema": {"type": ["null", "string"]}}}}
            }}}
        }}}});
        apply(&mut doc).unwrap();
        let media = &doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(
            media["schema"],
            json!({"type": "object", "nullable": true, "properties": {"x": {"enum": [1]}}})
        );
        assert_eq!(
            media["examples"]["one"]["value"]["schema"]["type"],
            json!(["null", "string"])
        );
        assert_eq!(doc["openapi"], "3.0.3");
    }

    #[test]
    fn operation_ids_are_derived_deterministically_and_uniquely() {
        let mut doc = json!({"openapi": "3.0.1", "paths": {
            "/api/v1/product/{folder}/engines/get/{service}": {"get": {}, "delete": {"operationId": "gone"}},
            "/api/v1/product/{folder}/engines/get/{service}/": {"get": {}},
            "/{tenant}/api/v3/folders/{folder}/services/{service}/execute": {"post": {}}
        }});
        let notes = apply(&mut doc).unwrap();
        let id = |p: &str, m: &str| {
            doc["paths"][p][m]["operationId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            id("/api/v1/product/{folder}/engines/get/{service}", "get"),
            "getApiV1ProductByFolderEnginesGetByService"
        );
        assert_eq!(
            id("/api/v1/product/{folder}/engines/get/{service}/", "get"),
            "getApiV1ProductByFolderEnginesGetByService2"
        );
        assert_eq!(
            id(
                "/{tenant}/api/v3/folders/{folder}/services/{service}/execute",
                "post"
            ),
            "postByTenantApiV3FoldersByFolderServicesByServiceExecute"
        );
        assert_eq!(notes.derived_ids.len(), 3);
        assert!(!notes.from_3_1);
    }

    #[test]
    fn errors_name_the_json_pointer() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/a/{b}": {"get": {"parameters": [
            {"name": "b", "in": "path", "schema": {"type": ["string", 7]}}
        ]}}}});
        let e = apply(&mut doc).unwrap_err();
        assert_eq!(e.pointer, "/paths/~1a~1{b}/get/parameters/0/schema/type");
        assert!(
            e.to_string()
                .starts_with("at /paths/~1a~1{b}/get/parameters/0/schema/type: ")
        );
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"operationId": "x"}}, "/b": {"get": {"operationId": "x"}}}});
        assert_eq!(
            apply(&mut doc).unwrap_err().pointer,
            "/paths/~1b/get/operationId"
        );
        let mut doc = json!({"openapi": "2.0", "paths": {}});
        assert!(
            apply(&mut doc)
                .unwrap_err()
                .reason
                .contains("neither 3.0.x nor 3.1.x")
        );
    }

    #[test]
    fn a_plain_3_0_document_is_unchanged() {
        let original = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
            "operationId": "a",
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "nullable": true, "properties": {"n": {"type": "integer", "example": 3}}},
                "example": {"n": 3}
            }}}}
        }}}});
        let mut doc = original.clone();
        assert_eq!(apply(&mut doc).unwrap(), Notes::default());
        assert_eq!(doc, original);
    }
}
