//! Conversions between JSON values and cell contents: Excel date serials, number formats,
//! data-type inference and input coercion.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use ironcalc::base::cell::CellValue;
use serde_json::Value;

use super::DataType;

/// What to put into one cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellWrite {
    /// A number (dates are written as serials).
    Number(f64),
    /// Text, written as text even if it looks like a number or a formula.
    Text(String),
    /// TRUE / FALSE.
    Bool(bool),
    /// An empty cell.
    Clear,
}

/// Day zero of the Excel 1900 date system for serials after the fictitious 1900-02-29.
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Whether an Excel number format shows a date (day, month or year tokens). Time-only
/// formats (`h:mm`, `mm:ss`) are not dates: such cells stay numbers (fractions of a day).
pub(crate) fn is_date_format(format: &str) -> bool {
    if !ironcalc::base::formatter::lexer::is_likely_date_number_format(format) {
        return false;
    }
    let letters = format_letters(format);
    let has = |c: char| letters.contains(c);
    has('y') || has('d') || (has('m') && !has('h') && !has('s'))
}

/// The lower-cased letters of a format outside quotes, escapes and `[...]` sections.
fn format_letters(format: &str) -> String {
    let mut out = String::new();
    let mut in_quotes = false;
    let mut in_brackets = false;
    let mut escaped = false;
    for c in format.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if !in_quotes => escaped = true,
            '[' if !in_quotes => in_brackets = true,
            ']' if !in_quotes => in_brackets = false,
            c if !in_quotes && !in_brackets && c.is_ascii_alphabetic() => {
                out.push(c.to_ascii_lowercase())
            }
            _ => {}
        }
    }
    out
}

/// Whether an Excel number format also shows a time of day.
fn has_time(format: &str) -> bool {
    let letters = format_letters(format);
    letters.contains('h') || letters.contains('s')
}

/// Excel serial → `YYYY-MM-DD` (or `YYYY-MM-DDThh:mm:ss` when the format shows a time
/// and the serial has one). `None` for serials outside Excel's date range.
pub(crate) fn serial_to_date_string(serial: f64, format: &str) -> Option<String> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor();
    let date = if days < 61.0 {
        // Excel counts the non-existent 1900-02-29 as day 60.
        NaiveDate::from_ymd_opt(1899, 12, 31)? + Duration::days(days as i64)
    } else {
        excel_epoch() + Duration::days(days as i64)
    };
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    if seconds > 0 && has_time(format) {
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(86_399) as u32, 0)?;
        Some(format!(
            "{}T{}",
            date.format("%Y-%m-%d"),
            time.format("%H:%M:%S")
        ))
    } else {
        Some(date.format("%Y-%m-%d").to_string())
    }
}

/// `YYYY-MM-DD`, `YYYY-MM-DD hh:mm[:ss]`, `YYYY-MM-DDThh:mm:ss[.sss][Z]` (also `/` separators)
/// → Excel serial.
pub(crate) fn date_string_to_serial(text: &str) -> Option<f64> {
    let text = text.trim().trim_end_matches('Z');
    let (date_part, time_part) = match text.find(['T', ' ']) {
        Some(pos) => (&text[..pos], Some(text[pos + 1..].trim())),
        None => (text, None),
    };
    let date_part = date_part.replace('/', "-");
    let date = NaiveDate::parse_from_str(&date_part, "%Y-%m-%d").ok()?;
    let mut serial = date_to_serial(date)?;
    if let Some(time) = time_part.filter(|t| !t.is_empty()) {
        let time = time.split(['+']).next().unwrap_or(time);
        let parsed = NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
            .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
            .ok()?;
        let dt = NaiveDateTime::new(date, parsed);
        let secs = (dt - NaiveDateTime::new(date, NaiveTime::MIN)).num_milliseconds() as f64;
        serial += secs / 86_400_000.0;
    }
    Some(serial)
}

fn date_to_serial(date: NaiveDate) -> Option<f64> {
    let days = (date - excel_epoch()).num_days();
    let serial = if days <= 60 { days - 1 } else { days };
    (serial >= 1).then_some(serial as f64)
}

