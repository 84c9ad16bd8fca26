//! Blocking twin of the hybrid runner client ([`crate::hybrid::Client`]).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Engine;
use crate::error::Result;
use crate::resources::services::IntoServiceUri;
use crate::resources::services::types::ValidationType;
use crate::services::{ExecuteManyResponse, ExecuteResponse};
use crate::types::{MetadataResponse, ValidationResponse};
use crate::types::{RunnerHealth, RunnerStatus, RunnerUploadResponse, RunnerVersion};

/// A blocking hybrid runner client: [`crate::hybrid::Client`] plus a runtime to run it on.
///
/// ```no_run
/// let runner = cspark::blocking::hybrid::Client::connect("http://localhost:3000", "my-tenant")?;
/// println!("{:?}", runner.version()?.version);
/// let out = runner.execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
/// println!("{:?}", out.outputs());
/// # Ok::<(), cspark::SparkError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::hybrid::Client,
    engine: Arc<Engine>,
}

impl Client {
    /// See [`crate::hybrid::Client::connect`]: a runner at `url` serving `tenant`.
    ///
    /// ```no_run
    /// let runner = cspark::blocking::hybrid::Client::connect("http://localhost:3000", "t")?;
    /// # Ok::<(), cspark::SparkError>(())
    /// ```
    pub fn connect(url: &str, tenant: &str) -> Result<Self> {
        Self::from_async(crate::hybrid::Client::connect(url, tenant)?)
    }

    /// See [`crate::hybrid::Client::from_client`]: wraps an SDK client whose base URL is
    /// `{runner}/{tenant}`. Unlike its async twin it returns a `Result` (the runtime is made
    /// here and that can fail).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let runner = cspark::blocking::hybrid::Client::from_client(client)?;
    /// # Ok(()) }
    /// ```
    pub fn from_client(inner: crate::Client) -> Result<Self> {
        Self::from_async(crate::hybrid::Client::from_client(inner))
    }

    /// Wraps an async runner client.
    ///
    /// ```no_run
    /// # fn demo(runner: cspark::hybrid::Client) -> cspark::Result<()> {
    /// let runner = cspark::blocking::hybrid::Client::from_async(runner)?;
    /// # Ok(()) }
    /// ```
    pub fn from_async(inner: crate::hybrid::Client) -> Result<Self> {
        Ok(Self {
            inner,
            engine: Engine::new()?,
        })
    }

    fn async_handle(&self) -> &crate::hybrid::Client {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    blocking_twins! { "crate::hybrid::Client" =>
        fn version() -> RunnerVersion;
        fn version_raw() -> Value;
        fn health_check() -> RunnerHealth;
        fn health_check_raw() -> Value;
        fn status() -> RunnerStatus;
        fn status_raw() -> Value;
        fn upload(zip: impl Into<Bytes>, file_name: Option<&str>) -> RunnerUploadResponse;
        fn upload_raw(zip: impl Into<Bytes>, file_name: Option<&str>) -> Value;
        fn execute[I: Serialize + ?Sized](uri: impl IntoServiceUri, inputs: &I) -> ExecuteResponse;
        fn execute_many[I: Serialize](uri: impl IntoServiceUri, records: &[I]) -> ExecuteManyResponse;
        fn validate[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
        ) -> ValidationResponse;
        fn validate_raw[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
        ) -> Value;
        fn validate_with[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
            metadata: &Map<String, Value>,
        ) -> ValidationResponse;
        fn validate_with_raw[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
            metadata: &Map<String, Value>,
        ) -> Value;
        fn get_metadata(uri: impl IntoServiceUri) -> MetadataResponse;
        fn get_metadata_raw(uri: impl IntoServiceUri) -> Value;
    }
}
