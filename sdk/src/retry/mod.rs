//! Retries: *what* is worth retrying ([`classify`]) is kept apart from *how long* to
//! wait and how often ([`policy`]).

pub mod classify;
pub mod policy;

pub use classify::{RetryAction, classify_error, classify_status, parse_retry_after};
pub use policy::RetryPolicy;
