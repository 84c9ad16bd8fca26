//! `client.batches()`: the asynchronous Batch API v4 (python-sdk.md §4.5, ts-sdk.md §6,
//! spark-platform.md §2.6 / §6.7).
//!
//! * [`Batches::create`] opens a batch pipeline on the server (`POST {base}/api/v4/batch`).
//! * [`Batches::of`] gives a client-side [`Pipeline`] for a batch id: `push`, `pull`,
//!   `get_status`, `get_info`, `close`, `cancel`.
//! * [`Pipeline::run`] / [`Batches::run`] stream records through a batch with bounded memory
//!   and return every record's output exactly once, keyed by its input index.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::support::json_object;
use crate::client::Client;
use crate::error::Result;
use crate::resources::services::IntoServiceUri;
use crate::resources::services::execute::DEFAULT_SOURCE_SYSTEM;
use crate::uri::ServiceUri;

mod columnar;
mod pipeline;
pub(crate) mod run;

pub use pipeline::{
    BatchChunk, ChunkData, ChunkIdPolicy, ChunkResult, Pipeline, PipelineState, PullResult,
    PushOptions,
};
pub use run::{BatchRun, Progress, RecordOutput, RunOptions};

use crate::generated::types::BatchDescribeResponse;

/// Default `call_purpose` of a batch, as the reference SDKs send it.
pub const DEFAULT_BATCH_CALL_PURPOSE: &str = "Async Batch Execution";
/// Default number of records per pushed chunk (`BATCH_CHUNK_SIZE` of the reference SDKs).
pub const DEFAULT_CHUNK_SIZE: usize = 200;

/// Which key(s) carry `max_input_size` / `max_output_size` in the create body.
///
/// The platform documents `max_input_in_mb`, the Python SDK sends `max_input_size_in_mb` and
/// the TypeScript SDK `max_input_size` (spark-platform.md §6.7). The default,
/// [`SizeKeys::InMb`], follows the platform documentation; [`SizeKeys::All`] sends all three
/// spellings for servers whose preference is unknown (unknown keys are ignored by Spark).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeKeys {
    /// `max_input_in_mb` / `max_output_in_mb` (platform documentation; default).
    #[default]
    InMb,
    /// `max_input_size_in_mb` / `max_output_size_in_mb` (Python SDK).
    SizeInMb,
    /// `max_input_size` / `max_output_size` (TypeScript SDK).
    Bare,
    /// All three spellings at once.
    All,
}

impl SizeKeys {
    fn keys(self, what: &str) -> Vec<String> {
        let in_mb = format!("max_{what}_in_mb");
        let size_in_mb = format!("max_{what}_size_in_mb");
        let bare = format!("max_{what}_size");
        match self {
            Self::InMb => vec![in_mb],
            Self::SizeInMb => vec![size_in_mb],
            Self::Bare => vec![bare],
            Self::All => vec![in_mb, size_in_mb, bare],
        }
    }
}

/// Options of [`Batches::create`]; every field is optional and unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateBatchOptions {
    /// Semantic version to run (goes into `service` as `folder/service[version]`).
    pub version: Option<String>,
    /// Version id to run (`version_id`).
    pub version_id: Option<String>,
    /// Pick the version active at this date (`version_by_timestamp`, ISO 8601).
    pub transaction_date: Option<String>,
    /// Subservices to run (`subservice`, comma-joined).
    pub subservices: Vec<String>,
    /// Outputs to return (`output`, comma-joined).
    pub selected_outputs: Vec<String>,
    /// Logged purpose; default [`DEFAULT_BATCH_CALL_PURPOSE`].
    pub call_purpose: Option<String>,
    /// Logged caller; default `Spark Rust SDK`.
    pub source_system: Option<String>,
    /// Your id for the batch (`correlation_id`).
    pub correlation_id: Option<String>,
    /// Input fields that identify a record (`unique_record_key`, comma-joined).
    pub unique_record_key: Vec<String>,
    /// Initial number of runners (`initial_workers`).
    pub min_runners: Option<u32>,
    /// Maximum number of runners (`max_workers`).
    pub max_runners: Option<u32>,
    /// Chunks handed to a runner per request (`chunks_per_request`).
    pub chunks_per_request: Option<u32>,
    /// Threads per runner (`runner_thread_count`).
    pub runner_thread_count: Option<u32>,
    /// Input buffer size in MB (key spelling per [`size_keys`](Self::size_keys)).
    pub max_input_size_mb: Option<f64>,
    /// Output buffer size in MB (key spelling per [`size_keys`](Self::size_keys)).
    pub max_output_size_mb: Option<f64>,
    /// Which key(s) carry the two sizes above.
    pub size_keys: SizeKeys,
    /// Accuracy in `0.0..=1.0`; sent as `acceptable_error_percentage` =
    /// `round((1 - accuracy) * 100)` (always sent, 0 by default). Unlike the reference SDKs
    /// there is no float error: 0.95 gives 5, not 6.
    pub accuracy: Option<f64>,
    /// Extra top-level body fields (override the above; `null` removes a field).
    pub extra: Map<String, Value>,
}

