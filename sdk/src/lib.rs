//! cspark: the Rust SDK for Coherent Spark.
#![deny(missing_docs)]

pub mod typed;

pub use typed::TypedService;
