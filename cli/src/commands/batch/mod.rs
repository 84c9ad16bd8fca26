//! `cspark batch run`: records from a file through a service, results in input order.
//!
//! The file is read on a thread of its own, one record at a time. If it ends before
//! `--threshold` records, they go in one synchronous execute-many call (API v4); otherwise
//! every record streams through the Batch API ([`streamed`]) and each result is written as
//! soon as the ones before it are, so memory stays bounded whatever the file size. Records
//! with errors go to `--failed`; the command then exits with status 1 (after writing every
//! file and the summary).
//!
//! The user's files are safe: `--output` may not be the input file, nor `--failed` the
//! input or the output (compared as canonical paths, so before the output exists too);
//! both are written to temporary files renamed into place only when the run is complete.

mod streamed;

use std::collections::HashSet;
use std::time::Instant;

use cspark::services::ExecuteOptions;
use serde_json::{Map, Value, json};

use crate::args::{BatchCmd, BatchRunArgs, RecordFormat};
use crate::error::{CliError, CliResult};
use crate::files::same_file;
use crate::records::writer::{FailedWriter, OutputWriter};
use crate::records::{self, Row, reader};
use crate::settings::Settings;

/// Records the reader thread may parse ahead of the run.
const READ_AHEAD: usize = 1_024;

/// One record's result.
#[derive(Debug, Clone, Default)]
struct Outcome {
    outputs: Map<String, Value>,
    errors: Vec<Value>,
}

impl Outcome {
    fn new(outputs: Value, errors: Vec<Value>) -> Self {
        Self {
            outputs: match outputs {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            errors,
        }
    }
}

/// Where results go, and the counts for the summary.
#[derive(Debug)]
struct Sinks {
    output: OutputWriter,
    failed: FailedWriter,
    succeeded: u64,
    failures: u64,
}

impl Sinks {
    /// Writes the record at `index` to the output or, when it has errors, the failed file.
    fn write(&mut self, index: usize, inputs: Row, outcome: Outcome) -> CliResult {
        if outcome.errors.is_empty() {
            self.succeeded += 1;
            self.output.write(inputs, outcome.outputs)
        } else {
            self.failures += 1;
            self.output.see_inputs(&inputs);
            self.failed.write(index, inputs, outcome.errors)
        }
    }

