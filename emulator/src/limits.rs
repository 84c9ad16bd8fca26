//! Limits that keep one request, one workbook or one client from taking the emulator down.
//! Spark documents none of these numbers (its platform configuration gives only the upload
//! limit, `UploadFileSizeLimit_InBytes`); they are the emulator's own, chosen so a
//! well-formed call of any realistic size passes and a hostile one costs bounded memory and
//! time. Each is configurable ([`crate::EmulatorConfig::limits`]); the limits on workbooks
//! (size, XML depth, cells) are fixed, in `xlsx_guard`.

use std::time::Duration;

/// The limits of one emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON (or any non-multipart) request body, after decompression: larger is a 413.
    pub json_body_bytes: usize,
    /// Largest multipart request body (workbook and bundle uploads, ImpEx imports): 200 MB,
    /// as Spark's upload limit.
    pub upload_body_bytes: usize,
    /// Most records in one v4 execute or one batch chunk: more is a 400 naming the limit.
    pub records_per_call: usize,
    /// Evaluations running at once (each on a blocking thread, off the async workers).
    pub evaluation_workers: usize,
    /// Evaluations waiting for a worker before further ones are refused with a 429.
    pub evaluation_queue: usize,
    /// Time a connection may take to send a request's headers, and may stay idle between
    /// requests; then it is closed.
    pub header_timeout: Duration,
    /// Time a request's body may take to arrive once its headers are in; a slower one is a
    /// 408 and its connection is closed.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Time a drained shutdown waits for requests in flight before cutting them.
    pub shutdown_grace: Duration,
    /// Time an uploaded, unpublished workbook (a draft) is kept.
    pub draft_lifetime: Duration,
    /// Drafts kept at most (the oldest go first): each holds a workbook and its engine.
    pub max_drafts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            json_body_bytes: 32 * 1024 * 1024,
            upload_body_bytes: 200 * 1024 * 1024,
            records_per_call: 25_000,
            evaluation_workers: workers.max(2),
            evaluation_queue: 512,
            header_timeout: Duration::from_secs(30),
            // 200 MB (the upload limit) in two minutes is 1.7 MB/s: any real link to a
            // local emulator is far faster.
            body_timeout: Duration::from_secs(120),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(3),
            draft_lifetime: Duration::from_secs(3600),
            max_drafts: 32,
        }
    }
}

/// The number of records in a v4 `inputs` value (an array of records, or the columnar form
/// whose first row holds the names), counted without copying anything.
pub(crate) fn record_count(inputs: Option<&serde_json::Value>) -> usize {
    match inputs {
        Some(serde_json::Value::Array(items)) => items.len(),
        Some(serde_json::Value::Object(_)) => 1,
        _ => 0,
    }
}

/// More than `max` records in one call is a 400 naming the limit, before any is read.
pub(crate) fn check_records(
    count: usize,
    family: crate::error::Family,
    max: usize,
) -> Result<(), crate::error::ApiError> {
    if count <= max {
        return Ok(());
    }
    Err(crate::error::ApiError::BadRequest {
        family,
        code: "TOO_MANY_RECORDS",
        message: format!(
            "{count} records in one call; at most {max} are accepted (split them into \
             several calls or use the batch API)"
        ),
    })
}
