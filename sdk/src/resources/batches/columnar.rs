//! Columnar chunk data (`[headers, row…]`), the documented Batch API format.

use std::collections::HashSet;

use serde_json::{Map, Value};

/// JSON objects → `[headers, row…]` (headers: every key, in order of first appearance;
/// a key missing from a record is sent as `null`).
pub(super) fn to_columnar(records: Vec<Value>) -> Vec<Value> {
    let mut headers: Vec<String> = Vec::new();
    let mut known = HashSet::new();
    for r in &records {
        if let Value::Object(m) = r {
            for k in m.keys() {
                if known.insert(k.clone()) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(records.len() + 1);
    rows.push(Value::Array(
        headers.iter().cloned().map(Value::String).collect(),
    ));
    for r in records {
        let mut m = match r {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        rows.push(Value::Array(
            headers
                .iter()
                .map(|h| m.remove(h).unwrap_or(Value::Null))
                .collect(),
        ));
    }
    rows
}

/// `[headers, row…]` → objects; anything else is returned as is.
pub(super) fn from_columnar(outputs: Vec<Value>) -> Vec<Value> {
    let headers: Option<Vec<String>> = match outputs.first() {
        Some(Value::Array(h)) => h.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => None,
    };
    let Some(headers) = headers else {
        return outputs;
    };
    outputs
        .into_iter()
        .skip(1)
        .map(|row| match row {
            Value::Array(cells) => Value::Object(headers.iter().cloned().zip(cells).collect()),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_with_missing_keys() {
        let rows = to_columnar(vec![json!({"a": 1, "b": 2}), json!({"b": 3, "c": 4})]);
        assert_eq!(
            rows,
            vec![
                json!(["a", "b", "c"]),
                json!([1, 2, null]),
                json!([null, 3, 4])
            ]
        );
        let back = from_columnar(rows);
        assert_eq!(back[1], json!({"a": null, "b": 3, "c": 4}));
        let objects = vec![json!({"x": 1})];
        assert_eq!(from_columnar(objects.clone()), objects);
    }
}
