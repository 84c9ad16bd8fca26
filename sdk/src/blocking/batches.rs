//! `client.batches()` of the [blocking client](super::Client): the Batch API, a batch's
//! [`Pipeline`], and runs as an [`Iterator`] of outputs ([`BatchRun`]).

use std::future::Future;
use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use super::Engine;
use crate::error::Result;
use crate::resources::batches::{
    BatchChunk, BatchInfo, BatchStatus, CreateBatchOptions, PipelineState, Progress, PullResult,
    PushOptions, RecordOutput, RunOptions,
};
use crate::resources::services::IntoServiceUri;

/// Blocking twin of [`crate::batches::Batches`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// let records = (0..10_000).map(|i| serde_json::json!({"Radius": i, "Height": 2}));
/// let run = client.batches().run("demo/volume-cylinder", records, &Default::default())?;
/// for out in run {
///     let out = out?;
///     println!("#{} -> {}", out.index, out.outputs);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Batches<'c> {
    engine: &'c Arc<Engine>,
    inner: crate::batches::Batches<'c>,
}

impl<'c> Batches<'c> {
    pub(crate) fn new(engine: &'c Arc<Engine>, inner: crate::batches::Batches<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::batches::Batches<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    blocking_twins! { "crate::batches::Batches" =>
        fn describe() -> crate::types::BatchDescribeResponse;
        fn describe_raw() -> Value;
        fn create(uri: impl IntoServiceUri, options: &CreateBatchOptions) -> BatchInfo;
    }

    /// Blocking twin of [`crate::batches::Batches::of`]: the pipeline of an existing batch.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let batch = client.batches().create("demo/volume-cylinder", &Default::default())?;
    /// let pipeline = client.batches().of(batch.id)?;
    /// println!("{:?}", pipeline.get_status()?);
    /// # Ok(()) }
    /// ```
    pub fn of(&self, batch_id: impl Into<String>) -> Result<Pipeline> {
        Ok(Pipeline {
            inner: self.inner.of(batch_id)?,
            engine: Arc::clone(self.engine),
        })
    }

    /// Blocking twin of [`crate::batches::Batches::run`]: creates a batch and runs `records` through
    /// it; iterate the returned [`BatchRun`] for the outputs.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let records = (0..100).map(|i| serde_json::json!({"Radius": i, "Height": 1}));
    /// let mut outputs = client
    ///     .batches()
    ///     .run("demo/volume-cylinder", records, &Default::default())?
    ///     .collect::<cspark::Result<Vec<_>>>()?;
    /// outputs.sort_by_key(|o| o.index); // they come in completion order
    /// # Ok(()) }
    /// ```
    pub fn run<I, T>(
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
        let run = self.block_on(self.inner.run(uri, records, options))??;
        Ok(BatchRun::new(run, Arc::clone(self.engine)))
    }

    /// Blocking twin of [`crate::batches::Batches::run_stream`]: creates a batch and runs the records
    /// of a source that may block (see [`Pipeline::run_stream`]).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::io::BufRead;
    /// let lines = std::io::BufReader::new(std::fs::File::open("records.jsonl")?).lines();
    /// let records = lines.map_while(|line| serde_json::from_str::<serde_json::Value>(&line.ok()?).ok());
    /// for out in client.batches().run_stream("demo/volume-cylinder", records, &Default::default())? {
    ///     println!("#{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_stream<S, T>(
        &self,
        uri: impl IntoServiceUri,
        records: S,
        options: &RunOptions,
    ) -> Result<BatchRun>
    where
        S: Iterator<Item = T> + Send + 'static,
        T: Serialize + Send + 'static,
    {
        let batch = self.create(uri, &options.create)?;
        Ok(self.of(batch.id)?.run_stream(records, options))
    }
}

