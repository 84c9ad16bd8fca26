//! What the schemas of [`super::json_schema`] need to know about inputs beyond their types:
//! the Excel data-validation rule of each input cell, other than a List (which becomes a
//! [`super::model::Kind::Choice`]) — number bounds, text length, date range — and whether the
//! workbook holds a value for the input (Spark then uses it when the input is omitted).
//!
//! Spark reads Excel Data Validation on `Xinput` cells and supports, besides List, "Whole
//! number (min/max), Decimal (min/max), Date (min/max), Text length (max)". The schema
//! document carries them as `validation: {validation_allow, min, max, options}`; the literals
//! seen are `List`, `Decimal` and `WholeNumber`, the others are not documented, so the
//! spelling is matched loosely (case, spaces, `_` and `-` ignored). The swagger states number
//! bounds as JSON Schema `minimum`/`maximum` and may state `minLength`/`maxLength`; it is read
//! when the schema document has no rule.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ServiceDocs;
use super::schema::{Side, schema_body, swagger_fields};

/// The rule and workbook value of one input, as [`input_facts`] reads them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputFacts {
    /// The cell's number, text-length or date rule: the schema document's `validation`, else
    /// the swagger property's `minimum`/`maximum`/`minLength`/`maxLength`.
    pub rule: Option<Rule>,
    /// The workbook has a value for the input (a scalar, or a table with rows): the schema
    /// document's `value`, or the input in the swagger's example request (which Spark fills
    /// with the workbook's values).
    pub has_workbook_value: bool,
}

/// The facts of every input of a service, keyed by wire name.
pub fn input_facts(docs: &ServiceDocs) -> BTreeMap<String, InputFacts> {
    let mut out: BTreeMap<String, InputFacts> = BTreeMap::new();
    let cells = docs.schema.as_ref().and_then(|doc| {
        let body = schema_body(doc);
        ["xlInputs", "xInputs", "xlInput"]
            .iter()
            .find_map(|k| body.get(*k).and_then(Value::as_array))
    });
    for cell in cells.into_iter().flatten() {
        let Some(name) = cell.get("name").and_then(Value::as_str) else {
            continue;
        };
        // The first cell of a name wins, as in `schema::schema_cells`.
        out.entry(name.to_string()).or_insert_with(|| InputFacts {
            rule: cell.get("validation").and_then(from_validation),
            has_workbook_value: is_value(cell.get("value")),
        });
    }
    if let Some(swagger) = &docs.swagger {
        let example = swagger_example_inputs(swagger);
        for (name, prop) in swagger_fields(swagger, Side::Inputs).unwrap_or_default() {
            let facts = out.entry(name.clone()).or_default();
            if facts.rule.is_none() {
                facts.rule = from_swagger(&prop);
            }
            facts.has_workbook_value |= is_value(example.and_then(|e| e.get(&name)));
        }
    }
    out
}

/// A value Spark would use: not absent, `null`, `""` or an empty table.
fn is_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(rows)) => !rows.is_empty(),
        Some(_) => true,
    }
}

/// `request_data.inputs` of the example of the swagger's execute body.
fn swagger_example_inputs(swagger: &Value) -> Option<&serde_json::Map<String, Value>> {
    let paths = swagger.get("paths")?.as_object()?;
    paths
        .values()
        .filter_map(|p| p.get("post")?.get("parameters")?.as_array())
        .flatten()
        .map(|p| super::schema::resolve(swagger, p))
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("body"))
        .find_map(|p| {
            super::schema::resolve(swagger, p.get("schema")?)
                .get("example")?
                .get("request_data")?
                .get("inputs")?
                .as_object()
        })
}

/// A bound-type validation rule of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Whole number or decimal between optional bounds.
    Number {
        /// Lower bound (inclusive).
        min: Option<f64>,
        /// Upper bound (inclusive).
        max: Option<f64>,
        /// True for Excel's "Whole number".
        whole: bool,
    },
    /// Text of a length between optional bounds (in characters).
    TextLength {
        /// Shortest length.
        min: Option<u64>,
        /// Longest length.
        max: Option<u64>,
    },
    /// A date between optional bounds (`YYYY-MM-DD`).
    Date {
        /// Earliest date.
        min: Option<String>,
        /// Latest date.
        max: Option<String>,
    },
}

/// `Decimal`, `whole number`, `TEXT_LENGTH` → `decimal`, `wholenumber`, `textlength`.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A finite number, also when written as a string.
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

/// A non-negative whole length.
fn length(v: Option<&Value>) -> Option<u64> {
    number(v)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= u32::MAX as f64)
        .map(|n| n as u64)
}

/// A `YYYY-MM-DD` date (the first ten characters of a date or date-time string).
fn date(v: Option<&Value>) -> Option<String> {
    let text = v?.as_str()?.trim();
    let day = text.get(..10)?;
    super::json_check::is_date(day).then(|| day.to_string())
}

