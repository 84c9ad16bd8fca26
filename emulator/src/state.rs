//! Shared server state: cheap to clone (one `Arc` inside).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::auth::{AuthConfig, Tokens};
use crate::batches::Batches;
use crate::faults::{FaultPlan, FaultState};
use crate::store::Store;

/// Request counters, readable through [`crate::EmulatorHandle::counters`] and
/// `GET /_emulator/counters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    /// Requests per route, keyed `"METHOD /matched/{path}"` (unmatched requests under
    /// `"METHOD <unmatched>"`).
    pub routes: BTreeMap<String, u64>,
    /// OAuth token requests (successful or not).
    pub token_requests: u64,
    /// Every request seen, including injected faults.
    pub total_requests: u64,
    /// Requests answered by an injected fault.
    pub faults_injected: u64,
}

#[derive(Default)]
pub(crate) struct CounterCells {
    pub routes: Mutex<HashMap<String, u64>>,
    pub token_requests: AtomicU64,
    pub total_requests: AtomicU64,
    pub faults_injected: AtomicU64,
}

impl CounterCells {
    /// Count a request to `route` (`"<unmatched>"` for none) with `method`, under the key
    /// `"METHOD route"`. The key is assembled on the stack: this runs on every request.
    pub fn hit(&self, method: &str, route: &str) {
        let mut buf = [0u8; 256];
        let len = method.len() + 1 + route.len();
        let key: std::borrow::Cow<'_, str> = match buf.get_mut(..len) {
            Some(room) => {
                room[..method.len()].copy_from_slice(method.as_bytes());
                room[method.len()] = b' ';
                room[method.len() + 1..].copy_from_slice(route.as_bytes());
                match std::str::from_utf8(room) {
                    Ok(key) => key.into(),
                    Err(_) => format!("{method} {route}").into(),
                }
            }
            None => format!("{method} {route}").into(),
        };
        let mut map = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(key.as_ref()) {
            Some(n) => *n += 1,
            None => {
                map.insert(key.into_owned(), 1);
            }
        }
    }

    pub fn snapshot(&self) -> Counters {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        Counters {
            routes,
            token_requests: self.token_requests.load(Ordering::Relaxed),
            total_requests: self.total_requests.load(Ordering::Relaxed),
            faults_injected: self.faults_injected.load(Ordering::Relaxed),
        }
    }

    pub fn reset(&self) {
        self.routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.token_requests.store(0, Ordering::Relaxed);
        self.total_requests.store(0, Ordering::Relaxed);
        self.faults_injected.store(0, Ordering::Relaxed);
    }
}

/// One stored API call (the call history). Kept in a bounded ring buffer: the oldest entries
/// are dropped once `history_capacity` is reached, so history never grows without bound nor
/// slows the execute path (one short lock per call, no I/O).
/// The detailed-log document is only assembled when someone asks for it.
#[derive(Clone)]
pub struct CallRecord {
    /// Call id returned in `response_meta.call_id`.
    pub call_id: String,
    /// The version that ran.
    pub version: Arc<crate::store::Version>,
    /// `V3` or `V4`.
    pub api: &'static str,
    /// When the call arrived.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The request metadata as sent (v4: the top-level fields other than inputs).
    pub request_meta: serde_json::Map<String, Value>,
    /// The inputs as sent (v4: the array of records).
    pub inputs: Value,
    /// The response body exactly as sent (parsed again only when the log is read).
    pub response: bytes::Bytes,
    /// Compute time in ms.
    pub calc_ms: u64,
}

pub(crate) struct History {
    capacity: usize,
    entries: Mutex<VecDeque<Arc<CallRecord>>>,
}

impl History {
    pub fn new(capacity: usize) -> History {
        History {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
        }
    }

    pub fn push(&self, record: CallRecord) {
        if self.capacity == 0 {
            return;
        }
        let record = Arc::new(record);
        let evicted = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let evicted = if entries.len() >= self.capacity {
                entries.pop_front()
            } else {
                None
            };
            entries.push_back(record);
            evicted
        };
        // Freeing a record's JSON trees is the costly part: done after the lock is released,
        // so concurrent executes do not wait for it.
        drop(evicted);
    }

    pub fn matching(&self, keep: impl Fn(&CallRecord) -> bool) -> Vec<Arc<CallRecord>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().filter(|r| keep(r)).cloned().collect()
    }

    pub fn get(&self, call_id: &str) -> Option<Arc<CallRecord>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .rev()
            .find(|r| r.call_id.eq_ignore_ascii_case(call_id))
            .cloned()
    }
}

