//! The workbook's Excel data-validation rules, checked before a typed call is sent.
//!
//! Generated `Inputs::validate` methods feed every input that carries a rule through an
//! [`InputChecks`] and end with [`InputChecks::finish`]; a rule is only built into a value
//! when it is broken, so a valid record costs a few comparisons and no allocation.

use std::fmt;

use chrono::NaiveDate;

/// One Excel data-validation rule of an input (Spark's supported criteria: whole number,
/// decimal, date and text-length bounds, and lists).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InputRule {
    /// Excel "Whole number": an integer within the bounds.
    WholeNumber {
        /// Lowest allowed value, if bounded below.
        min: Option<f64>,
        /// Highest allowed value, if bounded above.
        max: Option<f64>,
    },
    /// Excel "Decimal": a number within the bounds.
    Decimal {
        /// Lowest allowed value, if bounded below.
        min: Option<f64>,
        /// Highest allowed value, if bounded above.
        max: Option<f64>,
    },
    /// Excel "Text length": the number of characters within the bounds.
    TextLength {
        /// Fewest characters allowed.
        min: Option<u64>,
        /// Most characters allowed.
        max: Option<u64>,
    },
    /// Excel "Date": a date within the bounds.
    DateRange {
        /// Earliest allowed date.
        min: Option<NaiveDate>,
        /// Latest allowed date.
        max: Option<NaiveDate>,
    },
    /// Excel "List" whose values are not all text (text lists are Rust enums already).
    OneOf(Vec<String>),
}

fn bounds<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    min: &Option<T>,
    max: &Option<T>,
) -> fmt::Result {
    match (min, max) {
        (Some(a), Some(b)) => write!(f, " between {a} and {b}"),
        (Some(a), None) => write!(f, " of at least {a}"),
        (None, Some(b)) => write!(f, " of at most {b}"),
        (None, None) => Ok(()),
    }
}

impl fmt::Display for InputRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WholeNumber { min, max } => {
                f.write_str("a whole number")?;
                bounds(f, min, max)
            }
            Self::Decimal { min, max } => {
                f.write_str("a number")?;
                bounds(f, min, max)
            }
            Self::TextLength { min, max } => {
                f.write_str("a text with a length")?;
                bounds(f, min, max)
            }
            Self::DateRange { min, max } => {
                f.write_str("a date")?;
                bounds(f, min, max)
            }
            Self::OneOf(values) => write!(f, "one of {}", values.join(", ")),
        }
    }
}

/// One input whose value breaks its rule.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RuleViolation {
    /// The input's Spark (wire) name.
    pub field: String,
    /// The value given, as text.
    pub value: String,
    /// The rule it breaks.
    pub rule: InputRule,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input {:?} = {} must be {}",
            self.field, self.value, self.rule
        )
    }
}

/// Every broken rule of one `Inputs` record, in field order. Returned by the generated
/// `Inputs::validate` and carried by [`SparkError::InputRules`](crate::SparkError::InputRules).
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidInputs {
    violations: Vec<RuleViolation>,
}

impl InvalidInputs {
    /// The broken rules (never empty).
    pub fn violations(&self) -> &[RuleViolation] {
        &self.violations
    }
}

impl fmt::Display for InvalidInputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidInputs {}

/// Collects rule violations while a generated `Inputs::validate` walks its fields.
#[derive(Debug, Default)]
pub struct InputChecks {
    violations: Vec<RuleViolation>,
}

fn within<T: PartialOrd>(value: &T, min: &Option<T>, max: &Option<T>) -> bool {
    min.as_ref().is_none_or(|m| value >= m) && max.as_ref().is_none_or(|m| value <= m)
}

