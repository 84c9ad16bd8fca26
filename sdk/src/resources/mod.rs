//! Thin resource wrappers: each method builds a [`RequestSpec`](crate::transport::RequestSpec)
//! and hands it to the transport.

pub mod batches;
pub mod execute;
pub mod execute_many;
pub mod health;
pub mod inspect;
pub mod services;
