//! The Excel data-validation rules of an input, read from the two documents.
//!
//! Spark supports Whole number, Decimal, Date, Text length and List validations on `Xinput`
//! cells. The schema document carries a cell's rule under `validation` as
//! `{validation_allow, validation_type, min, max, options, …}` (the shape the Validation API
//! answers with; `List`, `WholeNumber` and `Decimal` are the spellings seen, the date and
//! text-length ones are read leniently: any spelling that reduces to `date`, `textlength` or
//! `length`). The swagger carries JSON-Schema bounds (`minimum`/`maximum`,
//! `minLength`/`maxLength`); they are used when the schema gives no rule for the field.
//!
//! A rule whose `validation_type` is `dynamic` is skipped: its bounds are formulas over other
//! inputs, so the values in the document are only those of the uploaded workbook. List rules
//! made of text are enums already ([`super::Kind::Choice`]); other lists become
//! [`Rule::NumberList`] / [`Rule::TextList`].

use serde_json::Value;

use super::Kind;

/// One rule, in the terms the generated `Inputs::validate` checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Excel "Whole number" between the bounds.
    Whole(Option<f64>, Option<f64>),
    /// Excel "Decimal" between the bounds.
    Decimal(Option<f64>, Option<f64>),
    /// Excel "Text length" between the bounds.
    TextLength(Option<u64>, Option<u64>),
    /// Excel "Date" between the bounds (`(year, month, day)`).
    Date(Option<Ymd>, Option<Ymd>),
    /// Excel "List" of numbers on a number input.
    NumberList(Vec<f64>),
    /// Excel "List" of mixed values on a text input (compared as text).
    TextList(Vec<String>),
}

/// A calendar date as `(year, month, day)`.
pub type Ymd = (i32, u32, u32);

impl Rule {
    /// The rule in words, for doc comments.
    pub fn describe(&self) -> String {
        fn bounds<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
            match (min, max) {
                (Some(a), Some(b)) => format!(" between {a} and {b}"),
                (Some(a), None) => format!(" of at least {a}"),
                (None, Some(b)) => format!(" of at most {b}"),
                (None, None) => String::new(),
            }
        }
        let date = |d: &Option<Ymd>| d.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));
        match self {
            Rule::Whole(a, b) => format!("a whole number{}", bounds(a, b)),
            Rule::Decimal(a, b) => format!("a number{}", bounds(a, b)),
            Rule::TextLength(a, b) => format!("a text with a length{}", bounds(a, b)),
            Rule::Date(a, b) => format!("a date{}", bounds(&date(a), &date(b))),
            Rule::NumberList(v) => format!(
                "one of {}",
                v.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
            ),
            Rule::TextList(v) => format!("one of {}", v.join(", ")),
        }
    }
}

/// The rules of one input of type `kind`, from its schema `validation` object, its swagger
/// property and its non-enum list values (`allowed`). Rules that do not fit the type (a
/// text length on a number) are dropped.
pub fn input_rules(
    kind: &Kind,
    validation: Option<&Value>,
    prop: Option<&Value>,
    allowed: Option<&[Value]>,
) -> Vec<Rule> {
    let mut rules: Vec<Rule> = validation
        .and_then(schema_rule)
        .into_iter()
        .chain(allowed.and_then(|a| list_rule(kind, a)))
        .collect();
    if rules.is_empty() {
        rules.extend(prop.and_then(|p| swagger_rule(kind, p)));
    }
    rules.retain(|r| fits(kind, r));
    rules
}

