//! [`Pipeline::run`]: stream records through a batch, pushing and pulling concurrently.
//!
//! Design:
//! * a **pusher** reads the records lazily, cuts chunks of `chunk_size`, and pushes them one
//!   request at a time; a semaphore bounds the chunks pushed but not yet pulled
//!   (`max_in_flight`), so memory stays bounded by `max_in_flight * chunk_size` inputs;
//! * a **puller** polls `chunkresults` with back-off (through the client's
//!   [`Clock`](crate::clock::Clock)), maps each result back to its chunk by id and sends each
//!   record's output to a bounded channel: a slow consumer slows the puller and then the
//!   pusher (backpressure);
//! * chunk ids are `{run}-{seq}`: a replayed push computes a chunk twice under the same id and
//!   the second result is dropped, so each record comes out **exactly once**; a chunk the
//!   server reports as done but that never arrives (a lost pull response) is pushed again with
//!   the same id (up to 3 times);
//! * when every chunk is back, the batch is closed; on error the batch is cancelled.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, Stream, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use super::columnar::{from_columnar, to_columnar};
use super::pipeline::{BatchChunk, ChunkResult, Pipeline};
use super::{Batches, CreateBatchOptions, DEFAULT_CHUNK_SIZE};
use crate::error::{Result, SparkError};
use crate::resources::services::IntoServiceUri;

/// Options of [`Pipeline::run`] and [`Batches::run`](super::Batches::run).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Batch creation options (used by [`Batches::run`](super::Batches::run) only).
    pub create: CreateBatchOptions,
    /// Records per chunk (default 200).
    pub chunk_size: usize,
    /// Chunks pushed but not yet pulled, at most (default 16).
    pub max_in_flight: usize,
    /// Push requests in flight at once (default 2).
    pub push_concurrency: usize,
    /// `max` of each pull (1..=100, default 100).
    pub pull_max: usize,
    /// First wait after an empty pull (default 20 ms); doubles up to `poll_max`.
    pub poll_min: Duration,
    /// Longest wait between empty pulls (default 2 s).
    pub poll_max: Duration,
    /// Outputs buffered for the consumer (default 1,000 records).
    pub buffer: usize,
    /// Inputs common to every record (`parameters` of each chunk).
    pub parameters: Map<String, Value>,
    /// Send records as columnar rows (header row first, the documented format; default)
    /// rather than as JSON objects.
    pub columnar: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            create: CreateBatchOptions::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            max_in_flight: 16,
            push_concurrency: 2,
            pull_max: 100,
            poll_min: Duration::from_millis(20),
            poll_max: Duration::from_secs(2),
            buffer: 1_000,
            parameters: Map::new(),
            columnar: true,
        }
    }
}

/// The output of one record of a run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordOutput {
    /// Position of the record in the input.
    pub index: usize,
    /// Its outputs (a JSON object).
    pub outputs: Value,
    /// Warnings (empty when none).
    pub warnings: Vec<Value>,
    /// Errors (empty when none).
    pub errors: Vec<Value>,
    /// Milliseconds Spark spent on it, when reported.
    pub process_time: Option<f64>,
}

/// Counters of a run, published on a [`watch`] channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Records pushed (acknowledged by the server).
    pub submitted: u64,
    /// Records whose outputs were pulled.
    pub processed: u64,
    /// Chunks pushed (first pushes).
    pub chunks_pushed: u64,
    /// Chunk results dropped as duplicates of a chunk already delivered.
    pub duplicates_dropped: u64,
    /// Chunks pushed again because their results were lost.
    pub chunks_repushed: u64,
    /// Whether the run has ended (successfully or not).
    pub done: bool,
}

/// A running batch: a [`Stream`] of every record's output (in completion order, each input
/// index exactly once), plus [`progress`](Self::progress). Dropping it stops the run and
/// cancels the batch.
#[derive(Debug)]
pub struct BatchRun {
    rx: mpsc::Receiver<Result<RecordOutput>>,
    progress: watch::Receiver<Progress>,
    batch_id: String,
}

impl BatchRun {
    /// A receiver of the run's counters.
    ///
    /// ```no_run
    /// # async fn demo(run: cspark::resources::batches::BatchRun) {
    /// let mut progress = run.progress();
    /// tokio::spawn(async move {
    ///     while progress.changed().await.is_ok() {
    ///         let p = *progress.borrow();
    ///         println!("{}/{}", p.processed, p.submitted);
    ///     }
    /// });
    /// # }
    /// ```
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.clone()
    }

    /// The next output, `None` at the end (the same as `StreamExt::next`, without needing
    /// `futures`).
    ///
    /// ```no_run
    /// # async fn demo(mut run: cspark::resources::batches::BatchRun) -> cspark::Result<()> {
    /// while let Some(out) = run.recv().await {
    ///     println!("{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn recv(&mut self) -> Option<Result<RecordOutput>> {
        self.rx.recv().await
    }

    /// The batch id.
    ///
    /// ```no_run
    /// # fn demo(run: cspark::resources::batches::BatchRun) {
    /// println!("batch {}", run.batch_id());
    /// # }
    /// ```
    pub fn batch_id(&self) -> &str {
        &self.batch_id
    }
}