/// A batch document `{object, id, data}` (create, info, close and cancel responses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawInfo")]
#[non_exhaustive]
pub struct BatchInfo {
    /// Always `"batch"`.
    pub object: Option<String>,
    /// Batch id.
    pub id: String,
    /// `service_id`, `version_id`, `batch_status`, `summary`, `configuration`, …; close and
    /// cancel responses may carry it under `meta` instead (ts-sdk.md §6.5): `data` is used
    /// when present, else `meta`.
    pub data: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawInfo {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    id: String,
    #[serde(default)]
    data: Option<Map<String, Value>>,
    #[serde(default)]
    meta: Option<Map<String, Value>>,
}

impl From<RawInfo> for BatchInfo {
    fn from(r: RawInfo) -> Self {
        Self {
            object: r.object,
            id: r.id,
            data: r.data.or(r.meta).unwrap_or_default(),
        }
    }
}

impl BatchInfo {
    /// `data.batch_status` (`created`, `in_progress`, `closed`, `completed`, `cancelled`, …).
    pub fn batch_status(&self) -> Option<&str> {
        self.data.get("batch_status").and_then(Value::as_str)
    }
}

/// The status document of a batch (status, push and pull responses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawStatus")]
#[non_exhaustive]
pub struct BatchStatus {
    /// `created`, `in_progress`, `closed`, `closed_by_timeout`, `completed`,
    /// `completed_by_timeout`, `failed` or `cancelled`.
    pub batch_status: Option<String>,
    /// `idle`, `processing` or `closed`.
    pub pipeline_status: Option<String>,
    /// Chunks whose results wait to be pulled.
    pub chunks_available: u64,
    /// Chunks received.
    pub chunks_submitted: u64,
    /// Chunks computed.
    pub chunks_completed: u64,
    /// Records received (Spark spells it `record_submitted`; either spelling is read).
    pub records_submitted: u64,
    /// Records computed.
    pub records_completed: u64,
    /// Records whose results wait to be pulled.
    pub records_available: u64,
    /// Fields this SDK does not model (buffers, timestamps, workers…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawStatus {
    #[serde(default)]
    batch_status: Option<String>,
    #[serde(default)]
    pipeline_status: Option<String>,
    #[serde(default)]
    chunks_available: u64,
    #[serde(default)]
    chunks_submitted: u64,
    #[serde(default)]
    chunks_completed: u64,
    #[serde(default)]
    record_submitted: Option<u64>,
    #[serde(default)]
    records_submitted: Option<u64>,
    #[serde(default)]
    records_completed: u64,
    #[serde(default)]
    records_available: u64,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<RawStatus> for BatchStatus {
    fn from(r: RawStatus) -> Self {
        Self {
            batch_status: r.batch_status,
            pipeline_status: r.pipeline_status,
            chunks_available: r.chunks_available,
            chunks_submitted: r.chunks_submitted,
            chunks_completed: r.chunks_completed,
            records_submitted: r.record_submitted.or(r.records_submitted).unwrap_or(0),
            records_completed: r.records_completed,
            records_available: r.records_available,
            extra: r.extra,
        }
    }
}

impl BatchStatus {
    /// True once the batch can make no more progress (`completed*`, `cancelled`, `failed`).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.batch_status.as_deref(),
            Some("completed" | "completed_by_timeout" | "cancelled" | "failed")
        )
    }
}

/// Batch operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Batches<'c> {
    client: &'c Client,
}

