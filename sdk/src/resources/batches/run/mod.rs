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
//!
//! Here: starting a run. [`options`] holds [`RunOptions`], [`output`] what the caller gets
//! back ([`BatchRun`], [`RecordOutput`], [`Progress`]), [`driver`] the pusher and puller.

use futures::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use super::Batches;
use super::pipeline::Pipeline;
use crate::error::{Result, SparkError};
use crate::resources::services::IntoServiceUri;

mod driver;
mod options;
mod output;

use driver::Driver;

/// Why a record of a run could not be pushed; the run ends with it, as an error naming the
/// record's index.
pub(crate) enum RecordFault {
    /// It does not serialise to JSON.
    Json(serde_json::Error),
    /// It breaks the input rules of the typed service `service` (`folder/service`).
    Rules {
        service: String,
        source: crate::bindings::InvalidInputs,
    },
}

impl RecordFault {
    /// The error of the record at `index`.
    fn at(self, index: usize) -> SparkError {
        match self {
            RecordFault::Json(e) => {
                SparkError::invalid("record", format!("#{index}"), e.to_string())
            }
            RecordFault::Rules { service, source } => SparkError::InputRules {
                service,
                record: Some(index),
                source,
            },
        }
    }
}
pub use options::RunOptions;
pub use output::{BatchRun, Progress, RecordOutput};

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
        self.run_values(
            records.map(|r| serde_json::to_value(r).map_err(RecordFault::Json)),
            options,
        )
    }

    /// [`run_stream`](Self::run_stream) on records already turned into JSON, where a record
    /// may be refused on the way (a typed run checks each record's input rules).
    pub(crate) fn run_values<S>(self, records: S, options: &RunOptions) -> BatchRun
    where
        S: Stream<Item = std::result::Result<serde_json::Value, RecordFault>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(options.buffer.max(1));
        let (ptx, prx) = watch::channel(Progress::default());
        let batch_id = self.id().to_owned();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            let _ = tx.try_send(Err(SparkError::config(
                "runtime",
                "none",
                "Pipeline::run must be called inside a tokio runtime",
            )));
            return BatchRun::new(rx, prx, batch_id);
        };
        let driver = Driver::new(self, options.clone(), tx.clone(), ptx);
        runtime.spawn(async move {
            if let Err(e) = driver.drive(records).await {
                // The consumer may be gone already; then there is no one to tell.
                let _ = tx.send(Err(e)).await;
            }
        });
        BatchRun::new(rx, prx, batch_id)
    }
}

impl Batches<'_> {
    /// Creates a batch for `uri` and runs `records` through it: see [`Pipeline::run`].
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use futures::StreamExt;
    /// let records = (0..10_000).map(|i| serde_json::json!({"Radius": i, "Height": 2}));
    /// let mut run = client
    ///     .batches()
    ///     .run("demo/volume-cylinder", records, &Default::default())
    ///     .await?;
    /// while let Some(record) = run.next().await {
    ///     let record = record?;
    ///     println!("#{} -> {}", record.index, record.outputs["Volume"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run<I, T>(
        &self,
        uri: impl IntoServiceUri,
        records: I,
        options: &RunOptions,
    ) -> Result<BatchRun>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Serialize,
    {
        let batch = self.create(uri, &options.create).await?;
        let pipeline = self.of(batch.id)?;
        Ok(pipeline.run(records, options))
    }

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
