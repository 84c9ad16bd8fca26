//! Excel data validation on input cells: building rules at load, checking values at evaluation.

use ironcalc::base::Model;
use ironcalc::base::cell::CellValue;
use serde_json::Value;

use super::cells::{CellRef, cell_value};
use super::values::{CellWrite, number_json, serial_to_date_string, write_json};
use super::xlsx_meta::{PackageMeta, RawValidation, split_reference};
use super::{DataType, Validation};

/// What a bounded rule measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Measure {
    /// Whole number.
    Whole,
    /// Decimal number.
    Decimal,
    /// Date (serial).
    Date,
    /// Length of the text.
    TextLength,
}

/// A rule as checked (wider than the public [`Validation`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    /// Allowed values.
    List(Vec<Value>),
    /// Bounds on a measure; `strict` for greaterThan / lessThan.
    Range {
        measure: Measure,
        min: Option<f64>,
        max: Option<f64>,
        strict: bool,
    },
}

/// A validation rule ready to check values against.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Check {
    /// The rule.
    pub rule: Rule,
    /// Blank values pass (`allowBlank`).
    pub allow_blank: bool,
    /// The workbook's custom error-alert text.
    pub message: Option<String>,
}

/// Resolves a formula that is a reference or a (non-Spark) defined name to cell values.
fn referenced_values(
    formula: &str,
    own_sheet: u32,
    model: &Model<'static>,
    meta: &PackageMeta,
) -> Option<Vec<CellValue>> {
    let formula = formula.trim().trim_start_matches('=');
    let target = match meta
        .defined_names
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(formula))
    {
        Some(dn) => dn.formula.clone(),
        None => formula.to_string(),
    };
    let (sheet_name, (r1, c1, r2, c2)) = split_reference(&target)?;
    let sheet = match sheet_name {
        // A reference without a sheet is on the rule's own sheet.
        None => own_sheet,
        Some(name) => model
            .workbook
            .worksheets
            .iter()
            .position(|w| w.name.eq_ignore_ascii_case(&name))? as u32,
    };
    if (u64::from(r2 - r1) + 1) * (u64::from(c2 - c1) + 1) > 10_000 {
        return None;
    }
    let mut values = Vec::new();
    for row in r1..=r2 {
        for col in c1..=c2 {
            let cell = CellRef {
                sheet,
                row: row as i32,
                col: col as i32,
            };
            values.push(cell_value(model, cell));
        }
    }
    Some(values)
}

fn bound(
    formula: Option<&String>,
    own_sheet: u32,
    model: &Model<'static>,
    meta: &PackageMeta,
) -> Option<f64> {
    let formula = formula?.trim().trim_start_matches('=');
    if let Ok(n) = formula.parse::<f64>() {
        return Some(n);
    }
    match referenced_values(formula, own_sheet, model, meta)?.first()? {
        CellValue::Number(n) => Some(*n),
        _ => None,
    }
}