/// Blocking twin of [`crate::batches::Pipeline`]: one batch, client side. Cheap to clone.
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::batches::BatchChunk;
/// let batch = client.batches().create("demo/volume-cylinder", &Default::default())?;
/// let pipeline = client.batches().of(batch.id)?;
/// let chunk = BatchChunk::new(vec![serde_json::json!({"Radius": 1, "Height": 2})]);
/// pipeline.push(vec![chunk], &Default::default())?;
/// let pulled = pipeline.pull(100)?;
/// println!("{} chunks", pulled.data.len());
/// pipeline.close()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Pipeline {
    inner: crate::batches::Pipeline,
    engine: Arc<Engine>,
}

impl Pipeline {
    /// The async pipeline.
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) {
    /// let async_pipeline: &cspark::batches::Pipeline = pipeline.inner();
    /// # }
    /// ```
    pub fn inner(&self) -> &crate::batches::Pipeline {
        &self.inner
    }

    /// See [`crate::batches::Pipeline::id`]: the batch id.
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) {
    /// println!("{}", pipeline.id());
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        self.inner.id()
    }

    /// See [`crate::batches::Pipeline::state`]: the client-side state.
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) {
    /// println!("{:?}", pipeline.state());
    /// # }
    /// ```
    pub fn state(&self) -> PipelineState {
        self.inner.state()
    }

    /// See [`crate::batches::Pipeline::stats`].
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) {
    /// let (chunks, records) = pipeline.stats();
    /// # }
    /// ```
    pub fn stats(&self) -> (usize, u64) {
        self.inner.stats()
    }

    fn async_handle(&self) -> &crate::batches::Pipeline {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    blocking_twins! { "crate::batches::Pipeline" =>
        fn get_status() -> BatchStatus;
        fn get_info() -> BatchInfo;
        fn push(chunks: Vec<BatchChunk>, options: &PushOptions) -> BatchStatus;
        fn push_records[T: Serialize](records: &[T], options: &PushOptions) -> BatchStatus;
        fn pull(max_chunks: usize) -> PullResult;
        fn close() -> BatchInfo;
        fn cancel() -> BatchInfo;
    }

    /// Blocking twin of [`crate::batches::Pipeline::run`]: streams `records` through this batch; the
    /// pushes and pulls go on on the client's worker thread while you iterate the outputs.
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) -> cspark::Result<()> {
    /// let records = (0..5_000).map(|i| serde_json::json!({"Radius": i, "Height": 1}));
    /// for out in pipeline.run(records, &Default::default()) {
    ///     println!("{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run<I, T>(self, records: I, options: &RunOptions) -> BatchRun
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Serialize,
    {
        let engine = Arc::clone(&self.engine);
        // The async run spawns its driver onto the current runtime: make it ours.
        let run = {
            let _entered = engine.enter();
            self.inner.run(records, options)
        };
        BatchRun::new(run, engine)
    }

    /// Blocking twin of [`crate::batches::Pipeline::run_stream`]: the records come from an iterator
    /// that may block (a file, a socket, a channel). It is read on a thread of the runtime's
    /// blocking pool, at most one chunk ahead of what the run asks for, so the run's pushes
    /// and pulls keep going while it waits.
    ///
    /// ```no_run
    /// # fn demo(pipeline: cspark::blocking::Pipeline) -> cspark::Result<()> {
    /// let (tx, rx) = std::sync::mpsc::sync_channel(256);
    /// std::thread::spawn(move || {
    ///     for i in 0..5_000 {
    ///         let _ = tx.send(serde_json::json!({"Radius": i, "Height": 1}));
    ///     }
    /// });
    /// for out in pipeline.run_stream(rx.into_iter(), &Default::default()) {
    ///     println!("{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_stream<S, T>(self, records: S, options: &RunOptions) -> BatchRun
    where
        S: Iterator<Item = T> + Send + 'static,
        T: Serialize + Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        let records = read_aside(&engine, records, options.chunk_size);
        let run = {
            let _entered = engine.enter();
            self.inner.run_stream(records, options)
        };
        BatchRun::new(run, engine)
    }
}