/// Everything the handlers share.
pub(crate) struct Inner {
    pub tenant: String,
    pub store: Store,
    pub auth: AuthConfig,
    pub tokens: Tokens,
    pub counters: CounterCells,
    pub faults: FaultState,
    pub history: History,
    pub batches: Batches,
    pub folders: crate::folders::Folders,
    /// Folder categories (`/api/v1/lookup/…`).
    pub categories: crate::categories::Categories,
    /// Finished log-download jobs: job id → (file name, zip bytes).
    pub downloads: crate::downloads::Downloads,
    /// Export / import job results: job id → (kind, result document).
    pub impex: Mutex<HashMap<String, (&'static str, Value)>>,
    /// Saved transform documents.
    pub transforms: crate::transforms::Transforms,
    /// Modelled compute time per record (off unless set).
    pub engine_time: crate::pacing::EngineTime,
    /// Request, workbook and evaluation limits (set once, before serving).
    pub limits: std::sync::OnceLock<crate::limits::Limits>,
    /// Where evaluations run (created on first use, from the limits).
    pub eval_pool: std::sync::OnceLock<crate::eval_pool::EvalPool>,
    /// Services answering on the public routes (`crate::access`).
    pub public_services: Arc<crate::access::PublicServices>,
}

/// The application state handed to [`crate::app`]. Clone is one `Arc` increment.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    /// A fresh state for `tenant` with an empty in-memory catalogue (or one persisted in
    /// `data_dir`), the given auth rules and fault plan.
    pub fn new(
        tenant: &str,
        data_dir: Option<std::path::PathBuf>,
        auth: AuthConfig,
        faults: Option<FaultPlan>,
        history_capacity: usize,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                tenant: tenant.to_string(),
                batches: Batches::persistent(data_dir.as_ref().map(|d| d.join("batches"))),
                downloads: crate::downloads::Downloads::new(),
                impex: Mutex::default(),
                transforms: Default::default(),
                categories: Default::default(),
                engine_time: Default::default(),
                public_services: Default::default(),
                limits: Default::default(),
                eval_pool: Default::default(),
                folders: crate::folders::Folders::persistent(
                    data_dir.as_ref().map(|d| d.join("folders.json")),
                ),
                store: Store::new(data_dir),
                auth,
                tokens: Tokens::default(),
                counters: CounterCells::default(),
                faults: FaultState::new(faults),
                history: History::new(history_capacity),
            }),
        }
    }

    /// The catalogue of services.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The tenant this emulator serves.
    pub fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    /// A snapshot of the request counters.
    pub fn counters(&self) -> Counters {
        self.inner.counters.snapshot()
    }

    /// Reset all counters to zero.
    pub fn reset_counters(&self) {
        self.inner.counters.reset()
    }

    /// Replace the fault plan (`None` = no faults); restarts its seeded random sequence.
    pub fn set_faults(&self, plan: Option<FaultPlan>) {
        self.inner.faults.set(plan)
    }

    /// The limits in force ([`crate::limits`]).
    pub fn limits(&self) -> &crate::limits::Limits {
        self.inner.limits.get_or_init(Default::default)
    }

    /// The evaluation pool ([`crate::eval_pool`]).
    pub(crate) fn eval_pool(&self) -> &crate::eval_pool::EvalPool {
        self.inner.eval_pool.get_or_init(|| {
            let limits = self.limits();
            crate::eval_pool::EvalPool::new(limits.evaluation_workers, limits.evaluation_queue)
        })
    }

    /// Set the limits; only before the first request (later calls change nothing).
    pub fn set_limits(&self, limits: crate::limits::Limits) {
        let _ = self.inner.limits.set(limits);
    }

    /// Declare `folder/service` public: it answers on the `/public/` routes without
    /// credentials (Spark's `PublicAPI` book property). Services are not public by default.
    pub fn declare_public_service(&self, folder: &str, service: &str) {
        self.inner.public_services.declare(folder, service)
    }

    /// Is `folder/service` declared public? Its documents then say `PublicAPI: True`.
    pub fn is_public_service(&self, folder: &str, service: &str) -> bool {
        self.inner.public_services.contains(folder, service)
    }

    /// Set the modelled engine time per record (`None` = off); see [`crate::pacing`].
    pub fn set_engine_time(&self, per_record: Option<Duration>) {
        self.inner.engine_time.set(per_record)
    }
}
