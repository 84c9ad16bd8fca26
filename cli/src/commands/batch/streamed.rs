//! The Batch API path of `batch run`: records stream from the reader thread into
//! `client.batches().run_stream`, and results are put back in input order and written as
//! soon as every record before them is.
//!
//! Memory is bounded by a window: a record enters the run only while fewer than `window`
//! records are between the reader and the writer (in the SDK's chunks, in flight, or in the
//! reorder buffer waiting for an earlier one). The SDK bounds its own chunks in flight, but
//! frees a slot as soon as a chunk's results arrive, in any order; without the window one
//! slow chunk would let the run race ahead and the reorder buffer fill with the rest of the
//! file.
//!
//! When the run stops early (Ctrl-C, a malformed record, a write error, a failed call), the
//! batch is cancelled on the server and the command waits for that answer before it says
//! so: the SDK also cancels when the run is dropped, but from a task that a process about
//! to exit would never let finish.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use cspark::batches::{BatchRun, RunOptions};
use futures::FutureExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{Outcome, Ran, Sinks};
use crate::args::BatchRunArgs;
use crate::error::{CliError, CliResult};
use crate::records::{Row, reader};

/// The records admitted into a run but not yet written, at most: room for every chunk the
/// SDK may have in flight, the one it is filling, one more, and its output buffer (one
/// chunk: this consumer never lets it fill).
fn window_of(options: &RunOptions) -> usize {
    (options.max_in_flight.max(1) + 2) * options.chunk_size.max(1) + options.buffer.max(1)
}

/// Runs `head` then the rest of `rx` through a new batch, writing results in input order.
pub(super) async fn run(
    client: &cspark::Client,
    args: &BatchRunArgs,
    head: Vec<Row>,
    rx: mpsc::Receiver<CliResult<Row>>,
    sinks: &mut Sinks,
) -> CliResult<Ran> {
    let mut options = RunOptions::default();
    options.chunk_size = args.chunk_size.max(1);
    options.max_in_flight = args.max_in_flight.max(1);
    options.buffer = options.chunk_size;
    let window_size = window_of(&options);
    let window = Arc::new(Semaphore::new(window_size));
    let (inputs_tx, inputs_rx) = mpsc::unbounded_channel();
    let (failure_tx, failure_rx) = oneshot::channel();
    let feed = Feed {
        head: head.into_iter(),
        rx,
        window: window.clone(),
        inputs: inputs_tx,
        failure: Some(failure_tx),
    };
    let records = futures::stream::unfold(feed, Feed::next);
    let run = client
        .batches()
        .run_stream(args.service.as_str(), records, &options)
        .await?;
    let batch_id = run.batch_id().to_owned();
    let channels = Channels {
        failure_rx,
        inputs_rx,
        window,
        window_size,
    };
    // `drain` owns the run: when it returns early, the run is dropped (its pushes stop)
    // before the cancellation below.
    match drain(run, channels, args, sinks).await {
        Ok(ran) => Ok(ran),
        Err(stop) => Err(cancel_on_server(client, &batch_id, stop).await),
    }
}

/// The receiving ends `drain` works with.
struct Channels {
    failure_rx: oneshot::Receiver<CliError>,
    inputs_rx: mpsc::UnboundedReceiver<Row>,
    window: Arc<Semaphore>,
    window_size: usize,
}

/// Cancels the batch on the server and says how that went, after the reason it stopped.
async fn cancel_on_server(client: &cspark::Client, batch_id: &str, stop: CliError) -> CliError {
    let note = match client.batches().of(batch_id) {
        Err(e) => format!("could not cancel batch {batch_id} on the server: {e}"),
        Ok(pipeline) => match pipeline.cancel().await {
            Ok(_) => format!("batch {batch_id} was cancelled on the server"),
            // The SDK's own cancellation may have come first: ask what the server says.
            Err(e) => match pipeline.get_info().await {
                Ok(info) if info.batch_status() == Some("cancelled") => {
                    format!("batch {batch_id} was cancelled on the server")
                }
                Ok(info) => format!(
                    "could not cancel batch {batch_id} on the server ({e}); it is {}",
                    info.batch_status().unwrap_or("in an unknown state")
                ),
                Err(_) => format!("could not cancel batch {batch_id} on the server: {e}"),
            },
        },
    };
    match stop {
        CliError::Usage(m) => CliError::Usage(format!("{m}; {note}")),
        CliError::Failed(m) => CliError::Failed(format!("{m}; {note}")),
        CliError::Spark(e) => CliError::Failed(format!("{e}; {note}")),
    }
}