/// A stream of `records` read on the runtime's blocking pool through a channel of `bound`
/// items, so an iterator that blocks never stalls the runtime's worker.
fn read_aside<S, T>(engine: &Engine, records: S, bound: usize) -> BoxStream<'static, T>
where
    S: Iterator<Item = T> + Send + 'static,
    T: Send + 'static,
{
    let Some(handle) = engine.handle() else {
        // Not reachable while a handle holds the engine; reading inline is still correct.
        return futures::stream::iter(records).boxed();
    };
    let (tx, rx) = tokio::sync::mpsc::channel(bound.max(1));
    handle.spawn_blocking(move || {
        for record in records {
            // The run ended (or was dropped): stop reading the source.
            if tx.blocking_send(record).is_err() {
                break;
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|r| (r, rx)) }).boxed()
}

/// Blocking twin of [`crate::batches::BatchRun`]: an [`Iterator`] of every record's output (completion
/// order, each input index exactly once). Dropping it stops the run and cancels the batch.
///
/// Called inside an async runtime, the next item is the [`SparkError::Config`] of
/// [`Client::block_on`](super::Client::block_on) and the iteration ends.
///
/// [`SparkError::Config`]: crate::SparkError::Config
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// let records = (0..100).map(|i| serde_json::json!({"Radius": i, "Height": 1}));
/// let mut run = client.batches().run("demo/volume-cylinder", records, &Default::default())?;
/// let progress = run.progress();
/// while let Some(out) = run.recv() {
///     println!("{} ({} done)", out?.index, progress.borrow().processed);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BatchRun {
    inner: crate::batches::BatchRun,
    engine: Arc<Engine>,
    ended: bool,
}

impl BatchRun {
    fn new(inner: crate::batches::BatchRun, engine: Arc<Engine>) -> Self {
        Self {
            inner,
            engine,
            ended: false,
        }
    }

    /// See [`crate::batches::BatchRun::progress`]: the run's counters (`borrow()` reads them now).
    ///
    /// ```no_run
    /// # fn demo(run: cspark::blocking::BatchRun) {
    /// println!("{} processed", run.progress().borrow().processed);
    /// # }
    /// ```
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.inner.progress()
    }

    /// Blocking twin of [`crate::batches::BatchRun::recv`]: the next output, `None` at the end (the
    /// same as [`Iterator::next`]).
    ///
    /// ```no_run
    /// # fn demo(mut run: cspark::blocking::BatchRun) -> cspark::Result<()> {
    /// while let Some(out) = run.recv() {
    ///     println!("{}", out?.index);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn recv(&mut self) -> Option<Result<RecordOutput>> {
        next_blocking(&self.engine, &mut self.inner, &mut self.ended)
    }

    /// See [`crate::batches::BatchRun::batch_id`].
    ///
    /// ```no_run
    /// # fn demo(run: cspark::blocking::BatchRun) {
    /// println!("batch {}", run.batch_id());
    /// # }
    /// ```
    pub fn batch_id(&self) -> &str {
        self.inner.batch_id()
    }
}

impl Iterator for BatchRun {
    type Item = Result<RecordOutput>;

    fn next(&mut self) -> Option<Self::Item> {
        self.recv()
    }
}

/// The next item of `stream`, blocking. A `block_on` refusal (inside an async runtime) is
/// yielded once and ends the iteration, so a loop that skips errors cannot spin on it.
pub(crate) fn next_blocking<T, St>(
    engine: &Engine,
    stream: &mut St,
    ended: &mut bool,
) -> Option<Result<T>>
where
    St: Stream<Item = Result<T>> + Unpin,
{
    if *ended {
        return None;
    }
    match engine.block_on(stream.next()) {
        Ok(Some(item)) => Some(item),
        Ok(None) => {
            *ended = true;
            None
        }
        Err(refused) => {
            *ended = true;
            Some(Err(refused))
        }
    }
}
