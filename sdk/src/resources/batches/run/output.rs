//! What a run hands back: the [`BatchRun`] stream of [`RecordOutput`]s and its [`Progress`].

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::error::Result;

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
    /// Wraps the receiving ends of a run's channels.
    pub(super) fn new(
        rx: mpsc::Receiver<Result<RecordOutput>>,
        progress: watch::Receiver<Progress>,
        batch_id: String,
    ) -> Self {
        Self {
            rx,
            progress,
            batch_id,
        }
    }

    /// A receiver of the run's counters.
    ///
    /// ```no_run
    /// # async fn demo(run: cspark::batches::BatchRun) {
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
    /// # async fn demo(mut run: cspark::batches::BatchRun) -> cspark::Result<()> {
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
    /// # fn demo(run: cspark::batches::BatchRun) {
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
