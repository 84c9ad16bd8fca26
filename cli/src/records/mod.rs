//! Record files for `cspark batch run`: CSV (numbers parsed as numbers), JSON lines and JSON
//! arrays, read and written one record at a time so a file of any size runs in bounded memory.

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

/// A CSV cell as JSON: integers and finite decimals become numbers, the rest stays text.
pub fn parse_cell(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::Number(i.into());
    }
    if t.chars().any(|c| c.is_ascii_digit())
        && let Some(n) = t.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_numbers_when_they_look_like_numbers() {
        assert_eq!(parse_cell("3"), Value::from(3));
        assert_eq!(parse_cell("2.5"), Value::from(2.5));
        assert_eq!(parse_cell("abc"), Value::from("abc"));
        assert_eq!(parse_cell("inf"), Value::from("inf"));
        assert_eq!(parse_cell(""), Value::from(""));
    }
}