impl<'c> Batches<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Lists the batches in progress and those finished in the last hour, with the tenant's
    /// buffers and workers (`GET {base}/api/v4/batch/status`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let overview = client.batches().describe().await?;
    /// for batch in overview.in_progress_batches.unwrap_or_default() {
    ///     println!("{:?} {:?}", batch.id, batch.data.and_then(|d| d.batch_status));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn describe(&self) -> Result<BatchDescribeResponse> {
        let body = self.describe_raw().await?;
        crate::resources::support::decode_body(&body, "batch overview")
    }

    /// [`describe`](Self::describe) as the raw JSON Spark sent (escape hatch).
    pub async fn describe_raw(&self) -> Result<Value> {
        let api = self.client.platform();
        let outcome = api.describe_batches(self.client.base_url().tenant()).await;
        Ok(outcome?.into_inner())
    }

    /// Creates a batch pipeline for a service (`POST {base}/api/v4/batch`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::batches::CreateBatchOptions;
    /// let mut options = CreateBatchOptions::default();
    /// options.max_runners = Some(20);
    /// let batch = client.batches().create("my-folder/my-service", &options).await?;
    /// println!("batch {} is {:?}", batch.id, batch.batch_status());
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        uri: impl IntoServiceUri,
        options: &CreateBatchOptions,
    ) -> Result<BatchInfo> {
        let uri = uri.into_service_uri()?;
        let body = create_body(&uri, options)?;
        let body = json_object(body, "batch creation")?;
        // Not idempotent (the default for POST): a replay would open a second batch.
        let api = self.client.platform();
        let outcome = api
            .create_batch(self.client.base_url().tenant(), &body)
            .await;
        crate::generated::decode_as(outcome?, "batch creation")
    }

    /// A client-side handle on an existing batch (no HTTP). Fails on an empty id.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let pipeline = client.batches().of("8d3c…-batch-id")?;
    /// println!("{:?}", pipeline.get_status().await?.batch_status);
    /// # Ok(()) }
    /// ```
    pub fn of(&self, batch_id: impl Into<String>) -> Result<Pipeline> {
        Pipeline::new(self.client.clone(), batch_id.into())
    }
}

impl Client {
    /// Batch API v4 operations (create, push, pull, run…).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let overview = client.batches().describe().await?;
    /// # Ok(()) }
    /// ```
    pub fn batches(&self) -> Batches<'_> {
        Batches::new(self)
    }
}

/// `acceptable_error_percentage` from an accuracy, without the reference SDKs' float error.
pub fn error_percentage(accuracy: Option<f64>) -> u32 {
    let accuracy = accuracy.filter(|a| a.is_finite()).unwrap_or(1.0);
    let p = ((1.0 - accuracy.clamp(0.0, 1.0)) * 100.0).clamp(0.0, 100.0);
    let rounded = p.round();
    let p = if (p - rounded).abs() < 1e-6 {
        rounded
    } else {
        p.ceil()
    };
    // p is in 0..=100 here.
    p as u32
}

/// Builds the create body (python-sdk.md §4.5 field table); unset values are left out.
pub fn create_body(uri: &ServiceUri, o: &CreateBatchOptions) -> Result<Value> {
    let mut body = Map::new();
    let (service, version_id) = crate::resources::services::execute_many::v4_target(
        uri,
        o.version.as_deref(),
        o.version_id.as_deref(),
        "the Batch API",
    )?;
    let joined = |v: &[String]| (!v.is_empty()).then(|| Value::String(v.join(",")));
    let string = |v: Option<String>| v.map(Value::String);
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            body.insert(k.to_owned(), v);
        }
    };
    put("service", string(service));
    put("version_id", string(version_id));
    put("version_by_timestamp", string(o.transaction_date.clone()));
    put("subservice", joined(&o.subservices));
    put("output", joined(&o.selected_outputs));
    put(
        "call_purpose",
        Some(Value::String(
            o.call_purpose
                .clone()
                .unwrap_or_else(|| DEFAULT_BATCH_CALL_PURPOSE.to_owned()),
        )),
    );
    put(
        "source_system",
        Some(Value::String(
            o.source_system
                .clone()
                .unwrap_or_else(|| DEFAULT_SOURCE_SYSTEM.to_owned()),
        )),
    );
    put("correlation_id", string(o.correlation_id.clone()));
    put("unique_record_key", joined(&o.unique_record_key));
    put("initial_workers", o.min_runners.map(Value::from));
    put("max_workers", o.max_runners.map(Value::from));
    put("chunks_per_request", o.chunks_per_request.map(Value::from));
    put(
        "runner_thread_count",
        o.runner_thread_count.map(Value::from),
    );
    for (what, size) in [
        ("input", o.max_input_size_mb),
        ("output", o.max_output_size_mb),
    ] {
        if let Some(size) = size {
            for key in o.size_keys.keys(what) {
                put(&key, Some(Value::from(size)));
            }
        }
    }
    put(
        "acceptable_error_percentage",
        Some(Value::from(error_percentage(o.accuracy))),
    );
    for (k, v) in &o.extra {
        if v.is_null() {
            body.remove(k);
        } else {
            body.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_has_no_float_error() {
        assert_eq!(error_percentage(None), 0);
        assert_eq!(error_percentage(Some(1.0)), 0);
        assert_eq!(error_percentage(Some(0.95)), 5);
        assert_eq!(error_percentage(Some(0.9)), 10);
        assert_eq!(error_percentage(Some(0.97)), 3);
        assert_eq!(error_percentage(Some(-2.0)), 100);
        assert_eq!(error_percentage(Some(0.955)), 5);
    }
}
