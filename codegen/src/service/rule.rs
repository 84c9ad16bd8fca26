//! The Excel data-validation rule of an input cell, other than a List (which becomes a
//! [`super::model::Kind::Choice`]): number bounds, text length, date range.
//!
//! Spark reads Excel Data Validation on `Xinput` cells and supports, besides List, "Whole
//! number (min/max), Decimal (min/max), Date (min/max), Text length (max)". The schema
//! document carries them as `validation: {validation_allow, min, max, options}`; the literals
//! seen are `List`, `Decimal` and `WholeNumber`, the others are not documented, so the
//! spelling is matched loosely (case, spaces, `_` and `-` ignored). The swagger states number
//! bounds as JSON Schema `minimum`/`maximum` and may state `minLength`/`maxLength`; it is read
//! when the schema document has no rule.

use serde_json::Value;

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
/// kind, or a rule without any bound.
pub fn from_validation(validation: &Value) -> Option<Rule> {
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
        // A list, an unknown kind and a rule without bounds give nothing.
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
}
