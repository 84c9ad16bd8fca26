//! Batch calls on the [blocking client](crate::blocking::Client) (feature `blocking`).

use serde::Serialize;

use super::{
    BatchChunk, BatchInfo, BatchStatus, CreateBatchOptions, Pipeline, PullResult, PushOptions,
    RecordOutput, RunOptions,
};
use crate::TypedService;
use crate::error::Result;
use crate::resources::services::IntoServiceUri;

impl crate::blocking::Client {
    /// See [`Batches::create`](super::Batches::create).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let batch = client.create_batch("demo/volume-cylinder", &Default::default())?;
    /// let pipeline = client.inner().batches().of(batch.id)?;
    /// # Ok(()) }
    /// ```
    pub fn create_batch(
        &self,
        uri: impl IntoServiceUri,
        options: &CreateBatchOptions,
    ) -> Result<BatchInfo> {
        self.block_on(self.inner().batches().create(uri, options))?
    }

    /// See [`Pipeline::push`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client, pipeline: cspark::Pipeline) -> cspark::Result<()> {
    /// use cspark::resources::batches::BatchChunk;
    /// let chunk = BatchChunk::new(vec![serde_json::json!({"Radius": 1, "Height": 2})]);
    /// client.push_batch(&pipeline, vec![chunk], &Default::default())?;
    /// # Ok(()) }
    /// ```
    pub fn push_batch(
        &self,
        pipeline: &Pipeline,
        chunks: Vec<BatchChunk>,
        options: &PushOptions,
    ) -> Result<BatchStatus> {
        self.block_on(pipeline.push(chunks, options))?
    }

    /// See [`Pipeline::pull`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client, pipeline: cspark::Pipeline) -> cspark::Result<()> {
    /// let pulled = client.pull_batch(&pipeline, 100)?;
    /// println!("{} chunks", pulled.data.len());
    /// # Ok(()) }
    /// ```
    pub fn pull_batch(&self, pipeline: &Pipeline, max_chunks: usize) -> Result<PullResult> {
        self.block_on(pipeline.pull(max_chunks))?
    }

    /// See [`Batches::run`](super::Batches::run); collects every output, sorted by input
    /// index (so all outputs are held in memory: use the async stream for large runs).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let records: Vec<_> = (0..100).map(|i| serde_json::json!({"Radius": i, "Height": 1})).collect();
    /// let outputs = client.run_batch("demo/volume-cylinder", records, &Default::default())?;
    /// assert_eq!(outputs.len(), 100);
    /// # Ok(()) }
    /// ```
    pub fn run_batch<I, T>(
        &self,
        uri: impl IntoServiceUri,
        records: I,
        options: &RunOptions,
    ) -> Result<Vec<RecordOutput>>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Serialize,
    {
        self.block_on(async {
            let mut run = self.inner().batches().run(uri, records, options).await?;
            let mut all = Vec::new();
            while let Some(out) = run.recv().await {
                all.push(out?);
            }
            all.sort_by_key(|o| o.index);
            Ok(all)
        })?
    }

    /// See [`Client::run_typed_batch`](crate::Client::run_typed_batch); returns the outputs
    /// in input order.
    ///
    /// ```no_run
    /// # use cspark::TypedService;
    /// # fn demo<S: TypedService>(client: cspark::blocking::Client, inputs: Vec<S::Inputs>) -> cspark::Result<()> {
    /// let outputs = client.run_typed_batch::<S>(inputs, &Default::default())?;
    /// # Ok(()) }
    /// ```
    pub fn run_typed_batch<S: TypedService>(
        &self,
        inputs: impl IntoIterator<Item = S::Inputs, IntoIter: Send + 'static>,
        options: &RunOptions,
    ) -> Result<Vec<S::Outputs>> {
        self.block_on(async {
            let mut run = self.inner().run_typed_batch::<S>(inputs, options).await?;
            let mut all = Vec::new();
            while let Some(item) = run.recv().await {
                all.push(item?);
            }
            all.sort_by_key(|(i, _)| *i);
            Ok(all.into_iter().map(|(_, o)| o).collect())
        })?
    }
}
