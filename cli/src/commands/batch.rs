//! `cspark batch run`: records from a file through a service, results in input order.
//!
//! Fewer records than `--threshold` go in one synchronous execute-many call (API v4); more go
//! through the Batch API (`client.batches().run`), streamed with a progress bar on stderr.
//! Records with errors go to `--failed`; the command then exits with status 1 (after writing
//! every file and the summary).

use std::io::IsTerminal;
use std::time::Instant;

use cspark::resources::batches::RunOptions;
use cspark::resources::execute::ExecuteOptions;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value, json};

use crate::args::{BatchCmd, BatchRunArgs};
use crate::error::{CliError, CliResult};
use crate::records;
use crate::settings::Settings;

/// One record's result.
#[derive(Debug, Clone, Default)]
struct Outcome {
    outputs: Map<String, Value>,
    errors: Vec<Value>,
}

/// Runs a `batch` subcommand.
pub async fn run(cmd: BatchCmd, settings: &Settings) -> CliResult {
    match cmd {
        BatchCmd::Run(args) => run_file(args, settings).await,
    }
}

async fn run_file(args: BatchRunArgs, settings: &Settings) -> CliResult {
    // Fail on a bad output name before doing any work.
    records::format_of(&args.output)?;
    let input = records::read(&args.input)?;
    let client = settings.client()?;
    let total = input.rows.len();
    let started = Instant::now();
    let (mode, outcomes) = if total < args.threshold {
        (
            "execute-many",
            execute_many(&client, &args, &input.rows).await?,
        )
    } else {
        ("batch", batch(&client, &args, &input.rows).await?)
    };
    let elapsed = started.elapsed().as_secs_f64();

    let mut columns = input.columns.clone();
    let mut ok_rows = Vec::with_capacity(total);
    let mut failed_rows = Vec::new();
    for (index, (row, outcome)) in input.rows.into_iter().zip(outcomes).enumerate() {
        if outcome.errors.is_empty() {
            let mut full = row;
            for (k, v) in outcome.outputs {
                if !columns.contains(&k) {
                    columns.push(k.clone());
                }
                full.insert(k, v);
            }
            ok_rows.push(full);
        } else {
            let mut failed = Map::new();
            failed.insert("index".into(), json!(index));
            failed.insert("inputs".into(), Value::Object(row));
            failed.insert("errors".into(), Value::Array(outcome.errors));
            failed_rows.push(failed);
        }
    }
    records::write(&args.output, &columns, &ok_rows)?;
    if let Some(path) = &args.failed {
        records::write_jsonl(path, &failed_rows)?;
    }
    let rate = if elapsed > 0.0 {
        total as f64 / elapsed
    } else {
        0.0
    };
    settings.printer().value(&json!({
        "mode": mode,
        "records": total,
        "succeeded": ok_rows.len(),
        "failed": failed_rows.len(),
        "seconds": (elapsed * 1000.0).round() / 1000.0,
        "records_per_second": rate.round(),
        "output": args.output.display().to_string(),
    }));
    if failed_rows.is_empty() {
        return Ok(());
    }
    let hint = if args.failed.is_none() {
        "; pass --failed FILE to keep them"
    } else {
        ""
    };
    Err(CliError::failed(format!(
        "{} of {total} record(s) failed{hint}",
        failed_rows.len()
    )))
}

async fn execute_many(
    client: &cspark::Client,
    args: &BatchRunArgs,
    rows: &[Map<String, Value>],
) -> CliResult<Vec<Outcome>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let response = client
        .services()
        .execute_many(args.service.as_str(), rows, &ExecuteOptions::default())
        .await?;
    if response.outputs.len() != rows.len() {
        return Err(CliError::failed(format!(
            "expected {} outputs, got {}",
            rows.len(),
            response.outputs.len()
        )));
    }
    Ok(response
        .outputs
        .into_iter()
        .enumerate()
        .map(|(i, out)| Outcome {
            outputs: match out {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            errors: errors_of(response.errors.get(i)),
        })
        .collect())
}

fn errors_of(value: Option<&Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(m)) if m.is_empty() => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

async fn batch(
    client: &cspark::Client,
    args: &BatchRunArgs,
    rows: &[Map<String, Value>],
) -> CliResult<Vec<Outcome>> {
    let total = rows.len();
    let mut options = RunOptions::default();
    options.chunk_size = args.chunk_size.max(1);
    let inputs: Vec<Value> = rows.iter().cloned().map(Value::Object).collect();
    let mut run = client
        .batches()
        .run(args.service.as_str(), inputs, &options)
        .await?;
    let bar = progress_bar(total as u64);
    // The run's counters (watch channel): show how far the pushes are ahead of the results.
    let mut progress = run.progress();
    let watcher = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while progress.changed().await.is_ok() {
                let p = *progress.borrow();
                bar.set_message(format!("{} submitted", p.submitted));
            }
        })
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; total];
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let record = tokio::select! {
            record = run.recv() => record,
            _ = &mut interrupted => {
                watcher.abort();
                bar.abandon();
                // Dropping the run cancels the batch on the server.
                drop(run);
                return Err(CliError::failed("interrupted: the batch was cancelled"));
            }
        };
        let Some(record) = record else { break };
        let record = record?;
        if let Some(slot) = outcomes.get_mut(record.index) {
            *slot = Some(Outcome {
                outputs: match record.outputs {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
                errors: record.errors,
            });
        }
        bar.inc(1);
    }
    watcher.abort();
    bar.finish_and_clear();
    let missing = outcomes.iter().filter(|o| o.is_none()).count();
    if missing > 0 {
        return Err(CliError::failed(format!(
            "the batch ended with {missing} record(s) missing"
        )));
    }
    Ok(outcomes.into_iter().flatten().collect())
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
fn progress_bar(len: u64) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40.cyan/blue} {pos}/{len} records ({msg})  {per_sec}  ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
