//! Async batch pipelines (§6.7): state machine and buffers. Chunks are computed when pushed
//! (outside any lock) and their results wait in the output buffer until pulled.
//!
//! States: `created` → (push) `in_progress` → (PATCH closed) `closed` → (buffer drained)
//! `completed`; any open state → (PATCH cancelled) `cancelled` (buffers discarded); 30 minutes
//! without activity → `closed_by_timeout` → (drained) `completed_by_timeout`. Pushing is only
//! allowed while `created`/`in_progress`; pulling is allowed in every state.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::batch_journal::{self, Entry, Written};
use crate::store::{Store, Version};
use crate::wire::timestamp;

/// Minutes of inactivity after which an open batch is closed (`closed_by_timeout`).
pub const INACTIVITY_MINUTES: i64 = 30;
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
    /// When the modelled engine finishes the chunk ([`crate::pacing`]); `None` = pullable now.
    /// Not persisted: a reloaded chunk is ready.
    pub ready_at: Option<Instant>,
    /// Its number in the batch's journal (`crate::batch_journal`); 0 until saved.
    pub seq: u64,
}

impl ChunkResult {
    fn ready(&self, now: Instant) -> bool {
        self.ready_at.is_none_or(|at| at <= now)
    }
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

    /// Results pullable now: (chunks, records, bytes).
    fn buffered(&self, now: Instant) -> (u64, u64, u64) {
        self.results
            .iter()
            .filter(|x| x.ready(now))
            .fold((0, 0, 0), |(c, r, b), x| {
                (c + 1, r + x.records, b + x.bytes)
            })
    }

