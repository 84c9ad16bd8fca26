#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// The public surface: each public type has exactly one path (`.ci/public_paths.py` checks it
// in CI). What every program names sits at the crate root; each feature of the client has one
// module (`services`, `batches`, ...); the wire types generated from `openapi/spark.yaml` are
// all in `types`. The modules below that are not `pub` are reached only through these
// re-exports.
mod auth;
mod base_url;
pub mod bindings;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
pub mod clock;
mod compression;
mod config;
pub mod env;
mod error;
mod generated;
#[doc(hidden)]
pub mod hooks;
#[cfg(feature = "mcp")]
pub mod mcp;
mod resources;
pub mod retry;
mod secret;
pub mod transport;
mod typed;
mod typed_batch;
mod typed_chunked;
mod uri;

pub use auth::{Auth, OAuthCredentials, jwt};
pub use base_url::BaseUrl;
pub use client::{Client, ClientBuilder};
pub use compression::Compression;
pub use config::{
    CONNECT_TIMEOUT, Config, DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_INTERVAL, DEFAULT_TIMEOUT,
};
pub use error::{
    ApiError, ApiErrorBody, ApiErrorKind, MAX_BODY_EXCERPT, Result, SparkError, TransportKind,
};
pub use generated::types;
pub use resources::support::PollOptions;
pub use resources::wasm as hybrid;
pub use resources::{batches, files, folders, history, impex, paging, services, transforms};
pub use secret::Secret;
pub use typed::{RecordResult, ServiceInputs, Typed, TypedMany, TypedService};
pub use typed_batch::TypedBatchRun;
pub use typed_chunked::{ChunkCall, Chunking, TypedChunked};
pub use uri::{Locator, ServiceUri, UriParts};

/// The v4 execute URL of a service (for the URI conformance vectors in `sdk/tests`).
#[doc(hidden)]
pub use uri::v4_execute_url;