    fn flush(&mut self) -> CliResult {
        self.output.flush()?;
        self.failed.flush()
    }
}

/// The summary's counts, once the files are in place.
struct Counts {
    succeeded: u64,
    failures: u64,
}

/// What a mode reports for the summary.
#[derive(Debug)]
struct Ran {
    mode: &'static str,
    /// The most records read but not yet written at any time (the memory bound at work).
    held_peak: usize,
}

/// Runs a `batch` subcommand.
pub async fn run(cmd: BatchCmd, settings: &Settings) -> CliResult {
    match cmd {
        BatchCmd::Run(args) => run_file(args, settings).await,
    }
}

/// Refuses file arguments that would overwrite one another.
fn check_paths(args: &BatchRunArgs) -> CliResult {
    if same_file(&args.input, &args.output) {
        return Err(CliError::usage(format!(
            "--output {} is the input file: the results would destroy it; choose another file",
            args.output.display()
        )));
    }
    if let Some(failed) = &args.failed {
        for (flag, other) in [("--output", &args.output), ("--input", &args.input)] {
            if same_file(failed, other) {
                return Err(CliError::usage(format!(
                    "--failed {} is the same file as {flag}; choose another file",
                    failed.display()
                )));
            }
        }
    }
    Ok(())
}

async fn run_file(args: BatchRunArgs, settings: &Settings) -> CliResult {
    // Fail on a bad output name, or outputs that would overwrite an input, before any work.
    records::format_of(&args.output)?;
    check_paths(&args)?;
    let client = settings.client()?;
    let number_columns = match records::format_of(&args.input)? {
        RecordFormat::Csv => number_inputs(&client, &args.service).await,
        _ => HashSet::new(),
    };
    let mut input = reader::open(&args.input, READ_AHEAD, number_columns)?;
    let started = Instant::now();
    // Read up to the threshold: a file that ends before it is small enough for one call.
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() < args.threshold {
        match input.rx.recv().await {
            Some(row) => head.push(row?),
            None => {
                ended = true;
                break;
            }
        }
    }
    let mut sinks = Sinks {
        output: OutputWriter::create(&args.output, input.columns.clone())?,
        failed: FailedWriter::create(args.failed.as_deref())?,
        succeeded: 0,
        failures: 0,
    };
    let ran = if ended {
        execute_many(&client, &args, head, &mut sinks).await?
    } else {
        streamed::run(&client, &args, head, input.rx, &mut sinks).await?
    };
    let elapsed = started.elapsed().as_secs_f64();
    let Sinks {
        output,
        failed,
        succeeded,
        failures,
    } = sinks;
    let dropped = output.finish()?;
    failed.finish()?;
    let sinks = Counts {
        succeeded,
        failures,
    };

    let total = sinks.succeeded + sinks.failures;
    let rate = if elapsed > 0.0 {
        total as f64 / elapsed
    } else {
        0.0
    };
    let mut summary = json!({
        "mode": ran.mode,
        "records": total,
        "succeeded": sinks.succeeded,
        "failed": sinks.failures,
        "seconds": (elapsed * 1000.0).round() / 1000.0,
        "records_per_second": rate.round(),
        "records_held_peak": ran.held_peak,
        "output": args.output.display().to_string(),
    });
    if !dropped.is_empty() {
        eprintln!(
            "cspark: warning: column(s) {} appeared after the CSV header was written and are not in {}; use a .jsonl output to keep them",
            dropped.join(", "),
            args.output.display()
        );
        summary["columns_dropped"] = json!(dropped);
    }
    settings.printer().value(&summary);
    if sinks.failures == 0 {
        return Ok(());
    }
    let hint = if args.failed.is_none() {
        "; pass --failed FILE to keep them"
    } else {
        ""
    };
    Err(CliError::failed(format!(
        "{} of {total} record(s) failed{hint}",
        sinks.failures
    )))
}

/// The inputs the service's schema declares as numbers (lower case), so CSV cells such as
/// `00123` are sent as numbers only where the service wants one. Best effort: without a
/// schema every column is read as text unless it is a number that loses nothing.
async fn number_inputs(client: &cspark::Client, service: &str) -> HashSet<String> {
    match client.services().get_schema(service).await {
        Ok(schema) => schema
            .xl_inputs
            .into_iter()
            .flatten()
            .filter(|cell| cell.data_type.as_deref() == Some("NUMBER"))
            .filter_map(|cell| cell.name.map(|name| name.to_lowercase()))
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "no schema: CSV cells are typed by their text alone");
            HashSet::new()
        }
    }
}

async fn execute_many(
    client: &cspark::Client,
    args: &BatchRunArgs,
    rows: Vec<Row>,
    sinks: &mut Sinks,
) -> CliResult<Ran> {
    let ran = Ran {
        mode: "execute-many",
        held_peak: rows.len(),
    };
    if rows.is_empty() {
        return Ok(ran);
    }
    let response = client
        .services()
        .execute_many(args.service.as_str(), &rows, &ExecuteOptions::default())
        .await?;
    if response.outputs.len() != rows.len() {
        return Err(CliError::failed(format!(
            "expected {} outputs, got {}",
            rows.len(),
            response.outputs.len()
        )));
    }
    for (index, (row, outputs)) in rows.into_iter().zip(response.outputs).enumerate() {
        let outcome = Outcome::new(outputs, errors_of(response.errors.get(index)));
        sinks.write(index, row, outcome)?;
    }
    Ok(ran)
}

fn errors_of(value: Option<&Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(m)) if m.is_empty() => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}