fn fits(kind: &Kind, rule: &Rule) -> bool {
    matches!(
        (kind, rule),
        (
            Kind::Number,
            Rule::Whole(..) | Rule::Decimal(..) | Rule::NumberList(_)
        ) | (Kind::Text, Rule::TextLength(..) | Rule::TextList(_))
            | (Kind::Date, Rule::Date(..))
    )
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn length(v: Option<&Value>) -> Option<u64> {
    number(v).filter(|x| *x >= 0.0).map(|x| x.floor() as u64)
}

fn schema_rule(v: &Value) -> Option<Rule> {
    let obj = v.as_object()?;
    let dynamic = obj
        .get("validation_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("dynamic"));
    if dynamic {
        return None;
    }
    let allow: String = ["validation_allow", "allow", "type"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let (min, max) = (obj.get("min"), obj.get("max"));
    let rule = match allow.as_str() {
        "wholenumber" | "whole" | "integer" => Rule::Whole(number(min), number(max)),
        "decimal" | "number" => Rule::Decimal(number(min), number(max)),
        "textlength" | "length" => Rule::TextLength(length(min), length(max)),
        "date" => Rule::Date(min.and_then(date), max.and_then(date)),
        _ => return None,
    };
    let unbounded = matches!(
        &rule,
        Rule::Whole(None, None)
            | Rule::Decimal(None, None)
            | Rule::TextLength(None, None)
            | Rule::Date(None, None)
    );
    // A whole-number rule without bounds still says "an integer"; the others say nothing.
    (!unbounded || matches!(rule, Rule::Whole(..))).then_some(rule)
}

fn swagger_rule(kind: &Kind, prop: &Value) -> Option<Rule> {
    match kind {
        Kind::Number => {
            let (min, max) = (number(prop.get("minimum")), number(prop.get("maximum")));
            // `integer` with `multipleOf: 1` is how a "Whole number" rule reads in JSON Schema.
            let whole = prop.get("type").and_then(Value::as_str) == Some("integer")
                && prop.get("multipleOf").and_then(Value::as_f64) == Some(1.0);
            if whole {
                Some(Rule::Whole(min, max))
            } else {
                (min.is_some() || max.is_some()).then_some(Rule::Decimal(min, max))
            }
        }
        Kind::Text => {
            let (min, max) = (length(prop.get("minLength")), length(prop.get("maxLength")));
            (min.is_some() || max.is_some()).then_some(Rule::TextLength(min, max))
        }
        _ => None,
    }
}

fn list_rule(kind: &Kind, allowed: &[Value]) -> Option<Rule> {
    match kind {
        Kind::Number => allowed
            .iter()
            .map(|v| number(Some(v)))
            .collect::<Option<Vec<f64>>>()
            .map(Rule::NumberList),
        Kind::Text => Some(Rule::TextList(
            allowed
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        )),
        _ => None,
    }
}

/// A date from a document: `YYYY-MM-DD` (optionally followed by a time), or an Excel serial
/// day number (1900 date system, as Excel stores dates).
pub fn date(v: &Value) -> Option<Ymd> {
    match v {
        Value::String(s) => parse_ymd(s),
        Value::Number(n) => n.as_f64().and_then(excel_serial),
        _ => None,
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn parse_ymd(s: &str) -> Option<Ymd> {
    let head = s.trim().get(..10)?;
    let rest = &s.trim()[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
        return None;
    }
    let mut parts = head.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
}

/// Excel's 1900 date system: day 1 is 1900-01-01 and day 60 the 1900-02-29 that never was,
/// so from day 61 on, day `n` is `n` days after 1899-12-30.
fn excel_serial(serial: f64) -> Option<Ymd> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let n = serial.floor() as i64;
    let days = if n < 60 { n - 1 } else { n - 2 }; // days after 1900-01-01
    // Civil-from-days (Howard Hinnant), from 1970-01-01.
    let z = days - 25_567 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    Some((y, m, d))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_rules_in_the_shapes_spark_sends() {
        let rule = |v: Value, kind: Kind| input_rules(&kind, Some(&v), None, None);
        assert_eq!(
            rule(
                json!({"validation_allow": "WholeNumber", "min": 1.0, "max": 40.0}),
                Kind::Number
            ),
            vec![Rule::Whole(Some(1.0), Some(40.0))]
        );
        assert_eq!(
            rule(
                json!({"validation_allow": "Decimal", "min": 0, "max": null}),
                Kind::Number
            ),
            vec![Rule::Decimal(Some(0.0), None)]
        );
        assert_eq!(
            rule(
                json!({"validation_allow": "Text Length", "max": "12"}),
                Kind::Text
            ),
            vec![Rule::TextLength(None, Some(12))]
        );
        assert_eq!(
            rule(
                json!({"validation_allow": "Date", "min": "2024-01-01", "max": 46022}),
                Kind::Date
            ),
            vec![Rule::Date(Some((2024, 1, 1)), Some((2025, 12, 31)))]
        );
        // Dynamic bounds are formulas over other inputs: not copied.
        assert!(
            rule(
                json!({"validation_allow": "Decimal", "validation_type": "dynamic", "min": 1}),
                Kind::Number
            )
            .is_empty()
        );
        // A rule that does not fit the type is dropped.
        assert!(
            rule(
                json!({"validation_allow": "Date", "min": "2024-01-01"}),
                Kind::Number
            )
            .is_empty()
        );
    }

    #[test]
    fn swagger_bounds_and_lists() {
        let prop = json!({"type": "number", "minimum": 1000.0, "maximum": 200000.0});
        assert_eq!(
            input_rules(&Kind::Number, None, Some(&prop), None),
            vec![Rule::Decimal(Some(1000.0), Some(200000.0))]
        );
        let prop = json!({"type": "integer", "multipleOf": 1, "maximum": 9});
        assert_eq!(
            input_rules(&Kind::Number, None, Some(&prop), None),
            vec![Rule::Whole(None, Some(9.0))]
        );
        let prop = json!({"type": "string", "maxLength": 3});
        assert_eq!(
            input_rules(&Kind::Text, None, Some(&prop), None),
            vec![Rule::TextLength(None, Some(3))]
        );
        let list = [json!(1), json!(2.5)];
        assert_eq!(
            input_rules(&Kind::Number, None, None, Some(&list)),
            vec![Rule::NumberList(vec![1.0, 2.5])]
        );
        assert_eq!(
            Rule::Whole(Some(1.0), Some(40.0)).describe(),
            "a whole number between 1 and 40"
        );
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_serial(1.0), Some((1900, 1, 1)));
        assert_eq!(excel_serial(59.0), Some((1900, 2, 28)));
        assert_eq!(excel_serial(61.0), Some((1900, 3, 1)));
        assert_eq!(excel_serial(45292.0), Some((2024, 1, 1)));
        assert_eq!(excel_serial(0.0), None);
        assert_eq!(parse_ymd("2024-02-30"), None);
        assert_eq!(parse_ymd("2024-02-29T00:00:00Z"), Some((2024, 2, 29)));
        assert_eq!(parse_ymd("2024-2-9"), None);
    }
}