impl InputChecks {
    /// No violation yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn broken(&mut self, field: &str, value: String, rule: InputRule) {
        self.violations.push(RuleViolation {
            field: field.to_owned(),
            value,
            rule,
        });
    }

    /// Excel "Whole number" between `min` and `max`.
    pub fn whole_number(&mut self, field: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        if !(value.is_finite() && value.fract() == 0.0 && within(&value, &min, &max)) {
            self.broken(
                field,
                value.to_string(),
                InputRule::WholeNumber { min, max },
            );
        }
    }

    /// Excel "Decimal" between `min` and `max`.
    pub fn decimal(&mut self, field: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        if !(value.is_finite() && within(&value, &min, &max)) {
            self.broken(field, value.to_string(), InputRule::Decimal { min, max });
        }
    }

    /// Excel "Text length" between `min` and `max` characters. An empty text is a blank
    /// cell, which Excel's "ignore blank" (Spark's default) lets through.
    pub fn text_length(&mut self, field: &str, value: &str, min: Option<u64>, max: Option<u64>) {
        let length = value.chars().count() as u64;
        if length > 0 && !within(&length, &min, &max) {
            self.broken(
                field,
                format!("{value:?}"),
                InputRule::TextLength { min, max },
            );
        }
    }

    /// Excel "Date" between `min` and `max`.
    pub fn date_range(
        &mut self,
        field: &str,
        value: NaiveDate,
        min: Option<NaiveDate>,
        max: Option<NaiveDate>,
    ) {
        if !within(&value, &min, &max) {
            self.broken(field, value.to_string(), InputRule::DateRange { min, max });
        }
    }

    /// Excel "List" of numbers.
    pub fn one_of_numbers(&mut self, field: &str, value: f64, allowed: &[f64]) {
        if !allowed.contains(&value) {
            let allowed = allowed.iter().map(f64::to_string).collect();
            self.broken(field, value.to_string(), InputRule::OneOf(allowed));
        }
    }

    /// Excel "List" whose values are given as text (a mixed list on a text input).
    pub fn one_of_texts(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !value.is_empty() && !allowed.contains(&value) {
            let allowed = allowed.iter().map(|a| format!("{a:?}")).collect();
            self.broken(field, format!("{value:?}"), InputRule::OneOf(allowed));
        }
    }

    /// `Ok` when no rule was broken.
    pub fn finish(self) -> Result<(), InvalidInputs> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(InvalidInputs {
                violations: self.violations,
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_accepts_its_range_and_names_what_it_refuses() {
        let mut c = InputChecks::new();
        c.whole_number("Years", 30.0, Some(1.0), Some(40.0));
        c.decimal("Rate", 0.0, Some(0.0), None);
        c.text_length("Name", "", Some(2), Some(5));
        c.date_range(
            "Start",
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            None,
            None,
        );
        c.one_of_numbers("Count", 2.0, &[1.0, 2.0]);
        assert_eq!(c.finish(), Ok(()));

        let mut c = InputChecks::new();
        c.whole_number("Years", 30.5, Some(1.0), Some(40.0));
        c.whole_number("Years", 41.0, Some(1.0), Some(40.0));
        c.decimal("Rate", f64::NAN, None, None);
        c.text_length("Name", "Bartholomew", None, Some(5));
        c.date_range(
            "Start",
            NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(2020, 1, 1),
            None,
        );
        c.one_of_numbers("Count", 4.0, &[1.0, 2.0]);
        c.one_of_texts("Code", "z", &["1", "a"]);
        let err = c.finish().unwrap_err();
        assert_eq!(err.violations().len(), 7);
        let text = err.to_string();
        for part in [
            "input \"Years\" = 30.5 must be a whole number between 1 and 40",
            "input \"Years\" = 41 must be",
            "input \"Rate\" = NaN must be a number",
            "input \"Name\" = \"Bartholomew\" must be a text with a length of at most 5",
            "input \"Start\" = 2019-12-31 must be a date of at least 2020-01-01",
            "input \"Count\" = 4 must be one of 1, 2",
            "input \"Code\" = \"z\" must be one of \"1\", \"a\"",
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
    }
}
