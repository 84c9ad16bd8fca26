//! [`Pipeline`]: one batch, seen from the client (push, pull, status, info, close, cancel)
//! with the client-side state machine of the reference SDKs (ts-sdk.md §6.5).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{BatchInfo, BatchStatus, DEFAULT_CHUNK_SIZE};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::generated::types;
use crate::transport::RequestSpec;

/// Client-side state of a [`Pipeline`] (never synced with the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PipelineState {
    /// Accepts every operation.
    Open,
    /// Closed by [`Pipeline::close`]: pulls only.
    Closed,
    /// Cancelled by [`Pipeline::cancel`]: nothing more.
    Cancelled,
}

impl PipelineState {
    fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What [`Pipeline::push`] does with a chunk id it has pushed before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkIdPolicy {
    /// Give the chunk a fresh UUID (default, as the reference SDKs).
    #[default]
    Replace,
    /// Fail with an error naming the chunk and the batch; nothing is sent.
    Throw,
    /// Leave the chunk out of the request.
    Ignore,
    /// Send it again unchanged (a deliberate retry: the caller dedupes results by id).
    Resend,
}

/// Options of [`Pipeline::push_records`] / [`Pipeline::push`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PushOptions {
    /// Records per chunk for [`Pipeline::push_records`] (default 200; 0 counts as 1).
    pub chunk_size: usize,
    /// Duplicate chunk ids (`ifChunkIdDuplicated`).
    pub if_chunk_id_duplicated: ChunkIdPolicy,
    /// Inputs common to every record of the chunks built by `push_records`.
    pub parameters: Map<String, Value>,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self {
            chunk_size: DEFAULT_CHUNK_SIZE,
            if_chunk_id_duplicated: ChunkIdPolicy::Replace,
            parameters: Map::new(),
        }
    }
}

/// The payload of one chunk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChunkData {
    /// Records: JSON objects, or columnar rows with the header row first.
    pub inputs: Vec<Value>,
    /// Inputs common to every record.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// `{ignore_error, aggregation:[{output_name, operator}]}`, or `null`.
    #[serde(default)]
    pub summary: Option<Value>,
}

/// One chunk as pushed: `{id, data:{inputs, parameters, summary}, size}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BatchChunk {
    /// Chunk id (results come back under it).
    pub id: String,
    /// The records.
    pub data: ChunkData,
    /// Number of records (header row excluded).
    pub size: usize,
}

impl BatchChunk {
    /// A chunk of JSON-object records with a fresh UUID id.
    ///
    /// ```no_run
    /// use cspark::batches::BatchChunk;
    /// let chunk = BatchChunk::new(vec![serde_json::json!({"Radius": 1, "Height": 2})]);
    /// assert_eq!(chunk.size, 1);
    /// ```
    pub fn new(inputs: Vec<Value>) -> Self {
        Self::with_id(uuid::Uuid::new_v4().to_string(), inputs)
    }

    /// A chunk of JSON-object records with the given id.
    ///
    /// ```no_run
    /// use cspark::batches::BatchChunk;
    /// let chunk = BatchChunk::with_id("0001", vec![serde_json::json!({"Radius": 1})]);
    /// assert_eq!(chunk.id, "0001");
    /// ```
    pub fn with_id(id: impl Into<String>, inputs: Vec<Value>) -> Self {
        let size = inputs.len();
        Self {
            id: id.into(),
            data: ChunkData {
                inputs,
                parameters: Map::new(),
                summary: None,
            },
            size,
        }
    }
}

/// One pulled chunk: `{id, outputs, warnings, errors, process_time, summary_output}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChunkResult {
    /// The id the chunk was pushed with.
    #[serde(default)]
    pub id: String,
    /// One output per record (objects, or columnar rows when the inputs were columnar).
    #[serde(default)]
    pub outputs: Vec<Value>,
    /// Warnings per record.
    #[serde(default)]
    pub warnings: Vec<Value>,
    /// Errors per record.
    #[serde(default)]
    pub errors: Vec<Value>,
    /// Milliseconds per record.
    #[serde(default)]
    pub process_time: Vec<Value>,
    /// Aggregations asked for in the chunk's `summary`.
    #[serde(default)]
    pub summary_output: Value,
}

/// The answer of [`Pipeline::pull`]: finished chunks plus the batch status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PullResult {
    /// Finished chunks (possibly none).
    #[serde(default)]
    pub data: Vec<ChunkResult>,
    /// Status after the pull.
    #[serde(default)]
    pub status: BatchStatus,
}

#[derive(Debug)]
struct Local {
    state: PipelineState,
    seen: HashSet<String>,
    records: u64,
}