/// Builds a check from a raw rule; `None` for rule kinds the emulator does not model.
pub(crate) fn build_check(
    raw: &RawValidation,
    own_sheet: u32,
    model: &Model<'static>,
    meta: &PackageMeta,
    data_type: DataType,
) -> Option<Check> {
    let rule = match raw.kind.as_str() {
        "list" => {
            let formula = raw.formula1.as_deref()?.trim();
            let options: Vec<Value> = if let Some(literal) =
                formula.strip_prefix('"').and_then(|f| f.strip_suffix('"'))
            {
                literal
                    .split(',')
                    .map(str::trim)
                    .map(|item| match (data_type, item.parse::<f64>()) {
                        (DataType::Number, Ok(n)) => number_json(n),
                        _ => Value::String(item.to_string()),
                    })
                    .collect()
            } else {
                referenced_values(formula, own_sheet, model, meta)?
                    .iter()
                    .filter_map(|v| match v {
                        CellValue::None => None,
                        CellValue::String(s) if s.is_empty() => None,
                        CellValue::String(s) => Some(Value::String(s.clone())),
                        CellValue::Number(n) => Some(number_json(*n)),
                        CellValue::Boolean(b) => Some(Value::Bool(*b)),
                    })
                    .collect()
            };
            Rule::List(options)
        }
        "whole" | "decimal" | "date" | "textLength" => {
            let f1 = bound(raw.formula1.as_ref(), own_sheet, model, meta);
            let f2 = bound(raw.formula2.as_ref(), own_sheet, model, meta);
            let (min, max, strict) = match raw.operator.as_str() {
                "between" => (f1, f2, false),
                "equal" => (f1, f1, false),
                "greaterThanOrEqual" => (f1, None, false),
                "greaterThan" => (f1, None, true),
                "lessThanOrEqual" => (None, f1, false),
                "lessThan" => (None, f1, true),
                // notBetween / notEqual are not expressible as min/max.
                _ => return None,
            };
            let measure = match raw.kind.as_str() {
                "whole" => Measure::Whole,
                "decimal" => Measure::Decimal,
                "date" => Measure::Date,
                _ => Measure::TextLength,
            };
            Rule::Range {
                measure,
                min,
                max,
                strict,
            }
        }
        _ => return None,
    };
    Some(Check {
        rule,
        allow_blank: raw.allow_blank,
        message: raw.error_message.clone(),
    })
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn matches_option(value: &CellWrite, option: &Value) -> bool {
    match (value, option) {
        (CellWrite::Number(n), Value::Number(o)) => {
            o.as_f64().is_some_and(|o| (o - n).abs() < 1e-9)
        }
        (CellWrite::Number(n), Value::String(o)) => o.trim().parse::<f64>().is_ok_and(|o| o == *n),
        (CellWrite::Text(s), Value::String(o)) => s.to_lowercase() == o.to_lowercase(),
        (CellWrite::Text(s), Value::Number(o)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .zip(o.as_f64())
            .is_some_and(|(a, b)| a == b),
        (CellWrite::Bool(b), Value::Bool(o)) => b == o,
        (CellWrite::Bool(b), Value::String(o)) => {
            o.eq_ignore_ascii_case(if *b { "TRUE" } else { "FALSE" })
        }
        _ => false,
    }
}

/// Checks a value about to be written; `Err` carries a message naming the value.
/// List matching is case-insensitive for text, like Excel.
pub(crate) fn check_value(check: &Check, field: &str, value: &CellWrite) -> Result<(), String> {
    let shown = display(&write_json(value));
    let failure = |why: String| {
        Err(match &check.message {
            Some(custom) => format!("{why} ({custom})"),
            None => why,
        })
    };
    if matches!(value, CellWrite::Clear) || matches!(value, CellWrite::Text(s) if s.is_empty()) {
        return if check.allow_blank {
            Ok(())
        } else {
            failure(format!("a value is required for {field}"))
        };
    }
    match &check.rule {
        Rule::List(options) => {
            if options.iter().any(|o| matches_option(value, o)) {
                Ok(())
            } else {
                let allowed: Vec<String> = options.iter().map(display).collect();
                failure(format!(
                    "value {shown} is not allowed for {field}; allowed values: {}",
                    allowed.join(", ")
                ))
            }
        }
        Rule::Range {
            measure,
            min,
            max,
            strict,
        } => {
            let shown_bound = |b: f64| match measure {
                Measure::Date => serial_to_date_string(b, "yyyy-mm-dd")
                    .unwrap_or_else(|| number_json(b).to_string()),
                _ => number_json(b).to_string(),
            };
            let measured = match (measure, value) {
                (Measure::TextLength, CellWrite::Text(s)) => s.chars().count() as f64,
                (Measure::TextLength, other) => display(&write_json(other)).chars().count() as f64,
                (_, CellWrite::Number(n)) => *n,
                (Measure::Date, _) => {
                    return failure(format!("value {shown} for {field} is not a date"));
                }
                _ => return failure(format!("value {shown} for {field} is not a number")),
            };
            let shown = match (measure, value) {
                (Measure::Date, CellWrite::Number(n)) => shown_bound(*n),
                _ => shown,
            };
            if *measure == Measure::Whole && measured.fract() != 0.0 {
                return failure(format!("value {shown} for {field} is not a whole number"));
            }
            let low = min.is_some_and(|m| if *strict { measured <= m } else { measured < m });
            let high = max.is_some_and(|m| if *strict { measured >= m } else { measured > m });
            if !(low || high) {
                return Ok(());
            }
            let (above, below) = if *strict {
                ("above", "below")
            } else {
                ("at least", "at most")
            };
            let range = match (min, max) {
                (Some(a), Some(b)) if a == b => format!("equal to {}", shown_bound(*a)),
                (Some(a), Some(b)) => {
                    format!("between {} and {}", shown_bound(*a), shown_bound(*b))
                }
                (Some(a), None) => format!("{above} {}", shown_bound(*a)),
                (None, Some(b)) => format!("{below} {}", shown_bound(*b)),
                (None, None) => String::new(),
            };
            let what = if *measure == Measure::TextLength {
                "the length of "
            } else {
                ""
            };
            failure(format!("{what}value {shown} for {field} must be {range}"))
        }
    }
}

impl Check {
    /// The rule as reported in [`super::Field::validation`] (list, whole and decimal rules;
    /// date and text-length rules are checked but not reported).
    pub(crate) fn public(&self) -> Option<Validation> {
        match &self.rule {
            Rule::List(options) => Some(Validation::List(options.clone())),
            Rule::Range {
                measure: measure @ (Measure::Whole | Measure::Decimal),
                min,
                max,
                ..
            } => Some(Validation::Number {
                min: *min,
                max: *max,
                whole: *measure == Measure::Whole,
            }),
            Rule::Range { .. } => None,
        }
    }
}
