//! Typed calls of the [blocking client](super::Client): `execute_typed*` and
//! `run_typed_batch` (an [`Iterator`] of `(input index, outputs)`).

use std::sync::Arc;

use tokio::sync::watch;

use super::Engine;
use super::batches::next_blocking;
use crate::error::Result;
use crate::resources::batches::{Progress, RunOptions};
use crate::services::ExecuteOptions;
use crate::typed::OutputsOf;
use crate::{Chunking, ServiceInputs, Typed, TypedChunked, TypedMany, TypedService};

impl super::Client {
    /// Blocking twin of [`crate::Client::execute_typed`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, inputs: I) -> cspark::Result<()> {
    /// let typed = client.execute_typed(&inputs)?;
    /// println!("call id {:?}", typed.meta.call_id);
    /// # Ok(()) }
    /// ```
    pub fn execute_typed<I: ServiceInputs>(&self, inputs: &I) -> Result<Typed<OutputsOf<I>>> {
        self.block_on(self.inner().execute_typed(inputs))?
    }

    /// Blocking twin of [`crate::Client::execute_typed_with`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, inputs: I) -> cspark::Result<()> {
    /// let options = cspark::services::ExecuteOptions::default().call_purpose("nightly");
    /// let typed = client.execute_typed_with(&inputs, options)?;
    /// # Ok(()) }
    /// ```
    pub fn execute_typed_with<I: ServiceInputs>(
        &self,
        inputs: &I,
        options: ExecuteOptions,
    ) -> Result<Typed<OutputsOf<I>>> {
        self.block_on(self.inner().execute_typed_with(inputs, options))?
    }

    /// Blocking twin of [`crate::Client::execute_typed_many`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, records: Vec<I>) -> cspark::Result<()> {
    /// let many = client.execute_typed_many(&records)?;
    /// println!("{} outputs", many.outputs().count());
    /// # Ok(()) }
    /// ```
    pub fn execute_typed_many<I: ServiceInputs>(
        &self,
        records: &[I],
    ) -> Result<TypedMany<OutputsOf<I>>> {
        self.block_on(self.inner().execute_typed_many(records))?
    }

    /// Blocking twin of [`crate::Client::execute_typed_many_with`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, records: Vec<I>) -> cspark::Result<()> {
    /// let options = cspark::services::ExecuteOptions::default().source_system("etl");
    /// let many = client.execute_typed_many_with(&records, options)?;
    /// # Ok(()) }
    /// ```
    pub fn execute_typed_many_with<I: ServiceInputs>(
        &self,
        records: &[I],
        options: ExecuteOptions,
    ) -> Result<TypedMany<OutputsOf<I>>> {
        self.block_on(self.inner().execute_typed_many_with(records, options))?
    }

    /// Blocking twin of [`crate::Client::execute_typed_chunked`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, records: Vec<I>) -> cspark::Result<()> {
    /// let chunking = cspark::Chunking::default().in_flight(8);
    /// let results = client.execute_typed_chunked(&records, chunking)?;
    /// println!("{} outputs in {} calls", results.records.len(), results.calls.len());
    /// # Ok(()) }
    /// ```
    pub fn execute_typed_chunked<I: ServiceInputs>(
        &self,
        records: &[I],
        chunking: Chunking,
    ) -> Result<TypedChunked<OutputsOf<I>>> {
        self.block_on(self.inner().execute_typed_chunked(records, chunking))?
    }

    /// Blocking twin of [`crate::Client::execute_typed_chunked_with`].
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, records: Vec<I>) -> cspark::Result<()> {
    /// let options = cspark::services::ExecuteOptions::default().source_system("etl");
    /// let results = client.execute_typed_chunked_with(&records, Default::default(), options)?;
    /// # Ok(()) }
    /// ```
    pub fn execute_typed_chunked_with<I: ServiceInputs>(
        &self,
        records: &[I],
        chunking: Chunking,
        options: ExecuteOptions,
    ) -> Result<TypedChunked<OutputsOf<I>>> {
        self.block_on(
            self.inner()
                .execute_typed_chunked_with(records, chunking, options),
        )?
    }

    /// Blocking twin of [`crate::Client::run_typed_batch`]: iterate the returned
    /// [`TypedBatchRun`] for `(input index, outputs)`.
    ///
    /// ```no_run
    /// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, inputs: Vec<I>) -> cspark::Result<()> {
    /// for item in client.run_typed_batch(inputs, &Default::default())? {
    ///     let (index, _outputs) = item?;
    ///     println!("#{index}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_typed_batch<I: ServiceInputs>(
        &self,
        inputs: impl IntoIterator<Item = I, IntoIter: Send + 'static>,
        options: &RunOptions,
    ) -> Result<TypedBatchRun<I::Service>> {
        let run = self.block_on(self.inner().run_typed_batch(inputs, options))??;
        Ok(TypedBatchRun {
            inner: run,
            engine: Arc::clone(&self.engine),
            ended: false,
        })
    }
}

/// Blocking twin of [`crate::typed_batch::TypedBatchRun`]: an [`Iterator`] of
/// `(input index, outputs)`, each index exactly once, in completion order. Inside an async
/// runtime the next item is the refusal of [`Client::block_on`](super::Client::block_on)
/// and the iteration ends.
///
/// ```no_run
/// # fn demo<I: cspark::ServiceInputs>(client: cspark::blocking::Client, inputs: Vec<I>) -> cspark::Result<()> {
/// let mut outputs: Vec<_> = client
///     .run_typed_batch(inputs, &Default::default())?
///     .collect::<cspark::Result<_>>()?;
/// outputs.sort_by_key(|(index, _)| *index);
/// # Ok(()) }
/// ```
pub struct TypedBatchRun<S: TypedService> {
    inner: crate::typed_batch::TypedBatchRun<S>,
    engine: Arc<Engine>,
    ended: bool,
}

impl<S: TypedService> std::fmt::Debug for TypedBatchRun<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedBatchRun")
            .field("inner", &self.inner)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<S: TypedService> TypedBatchRun<S> {
    /// See [`crate::typed_batch::TypedBatchRun::progress`].
    ///
    /// ```no_run
    /// # fn demo<S: cspark::TypedService>(run: cspark::blocking::TypedBatchRun<S>) {
    /// println!("{} processed", run.progress().borrow().processed);
    /// # }
    /// ```
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.inner.progress()
    }

    /// Blocking twin of [`crate::typed_batch::TypedBatchRun::recv`]: the next
    /// `(input index, outputs)`, `None` at the end.
    ///
    /// ```no_run
    /// # fn demo<S: cspark::TypedService>(mut run: cspark::blocking::TypedBatchRun<S>) -> cspark::Result<()> {
    /// while let Some(item) = run.recv() {
    ///     println!("#{}", item?.0);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn recv(&mut self) -> Option<Result<(usize, S::Outputs)>> {
        next_blocking(&self.engine, &mut self.inner, &mut self.ended)
    }

    /// See [`crate::typed_batch::TypedBatchRun::batch_id`].
    ///
    /// ```no_run
    /// # fn demo<S: cspark::TypedService>(run: cspark::blocking::TypedBatchRun<S>) {
    /// println!("batch {}", run.batch_id());
    /// # }
    /// ```
    pub fn batch_id(&self) -> &str {
        self.inner.batch_id()
    }
}

impl<S: TypedService> Iterator for TypedBatchRun<S> {
    type Item = Result<(usize, S::Outputs)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.recv()
    }
}