/// A handle on one batch (from [`Batches::of`](super::Batches::of) or
/// [`Batches::create`](super::Batches::create)). Cheap to clone; clones share the client-side
/// state: after `close`, no clone can push.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub(crate) client: Client,
    id: String,
    local: Arc<Mutex<Local>>,
}

impl Pipeline {
    pub(crate) fn new(client: Client, id: String) -> Result<Self> {
        if id.trim().is_empty() {
            return Err(SparkError::invalid(
                "batch id",
                id,
                "batch pipeline id is required to proceed",
            ));
        }
        Ok(Self {
            client,
            id,
            local: Arc::new(Mutex::new(Local {
                state: PipelineState::Open,
                seen: HashSet::new(),
                records: 0,
            })),
        })
    }

    fn local(&self) -> MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The batch id.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// assert_eq!(client.batches().of("b1")?.id(), "b1");
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client-side state.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::batches::PipelineState;
    /// assert_eq!(client.batches().of("b1")?.state(), PipelineState::Open);
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> PipelineState {
        self.local().state
    }

    /// `(chunk ids pushed, records pushed)` through this handle and its clones.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let (chunks, records) = client.batches().of("b1")?.stats();
    /// # Ok(()) }
    /// ```
    pub fn stats(&self) -> (usize, u64) {
        let l = self.local();
        (l.seen.len(), l.records)
    }

    fn forbid(&self, denied: &[PipelineState], op: &str) -> Result<()> {
        let state = self.state();
        if denied.contains(&state) {
            return Err(SparkError::invalid(
                "batch pipeline",
                self.id.clone(),
                format!(
                    "cannot {op}: batch pipeline <{}> is already {}",
                    self.id,
                    state.name()
                ),
            ));
        }
        Ok(())
    }

    /// Status of the batch (`GET {base}/api/v4/batch/{id}/status`).
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// let status = pipeline.get_status().await?;
    /// println!("{}/{} records done", status.records_completed, status.records_submitted);
    /// # Ok(()) }
    /// ```
    pub async fn get_status(&self) -> Result<BatchStatus> {
        let api = self.client.platform();
        let outcome = api
            .get_batch_status(self.client.base_url().tenant(), &self.id)
            .await;
        crate::generated::decode_as(outcome?, "batch status")
    }

    /// Details of the batch: configuration and summary (`GET {base}/api/v4/batch/{id}`).
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// let info = pipeline.get_info().await?;
    /// println!("{:?}", info.data.get("summary"));
    /// # Ok(()) }
    /// ```
    pub async fn get_info(&self) -> Result<BatchInfo> {
        let api = self.client.platform();
        let outcome = api
            .get_batch_info(self.client.base_url().tenant(), &self.id)
            .await;
        crate::generated::decode_as(outcome?, "batch info")
    }

    /// Pushes chunks (`POST {base}/api/v4/batch/{id}/chunks`). Duplicate ids (against every
    /// id pushed through this handle) are handled per `options.if_chunk_id_duplicated`.
    /// Fails before any HTTP when the pipeline is closed or cancelled. The request is replayed
    /// on transient failures: a chunk may then be computed twice, with the same id.
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// use cspark::batches::BatchChunk;
    /// let chunk = BatchChunk::with_id("c1", vec![serde_json::json!({"Radius": 1, "Height": 2})]);
    /// let status = pipeline.push(vec![chunk], &Default::default()).await?;
    /// println!("{} records submitted", status.records_submitted);
    /// # Ok(()) }
    /// ```
    pub async fn push(
        &self,
        chunks: Vec<BatchChunk>,
        options: &PushOptions,
    ) -> Result<BatchStatus> {
        self.forbid(&[PipelineState::Closed, PipelineState::Cancelled], "push")?;
        let mut send = Vec::with_capacity(chunks.len());
        {
            let mut l = self.local();
            for mut chunk in chunks {
                if l.seen.contains(&chunk.id) {
                    match options.if_chunk_id_duplicated {
                        ChunkIdPolicy::Replace => chunk.id = uuid::Uuid::new_v4().to_string(),
                        ChunkIdPolicy::Throw => {
                            return Err(SparkError::invalid(
                                "chunk id",
                                chunk.id.clone(),
                                format!(
                                    "chunk id <{}> is duplicated for batch pipeline <{}>",
                                    chunk.id, self.id
                                ),
                            ));
                        }
                        ChunkIdPolicy::Ignore => {
                            tracing::warn!(chunk = %chunk.id, batch = %self.id, "duplicated chunk id skipped");
                            continue;
                        }
                        ChunkIdPolicy::Resend => {}
                    }
                }
                send.push(chunk);
            }
            for chunk in &send {
                if l.seen.insert(chunk.id.clone()) {
                    l.records += chunk.size as u64;
                }
            }
        }
        self.push_raw(&send).await
    }

