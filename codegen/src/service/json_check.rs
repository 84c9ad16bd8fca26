//! Checks a JSON value against the JSON Schema subset that [`super::json_schema`] writes.
//!
//! Supported keywords: `type` (a name or a list of names), `enum`, `minimum`, `maximum`,
//! `minLength`, `maxLength`, `format: date` with `formatMinimum`/`formatMaximum`,
//! `properties`, `required`, `additionalProperties: false` and `items`. Any other keyword is
//! ignored, as JSON Schema ignores unknown keywords. The checker is a small walk rather than a
//! general JSON Schema engine on purpose: the schemas are ours, so their vocabulary is known,
//! and the errors can name the offending field by its Spark name.

use std::fmt;

use serde_json::{Map, Value};

/// At most this many violations are reported for one value.
pub const MAX_VIOLATIONS: usize = 20;

/// One way a value breaks a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where, as a JSON Pointer into the checked value (`/Drivers/0/Age`; empty = the root).
    pub pointer: String,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}

/// Checks `value` against `schema`; `Ok` or the violations found (at most
/// [`MAX_VIOLATIONS`]), in document order.
pub fn check(schema: &Value, value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = Vec::new();
    walk(schema, value, &mut String::new(), &mut out);
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// True for a `YYYY-MM-DD` calendar date (years 0001 to 9999).
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        text.get(r)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// The JSON type name of a value, as `type` spells it (`integer` is checked apart).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        other => type_name(value) == other,
    }
}

/// A short rendering of a value for messages (long values are cut).
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        text.chars().take(37).collect::<String>() + "..."
    } else {
        text
    }
}

