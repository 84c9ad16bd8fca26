//! Retries: *what* is worth retrying ([`classify_status`], [`classify_error`]) is kept apart
//! from *how long* to wait and how often for one call ([`RetryPolicy`]) and across all calls
//! of a client ([`RetryBudget`]).

pub(crate) mod budget;
pub(crate) mod classify;
pub(crate) mod policy;

pub use budget::RetryBudget;
pub use classify::{
    Failure, MAX_RETRY_AFTER, RetryAction, classify_error, classify_status, parse_retry_after,
};
pub use policy::RetryPolicy;
