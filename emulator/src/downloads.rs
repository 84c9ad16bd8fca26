//! Files waiting to be fetched from `/_emulator/downloads/{job}`: log downloads, exports and
//! rehydrated calls.
//!
//! Spark's download links expire; the emulator's would otherwise live as long as the process,
//! each holding a zip or a workbook in memory. The store keeps the newest
//! [`MAX_FILES`] files and at most [`MAX_BYTES`] bytes, dropping the oldest first; a link to a
//! dropped file answers 404, as an expired Spark link does.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;

/// Files kept at most.
pub(crate) const MAX_FILES: usize = 256;
/// Bytes kept at most (the newest file is always kept, whatever its size).
pub(crate) const MAX_BYTES: usize = 512 * 1024 * 1024;

#[derive(Debug, Default)]
struct Files {
    by_job: HashMap<String, (String, Bytes)>,
    /// Job ids, oldest first.
    order: VecDeque<String>,
    bytes: usize,
}

/// The download store of one emulator.
#[derive(Debug, Default)]
pub(crate) struct Downloads {
    files: Mutex<Files>,
    max_files: usize,
    max_bytes: usize,
}

impl Downloads {
    /// A store with the default bounds.
    pub(crate) fn new() -> Self {
        Self::with_bounds(MAX_FILES, MAX_BYTES)
    }

    pub(crate) fn with_bounds(max_files: usize, max_bytes: usize) -> Self {
        Self {
            files: Mutex::default(),
            max_files: max_files.max(1),
            max_bytes,
        }
    }

    /// Keeps `bytes` under `job` as `file_name` (replacing a file of the same job), then drops
    /// the oldest files beyond the bounds.
    pub(crate) fn insert(&self, job: String, file_name: String, bytes: Bytes) {
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, old)) = files.by_job.remove(&job) {
            files.bytes -= old.len();
            files.order.retain(|j| j != &job);
        }
        files.bytes += bytes.len();
        files.order.push_back(job.clone());
        files.by_job.insert(job, (file_name, bytes));
        while files.order.len() > 1
            && (files.order.len() > self.max_files || files.bytes > self.max_bytes)
        {
            let Some(oldest) = files.order.pop_front() else {
                break;
            };
            if let Some((_, dropped)) = files.by_job.remove(&oldest) {
                files.bytes -= dropped.len();
            }
        }
    }

    /// The file of `job` (cheap: the bytes are shared).
    pub(crate) fn get(&self, job: &str) -> Option<(String, Bytes)> {
        let files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        files.by_job.get(job).cloned()
    }

    /// Is a file kept under `job`?
    pub(crate) fn contains(&self, job: &str) -> bool {
        let files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        files.by_job.contains_key(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(n: usize) -> Bytes {
        Bytes::from(vec![0u8; n])
    }

    #[test]
    fn the_oldest_files_go_first_by_count_and_by_size() {
        let store = Downloads::with_bounds(3, 100);
        for i in 0..5 {
            store.insert(format!("j{i}"), format!("f{i}.zip"), file(10));
        }
        assert!(!store.contains("j0") && !store.contains("j1"));
        assert_eq!(store.get("j4").map(|(name, _)| name), Some("f4.zip".into()));
        // A 90-byte file leaves room for one 10-byte file beside it.
        store.insert("big".into(), "big.zip".into(), file(90));
        assert!(store.contains("big") && store.contains("j4") && !store.contains("j3"));
        // A file larger than the byte bound is kept alone.
        store.insert("huge".into(), "huge.zip".into(), file(500));
        assert!(store.contains("huge") && !store.contains("big") && !store.contains("j4"));
        // Replacing a job does not count it twice.
        store.insert("huge".into(), "huge.zip".into(), file(5));
        store.insert("small".into(), "small.zip".into(), file(5));
        assert!(store.contains("huge") && store.contains("small"));
    }
}
