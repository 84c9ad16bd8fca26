//! The task behind a [`BatchRun`](super::BatchRun): a pusher and a puller sharing the table
//! of chunks in flight (see the [parent module](super) for the design).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::FuturesUnordered;
use futures::{FutureExt, Stream, StreamExt};
use serde_json::Value;
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use super::{Progress, RecordFault, RecordOutput, RunOptions};
use crate::error::{Result, SparkError};
use crate::resources::batches::columnar::{from_columnar, to_columnar};
use crate::resources::batches::pipeline::{BatchChunk, ChunkResult, Pipeline};

/// A chunk pushed but not delivered yet, kept whole so that lost results can be pushed again
/// under the same id.
struct InFlight {
    start: usize,
    chunk: BatchChunk,
    acked: bool,
    repushed: u32,
}

/// The state of one run, shared by its pusher and puller (they run concurrently on one task).
pub(super) struct Driver {
    pipeline: Pipeline,
    options: RunOptions,
    tx: mpsc::Sender<Result<RecordOutput>>,
    progress: watch::Sender<Progress>,
    run_id: String,
    flight: Mutex<HashMap<String, InFlight>>,
    permits: Semaphore,
    exhausted: AtomicBool,
    wake: Notify,
}

/// The consumer dropped the stream.
fn gone(batch: &str) -> SparkError {
    SparkError::invalid(
        "batch run",
        batch.to_owned(),
        "the output stream was dropped",
    )
}

