//! Writing results as they come: the output file (CSV or JSON lines) and the failed-records
//! file (JSON lines), one record at a time.
//!
//! Both are written to a temporary file next to their path ([`PendingFile`]) and renamed
//! over it only by `finish`, once the run is complete: a run that fails or is interrupted
//! leaves whatever was at those paths before untouched.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Row, format_of};
use crate::args::RecordFormat;
use crate::error::{CliError, CliResult, io_err};
use crate::files::PendingFile;
use crate::output::cell;

/// The output file: each record's inputs followed by its outputs.
///
/// A CSV header has to be written before the first row, so it is fixed at the first
/// succeeded record: the input columns seen so far, then that record's output columns. A
/// later record with a column outside it loses that column in the CSV (named by
/// [`finish`](Self::finish)); JSON lines keep every key.
#[derive(Debug)]
pub struct OutputWriter {
    path: PathBuf,
    sink: Sink,
    /// Input columns in first-seen order, until the header is fixed.
    inputs: Vec<String>,
    header: Option<(Vec<String>, HashSet<String>)>,
    dropped: BTreeSet<String>,
}

enum Sink {
    Csv(Box<csv::Writer<PendingFile>>),
    Jsonl(BufWriter<PendingFile>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Csv(_) => "Csv",
            Self::Jsonl(_) => "Jsonl",
        })
    }
}

impl OutputWriter {
    /// Starts writing `path` (in a temporary file until [`finish`](Self::finish));
    /// `columns` are the input columns known up front.
    pub fn create(path: &Path, columns: Vec<String>) -> CliResult<Self> {
        let sink = match format_of(path)? {
            RecordFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(create(path)?))),
            RecordFormat::Jsonl | RecordFormat::Json => Sink::Jsonl(BufWriter::new(create(path)?)),
        };
        Ok(Self {
            path: path.to_path_buf(),
            sink,
            inputs: columns,
            header: None,
            dropped: BTreeSet::new(),
        })
    }

    /// Notes the input columns of a record that is not written here (a failed one), so the
    /// CSV header still names them.
    pub fn see_inputs(&mut self, row: &Row) {
        if self.header.is_none() {
            add_columns(&mut self.inputs, row);
        }
    }

    /// Writes one succeeded record.
    pub fn write(&mut self, mut row: Row, outputs: Map<String, Value>) -> CliResult {
        self.see_inputs(&row);
        let output_keys: Vec<String> = outputs.keys().cloned().collect();
        row.extend(outputs);
        let fail = self.fail();
        match &mut self.sink {
            Sink::Jsonl(out) => {
                let line =
                    serde_json::to_string(&row).map_err(|e| CliError::failed(e.to_string()))?;
                writeln!(out, "{line}").map_err(io_err(&self.path))
            }
            Sink::Csv(out) => {
                if self.header.is_none() {
                    let mut columns = std::mem::take(&mut self.inputs);
                    for k in output_keys {
                        if !columns.contains(&k) {
                            columns.push(k);
                        }
                    }
                    out.write_record(&columns).map_err(&fail)?;
                    let set = columns.iter().cloned().collect();
                    self.header = Some((columns, set));
                }
                let Some((columns, set)) = &self.header else {
                    return Ok(());
                };
                for k in row.keys() {
                    if !set.contains(k) && !self.dropped.contains(k) {
                        self.dropped.insert(k.clone());
                    }
                }
                let cells = columns
                    .iter()
                    .map(|c| row.get(c).map(cell).unwrap_or_default());
                out.write_record(cells).map_err(fail)
            }
        }
    }

    /// Pushes what is buffered to the file (called whenever the run waits for results, so
    /// the file shows progress).
    pub fn flush(&mut self) -> CliResult {
        match &mut self.sink {
            Sink::Csv(out) => out.flush(),
            Sink::Jsonl(out) => out.flush(),
        }
        .map_err(io_err(&self.path))
    }

    /// Writes the header if no record succeeded, puts the file in place, and returns the
    /// columns left out of a CSV file because they appeared after its header.
    pub fn finish(mut self) -> CliResult<Vec<String>> {
        if let (Sink::Csv(out), None) = (&mut self.sink, &self.header) {
            let fail = |e: csv::Error| CliError::failed(format!("{}: {e}", self.path.display()));
            out.write_record(&self.inputs).map_err(fail)?;
        }
        let failed = |e: String| CliError::failed(format!("{}: {e}", self.path.display()));
        let pending = match self.sink {
            Sink::Csv(out) => out
                .into_inner()
                .map_err(|e| failed(e.error().to_string()))?,
            Sink::Jsonl(out) => out
                .into_inner()
                .map_err(|e| failed(e.error().to_string()))?,
        };
        pending.commit()?;
        Ok(self.dropped.into_iter().collect())
    }

    fn fail(&self) -> impl Fn(csv::Error) -> CliError + use<> {
        let path = self.path.display().to_string();
        move |e| CliError::failed(format!("{path}: {e}"))
    }
}

fn add_columns(columns: &mut Vec<String>, row: &Row) {
    for k in row.keys() {
        if !columns.contains(k) {
            columns.push(k.clone());
        }
    }
}

fn create(path: &Path) -> CliResult<PendingFile> {
    PendingFile::create(path)
}

/// The failed-records file (`--failed`): one JSON line per record with its index, inputs and
/// errors. Without a path, failures are only counted.
#[derive(Debug)]
pub struct FailedWriter {
    file: Option<(PathBuf, BufWriter<PendingFile>)>,
}

impl FailedWriter {
    /// Starts writing `path`, if any (in a temporary file until [`finish`](Self::finish)).
    pub fn create(path: Option<&Path>) -> CliResult<Self> {
        let file = match path {
            Some(p) => Some((p.to_path_buf(), BufWriter::new(create(p)?))),
            None => None,
        };
        Ok(Self { file })
    }

    /// Records one failed record.
    pub fn write(&mut self, index: usize, inputs: Row, errors: Vec<Value>) -> CliResult {
        let Some((path, out)) = &mut self.file else {
            return Ok(());
        };
        let line = json!({"index": index, "inputs": inputs, "errors": errors});
        writeln!(out, "{line}").map_err(io_err(path))
    }

    /// Pushes what is buffered to the file.
    pub fn flush(&mut self) -> CliResult {
        match &mut self.file {
            Some((path, out)) => out.flush().map_err(io_err(path)),
            None => Ok(()),
        }
    }

    /// Puts the file in place.
    pub fn finish(self) -> CliResult {
        let Some((path, out)) = self.file else {
            return Ok(());
        };
        out.into_inner()
            .map_err(|e| CliError::failed(format!("{}: {}", path.display(), e.error())))?
            .commit()
    }
}
