//! Outputs whose value does not fit the generated type, reported per field.
//!
//! A `NUMBER` cell holding an Excel error (`"#VALUE!"`) or a formula that now returns text
//! must not cost the caller every other output. The typed calls first decode the outputs
//! straight into the generated struct (the normal case: no extra work). Only when that fails
//! does [`decode_outputs`] find the values at fault by decoding each output on its own (and,
//! for a table, each cell on its own), report them as [`OutputMismatch`]es, read them as
//! empty (`None`; every generated output is an `Option`), and decode the rest.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The error values Excel shows in a cell.
const EXCEL_ERRORS: &[&str] = &[
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
];

/// One output value that does not fit its generated type; the field reads as `None`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OutputMismatch {
    /// Spark name of the output; `Table[3].Column` for one cell of a table.
    pub field: String,
    /// The value Spark sent.
    pub value: Value,
    /// Why it does not decode (the decoder's message).
    pub reason: String,
}

impl OutputMismatch {
    /// The Excel error the cell holds (`"#VALUE!"`, `"#DIV/0!"`, …), if that is what it is.
    pub fn excel_error(&self) -> Option<&str> {
        self.value
            .as_str()
            .map(str::trim)
            .filter(|s| EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(s)))
    }
}

impl std::fmt::Display for OutputMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "output {:?} = {}: {}",
            self.field, self.value, self.reason
        )
    }
}

/// Whether `{name: value}` alone decodes as `O` (every other output absent).
fn probe<O: DeserializeOwned>(name: &str, value: &Value) -> Result<(), serde_json::Error> {
    let mut one = Map::with_capacity(1);
    one.insert(name.to_owned(), value.clone());
    serde_json::from_value::<O>(Value::Object(one)).map(drop)
}

/// Decodes `outputs` as `O`, reading every value that does not fit its field as `None` and
/// reporting it. Fails only when the outputs do not decode even with those values removed
/// (for example when `O` is not a generated `Outputs` and has required fields).
pub fn decode_outputs<O: DeserializeOwned>(
    mut outputs: Map<String, Value>,
) -> Result<(O, Vec<OutputMismatch>), serde_json::Error> {
    let whole = match serde_json::from_value::<O>(Value::Object(outputs.clone())) {
        Ok(o) => return Ok((o, Vec::new())),
        Err(e) => e,
    };
    let mut mismatches = Vec::new();
    for (name, value) in outputs.iter_mut() {
        let Err(field_error) = probe::<O>(name, value) else {
            continue;
        };
        // A table: find the cells at fault, so the rest of the table is kept.
        if let Value::Array(rows) = value {
            let mut cells: Vec<(usize, String, OutputMismatch)> = Vec::new();
            for (i, row) in rows.iter_mut().enumerate() {
                let Value::Object(columns) = row else {
                    continue;
                };
                for (column, cell) in columns.iter_mut() {
                    let mut lone = Map::with_capacity(1);
                    lone.insert(column.clone(), cell.clone());
                    let probe_value = Value::Array(vec![Value::Object(lone)]);
                    if let Err(e) = probe::<O>(name, &probe_value) {
                        let mismatch = OutputMismatch {
                            field: format!("{name}[{i}].{column}"),
                            value: cell.take(),
                            reason: e.to_string(),
                        };
                        cells.push((i, column.clone(), mismatch));
                    }
                }
            }
            if !cells.is_empty() && probe::<O>(name, &Value::Array(rows.clone())).is_ok() {
                mismatches.extend(cells.into_iter().map(|(_, _, m)| m));
                continue;
            }
            // Not a table of cells after all: put the values back and report the field.
            for (i, column, m) in cells {
                if let Some(slot) = rows.get_mut(i).and_then(|r| r.get_mut(&column)) {
                    *slot = m.value;
                }
            }
        }
        mismatches.push(OutputMismatch {
            field: name.clone(),
            value: value.take(),
            reason: field_error.to_string(),
        });
    }
    if mismatches.is_empty() {
        return Err(whole);
    }
    serde_json::from_value::<O>(Value::Object(outputs)).map(|o| (o, mismatches))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, Default, PartialEq)]
    struct Row {
        #[serde(default)]
        premium: Option<f64>,
        #[serde(default)]
        name: Option<String>,
    }

    #[derive(Debug, Deserialize, Default, PartialEq)]
    struct Outputs {
        #[serde(default)]
        total: Option<f64>,
        #[serde(default)]
        band: Option<String>,
        #[serde(default)]
        rows: Option<Vec<Row>>,
    }

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_bad_value_costs_only_its_field_or_cell() {
        let (o, m) = decode_outputs::<Outputs>(map(json!({
            "total": "#VALUE!",
            "band": "High",
            "rows": [{"premium": 1.5, "name": "a"}, {"premium": "#DIV/0!", "name": "b"}],
        })))
        .unwrap();
        assert_eq!(o.total, None);
        assert_eq!(o.band.as_deref(), Some("High"));
        let rows = o.rows.unwrap();
        assert_eq!(rows[0].premium, Some(1.5));
        assert_eq!(rows[1].premium, None);
        assert_eq!(rows[1].name.as_deref(), Some("b"));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].field, "rows[1].premium");
        assert_eq!(m[0].excel_error(), Some("#DIV/0!"));
        assert_eq!(m[1].field, "total");
        assert_eq!(m[1].value, json!("#VALUE!"));
        assert!(m[1].to_string().contains("\"total\""), "{}", m[1]);
    }

    #[test]
    fn good_outputs_decode_without_mismatches_and_a_wrong_shape_is_one_mismatch() {
        let (o, m) = decode_outputs::<Outputs>(map(json!({"total": 2.0}))).unwrap();
        assert_eq!((o.total, m.len()), (Some(2.0), 0));
        let (o, m) = decode_outputs::<Outputs>(map(json!({"rows": "not a table"}))).unwrap();
        assert_eq!((o.rows, m.len()), (None, 1));
        assert_eq!(m[0].field, "rows");
        assert_eq!(m[0].excel_error(), None);
    }
}
