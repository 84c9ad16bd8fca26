//! Reading a record file on a thread of its own, one record at a time, into a bounded
//! channel: the file is never held in memory, and a slow source (a pipe, a FIFO) blocks only
//! that thread, never the runtime.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer as _, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc;

use super::{Row, format_of, parse_cell};
use crate::args::RecordFormat;
use crate::error::{CliError, CliResult, io_err};

/// Records of a file, arriving in file order.
#[derive(Debug)]
pub struct RecordReader {
    /// Columns known before the first record: the CSV header (empty for JSON files).
    pub columns: Vec<String>,
    /// The records; a malformed one arrives as an error and ends the stream.
    pub rx: mpsc::Receiver<CliResult<Row>>,
}

/// Opens `path` (the CSV header is read here, so a missing or empty file fails at once) and
/// starts a thread that sends its records, at most `capacity` ahead of the consumer.
/// `number_columns` (lower case) are the CSV columns the service declares as numbers
/// (see [`parse_cell`]).
pub fn open(
    path: &Path,
    capacity: usize,
    number_columns: HashSet<String>,
) -> CliResult<RecordReader> {
    let format = format_of(path)?;
    let file = File::open(path).map_err(io_err(path))?;
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let path = path.to_path_buf();
    let mut columns = Vec::new();
    let job: Box<dyn FnOnce() + Send> = match format {
        RecordFormat::Csv => {
            let mut csv = csv::Reader::from_reader(file);
            columns = csv
                .headers()
                .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?
                .iter()
                .map(str::to_owned)
                .collect();
            let header: Vec<(String, bool)> = columns
                .iter()
                .map(|c| (c.clone(), number_columns.contains(&c.to_lowercase())))
                .collect();
            Box::new(move || send_csv(csv, &header, &path, &tx))
        }
        RecordFormat::Jsonl => Box::new(move || send_jsonl(file, &path, &tx)),
        RecordFormat::Json => Box::new(move || send_json_array(file, &path, &tx)),
    };
    std::thread::Builder::new()
        .name("cspark-records".into())
        .spawn(job)
        .map_err(|e| CliError::failed(format!("cannot start the reader thread: {e}")))?;
    Ok(RecordReader { columns, rx })
}

/// Sends `row`; false when the reading should stop (the row was an error, or nobody listens).
fn send(tx: &mpsc::Sender<CliResult<Row>>, row: CliResult<Row>) -> bool {
    let ok = row.is_ok();
    tx.blocking_send(row).is_ok() && ok
}

fn send_csv(
    mut csv: csv::Reader<File>,
    header: &[(String, bool)],
    path: &Path,
    tx: &mpsc::Sender<CliResult<Row>>,
) {
    let mut record = csv::StringRecord::new();
    loop {
        let row = match csv.read_record(&mut record) {
            Ok(false) => return,
            Ok(true) => Ok(header
                .iter()
                .zip(record.iter())
                .map(|((k, number), v)| (k.clone(), parse_cell(v, *number)))
                .collect()),
            Err(e) => Err(CliError::usage(format!("{}: {e}", path.display()))),
        };
        if !send(tx, row) {
            return;
        }
    }
}

fn send_jsonl(file: File, path: &Path, tx: &mpsc::Sender<CliResult<Row>>) {
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let row = match line {
            Err(e) => Err(io_err(path)(e)),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => object(path, n + 1, serde_json::from_str(&line)),
        };
        if !send(tx, row) {
            return;
        }
    }
}

fn object(path: &Path, n: usize, value: serde_json::Result<Value>) -> CliResult<Row> {
    match value {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::usage(format!(
            "{}: record {n} is not a JSON object",
            path.display()
        ))),
        Err(e) => Err(CliError::usage(format!("{}:{n}: {e}", path.display()))),
    }
}

/// A top-level JSON array, parsed element by element (never the whole document at once).
fn send_json_array(file: File, path: &Path, tx: &mpsc::Sender<CliResult<Row>>) {
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(file));
    let mut stopped = false;
    let visitor = SendEach {
        path,
        tx,
        stopped: &mut stopped,
    };
    let parsed = de.deserialize_seq(visitor).and_then(|()| de.end());
    if let Err(e) = parsed
        && !stopped
    {
        let _ = tx.blocking_send(Err(CliError::usage(format!("{}: {e}", path.display()))));
    }
}

/// Sends each element of a sequence; `stopped` tells an abort it asked for (a bad element
/// already reported, or a consumer gone) from a syntax error.
struct SendEach<'a> {
    path: &'a Path,
    tx: &'a mpsc::Sender<CliResult<Row>>,
    stopped: &'a mut bool,
}

impl<'de> Visitor<'de> for SendEach<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            n += 1;
            if !send(self.tx, object(self.path, n, Ok(value))) {
                *self.stopped = true;
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// The number of records in `path`, by a second pass that keeps nothing (for the progress
/// bar's length and ETA); `None` for anything but a readable regular file.
pub fn count(path: &Path) -> Option<u64> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let file = File::open(path).ok()?;
    match format_of(path).ok()? {
        RecordFormat::Csv => {
            let mut csv = csv::Reader::from_reader(file);
            let mut record = csv::ByteRecord::new();
            let mut n = 0;
            while csv.read_byte_record(&mut record).ok()? {
                n += 1;
            }
            Some(n)
        }
        RecordFormat::Jsonl => {
            let mut n = 0;
            for line in BufReader::new(file).split(b'\n') {
                if !line.ok()?.trim_ascii().is_empty() {
                    n += 1;
                }
            }
            Some(n)
        }
        RecordFormat::Json => {
            struct Count;
            impl<'de> Visitor<'de> for Count {
                type Value = u64;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an array")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
                    let mut n = 0;
                    while seq.next_element::<IgnoredAny>()?.is_some() {
                        n += 1;
                    }
                    Ok(n)
                }
            }
            let mut de = serde_json::Deserializer::from_reader(BufReader::new(file));
            de.deserialize_seq(Count).ok()
        }
    }
}

/// Counts the records of `path` on a thread and hands the number to `done` (nothing when the
/// count is unknown).
pub fn count_in_background(path: PathBuf, done: impl FnOnce(u64) + Send + 'static) {
    let _ = std::thread::Builder::new()
        .name("cspark-count".into())
        .spawn(move || {
            if let Some(n) = count(&path) {
                done(n);
            }
        });
}
