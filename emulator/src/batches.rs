//! Async batch pipelines (§6.7): state machine and buffers. Chunks are computed when pushed
//! (outside any lock) and their results wait in the output buffer until pulled.
//!
//! States: `created` → (push) `in_progress` → (PATCH closed) `closed` → (buffer drained)
//! `completed`; any open state → (PATCH cancelled) `cancelled` (buffers discarded). Pushing is
//! only allowed while `created`/`in_progress`; pulling is allowed in every state.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::store::Version;
use crate::wire::timestamp;

/// Output buffer size reported (bytes).
pub const OUTPUT_BUFFER: u64 = 450_000_000;
/// Input buffer size reported (bytes).
pub const INPUT_BUFFER: u64 = 450_000_000;

/// One computed chunk waiting to be pulled.
pub struct ChunkResult {
    /// The pulled document `{id, summary_output, outputs, warnings, errors, process_time}`.
    pub body: Value,
    /// Records in the chunk.
    pub records: u64,
    /// Approximate serialized size.
    pub bytes: u64,
}

/// One batch pipeline.
pub struct Batch {
    /// Batch id.
    pub id: String,
    /// The version it runs.
    pub version: Arc<Version>,
    /// Output names to compute, if restricted.
    pub requested: Option<Vec<String>>,
    /// `created`, `in_progress`, `closed`, `completed`, `cancelled`.
    pub status: &'static str,
    /// Creation request (echoed fields, configuration).
    pub request: Map<String, Value>,
    /// Created at.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
    /// Results waiting to be pulled.
    pub results: VecDeque<ChunkResult>,
    /// Chunks pushed.
    pub chunks_submitted: u64,
    /// Records pushed.
    pub records_submitted: u64,
    /// Chunks computed.
    pub chunks_completed: u64,
    /// Records computed.
    pub records_completed: u64,
    /// Records whose evaluation reported errors.
    pub records_failed: u64,
    /// Total compute time in ms.
    pub compute_ms: u64,
    /// Bytes of input received.
    pub input_bytes: u64,
    /// Bytes of output produced.
    pub output_bytes: u64,
}

impl Batch {
    /// Is the pipeline still accepting chunks?
    pub fn open(&self) -> bool {
        matches!(self.status, "created" | "in_progress")
    }

    fn buffered(&self) -> (u64, u64, u64) {
        self.results.iter().fold((0, 0, 0), |(c, r, b), x| {
            (c + 1, r + x.records, b + x.bytes)
        })
    }

    /// Move `closed` to `completed` once nothing is left to pull.
    pub fn settle(&mut self) {
        if self.status == "closed" && self.results.is_empty() {
            self.status = "completed";
        }
    }

    /// The status document (push / pull / status responses).
    pub fn status_json(&self, request_at: DateTime<Utc>) -> Value {
        let (chunks, records, bytes) = self.buffered();
        json!({
            "response_timestamp": timestamp(Utc::now()),
            "request_timestamp": timestamp(request_at),
            "batch_status": self.status,
            "pipeline_status": if self.open() { "idle" } else { "closed" },
            "chunks_available": chunks,
            "chunks_submitted": self.chunks_submitted,
            "record_submitted": self.records_submitted,
            "records_submitted": self.records_submitted,
            "chunks_completed": self.chunks_completed,
            "records_completed": self.records_completed,
            "compute_time_ms": self.compute_ms,
            "input_buffer_used_bytes": 0,
            "input_buffer_remaining_bytes": INPUT_BUFFER,
            "output_buffer_used_bytes": bytes,
            "output_buffer_remaining_bytes": OUTPUT_BUFFER.saturating_sub(bytes),
            "workers_in_use": 0,
            "records_available": records,
        })
    }

    /// The `data` object of create / info / dispose responses.
    pub fn data_json(&self, with_details: bool) -> Value {
        let info = &self.version.info;
        let echo = |k: &str| self.request.get(k).cloned().unwrap_or(Value::Null);
        let mut data = json!({
            "service_id": info.service_id,
            "version_id": info.id,
            "compiler_version": format!("Neuron_v{}", crate::exec::COMPILER_VERSION),
            "correlation_id": echo("correlation_id"),
            "source_system": echo("source_system"),
            "unique_record_key": echo("unique_record_key"),
            "response_timestamp": timestamp(Utc::now()),
            "batch_status": self.status,
            "pipeline_status": if self.open() { "idle" } else { "closed" },
            "created_by": "emulator@cspark.local",
            "created_timestamp": timestamp(self.created),
            "updated_timestamp": timestamp(self.updated),
            "service_uri": format!("{}/{}[{}]", info.folder, info.service, info.version),
        });
        if with_details {
            let num = |k: &str, d: u64| self.request.get(k).and_then(Value::as_u64).unwrap_or(d);
            let batch_ms = (self.updated - self.created).num_milliseconds().max(0);
            data["summary"] = json!({
                "chunks_submitted": self.chunks_submitted, "chunks_retried": 0,
                "chunks_completed": self.chunks_completed, "chunks_failed": 0,
                "records_retried": 0, "input_size_bytes": self.input_bytes,
                "output_size_bytes": self.output_bytes,
                "avg_compute_time_ms": self.compute_ms.checked_div(self.chunks_completed).unwrap_or(0),
                "records_submitted": self.records_submitted, "records_failed": self.records_failed,
                "records_completed": self.records_completed, "compute_time_ms": self.compute_ms,
                "batch_time_ms": batch_ms,
            });
            data["configuration"] = json!({
                "initial_workers": num("initial_workers", 1),
                "chunks_per_request": num("chunks_per_request", 1),
                "runner_thread_count": num("runner_thread_count", 1),
                "acceptable_error_percentage": num("acceptable_error_percentage", 0),
                "input_buffer_allocated_bytes": INPUT_BUFFER,
                "output_buffer_allocated_bytes": OUTPUT_BUFFER,
                "max_workers": num("max_workers", 100),
            });
        }
        data
    }
}

/// All batches of the tenant.
#[derive(Default)]
pub struct Batches {
    map: Mutex<HashMap<String, Arc<Mutex<Batch>>>>,
}

impl Batches {
    /// Register a new batch.
    pub fn insert(&self, batch: Batch) -> Arc<Mutex<Batch>> {
        let id = batch.id.clone();
        let cell = Arc::new(Mutex::new(batch));
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, cell.clone());
        cell
    }

    /// The batch with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Mutex<Batch>>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id.to_lowercase())
            .cloned()
    }

    /// Every batch.
    pub fn all(&self) -> Vec<Arc<Mutex<Batch>>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }
}
