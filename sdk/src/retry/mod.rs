//! Retries: *what* is worth retrying ([`classify`]) is kept apart from *how long* to
//! wait and how often for one call ([`policy`]) and across all calls of a client
//! ([`budget`]).

pub mod budget;
pub mod classify;
pub mod policy;

pub use budget::RetryBudget;
pub use classify::{RetryAction, classify_error, classify_status, parse_retry_after};
pub use policy::RetryPolicy;
