//! [`RunOptions`]: how a run cuts, pushes and pulls chunks.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::resources::batches::{CreateBatchOptions, DEFAULT_CHUNK_SIZE};

/// Options of [`Pipeline::run`](crate::resources::batches::Pipeline::run) and
/// [`Batches::run`](crate::resources::batches::Batches::run).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Batch creation options (used by
    /// [`Batches::run`](crate::resources::batches::Batches::run) only).
    pub create: CreateBatchOptions,
    /// Records per chunk (default 200).
    pub chunk_size: usize,
    /// Chunks pushed but not yet pulled, at most (default 16).
    pub max_in_flight: usize,
    /// Push requests in flight at once (default 2).
    pub push_concurrency: usize,
    /// `max` of each pull (1..=100, default 100).
    pub pull_max: usize,
    /// First wait after an empty pull (default 20 ms); doubles up to `poll_max`.
    pub poll_min: Duration,
    /// Longest wait between empty pulls (default 2 s).
    pub poll_max: Duration,
    /// Outputs buffered for the consumer (default 1,000 records).
    pub buffer: usize,
    /// Inputs common to every record (`parameters` of each chunk).
    pub parameters: Map<String, Value>,
    /// Send records as columnar rows (header row first, the documented format; default)
    /// rather than as JSON objects.
    pub columnar: bool,
    /// Typed runs ([`Client::run_typed_batch`](crate::Client::run_typed_batch)) check each
    /// record against the workbook's input rules before pushing it, and end with
    /// [`SparkError::InputRules`](crate::SparkError::InputRules) naming the first record that
    /// breaks one; `true` sends every record as it is (default `false`). Untyped runs have
    /// no rules to check.
    pub skip_input_rules: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            create: CreateBatchOptions::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            max_in_flight: 16,
            push_concurrency: 2,
            pull_max: 100,
            poll_min: Duration::from_millis(20),
            poll_max: Duration::from_secs(2),
            buffer: 1_000,
            parameters: Map::new(),
            columnar: true,
            skip_input_rules: false,
        }
    }
}
