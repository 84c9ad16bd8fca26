//! A synchronous facade (feature `blocking`): each call runs the async client on a
//! private current-thread tokio runtime.
//!
//! Do not call it from inside an async runtime: it returns an error rather than
//! panicking; use the async [`Client`](crate::Client) there.

use std::sync::Arc;

use serde::Serialize;

use crate::error::{Result, SparkError};
use crate::resources::services::IntoServiceUri;
use crate::{ExecuteOptions, ExecuteResponse, HealthStatus, Typed, TypedService};

/// A blocking Spark client.
///
/// ```no_run
/// let client = cspark::blocking::Client::new(
///     cspark::Client::builder().base_url("http://127.0.0.1:8080/my-tenant").api_key("open"),
/// )?;
/// let out = client.execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
/// println!("{:?}", out.outputs());
/// # Ok::<(), cspark::SparkError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// Builds the async client from `builder` and a runtime for it.
    pub fn new(builder: crate::ClientBuilder) -> Result<Self> {
        Self::from_async(builder.build()?)
    }

    /// Wraps an existing async client.
    pub fn from_async(inner: crate::Client) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SparkError::config("runtime", "current_thread", e.to_string()))?;
        Ok(Self {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The wrapped async client.
    pub fn inner(&self) -> &crate::Client {
        &self.inner
    }

    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(SparkError::config(
                "blocking",
                "inside an async runtime",
                "the blocking client cannot run inside an async runtime; use the async Client",
            ));
        }
        Ok(self.runtime.block_on(f))
    }

    /// See [`crate::Client::health`].
    pub fn health(&self) -> Result<HealthStatus> {
        self.block_on(self.inner.health())?
    }

    /// See [`crate::Services::execute`].
    pub fn execute<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
    ) -> Result<ExecuteResponse> {
        self.block_on(self.inner.services().execute(uri, inputs))?
    }

    /// See [`crate::Services::execute_with`].
    pub fn execute_with<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResponse> {
        self.block_on(self.inner.services().execute_with(uri, inputs, options))?
    }

    /// See [`crate::Client::execute_typed`].
    pub fn execute_typed<S: TypedService>(&self, inputs: &S::Inputs) -> Result<Typed<S::Outputs>> {
        self.block_on(self.inner.execute_typed::<S>(inputs))?
    }
}