    /// Splits JSON-object records into chunks of `options.chunk_size` with fresh UUID ids
    /// and pushes them in one request.
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// let records: Vec<_> = (1..=1000).map(|r| serde_json::json!({"Radius": r, "Height": 1})).collect();
    /// pipeline.push_records(&records, &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn push_records<T: Serialize>(
        &self,
        records: &[T],
        options: &PushOptions,
    ) -> Result<BatchStatus> {
        let size = options.chunk_size.max(1);
        let mut chunks = Vec::with_capacity(records.len().div_ceil(size));
        for part in records.chunks(size) {
            let inputs = part
                .iter()
                .map(serde_json::to_value)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| SparkError::invalid("record", "<unserialisable>", e.to_string()))?;
            let mut chunk = BatchChunk::new(inputs);
            chunk.data.parameters = options.parameters.clone();
            chunks.push(chunk);
        }
        self.push(chunks, options).await
    }

    /// Sends chunks as they are (no state check, no id bookkeeping): the run loop's path.
    pub(crate) async fn push_raw(&self, chunks: &[BatchChunk]) -> Result<BatchStatus> {
        if chunks.is_empty() {
            return Err(SparkError::invalid(
                "batch chunks",
                self.id.clone(),
                format!("nothing to push to batch pipeline <{}>", self.id),
            ));
        }
        let chunks = serde_json::to_value(chunks)
            .map_err(|e| SparkError::invalid("batch chunks", self.id.clone(), e.to_string()))?;
        let body = serde_json::Map::from_iter([("chunks".to_owned(), chunks)]);
        // Replayed on transient failures (see `push`): chunk ids make a replay detectable.
        let api = self.client.platform();
        let outcome = api
            .push_batch_chunks(self.client.base_url().tenant(), &self.id, &body)
            .await;
        crate::generated::decode_as(outcome?, "batch push response")
    }

    /// Takes up to `max_chunks` finished chunks (1..=100) out of the output buffer
    /// (`GET {base}/api/v4/batch/{id}/chunkresults?max=N`). Allowed after `close`.
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// let pulled = pipeline.pull(100).await?;
    /// for chunk in &pulled.data {
    ///     println!("{}: {} outputs", chunk.id, chunk.outputs.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pull(&self, max_chunks: usize) -> Result<PullResult> {
        self.forbid(&[PipelineState::Cancelled], "pull")?;
        let max = u32::try_from(max_chunks.clamp(1, 100))
            .ok()
            .and_then(std::num::NonZeroU32::new);
        // The batch hot path: handwritten (spark.yaml `pullBatchResults`) so the answer is
        // decoded straight from the bytes into the SDK's types, with no `Value` in between.
        let base = self.client.base_url();
        let url = base.origin_url(&[
            base.tenant(),
            "api",
            "v4",
            "batch",
            &self.id,
            "chunkresults",
        ]);
        let mut spec = RequestSpec::get(&url)?;
        if let Some(max) = max {
            spec = spec.query("max", &max.to_string());
        }
        self.client
            .transport
            .send(spec)
            .await?
            .json("batch results")
    }

    /// Closes the batch: no more pushes; queued chunks still finish and can be pulled
    /// (`PATCH {base}/api/v4/batch/{id}` `{"batch_status":"closed"}`).
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// let info = pipeline.close().await?;
    /// println!("{:?}", info.batch_status());
    /// # Ok(()) }
    /// ```
    pub async fn close(&self) -> Result<BatchInfo> {
        self.dispose(PipelineState::Closed).await
    }

    /// Cancels the batch: buffered inputs and outputs are discarded
    /// (`PATCH {base}/api/v4/batch/{id}` `{"batch_status":"cancelled"}`).
    ///
    /// ```no_run
    /// # async fn demo(pipeline: cspark::batches::Pipeline) -> cspark::Result<()> {
    /// pipeline.cancel().await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self) -> Result<BatchInfo> {
        self.dispose(PipelineState::Cancelled).await
    }

    async fn dispose(&self, to: PipelineState) -> Result<BatchInfo> {
        let op = if to == PipelineState::Closed {
            "close"
        } else {
            "cancel"
        };
        self.forbid(&[PipelineState::Closed, PipelineState::Cancelled], op)?;
        let body = types::BatchStatusUpdate {
            batch_status: Some(if to == PipelineState::Closed {
                types::BatchStatusUpdateBatchStatus::Closed
            } else {
                types::BatchStatusUpdateBatchStatus::Cancelled
            }),
        };
        let api = self.client.platform();
        let outcome = api
            .update_batch_status(self.client.base_url().tenant(), &self.id, &body)
            .await;
        let info = crate::generated::decode_as(outcome?, "batch update")?;
        self.local().state = to;
        Ok(info)
    }
}
