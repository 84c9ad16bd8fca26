//! The one place that writes results to stdout: tables for people, JSON for machines.

use std::io::Write;

use serde_json::Value;

/// Prints command results.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    json: bool,
}

impl Printer {
    /// A printer; `json` selects machine output.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether machine output was asked for.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints any serializable answer (typed or raw) like [`value`](Self::value).
    pub fn serialized<T: serde::Serialize + ?Sized>(&self, answer: &T) -> crate::error::CliResult {
        let value = serde_json::to_value(answer)
            .map_err(|e| crate::error::CliError::failed(format!("cannot print the answer: {e}")))?;
        self.value(&value);
        Ok(())
    }

    /// Writes `text` and a newline; a closed pipe is not an error.
    pub fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Hands stdout to `write` (for generated text such as completion scripts).
    pub fn raw(&self, write: impl FnOnce(&mut dyn Write)) {
        let mut out = std::io::stdout().lock();
        write(&mut out);
        let _ = out.flush();
    }

    /// Prints a value: pretty JSON with `--json`, else a table when it is tabular.
    pub fn value(&self, value: &Value) {
        if self.json {
            self.line(&serde_json::to_string_pretty(value).unwrap_or_default());
            return;
        }
        match value {
            Value::Array(rows) if !rows.is_empty() && rows.iter().all(Value::is_object) => {
                let mut headers: Vec<String> = Vec::new();
                for row in rows.iter().filter_map(Value::as_object) {
                    for k in row.keys() {
                        if !headers.contains(k) {
                            headers.push(k.clone());
                        }
                    }
                }
                let cells = rows
                    .iter()
                    .map(|r| headers.iter().map(|h| cell(&r[h.as_str()])).collect())
                    .collect::<Vec<Vec<String>>>();
                self.table(&headers, &cells);
            }
            Value::Object(map) if map.values().all(is_scalar) => {
                let cells: Vec<Vec<String>> =
                    map.iter().map(|(k, v)| vec![k.clone(), cell(v)]).collect();
                self.table(&["KEY".into(), "VALUE".into()], &cells);
            }
            Value::String(s) => self.line(s),
            other => self.line(&serde_json::to_string_pretty(other).unwrap_or_default()),
        }
    }

    /// Prints an aligned table with a header row.
    pub fn table(&self, headers: &[String], rows: &[Vec<String>]) {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, c) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let render = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        self.line(&render(headers));
        for row in rows {
            self.line(&render(row));
        }
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// A value as a table cell: strings bare, everything else as compact JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
