//! Record files for `cspark batch run`: CSV (numbers parsed as numbers when nothing is
//! lost), JSON lines and JSON arrays, read and written one record at a time so a file of any
//! size runs in bounded memory.

pub mod reader;
pub mod writer;

use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::args::RecordFormat;
use crate::error::{CliError, CliResult};

/// One record: column name → value.
pub type Row = Map<String, Value>;

/// The format of `path` from its extension.
pub fn format_of(path: &Path) -> CliResult<RecordFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(RecordFormat::Csv),
        Some("jsonl" | "ndjson") => Ok(RecordFormat::Jsonl),
        Some("json") => Ok(RecordFormat::Json),
        _ => Err(CliError::usage(format!(
            "{}: unknown format (expected .csv, .jsonl or .json)",
            path.display()
        ))),
    }
}

/// Most significant digits a number keeps through Spark (Excel's doubles show 15).
const MAX_SIGNIFICANT_DIGITS: usize = 15;

/// A CSV cell as JSON. With `number_declared` (the service's schema says the input is a
/// number) anything that reads as a finite number becomes one. Otherwise only numbers that
/// lose nothing do: `00123` (a leading zero), `+44…` (a sign), or more than 15 significant
/// digits (a 20-digit id) stay text, as do words and non-finite values.
pub fn parse_cell(text: &str, number_declared: bool) -> Value {
    let t = text.trim();
    if number_declared || is_plain_number(t) {
        if let Ok(i) = t.parse::<i64>() {
            return Value::Number(i.into());
        }
        if t.chars().any(|c| c.is_ascii_digit())
            && let Some(n) = t.parse::<f64>().ok().and_then(Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

/// `-?digits[.digits][e[+-]digits]` with no leading zero in the integer part (bar `0`
/// itself) and at most [`MAX_SIGNIFICANT_DIGITS`] significant digits.
fn is_plain_number(t: &str) -> bool {
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if int_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || (mantissa.contains('.') && frac_part.is_empty())
        || !exponent_ok
        || (int_part.len() > 1 && int_part.starts_with('0'))
    {
        return false;
    }
    let digits = format!("{int_part}{}", frac_part.trim_end_matches('0'));
    digits.trim_start_matches('0').len() <= MAX_SIGNIFICANT_DIGITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_numbers_when_they_look_like_numbers() {
        for declared in [false, true] {
            assert_eq!(parse_cell("3", declared), Value::from(3));
            assert_eq!(parse_cell("-3", declared), Value::from(-3));
            assert_eq!(parse_cell("0", declared), Value::from(0));
            assert_eq!(parse_cell("2.5", declared), Value::from(2.5));
            assert_eq!(parse_cell("0.25", declared), Value::from(0.25));
            assert_eq!(parse_cell("1.5e3", declared), Value::from(1500.0));
            assert_eq!(parse_cell("abc", declared), Value::from("abc"));
            assert_eq!(parse_cell("inf", declared), Value::from("inf"));
            assert_eq!(parse_cell("1e400", declared), Value::from("1e400"));
            assert_eq!(parse_cell("", declared), Value::from(""));
        }
    }

    #[test]
    fn numbers_that_would_lose_information_stay_text_unless_declared() {
        let id = "12345678901234567890";
        for lossy in [
            "00123",
            "-007",
            "+44123",
            id,
            "1234567890123456",
            "0.1234567890123456",
        ] {
            assert_eq!(parse_cell(lossy, false), Value::from(lossy), "{lossy}");
        }
        // 15 significant digits are kept exactly by a double.
        assert_eq!(
            parse_cell("123456789012345", false),
            Value::from(123_456_789_012_345_i64)
        );
        assert_eq!(parse_cell("1.50", false), Value::from(1.5));
        assert_eq!(
            parse_cell("100000000000000000000", false),
            Value::from("100000000000000000000")
        );
        // The schema says number: the service wants a number.
        assert_eq!(parse_cell("00123", true), Value::from(123));
        assert!(parse_cell(id, true).is_number());
    }
}