/// The Excel error a caller sees for an error string of the engine. IronCalc has three
/// errors Excel does not: `#N/IMPL!` (a function, or a form of its arguments, it does not
/// implement) and `#CIRC!` (a circular reference) become `#CALC!`, Excel's "the calculation
/// engine does not support this"; `#ERROR!` (a formula it could not parse) becomes `#VALUE!`.
/// Excel's own errors are returned unchanged; anything else is `None` (not an error).
pub(crate) fn excel_error(text: &str) -> Option<&'static str> {
    Some(match text {
        "#N/IMPL!" | "#CIRC!" => "#CALC!",
        "#ERROR!" => "#VALUE!",
        "#NULL!" => "#NULL!",
        "#DIV/0!" => "#DIV/0!",
        "#VALUE!" => "#VALUE!",
        "#REF!" => "#REF!",
        "#NAME?" => "#NAME?",
        "#NUM!" => "#NUM!",
        "#N/A" => "#N/A",
        "#SPILL!" => "#SPILL!",
        "#CALC!" => "#CALC!",
        _ => return None,
    })
}

/// A cell's number as JSON: integral values as integers (`42`, not `42.0`).
pub(crate) fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// A cell value as JSON, dates as strings when the cell has a date format. Numbers are
/// rounded to Excel's 15 significant digits (`1.5*1.2` gives `1.8`, as Excel shows it).
pub(crate) fn cell_json(value: &CellValue, date_format: Option<&str>) -> Value {
    match value {
        CellValue::None => Value::Null,
        // The engine's own error strings become Excel's (errors.rs).
        CellValue::String(s) => match excel_error(s) {
            Some(excel) => Value::String(excel.to_string()),
            None => Value::String(s.clone()),
        },
        CellValue::Boolean(b) => Value::Bool(*b),
        CellValue::Number(n) => match date_format.and_then(|f| serial_to_date_string(*n, f)) {
            Some(date) => Value::String(date),
            None if n.fract() == 0.0 => number_json(*n),
            None => number_json(ironcalc::base::number_format::to_excel_precision(*n, 15)),
        },
    }
}

/// The Spark data type of a cell, from its value and number format.
pub(crate) fn infer_type(value: &CellValue, format: &str) -> DataType {
    match value {
        CellValue::Boolean(_) => DataType::Boolean,
        CellValue::Number(_) if is_date_format(format) => DataType::Date,
        CellValue::Number(_) => DataType::Number,
        CellValue::String(_) => DataType::Text,
        CellValue::None if is_date_format(format) => DataType::Date,
        CellValue::None if format == "@" => DataType::Text,
        // A blank cell accepts anything: TEXT is the permissive choice.
        CellValue::None => DataType::Text,
    }
}

/// Contents of a cell as it stands in the template, to restore defaults.
pub(crate) fn cell_write_of(value: &CellValue) -> CellWrite {
    match value {
        CellValue::None => CellWrite::Clear,
        CellValue::String(s) => CellWrite::Text(s.clone()),
        CellValue::Number(n) => CellWrite::Number(*n),
        CellValue::Boolean(b) => CellWrite::Bool(*b),
    }
}

/// Why a JSON value cannot go into a cell of the given type.
fn type_error(value: &Value, data_type: DataType) -> String {
    let expected = match data_type {
        DataType::Number => "a number",
        DataType::Text => "text",
        DataType::Boolean => "a boolean (true/false)",
        DataType::Date => "a date (YYYY-MM-DD)",
    };
    format!("value {value} is not {expected}")
}