impl Stream for BatchRun {
    type Item = Result<RecordOutput>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Pipeline {
    /// Streams `records` (any serialisable JSON objects, read lazily) through this batch and
    /// returns their outputs as they come, each input index exactly once; closes the batch at
    /// the end. Spawns a task on the current tokio runtime (outside one, the stream yields a
    /// single error). See the module docs for the backpressure, retry and exactly-once design.
    ///
    /// The run assumes it is the only reader of the batch's results: results of chunks it did
    /// not push are dropped (with a warning), and results another reader takes are pushed
    /// again.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use futures::StreamExt;
    /// let batch = client.batches().create("demo/volume-cylinder", &Default::default()).await?;
    /// let pipeline = client.batches().of(batch.id)?;
    /// let records = (0..5_000).map(|i| serde_json::json!({"Radius": i, "Height": 1}));
    /// let mut run = pipeline.run(records, &Default::default());
    /// while let Some(out) = run.next().await {
    ///     let out = out?;
    ///     println!("{} -> {}", out.index, out.outputs);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run<I, T>(self, records: I, options: &RunOptions) -> BatchRun
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Serialize,
    {
        self.run_stream(futures::stream::iter(records), options)
    }

    /// Like [`run`](Self::run), with the records from a [`Stream`]: for records that arrive
    /// asynchronously (a channel fed by a file reader, a network source). The stream is polled
    /// only when the run has room for more records (at most one chunk ahead of the
    /// `max_in_flight` chunks), so a slow or endless source is read at the pace of the batch.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use futures::StreamExt;
    /// let (tx, rx) = tokio::sync::mpsc::channel(256);
    /// std::thread::spawn(move || {
    ///     for i in 0..5_000 {
    ///         // e.g. records parsed from a file, on a thread that may block
    ///         if tx.blocking_send(serde_json::json!({"Radius": i, "Height": 1})).is_err() {
    ///             break;
    ///         }
    ///     }
    /// });
    /// let records = futures::stream::unfold(rx, |mut rx| async move {
    ///     rx.recv().await.map(|record| (record, rx))
    /// });
    /// let batch = client.batches().create("demo/volume-cylinder", &Default::default()).await?;
    /// let mut run = client.batches().of(batch.id)?.run_stream(records, &Default::default());
    /// while let Some(out) = run.next().await {
    ///     println!("{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_stream<S, T>(self, records: S, options: &RunOptions) -> BatchRun
    where
        S: Stream<Item = T> + Send + 'static,
        T: Serialize,
    {
        let (tx, rx) = mpsc::channel(options.buffer.max(1));
        let (ptx, prx) = watch::channel(Progress::default());
        let batch_id = self.id().to_owned();
        let records = records.map(|r| serde_json::to_value(r));
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            let _ = tx.try_send(Err(SparkError::config(
                "runtime",
                "none",
                "Pipeline::run must be called inside a tokio runtime",
            )));
            return BatchRun {
                rx,
                progress: prx,
                batch_id,
            };
        };
        let driver = Driver::new(self, options.clone(), tx.clone(), ptx);
        runtime.spawn(async move {
            if let Err(e) = driver.drive(records).await {
                // The consumer may be gone already; then there is no one to tell.
                let _ = tx.send(Err(e)).await;
            }
        });
        BatchRun {
            rx,
            progress: prx,
            batch_id,
        }
    }
}

impl Batches<'_> {
    /// Creates a batch for `uri` and runs the records of a [`Stream`] through it: see
    /// [`Pipeline::run_stream`].
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use futures::StreamExt;
    /// let records = futures::stream::iter(0..10_000)
    ///     .map(|i| serde_json::json!({"Radius": i, "Height": 2}));
    /// let mut run = client
    ///     .batches()
    ///     .run_stream("demo/volume-cylinder", records, &Default::default())
    ///     .await?;
    /// while let Some(record) = run.next().await {
    ///     println!("#{}", record?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run_stream<S, T>(
        &self,
        uri: impl IntoServiceUri,
        records: S,
        options: &RunOptions,
    ) -> Result<BatchRun>
    where
        S: Stream<Item = T> + Send + 'static,
        T: Serialize,
    {
        let batch = self.create(uri, &options.create).await?;
        let pipeline = self.of(batch.id)?;
        Ok(pipeline.run_stream(records, options))
    }
}

struct InFlight {
    start: usize,
    chunk: BatchChunk,
    acked: bool,
    repushed: u32,
}

struct Driver {
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
    fn new(
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

    async fn drive<R>(self, records: R) -> Result<()>
    where
        R: Stream<Item = serde_json::Result<Value>> + Send,
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
        R: Stream<Item = serde_json::Result<Value>> + Send,
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
                                let r = r.map_err(|e| {
                                    SparkError::invalid(
                                        "record",
                                        format!("#{}", start + part.len()),
                                        e.to_string(),
                                    )
                                })?;
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
