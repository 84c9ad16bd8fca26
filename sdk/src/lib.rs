#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod auth;
pub mod base_url;
pub mod bindings;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod clock;
pub mod compression;
pub mod config;
pub mod env;
pub mod error;
pub mod generated;
#[doc(hidden)]
pub mod hooks;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod resources;
pub mod retry;
pub mod secret;
pub mod transport;
pub mod typed;
pub mod typed_batch;
pub mod typed_chunked;
pub mod uri;

pub use auth::{Auth, OAuthCredentials};
pub use base_url::BaseUrl;
pub use client::{Client, ClientBuilder};
pub use compression::Compression;
pub use config::Config;
pub use error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError, TransportKind};
pub use resources::batches::{BatchRun, Batches, CreateBatchOptions, Pipeline, RunOptions};
pub use resources::health::HealthStatus;
pub use resources::services::execute::{
    CompilerType, ExecuteOptions, ExecuteResponse, ResponseData, ResponseMeta,
};
pub use resources::services::execute_many::ExecuteManyResponse;
pub use resources::services::inspect::{SwaggerOptions, VersionInfo};
pub use resources::services::{IntoServiceUri, Services};
pub use resources::support::PollOptions;
pub use resources::wasm as hybrid;
pub use secret::Secret;
pub use typed::{RecordResult, ServiceInputs, Typed, TypedMany, TypedService};
pub use typed_chunked::{ChunkCall, Chunking, TypedChunked};
pub use uri::{Locator, ServiceUri, UriParts};
