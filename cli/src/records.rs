//! Reading and writing record files for `cspark batch run`: CSV (numbers parsed as numbers),
//! JSON lines, and JSON arrays.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::args::RecordFormat;
use crate::error::{CliError, CliResult, io_err};
use crate::output::cell;

/// Records read from a file, with their columns in first-seen order.
#[derive(Debug, Default)]
pub struct Records {
    /// Column names (CSV header order, else first-seen order).
    pub columns: Vec<String>,
    /// The records.
    pub rows: Vec<Map<String, Value>>,
}

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

/// Reads every record of `path`.
pub fn read(path: &Path) -> CliResult<Records> {
    match format_of(path)? {
        RecordFormat::Csv => read_csv(path),
        RecordFormat::Jsonl => {
            let file = std::fs::File::open(path).map_err(io_err(path))?;
            let mut rows = Vec::new();
            for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(io_err(path))?;
                if line.trim().is_empty() {
                    continue;
                }
                rows.push(object(path, n + 1, serde_json::from_str(&line))?);
            }
            Ok(with_columns(rows))
        }
        RecordFormat::Json => {
            let text = std::fs::read_to_string(path).map_err(io_err(path))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
            let Value::Array(items) = value else {
                return Err(CliError::usage(format!(
                    "{}: expected a JSON array of objects",
                    path.display()
                )));
            };
            let rows = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| object(path, i + 1, Ok(v)))
                .collect::<CliResult<Vec<_>>>()?;
            Ok(with_columns(rows))
        }
    }
}

fn object(
    path: &Path,
    n: usize,
    value: Result<Value, serde_json::Error>,
) -> CliResult<Map<String, Value>> {
    match value {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::usage(format!(
            "{}: record {n} is not a JSON object",
            path.display()
        ))),
        Err(e) => Err(CliError::usage(format!("{}:{n}: {e}", path.display()))),
    }
}

fn with_columns(rows: Vec<Map<String, Value>>) -> Records {
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for k in row.keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    Records { columns, rows }
}

fn read_csv(path: &Path) -> CliResult<Records> {
    let bad = |e: csv::Error| CliError::usage(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let row = columns
            .iter()
            .zip(record.iter())
            .map(|(k, v)| (k.clone(), parse_cell(v)))
            .collect();
        rows.push(row);
    }
    Ok(Records { columns, rows })
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

/// Writes `rows` (each a full object) to `path` as CSV (with `columns`) or JSON lines.
pub fn write(path: &Path, columns: &[String], rows: &[Map<String, Value>]) -> CliResult {
    match format_of(path)? {
        RecordFormat::Csv => {
            let fail = |e: csv::Error| CliError::failed(format!("{}: {e}", path.display()));
            let mut writer = csv::Writer::from_path(path).map_err(fail)?;
            writer.write_record(columns).map_err(fail)?;
            for row in rows {
                let cells = columns
                    .iter()
                    .map(|c| row.get(c).map(cell).unwrap_or_default());
                writer.write_record(cells).map_err(fail)?;
            }
            writer
                .flush()
                .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
        }
        RecordFormat::Jsonl | RecordFormat::Json => write_jsonl(path, rows),
    }
}

/// Writes `rows` as JSON lines.
pub fn write_jsonl(path: &Path, rows: &[Map<String, Value>]) -> CliResult {
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut out = BufWriter::new(file);
    for row in rows {
        let line = serde_json::to_string(row).map_err(|e| CliError::failed(e.to_string()))?;
        writeln!(out, "{line}").map_err(io_err(path))?;
    }
    out.flush().map_err(io_err(path))
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