/// Coerces a JSON value for a cell of `data_type`, as Spark would: numeric strings for NUMBER,
/// `"true"`/`"false"` for BOOLEAN, date strings (or serials) for DATE; anything scalar for TEXT.
/// Returns the cell contents and the value as echoed back in `inputs`.
pub(crate) fn coerce(value: &Value, data_type: DataType) -> Result<(CellWrite, Value), String> {
    if value.is_null() {
        return Ok((CellWrite::Clear, Value::Null));
    }
    match (data_type, value) {
        (_, Value::Array(_) | Value::Object(_)) => Err(type_error(value, data_type)),
        (DataType::Number, Value::Number(n)) => match n.as_f64() {
            Some(f) => Ok((CellWrite::Number(f), value.clone())),
            None => Err(type_error(value, data_type)),
        },
        (DataType::Number, Value::String(s)) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                return Ok((CellWrite::Clear, Value::Null));
            }
            match trimmed.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok((CellWrite::Number(f), number_json(f))),
                _ => Err(type_error(value, data_type)),
            }
        }
        (DataType::Boolean, Value::Bool(b)) => Ok((CellWrite::Bool(*b), value.clone())),
        (DataType::Boolean, Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok((CellWrite::Bool(true), Value::Bool(true))),
            "false" => Ok((CellWrite::Bool(false), Value::Bool(false))),
            "" => Ok((CellWrite::Clear, Value::Null)),
            _ => Err(type_error(value, data_type)),
        },
        (DataType::Date, Value::String(s)) => {
            if s.trim().is_empty() {
                return Ok((CellWrite::Clear, Value::Null));
            }
            match date_string_to_serial(s) {
                Some(serial) => Ok((CellWrite::Number(serial), Value::String(s.trim().into()))),
                None => Err(type_error(value, data_type)),
            }
        }
        (DataType::Date, Value::Number(n)) => match n.as_f64() {
            Some(f) if f >= 1.0 => {
                let echo =
                    serial_to_date_string(f, "yyyy-mm-dd").map_or(Value::Null, Value::String);
                Ok((CellWrite::Number(f), echo))
            }
            _ => Err(type_error(value, data_type)),
        },
        (DataType::Text, Value::String(s)) => Ok((CellWrite::Text(s.clone()), value.clone())),
        (DataType::Text, Value::Number(n)) => match n.as_f64() {
            Some(f) => Ok((CellWrite::Number(f), value.clone())),
            None => Err(type_error(value, data_type)),
        },
        (DataType::Text, Value::Bool(b)) => Ok((CellWrite::Bool(*b), value.clone())),
        _ => Err(type_error(value, data_type)),
    }
}

/// The value of a cell as a JSON value for comparisons with validation lists.
pub(crate) fn write_json(write: &CellWrite) -> Value {
    match write {
        CellWrite::Number(n) => number_json(*n),
        CellWrite::Text(s) => Value::String(s.clone()),
        CellWrite::Bool(b) => Value::Bool(*b),
        CellWrite::Clear => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(date_string_to_serial("2024-01-01"), Some(45292.0));
        assert_eq!(date_string_to_serial("1900-01-01"), Some(1.0));
        assert_eq!(date_string_to_serial("1900-03-01"), Some(61.0));
        assert_eq!(
            serial_to_date_string(45292.0, "yyyy-mm-dd").as_deref(),
            Some("2024-01-01")
        );
        assert_eq!(
            serial_to_date_string(1.0, "yyyy-mm-dd").as_deref(),
            Some("1900-01-01")
        );
        assert_eq!(
            serial_to_date_string(61.0, "yyyy-mm-dd").as_deref(),
            Some("1900-03-01")
        );
        assert_eq!(
            serial_to_date_string(45292.5, "yyyy-mm-dd hh:mm").as_deref(),
            Some("2024-01-01T12:00:00")
        );
        assert_eq!(
            date_string_to_serial("2024-01-01T12:00:00.000Z"),
            Some(45292.5)
        );
        assert_eq!(date_string_to_serial("01/02/2024"), None);
        assert!(is_date_format("yyyy-mm-dd"));
        assert!(is_date_format("mm-dd-yy"));
        assert!(!is_date_format("0.00"));
        assert!(!is_date_format("General"));
        assert!(!is_date_format("h:mm"));
        assert!(!is_date_format("[h]:mm:ss"));
        assert!(is_date_format("yyyy-mm-dd hh:mm"));
        assert!(is_date_format("d-mmm"));
        assert!(is_date_format("mmm-yy"));
        assert!(!is_date_format("0.00\\d"));
    }

    #[test]
    fn coercion() {
        let n = coerce(&Value::from("12.5"), DataType::Number).map(|r| r.0);
        assert_eq!(n, Ok(CellWrite::Number(12.5)));
        assert!(coerce(&Value::from("abc"), DataType::Number).is_err());
        assert!(coerce(&Value::from(true), DataType::Number).is_err());
        let b = coerce(&Value::from("TRUE"), DataType::Boolean).map(|r| r.0);
        assert_eq!(b, Ok(CellWrite::Bool(true)));
        assert_eq!(number_json(42.0), Value::from(42));
    }
}