/// Receives the run's results and writes them in input order, until the run ends or
/// stops early (the error says why and how many records were written).
async fn drain(
    mut run: BatchRun,
    channels: Channels,
    args: &BatchRunArgs,
    sinks: &mut Sinks,
) -> CliResult<Ran> {
    let Channels {
        mut failure_rx,
        mut inputs_rx,
        window,
        window_size,
    } = channels;
    let bar = progress_bar(args.input.clone());
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
    let _stop_watcher = AbortOnDrop(watcher);

    // reorder[i] is the result of record next + i, once it has arrived.
    let mut reorder: VecDeque<Option<Outcome>> = VecDeque::new();
    let mut next = 0usize;
    let mut held_peak = 0usize;
    let mut reader_settled = false;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let item = match run.recv().now_or_never() {
            Some(item) => item,
            None => {
                // Nothing ready: a good moment to show progress in the files.
                sinks.flush().map_err(|e| stopped(e, next))?;
                tokio::select! {
                    item = run.recv() => item,
                    failure = &mut failure_rx, if !reader_settled => {
                        reader_settled = true;
                        match failure {
                            Ok(e) => return Err(stopped(e, next)),
                            Err(_) => continue,
                        }
                    }
                    _ = &mut interrupted => {
                        bar.abandon();
                        return Err(CliError::failed(format!(
                            "interrupted after {next} record(s) were written"
                        )));
                    }
                }
            }
        };
        let Some(record) = item else { break };
        let record = record.map_err(|e| stopped(CliError::Spark(e), next))?;
        let slot = record
            .index
            .checked_sub(next)
            // Never more than the window apart (the SDK numbers records itself; this only
            // keeps a broken invariant from turning into a huge allocation).
            .filter(|offset| *offset < window_size)
            .and_then(|offset| {
                if reorder.len() <= offset {
                    reorder.resize_with(offset + 1, || None);
                }
                reorder.get_mut(offset)
            })
            .filter(|slot| slot.is_none())
            .ok_or_else(|| {
                CliError::failed(format!(
                    "record {} came back twice or out of range",
                    record.index
                ))
            })?;
        *slot = Some(Outcome::new(record.outputs, record.errors));
        // Counted from the queue of inputs, not from the window that should bound it.
        held_peak = held_peak.max(inputs_rx.len());
        while let Some(Some(_)) = reorder.front() {
            let (Some(Some(outcome)), Ok(inputs)) = (reorder.pop_front(), inputs_rx.try_recv())
            else {
                return Err(CliError::failed(format!(
                    "the inputs of record {next} went missing"
                )));
            };
            sinks
                .write(next, inputs, outcome)
                .map_err(|e| stopped(e, next))?;
            window.add_permits(1);
            next += 1;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    if !reader_settled && let Ok(e) = failure_rx.try_recv() {
        return Err(stopped(e, next));
    }
    let mut missing = 0;
    while inputs_rx.try_recv().is_ok() {
        missing += 1;
    }
    if missing > 0 {
        return Err(CliError::failed(format!(
            "the batch ended with {missing} record(s) missing"
        )));
    }
    Ok(Ran {
        mode: "batch",
        held_peak,
    })
}

/// The records fed to the run: the ones already read, then the reader's, each admitted by
/// the window and copied to the writer's queue of inputs.
struct Feed {
    head: std::vec::IntoIter<Row>,
    rx: mpsc::Receiver<CliResult<Row>>,
    window: Arc<Semaphore>,
    inputs: mpsc::UnboundedSender<Row>,
    failure: Option<oneshot::Sender<CliError>>,
}

impl Feed {
    async fn next(mut self) -> Option<(Value, Self)> {
        let row = match self.head.next() {
            Some(row) => row,
            None => match self.rx.recv().await? {
                Ok(row) => row,
                Err(e) => {
                    // End the input here; the consumer cancels the run and reports `e`.
                    if let Some(tx) = self.failure.take() {
                        let _ = tx.send(e);
                    }
                    return None;
                }
            },
        };
        self.window.acquire().await.ok()?.forget();
        self.inputs.send(row.clone()).ok()?;
        Some((Value::Object(row), self))
    }
}

/// Why the run stopped, with how far it got.
fn stopped(e: CliError, written: usize) -> CliError {
    let note = format!("(stopped after {written} record(s) were written)");
    match e {
        CliError::Usage(m) => CliError::Usage(format!("{m} {note}")),
        CliError::Failed(m) => CliError::Failed(format!("{m} {note}")),
        CliError::Spark(e) => CliError::Failed(format!("{e} {note}")),
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal). Its length, and so the
/// ETA, appears once a background pass has counted the records of a regular file.
fn progress_bar(input: PathBuf) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{pos} records ({msg})  {per_sec}") {
        bar.set_style(style);
    }
    let counted = bar.clone();
    reader::count_in_background(input, move |n| {
        counted.set_length(n);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} records ({msg})  {per_sec}  ETA {eta}",
        ) {
            counted.set_style(style);
        }
    });
    bar
}