/// Escapes a property name as a JSON Pointer token (RFC 6901).
fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn walk(schema: &Value, value: &Value, pointer: &mut String, out: &mut Vec<Violation>) {
    if out.len() >= MAX_VIOLATIONS {
        return;
    }
    let mut fail = |message: String| {
        if out.len() < MAX_VIOLATIONS {
            out.push(Violation {
                pointer: pointer.clone(),
                message,
            });
        }
    };
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        fail(format!(
            "expected {}, got {} {}",
            types.join(" or "),
            type_name(value),
            show(value)
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.iter().any(|a| same(a, value))
    {
        let list: Vec<String> = allowed.iter().map(show).collect();
        fail(format!("{} is not one of {}", show(value), list.join(", ")));
        return;
    }
    match value {
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or(f64::NAN);
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                fail(format!("{n} is less than the minimum {min}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                fail(format!("{n} is more than the maximum {max}"));
            }
        }
        Value::String(s) => string(schema, s, fail),
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    walk(item_schema, item, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        Value::Object(map) => object(schema, map, pointer, out),
        Value::Null | Value::Bool(_) => {}
    }
}

fn string(schema: &Value, s: &str, mut fail: impl FnMut(String)) {
    let chars = s.chars().count() as f64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_f64)
        && chars < min
    {
        fail(format!(
            "{chars} characters, fewer than the minimum length {min}"
        ));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_f64)
        && chars > max
    {
        fail(format!(
            "{chars} characters, more than the maximum length {max}"
        ));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        if !is_date(s) {
            fail(format!("{s:?} is not a date (YYYY-MM-DD)"));
            return;
        }
        // ISO dates compare as text.
        if let Some(min) = schema.get("formatMinimum").and_then(Value::as_str)
            && s < min
        {
            fail(format!("{s} is before the earliest date {min}"));
        }
        if let Some(max) = schema.get("formatMaximum").and_then(Value::as_str)
            && s > max
        {
            fail(format!("{s} is after the latest date {max}"));
        }
    }
}

fn object(
    schema: &Value,
    map: &Map<String, Value>,
    pointer: &mut String,
    out: &mut Vec<Violation>,
) {
    let props = schema.get("properties").and_then(Value::as_object);
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) && out.len() < MAX_VIOLATIONS {
            out.push(Violation {
                pointer: pointer.clone(),
                message: format!("missing required field {name:?}"),
            });
        }
    }
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    for (name, item) in map {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&token(name));
        match props.and_then(|p| p.get(name)) {
            Some(sub) => walk(sub, item, pointer, out),
            None if closed && out.len() < MAX_VIOLATIONS => {
                let known: Vec<&str> = props
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                out.push(Violation {
                    pointer: pointer.clone(),
                    message: format!(
                        "unknown field {name:?} (known: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                });
            }
            None => {}
        }
        pointer.truncate(len);
    }
}

/// JSON Schema equality: numbers by value (`1` equals `1.0`), arrays and objects member by
/// member, anything else as written.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(schema: &Value, value: &Value) -> Vec<String> {
        check(schema, value)
            .unwrap_err()
            .into_iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-13-01"));
        assert!(!is_date("2023-1-01"));
        assert!(!is_date("0000-01-01"));
        assert!(!is_date("2023-01-0x"));
    }

    #[test]
    fn scalars_and_bounds() {
        let schema = json!({"type": "integer", "minimum": 1, "maximum": 10});
        assert!(check(&schema, &json!(3)).is_ok());
        assert!(check(&schema, &json!(3.0)).is_ok());
        assert_eq!(
            pointers(&schema, &json!(3.5)),
            ["expected integer, got number 3.5"]
        );
        assert_eq!(
            pointers(&schema, &json!(11)),
            ["11 is more than the maximum 10"]
        );
        assert_eq!(
            pointers(&schema, &json!("3")),
            ["expected integer, got string \"3\""]
        );
        let text = json!({"type": ["string", "null"], "maxLength": 3});
        assert!(check(&text, &Value::Null).is_ok());
        assert!(check(&text, &json!("äöü")).is_ok());
        assert_eq!(pointers(&text, &json!("abcd")).len(), 1);
        let choice = json!({"type": "string", "enum": ["a", "b"]});
        // Numbers in an enum are equal by value, as JSON Schema says.
        let pick = json!({"enum": [1, 2.5]});
        assert!(check(&pick, &json!(1.0)).is_ok());
        assert!(check(&pick, &json!(2.5)).is_ok());
        assert!(check(&pick, &json!(2)).is_err());
        assert_eq!(
            pointers(&choice, &json!("c")),
            ["\"c\" is not one of \"a\", \"b\""]
        );
        let day = json!({"type": "string", "format": "date", "formatMinimum": "2020-01-01"});
        assert!(check(&day, &json!("2020-01-01")).is_ok());
        assert_eq!(pointers(&day, &json!("2019-12-31")).len(), 1);
        assert_eq!(pointers(&day, &json!("31/12/2019")).len(), 1);
    }

    #[test]
    fn objects_and_arrays_name_the_field() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a/b": {"type": "number"},
                "rows": {"type": "array", "items": {
                    "type": "object",
                    "properties": {"x": {"type": "number"}},
                    "required": ["x"],
                    "additionalProperties": false
                }}
            },
            "required": ["a/b"],
            "additionalProperties": false
        });
        assert!(check(&schema, &json!({"a/b": 1, "rows": [{"x": 2}]})).is_ok());
        assert_eq!(
            pointers(
                &schema,
                &json!({"rows": [{"x": "2"}, {"y": 1}], "zz": true})
            ),
            [
                "missing required field \"a/b\"",
                "/rows/0/x: expected number, got string \"2\"",
                "/rows/1: missing required field \"x\"",
                "/rows/1/y: unknown field \"y\" (known: x)",
                "/zz: unknown field \"zz\" (known: a/b, rows)",
            ]
        );
        assert_eq!(
            pointers(&schema, &json!({"a/b": [1]})),
            ["/a~1b: expected number, got array [1]"]
        );
    }

    #[test]
    fn violations_are_capped() {
        let schema = json!({"type": "array", "items": {"type": "number"}});
        let many = Value::Array(vec![json!("x"); 100]);
        assert_eq!(check(&schema, &many).unwrap_err().len(), MAX_VIOLATIONS);
    }
}
