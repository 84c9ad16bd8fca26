//! Workbook evaluation runs off the async workers, on tokio's blocking threads, at most
//! [`Limits::evaluation_workers`](crate::Limits) at once: a heavy call no longer stalls
//! `/health` or any other request. Calls beyond that wait, up to
//! [`Limits::evaluation_queue`](crate::Limits) of them; further ones are refused at once with
//! a 429 and `Retry-After` (back-pressure a client's retry policy understands) instead of
//! queueing without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use crate::error::{ApiError, Family};

/// Seconds a refused call is told to wait.
const RETRY_AFTER_SECS: f64 = 1.0;

/// The evaluation slots of one emulator.
pub struct EvalPool {
    running: Arc<Semaphore>,
    /// Calls holding or waiting for a slot.
    admitted: AtomicUsize,
    capacity: usize,
}

impl EvalPool {
    /// `workers` evaluations at once, `queue` more waiting.
    pub fn new(workers: usize, queue: usize) -> EvalPool {
        let workers = workers.max(1);
        EvalPool {
            running: Arc::new(Semaphore::new(workers)),
            admitted: AtomicUsize::new(0),
            capacity: workers.saturating_add(queue),
        }
    }

    /// Run `work` on a blocking thread once a slot is free; a 429 when every slot and
    /// queue place is taken.
    pub async fn run<T, F>(&self, family: Family, work: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = self.admitted.fetch_add(1, Ordering::AcqRel);
        let _admission = Admission(&self.admitted);
        if admitted >= self.capacity {
            return Err(busy(family));
        }
        let slot = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| busy(family))?;
        // The slot goes with the work: a caller that hangs up does not free it while its
        // evaluation still runs. A public call stays one on the blocking thread.
        let scope = crate::access::public_scope();
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            crate::access::in_public_scope(scope, work)
        })
        .await
        .map_err(|e| ApiError::Coded {
            family,
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            code: "INTERNAL_SERVER_ERROR",
            message: format!("the evaluation failed: {e}"),
        })
    }
}

/// Gives the admission back when the call ends (however it ends).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn busy(family: Family) -> ApiError {
    ApiError::Injected {
        family,
        status: axum::http::StatusCode::TOO_MANY_REQUESTS,
        retry_after: Some(RETRY_AFTER_SECS),
    }
}