impl Driver {
    pub(super) fn new(
        pipeline: Pipeline,
        options: RunOptions,
        tx: mpsc::Sender<Result<RecordOutput>>,
        progress: watch::Sender<Progress>,
    ) -> Self {
        let run = uuid::Uuid::new_v4().simple().to_string();
        Self {
            permits: Semaphore::new(options.max_in_flight.max(1)),
            pipeline,
            options,
            tx,
            progress,
            run_id: run.get(..12).unwrap_or(&run).to_owned(),
            flight: Mutex::new(HashMap::new()),
            exhausted: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }

    fn flight(&self) -> std::sync::MutexGuard<'_, HashMap<String, InFlight>> {
        self.flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) async fn drive<R>(self, records: R) -> Result<()>
    where
        R: Stream<Item = std::result::Result<Value, RecordFault>> + Send,
    {
        let outcome = futures::future::try_join(self.pusher(records), self.puller()).await;
        let result = match outcome {
            Ok(_) => match self.pipeline.close().await {
                Ok(_) => {
                    self.drain_duplicates().await;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Err(e) => {
                if let Err(cancel) = self.pipeline.cancel().await {
                    tracing::warn!(batch = %self.pipeline.id(), error = %cancel, "could not cancel the failed batch");
                }
                if self.tx.is_closed() { Ok(()) } else { Err(e) }
            }
        };
        self.progress.send_modify(|p| p.done = true);
        result
    }

    /// After close: pulls what is left (results of replayed chunks, all delivered already) so
    /// the batch can reach `completed`. Best effort, bounded.
    async fn drain_duplicates(&self) {
        for _ in 0..10 {
            match self.pipeline.pull(self.options.pull_max).await {
                Ok(pulled) if !pulled.data.is_empty() => {
                    let n = pulled.data.len() as u64;
                    self.progress.send_modify(|p| p.duplicates_dropped += n);
                }
                _ => return,
            }
        }
    }

    async fn pusher<R>(&self, records: R) -> Result<()>
    where
        R: Stream<Item = std::result::Result<Value, RecordFault>> + Send,
    {
        let size = self.options.chunk_size.max(1);
        let concurrency = self.options.push_concurrency.max(1);
        let mut records = std::pin::pin!(records);
        let mut start = 0usize;
        let mut seq = 0u64;
        let mut part: Vec<Value> = Vec::with_capacity(size);
        let mut next: Option<(usize, BatchChunk)> = None;
        let mut input_done = false;
        let mut pending = FuturesUnordered::new();
        loop {
            if input_done && next.is_none() && pending.is_empty() {
                break;
            }
            let can_start = next.is_some() && pending.len() < concurrency;
            // Reading the records is one branch among the pushes: a source that is slow (or
            // waits on this run's own outputs) never stalls the pushes already started.
            let wants_records = next.is_none() && !input_done;
            tokio::select! {
                record = records.next(), if wants_records => {
                    let mut record = record;
                    loop {
                        match record {
                            Some(r) => {
                                let r = r.map_err(|e| e.at(start + part.len()))?;
                                part.push(r);
                            }
                            None => input_done = true,
                        }
                        if input_done || part.len() >= size {
                            break;
                        }
                        // Take what is ready without a trip through select! per record.
                        match records.next().now_or_never() {
                            Some(r) => record = r,
                            None => break,
                        }
                    }
                    if part.len() >= size || (input_done && !part.is_empty()) {
                        let records = std::mem::replace(&mut part, Vec::with_capacity(size));
                        let len = records.len();
                        let chunk = self.make_chunk(format!("{}-{seq}", self.run_id), records, start)?;
                        next = Some((start, chunk));
                        start += len;
                        seq += 1;
                    }
                }
                permit = self.permits.acquire(), if can_start => {
                    permit.map_err(|_| gone(self.pipeline.id()))?.forget();
                    if let Some((first, chunk)) = next.take() {
                        self.flight().insert(
                            chunk.id.clone(),
                            InFlight { start: first, chunk: chunk.clone(), acked: false, repushed: 0 },
                        );
                        self.wake.notify_one();
                        pending.push(async move {
                            self.pipeline.push_raw(std::slice::from_ref(&chunk)).await?;
                            Ok::<_, SparkError>((chunk.id, chunk.size))
                        });
                    }
                }
                Some(done) = pending.next(), if !pending.is_empty() => {
                    let (id, len) = done?;
                    if let Some(f) = self.flight().get_mut(&id) {
                        f.acked = true;
                    }
                    self.progress.send_modify(|p| {
                        p.submitted += len as u64;
                        p.chunks_pushed += 1;
                    });
                    if self.tx.is_closed() {
                        return Err(gone(self.pipeline.id()));
                    }
                }
            }
        }
        self.exhausted.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        Ok(())
    }

    fn make_chunk(&self, id: String, part: Vec<Value>, start: usize) -> Result<BatchChunk> {
        for (i, r) in part.iter().enumerate() {
            if !r.is_object() {
                return Err(SparkError::invalid(
                    "record",
                    format!("#{}: {r}", start + i),
                    "each record must serialise to a JSON object",
                ));
            }
        }
        let mut chunk = if self.options.columnar {
            let size = part.len();
            let mut c = BatchChunk::with_id(id, to_columnar(part));
            c.size = size;
            c
        } else {
            BatchChunk::with_id(id, part)
        };
        chunk.data.parameters = self.options.parameters.clone();
        Ok(chunk)
    }

    async fn puller(&self) -> Result<()> {
        let clock = self.pipeline.client.transport.clock.clone();
        let mut wait = self.options.poll_min;
        let mut idle_polls = 0u32;
        loop {
            let empty = self.flight().is_empty();
            if empty {
                if self.exhausted.load(Ordering::SeqCst) {
                    return Ok(());
                }
                self.wake.notified().await;
                continue;
            }
            let pulled = self.pipeline.pull(self.options.pull_max).await?;
            let got = pulled.data.len();
            for result in pulled.data {
                self.deliver(result).await?;
            }
            if got > 0 {
                wait = self.options.poll_min;
                idle_polls = 0;
                continue;
            }
            let s = &pulled.status;
            let server_idle = s.chunks_available == 0 && s.chunks_completed >= s.chunks_submitted;
            idle_polls = if server_idle { idle_polls + 1 } else { 0 };
            if idle_polls >= 3 {
                self.repush_lost().await?;
                idle_polls = 0;
            }
            if s.is_finished() {
                return Err(SparkError::invalid(
                    "batch pipeline",
                    self.pipeline.id().to_owned(),
                    format!(
                        "batch pipeline <{}> ended as {:?} with {} chunk(s) outstanding",
                        self.pipeline.id(),
                        s.batch_status.as_deref().unwrap_or("?"),
                        self.flight().len()
                    ),
                ));
            }
            clock.sleep(wait).await;
            wait = (wait * 2).min(self.options.poll_max.max(self.options.poll_min));
        }
    }

    /// Pushes again (same ids) the acknowledged chunks the server says it has finished but
    /// whose results never arrived.
    async fn repush_lost(&self) -> Result<()> {
        let lost: Vec<BatchChunk> = {
            let mut flight = self.flight();
            let mut lost = Vec::new();
            for f in flight.values_mut().filter(|f| f.acked) {
                if f.repushed >= 3 {
                    return Err(SparkError::invalid(
                        "batch chunk",
                        f.chunk.id.clone(),
                        format!(
                            "results of chunk <{}> of batch pipeline <{}> never arrived after 3 re-pushes",
                            f.chunk.id,
                            self.pipeline.id()
                        ),
                    ));
                }
                f.repushed += 1;
                lost.push(f.chunk.clone());
            }
            lost
        };
        if lost.is_empty() {
            return Ok(());
        }
        tracing::debug!(batch = %self.pipeline.id(), chunks = lost.len(), "re-pushing chunks whose results were lost");
        let n = lost.len() as u64;
        self.pipeline.push_raw(&lost).await?;
        self.progress.send_modify(|p| p.chunks_repushed += n);
        Ok(())
    }

    /// Whether `id` names a chunk of this run (`{run}-{seq}`): one that is not in flight any
    /// more was delivered already. Checked by shape rather than kept in a set, so a run of
    /// any length remembers nothing per chunk.
    fn is_ours(&self, id: &str) -> bool {
        id.strip_prefix(self.run_id.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|seq| seq.parse::<u64>().is_ok())
    }

    async fn deliver(&self, result: ChunkResult) -> Result<()> {
        let removed = self.flight().remove(&result.id);
        let Some(f) = removed else {
            if !self.is_ours(&result.id) {
                tracing::warn!(batch = %self.pipeline.id(), chunk = %result.id, "result of an unknown chunk dropped");
            }
            self.progress.send_modify(|p| p.duplicates_dropped += 1);
            return Ok(());
        };
        self.permits.add_permits(1);
        let outputs = from_columnar(result.outputs);
        if outputs.len() != f.chunk.size {
            return Err(SparkError::invalid(
                "batch chunk result",
                result.id,
                format!(
                    "{} outputs for {} records in batch pipeline <{}>",
                    outputs.len(),
                    f.chunk.size,
                    self.pipeline.id()
                ),
            ));
        }
        let n = outputs.len() as u64;
        for (i, outputs) in outputs.into_iter().enumerate() {
            let item = RecordOutput {
                index: f.start + i,
                outputs,
                warnings: list(result.warnings.get(i)),
                errors: list(result.errors.get(i)),
                process_time: result.process_time.get(i).and_then(Value::as_f64),
            };
            self.tx
                .send(Ok(item))
                .await
                .map_err(|_| gone(self.pipeline.id()))?;
        }
        self.progress.send_modify(|p| p.processed += n);
        Ok(())
    }
}

fn list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}
