//! cspark: the Rust SDK for Coherent Spark.
//!
//! ```no_run
//! # async fn demo() -> cspark::Result<()> {
//! let client = cspark::Client::builder()
//!     .base_url("https://excel.uat.us.coherent.global/my-tenant")
//!     .auth(cspark::Auth::oauth("client-id", "client-secret"))
//!     .build()?;
//! let result = client
//!     .services()
//!     .execute("my-folder/my-service", &serde_json::json!({"loan_amount": 1000}))
//!     .await?;
//! println!("{:?}", result.outputs());
//! # Ok(()) }
//! ```
//!
//! Module map: [`Client`]/[`ClientBuilder`] (configuration, [`env`](mod@env) variables),
//! [`auth`] (credentials, OAuth token cache, JWT), [`uri`] (service locators and URLs),
//! [`transport`] (the only code that sends; retries in [`retry`]), [`error`],
//! [`resources`] (health, execute), [`typed`] (generated bindings), `blocking`
//! (feature `blocking`).
#![deny(missing_docs)]

pub mod auth;
pub mod base_url;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod clock;
pub mod compression;
pub mod config;
pub mod env;
pub mod error;
pub mod hooks;
pub mod resources;
pub mod retry;
pub mod secret;
pub mod transport;
pub mod typed;
pub mod uri;

pub use auth::{Auth, OAuthCredentials};
pub use base_url::BaseUrl;
pub use client::{Client, ClientBuilder};
pub use compression::Compression;
pub use config::Config;
pub use error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError, TransportKind};
pub use resources::execute::{ExecuteOptions, ExecuteResponse, ResponseData, ResponseMeta};
pub use resources::health::HealthStatus;
pub use resources::services::{IntoServiceUri, Services};
pub use secret::Secret;
pub use typed::{Typed, TypedService};
pub use uri::{Locator, ServiceUri, UriParts};