/// The rule of a schema document's `validation` object, or `None` for a List, an unknown
/// kind, a rule without any bound, or a `dynamic` rule (its bounds are formulas over other
/// inputs: the numbers in the document are only those of the uploaded workbook's values).
pub fn from_validation(validation: &Value) -> Option<Rule> {
    let dynamic = validation
        .get("validation_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("dynamic"));
    if dynamic {
        return None;
    }
    let allow = squash(validation.get("validation_allow")?.as_str()?);
    let (min, max) = (validation.get("min"), validation.get("max"));
    let rule = match allow.as_str() {
        "decimal" | "wholenumber" | "whole" | "number" | "integer" => Rule::Number {
            min: number(min),
            max: number(max),
            whole: allow.starts_with("whole") || allow == "integer",
        },
        "textlength" | "length" => Rule::TextLength {
            min: length(min),
            max: length(max),
        },
        "date" => Rule::Date {
            min: date(min),
            max: date(max),
        },
        _ => return None,
    };
    rule.has_bound().then_some(rule)
}

/// The rule a swagger property states (`minimum`/`maximum`, `minLength`/`maxLength`).
pub fn from_swagger(prop: &Value) -> Option<Rule> {
    let numeric = Rule::Number {
        min: number(prop.get("minimum")),
        max: number(prop.get("maximum")),
        whole: prop.get("type").and_then(Value::as_str) == Some("integer")
            && prop.get("multipleOf").and_then(Value::as_f64) == Some(1.0),
    };
    let text = Rule::TextLength {
        min: length(prop.get("minLength")),
        max: length(prop.get("maxLength")),
    };
    [numeric, text].into_iter().find(Rule::has_bound)
}

impl Rule {
    /// True when the rule limits anything (a "Whole number" rule always does).
    pub fn has_bound(&self) -> bool {
        match self {
            Rule::Number { min, max, whole } => *whole || min.is_some() || max.is_some(),
            Rule::TextLength { min, max } => min.is_some() || max.is_some(),
            Rule::Date { min, max } => min.is_some() || max.is_some(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_validations() {
        assert_eq!(
            from_validation(
                &json!({"validation_allow": "WholeNumber", "min": 1000.0, "max": 200000.0, "options": null})
            ),
            Some(Rule::Number {
                min: Some(1000.0),
                max: Some(200000.0),
                whole: true
            })
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "Decimal", "min": 0.0, "max": null})),
            Some(Rule::Number {
                min: Some(0.0),
                max: None,
                whole: false
            })
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "Text length", "min": null, "max": "12"})),
            Some(Rule::TextLength {
                min: None,
                max: Some(12)
            })
        );
        assert_eq!(
            from_validation(
                &json!({"validation_allow": "DATE", "min": "2020-01-01T00:00:00", "max": "2030-12-31"})
            ),
            Some(Rule::Date {
                min: Some("2020-01-01".into()),
                max: Some("2030-12-31".into())
            })
        );
        // A list, an unknown kind, a dynamic rule and a rule without bounds give nothing.
        assert_eq!(
            from_validation(
                &json!({"validation_allow": "Decimal", "validation_type": "dynamic", "min": 1})
            ),
            None
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "List", "options": ["a"]})),
            None
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "Custom", "min": 1})),
            None
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "Decimal", "min": null, "max": "x"})),
            None
        );
        // Lengths must be whole and not negative; dates must be dates.
        assert_eq!(
            from_validation(&json!({"validation_allow": "TextLength", "min": -1, "max": 2.5})),
            None
        );
        assert_eq!(
            from_validation(&json!({"validation_allow": "Date", "min": "2020-02-30"})),
            None
        );
    }

    #[test]
    fn swagger_bounds() {
        assert_eq!(
            from_swagger(&json!({"type": "number", "minimum": 1, "maximum": 3})),
            Some(Rule::Number {
                min: Some(1.0),
                max: Some(3.0),
                whole: false
            })
        );
        assert_eq!(
            from_swagger(&json!({"type": "string", "maxLength": 8})),
            Some(Rule::TextLength {
                min: None,
                max: Some(8)
            })
        );
        assert_eq!(from_swagger(&json!({"type": "number"})), None);
    }

    #[test]
    fn facts_from_both_documents() {
        let docs = ServiceDocs {
            folder: "f".into(),
            service: "s".into(),
            schema: Some(json!({"xlInputs": [
                {"name": "A", "value": 3, "validation": {"validation_allow": "Decimal", "min": 1}},
                {"name": "T", "value": [], "validation": null},
                {"name": "A", "value": null},
            ]})),
            swagger: Some(
                json!({"paths": {"/t/api/v3/execute": {"post": {"parameters": [
                    {"in": "body", "name": "request", "schema": {
                        "example": {"request_data": {"inputs": {"B": "hi", "C": null}}},
                        "properties": {"request_data": {"properties": {"inputs": {"properties": {
                            "A": {"type": "number", "maximum": 9},
                            "B": {"type": "string", "maxLength": 5},
                            "C": {"type": "number"},
                        }}}}},
                    }},
                ]}}}}),
            ),
            ..ServiceDocs::default()
        };
        let facts = input_facts(&docs);
        let a = Rule::Number {
            min: Some(1.0),
            max: None,
            whole: false,
        };
        assert_eq!(
            facts["A"],
            InputFacts {
                rule: Some(a),
                has_workbook_value: true
            }
        );
        assert_eq!(facts["T"], InputFacts::default());
        assert_eq!(
            facts["B"],
            InputFacts {
                rule: Some(Rule::TextLength {
                    min: None,
                    max: Some(5)
                }),
                has_workbook_value: true
            }
        );
        assert_eq!(facts["C"], InputFacts::default());
    }
}