    /// `processing` while the modelled engine computes chunks (the real platform's word),
    /// `idle` otherwise; `closed` once no more chunks are accepted.
    fn pipeline_status(&self, now: Instant) -> &'static str {
        match (self.open(), self.computing(now).0) {
            (false, _) => "closed",
            (true, 0) => "idle",
            (true, _) => "processing",
        }
    }

    /// Chunks still being computed by the modelled engine: (chunks, records).
    fn computing(&self, now: Instant) -> (u64, u64) {
        self.results
            .iter()
            .filter(|x| !x.ready(now))
            .fold((0, 0), |(c, r), x| (c + 1, r + x.records))
    }

    /// Remove and return up to `max` pullable results, oldest first; the others keep their
    /// order.
    pub fn take_ready(&mut self, max: usize) -> Vec<Value> {
        let now = Instant::now();
        if self.results.iter().all(|r| r.ready(now)) {
            let n = max.min(self.results.len());
            return self.results.drain(..n).map(|r| r.body).collect();
        }
        let mut taken = Vec::new();
        let mut kept = VecDeque::with_capacity(self.results.len());
        for r in self.results.drain(..) {
            if taken.len() < max && r.ready(now) {
                taken.push(r.body);
            } else {
                kept.push_back(r);
            }
        }
        self.results = kept;
        taken
    }

    /// Move `closed` to `completed` (and `closed_by_timeout` to `completed_by_timeout`) once
    /// nothing is left to pull.
    pub fn settle(&mut self) {
        if self.results.is_empty() {
            match self.status {
                "closed" => self.status = "completed",
                "closed_by_timeout" => self.status = "completed_by_timeout",
                _ => {}
            }
        }
    }

    /// Spark closes a pipeline after 30 minutes without activity; results stay pullable.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        if self.open() && now - self.updated > chrono::Duration::minutes(INACTIVITY_MINUTES) {
            self.status = "closed_by_timeout";
            self.updated = now;
            self.settle();
        }
    }

    /// The status document (push / pull / status responses).
    pub fn status_json(&self, request_at: DateTime<Utc>) -> Value {
        let now = Instant::now();
        let (chunks, records, bytes) = self.buffered(now);
        let (computing_chunks, computing_records) = self.computing(now);
        json!({
            "response_timestamp": timestamp(Utc::now()),
            "request_timestamp": timestamp(request_at),
            "batch_status": self.status,
            "pipeline_status": self.pipeline_status(now),
            "chunks_available": chunks,
            "chunks_submitted": self.chunks_submitted,
            "record_submitted": self.records_submitted,
            "records_submitted": self.records_submitted,
            "chunks_completed": self.chunks_completed.saturating_sub(computing_chunks),
            "records_completed": self.records_completed.saturating_sub(computing_records),
            "compute_time_ms": self.compute_ms,
            "input_buffer_used_bytes": 0,
            "input_buffer_remaining_bytes": INPUT_BUFFER,
            "output_buffer_used_bytes": bytes,
            "output_buffer_remaining_bytes": OUTPUT_BUFFER.saturating_sub(bytes),
            "workers_in_use": computing_chunks,
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
            "pipeline_status": self.pipeline_status(Instant::now()),
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

/// All batches of the tenant. With a data directory, each batch is journaled in
/// `batches/{id}.jsonl` after every change, by appending what changed
/// ([`crate::batch_journal`]).
#[derive(Default)]
pub struct Batches {
    map: Mutex<HashMap<String, Arc<Mutex<Batch>>>>,
    dir: Option<PathBuf>,
    /// What each batch's journal holds; the lock also orders the appends.
    written: Mutex<HashMap<String, Written>>,
}

/// The counters in their saved order.
fn counters(b: &Batch) -> [u64; 8] {
    [
        b.chunks_submitted,
        b.records_submitted,
        b.chunks_completed,
        b.records_completed,
        b.records_failed,
        b.compute_ms,
        b.input_bytes,
        b.output_bytes,
    ]
}

/// The form earlier versions saved a batch in, whole (`{id}.json`); read to migrate.
#[derive(Serialize, Deserialize)]
struct Saved {
    id: String,
    version_id: String,
    requested: Option<Vec<String>>,
    status: String,
    request: Map<String, Value>,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    results: Vec<(Value, u64, u64)>,
    counters: [u64; 8],
}

impl Saved {
    fn into_replayed(self) -> batch_journal::Replayed {
        batch_journal::Replayed {
            id: self.id,
            version_id: self.version_id,
            requested: self.requested,
            request: self.request,
            created: self.created,
            status: self.status,
            updated: self.updated,
            counters: self.counters,
            results: self
                .results
                .into_iter()
                .map(|(body, records, bytes)| (0, body, records, bytes))
                .collect(),
            written: Written::new(),
        }
    }
}

fn status_literal(s: &str) -> &'static str {
    match s {
        "in_progress" => "in_progress",
        "closed" => "closed",
        "completed" => "completed",
        "closed_by_timeout" => "closed_by_timeout",
        "completed_by_timeout" => "completed_by_timeout",
        "cancelled" => "cancelled",
        _ => "created",
    }
}

impl Batches {
    /// Batches saved under `dir` (created on first save).
    pub fn persistent(dir: Option<PathBuf>) -> Batches {
        Batches {
            map: Mutex::default(),
            dir,
            written: Mutex::default(),
        }
    }

    /// Save one batch (no-op without a data directory): append what changed since its last
    /// save. Call after releasing its lock.
    pub fn save(&self, cell: &Mutex<Batch>) {
        let Some(dir) = &self.dir else { return };
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let mut b = cell.lock().unwrap_or_else(|e| e.into_inner());
        let mut entries = Vec::new();
        let journal = written.entry(b.id.clone()).or_insert_with(|| {
            entries.push(Entry::Header {
                id: b.id.clone(),
                version_id: b.version.info.id.clone(),
                requested: b.requested.clone(),
                request: b.request.clone(),
                created: b.created,
            });
            Written::new()
        });
        let present: BTreeSet<u64> = b.results.iter().map(|r| r.seq).collect();
        let pulled: Vec<u64> = journal.live.difference(&present).copied().collect();
        if !pulled.is_empty() {
            for seq in &pulled {
                journal.live.remove(seq);
            }
            entries.push(Entry::Pulled { seqs: pulled });
        }
        for r in b.results.iter_mut().filter(|r| r.seq == 0) {
            r.seq = journal.next_seq;
            journal.next_seq += 1;
            journal.live.insert(r.seq);
            entries.push(Entry::Result {
                seq: r.seq,
                body: r.body.clone(),
                records: r.records,
                bytes: r.bytes,
            });
        }
        entries.push(Entry::State {
            status: b.status.to_string(),
            updated: b.updated,
            counters: counters(&b),
        });
        let path = dir.join(format!("{}.jsonl", b.id));
        drop(b);
        if let Err(e) = batch_journal::append(&path, &entries) {
            tracing::error!(dir = %dir.display(), error = %e, "cannot save batch");
        }
    }

    /// Reload saved batches whose version still exists; returns problems as (path, reason).
    /// Batches saved whole by earlier versions (`{id}.json`) are journaled and their file
    /// removed.
    pub fn load(&self, store: &Store) -> Vec<(PathBuf, String)> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let legacy = match path.extension().and_then(|e| e.to_str()) {
                Some("jsonl") => false,
                Some("json") => true,
                _ => continue,
            };
            let loaded = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    if legacy {
                        serde_json::from_str::<Saved>(&text)
                            .map(Saved::into_replayed)
                            .map_err(|e| e.to_string())
                    } else {
                        batch_journal::replay(&text)
                    }
                });
            let replayed = match loaded {
                Ok(replayed) => replayed,
                Err(reason) => {
                    problems.push((path, reason));
                    continue;
                }
            };
            let Some(version) = store.version(&replayed.version_id) else {
                problems.push((
                    path,
                    format!("version {} no longer exists", replayed.version_id),
                ));
                continue;
            };
            let [cs, rs, cc, rc, rf, ms, ib, ob] = replayed.counters;
            if !legacy {
                self.written
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(replayed.id.clone(), replayed.written);
            }
            let cell = self.insert(Batch {
                id: replayed.id,
                version,
                requested: replayed.requested,
                status: status_literal(&replayed.status),
                request: replayed.request,
                created: replayed.created,
                updated: replayed.updated,
                results: replayed
                    .results
                    .into_iter()
                    .map(|(seq, body, records, bytes)| ChunkResult {
                        body,
                        records,
                        bytes,
                        ready_at: None,
                        seq,
                    })
                    .collect(),
                chunks_submitted: cs,
                records_submitted: rs,
                chunks_completed: cc,
                records_completed: rc,
                records_failed: rf,
                compute_ms: ms,
                input_bytes: ib,
                output_bytes: ob,
            });
            if legacy {
                self.save(&cell);
                if let Err(e) = std::fs::remove_file(&path) {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove old batch file");
                }
            }
        }
        problems
    }

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn batch(updated_minutes_ago: i64) -> Batch {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/workbooks/demo/volume-cylinder.xlsx"
        );
        let bytes = std::fs::read(path).unwrap();
        let engine = crate::engine::load_xlsx(&bytes, "volume-cylinder.xlsx").unwrap();
        let store = Store::new(None);
        let version = store.publish(
            "demo",
            "v",
            engine,
            bytes.into(),
            "v.xlsx",
            "minor",
            (None, None),
            (None, None, None),
            false,
        );
        let then = Utc::now() - chrono::Duration::minutes(updated_minutes_ago);
        Batch {
            id: "b".into(),
            version,
            requested: None,
            status: "in_progress",
            request: Map::new(),
            created: then,
            updated: then,
            results: VecDeque::new(),
            chunks_submitted: 0,
            records_submitted: 0,
            chunks_completed: 0,
            records_completed: 0,
            records_failed: 0,
            compute_ms: 0,
            input_bytes: 0,
            output_bytes: 0,
        }
    }

    #[test]
    fn inactivity_closes_and_drained_batches_complete() {
        let mut fresh = batch(5);
        fresh.expire(Utc::now());
        assert_eq!(fresh.status, "in_progress");

        let mut idle = batch(31);
        idle.results.push_back(ChunkResult {
            body: Value::Null,
            records: 1,
            bytes: 1,
            ready_at: None,
            seq: 0,
        });
        idle.expire(Utc::now());
        assert_eq!(idle.status, "closed_by_timeout");
        assert!(!idle.open());
        idle.results.clear();
        idle.settle();
        assert_eq!(idle.status, "completed_by_timeout");

        let mut empty = batch(45);
        empty.expire(Utc::now());
        assert_eq!(empty.status, "completed_by_timeout");
    }

    #[test]
    fn only_computed_chunks_are_pulled_and_the_rest_keep_their_order() {
        let later = Instant::now() + std::time::Duration::from_secs(3600);
        let chunk = |id: u64, ready_at| ChunkResult {
            body: json!(id),
            records: 2,
            bytes: 10,
            ready_at,
            seq: 0,
        };
        let mut b = batch(0);
        b.results.extend([
            chunk(1, Some(later)),
            chunk(2, None),
            chunk(3, Some(later)),
            chunk(4, None),
            chunk(5, None),
        ]);
        b.chunks_completed = 5;
        b.records_completed = 10;
        let status = b.status_json(Utc::now());
        assert_eq!(status["chunks_available"], 3);
        assert_eq!(status["records_available"], 6);
        assert_eq!(status["chunks_completed"], 3);
        assert_eq!(status["records_completed"], 6);
        assert_eq!(status["workers_in_use"], 2);
        assert_eq!(status["pipeline_status"], "processing");

        assert_eq!(b.take_ready(2), vec![json!(2), json!(4)]);
        assert_eq!(b.take_ready(10), vec![json!(5)]);
        assert!(b.take_ready(10).is_empty());
        let left: Vec<&Value> = b.results.iter().map(|r| &r.body).collect();
        assert_eq!(left, [&json!(1), &json!(3)]);
        b.status = "closed";
        b.settle();
        assert_eq!(
            b.status, "closed",
            "computing chunks keep a closed batch open for pulls"
        );
    }
}
