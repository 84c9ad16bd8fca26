//! Typed batch runs: [`Client::run_typed_batch`](crate::Client::run_typed_batch) streams
//! generated `Inputs` through the Batch API and yields `(input index, Outputs)`.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use tokio::sync::watch;

use crate::error::{Result, SparkError};
use crate::resources::batches::run::RecordFault;
use crate::resources::batches::{BatchRun, Progress, RunOptions};
use crate::{ServiceInputs, TypedService};

/// A typed batch run: a [`Stream`] of `(input index, outputs)`, each index exactly once, in
/// completion order.
pub struct TypedBatchRun<S: TypedService> {
    inner: BatchRun,
    _service: PhantomData<fn() -> S>,
}

impl<S: TypedService> std::fmt::Debug for TypedBatchRun<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedBatchRun")
            .field("service", &format_args!("{}/{}", S::FOLDER, S::SERVICE))
            .field("batch_id", &self.inner.batch_id())
            .finish()
    }
}

impl<S: TypedService> TypedBatchRun<S> {
    /// Counters of the run (see [`BatchRun::progress`]).
    ///
    /// ```no_run
    /// # fn demo<S: cspark::TypedService>(run: cspark::TypedBatchRun<S>) {
    /// let progress = run.progress();
    /// println!("{} processed", progress.borrow().processed);
    /// # }
    /// ```
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.inner.progress()
    }

    /// The next `(input index, outputs)`, `None` at the end (the same as
    /// `StreamExt::next`, without needing `futures`).
    ///
    /// ```no_run
    /// # async fn demo<S: cspark::TypedService>(mut run: cspark::TypedBatchRun<S>) -> cspark::Result<()> {
    /// while let Some(item) = run.recv().await {
    ///     let (index, _outputs) = item?;
    ///     println!("#{index}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn recv(&mut self) -> Option<Result<(usize, S::Outputs)>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The batch id.
    ///
    /// ```no_run
    /// # fn demo<S: cspark::TypedService>(run: cspark::TypedBatchRun<S>) {
    /// println!("batch {}", run.batch_id());
    /// # }
    /// ```
    pub fn batch_id(&self) -> &str {
        self.inner.batch_id()
    }
}

impl<S: TypedService> Stream for TypedBatchRun<S> {
    type Item = Result<(usize, S::Outputs)>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let batch = self.inner.batch_id().to_owned();
        Pin::new(&mut self.inner).poll_next(cx).map(|item| {
            item.map(|record| {
                let record = record?;
                let outputs =
                    serde_json::from_value::<S::Outputs>(record.outputs).map_err(|e| {
                        SparkError::Decode {
                            what: "typed batch outputs",
                            request_id: format!("batch {batch}"),
                            reason: format!(
                                "record #{} of {}/{} does not match the generated type: {e}",
                                record.index,
                                S::FOLDER,
                                S::SERVICE
                            ),
                        }
                    })?;
                Ok((record.index, outputs))
            })
        })
    }
}

impl crate::Client {
    /// Creates a batch for the service that the inputs belong to (inferred from their type)
    /// and streams `inputs` through it (see
    /// [`Pipeline::run`](crate::resources::batches::Pipeline::run)): bounded memory,
    /// concurrent push and pull, every input index exactly once, batch closed at the end.
    /// Pins the bindings' version unless `options.create` sets a version or version id.
    ///
    /// ```no_run
    /// # async fn demo<I: cspark::ServiceInputs>(client: cspark::Client, inputs: Vec<I>) -> cspark::Result<()> {
    /// use futures::StreamExt;
    /// let mut run = client.run_typed_batch(inputs, &Default::default()).await?;
    /// while let Some(item) = run.next().await {
    ///     let (index, _outputs) = item?;
    ///     println!("record #{index} done");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run_typed_batch<I: ServiceInputs>(
        &self,
        inputs: impl IntoIterator<Item = I, IntoIter: Send + 'static>,
        options: &RunOptions,
    ) -> Result<TypedBatchRun<I::Service>> {
        self.run_service_batch::<I::Service>(inputs, options).await
    }

    /// [`run_typed_batch`](Self::run_typed_batch), generic over the service the inputs
    /// belong to.
    async fn run_service_batch<S: TypedService>(
        &self,
        inputs: impl IntoIterator<Item = S::Inputs, IntoIter: Send + 'static>,
        options: &RunOptions,
    ) -> Result<TypedBatchRun<S>> {
        let mut options = options.clone();
        if options.create.version.is_none()
            && options.create.version_id.is_none()
            && !S::VERSION.is_empty()
        {
            options.create.version = Some(S::VERSION.to_owned());
        }
        let uri = crate::ServiceUri::new(S::FOLDER, S::SERVICE)?;
        let skip = options.skip_input_rules;
        let records = futures::stream::iter(inputs).map(move |record| {
            if !skip {
                S::validate(&record).map_err(|source| RecordFault::Rules {
                    service: format!("{}/{}", S::FOLDER, S::SERVICE),
                    source,
                })?;
            }
            serde_json::to_value(&record).map_err(RecordFault::Json)
        });
        let batches = self.batches();
        let batch = batches.create(uri, &options.create).await?;
        let inner = batches.of(batch.id)?.run_values(records, &options);
        Ok(TypedBatchRun {
            inner,
            _service: PhantomData,
        })
    }
}
