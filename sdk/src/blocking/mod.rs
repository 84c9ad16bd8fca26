//! A synchronous facade over the async client (feature `blocking`), shaped like it:
//! `client.services().execute(…)`, `client.batches().run(…)`, `client.folders().find(…)`, …
//! take the same arguments and return the same types, minus `async`. Streams become
//! [`Iterator`]s ([`BatchRun`], [`TypedBatchRun`]); long polls keep their [`PollOptions`].
//!
//! Each [`Client`] owns a tokio runtime with one worker thread. A call blocks the calling
//! thread while the async call runs; the worker keeps background work going between calls
//! (pooled connections, and a batch run's pushes and pulls while the caller handles the
//! outputs it already has).
//!
//! Do not call it from inside an async runtime: every call then returns
//! [`SparkError::Config`] with field `"blocking"` instead of panicking; use the async
//! [`crate::Client`] there.
//!
//! The generated platform client ([`crate::Client::platform`]) has no blocking twin: run its
//! futures with [`Client::block_on`].
//!
//! [`PollOptions`]: crate::PollOptions

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, SparkError};
use crate::resources::services::IntoServiceUri;
use crate::services::{ExecuteOptions, ExecuteResponse};
use crate::types::HealthStatus;
use crate::types::PlatformConfig;
use crate::{BaseUrl, Config};

/// Generates blocking twins inside an `impl` of a blocking handle. Each entry
/// `fn name[generics](arg: Type, …) -> T;` becomes `pub fn name(&self, …) -> Result<T>` that
/// runs the async method of the same name (on `self.async_handle()`) with `self.block_on`.
/// One macro keeps every twin's signature next to its async original's, with nothing to drift.
macro_rules! blocking_twins {
    ($async_ty:literal => $(
        $(#[$doc:meta])*
        fn $name:ident $([$($gen:tt)*])? ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {$(
        #[doc = concat!("Blocking twin of [`", $async_ty, "::", stringify!($name), "`].")]
        $(#[$doc])*
        pub fn $name $(<$($gen)*>)? (&self $(, $arg: $ty)*) -> $crate::error::Result<$ret> {
            self.block_on(self.async_handle().$name($($arg),*))?
        }
    )*};
}

mod batches;
mod files;
mod folders;
mod history;
pub mod hybrid;
mod impex;
#[cfg(feature = "mcp")]
mod mcp;
mod paging;
mod services;
mod transforms;
mod typed;

pub use batches::{BatchRun, Batches, Pipeline};
pub use files::Files;
pub use folders::Folders;
pub use history::History;
pub use impex::{Impex, migrate};
#[cfg(feature = "mcp")]
pub use mcp::McpClient;
pub use paging::Paged;
pub use services::Services;
pub use transforms::Transforms;
pub use typed::TypedBatchRun;

/// The runtime behind blocking handles.
#[derive(Debug)]
pub(crate) struct Engine {
    /// `Some` until dropped (dropping needs to own it).
    runtime: Option<tokio::runtime::Runtime>,
}

impl Engine {
    fn new() -> Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cspark-blocking")
            .enable_all()
            .build()
            .map_err(|e| SparkError::config("runtime", "multi_thread(1)", e.to_string()))?;
        Ok(Arc::new(Self {
            runtime: Some(runtime),
        }))
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        self.runtime.as_ref().ok_or_else(|| {
            SparkError::config("blocking", "runtime", "the runtime has been shut down")
        })
    }

    /// Runs `f` to completion, or refuses inside an async runtime: blocking a runtime's
    /// thread there would panic (nested `block_on`) or stall its other tasks.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(SparkError::config(
                "blocking",
                "inside an async runtime",
                "the blocking client cannot run inside an async runtime; use the async Client",
            ));
        }
        Ok(self.runtime()?.block_on(f))
    }

    /// Makes this runtime current (for async APIs that spawn onto the current runtime).
    pub(crate) fn enter(&self) -> Option<tokio::runtime::EnterGuard<'_>> {
        self.runtime.as_ref().map(tokio::runtime::Runtime::enter)
    }

    pub(crate) fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.as_ref().map(tokio::runtime::Runtime::handle)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // A runtime dropped inside an async context panics while it waits for its
                // worker; let the worker wind down on its own instead.
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

/// A blocking Spark client: the async [`crate::Client`] plus a runtime to run it on.
/// Cloning is cheap (the clones share the client and the runtime).
///
/// ```no_run
/// let client = cspark::blocking::Client::new(
///     cspark::Client::builder().base_url("http://127.0.0.1:8080/my-tenant").api_key("open"),
/// )?;
/// let out = client.services().execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
/// println!("{:?}", out.outputs());
/// let folders = client.folders().find(&Default::default())?;
/// println!("{:?}", folders.count);
/// # Ok::<(), cspark::SparkError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    engine: Arc<Engine>,
}

impl Client {
    /// Builds the async client from `builder` and a runtime for it.
    ///
    /// ```no_run
    /// let client = cspark::blocking::Client::new(
    ///     cspark::Client::builder().base_url("https://excel.uat.us.coherent.global/my-tenant"),
    /// )?;
    /// # Ok::<(), cspark::SparkError>(())
    /// ```
    pub fn new(builder: crate::ClientBuilder) -> Result<Self> {
        Self::from_async(builder.build()?)
    }

    /// Blocking twin of [`crate::Client::from_env`]: configured from the `CSPARK_*`
    /// environment variables.
    ///
    /// ```no_run
    /// let client = cspark::blocking::Client::from_env()?;
    /// # Ok::<(), cspark::SparkError>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_async(crate::Client::from_env()?)
    }

    /// Wraps an existing async client (clones of it share its connection pool).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let blocking = cspark::blocking::Client::from_async(client)?;
    /// # Ok(()) }
    /// ```
    pub fn from_async(inner: crate::Client) -> Result<Self> {
        Ok(Self {
            inner,
            engine: Engine::new()?,
        })
    }

    /// The wrapped async client.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) {
    /// let async_client: &cspark::Client = client.inner();
    /// # }
    /// ```
    pub fn inner(&self) -> &crate::Client {
        &self.inner
    }

    /// See [`crate::Client::config`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) {
    /// println!("{:?}", client.config().timeout);
    /// # }
    /// ```
    pub fn config(&self) -> &Config {
        self.inner.config()
    }

    /// See [`crate::Client::base_url`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) {
    /// println!("{}", client.base_url().tenant());
    /// # }
    /// ```
    pub fn base_url(&self) -> &BaseUrl {
        self.inner.base_url()
    }

    /// Runs any future of the async API (e.g. a call of the generated
    /// [`platform`](crate::Client::platform) client) on this client's runtime. Inside an
    /// async runtime it returns [`SparkError::Config`] (field `"blocking"`).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let platform = client.inner().platform();
    /// let versions = client
    ///     .block_on(platform.get_service_versions("my-folder", "my-service"))??
    ///     .into_inner();
    /// # Ok(()) }
    /// ```
    pub fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    fn async_handle(&self) -> &crate::Client {
        &self.inner
    }

    blocking_twins! { "crate::Client" =>
        fn health() -> HealthStatus;
        fn authenticate() -> ();
        fn spark_config() -> PlatformConfig;
        fn spark_config_raw() -> Value;
    }

    /// Service calls: see [`Services`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let versions = client.services().get_versions("my-folder/my-service")?;
    /// # Ok(()) }
    /// ```
    pub fn services(&self) -> Services<'_> {
        Services::new(&self.engine, self.inner.services())
    }

    /// The Batch API: see [`Batches`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// println!("{:?}", client.batches().describe()?.recent_batches);
    /// # Ok(()) }
    /// ```
    pub fn batches(&self) -> Batches<'_> {
        Batches::new(&self.engine, self.inner.batches())
    }

    /// Folders and categories: see [`Folders`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// assert!(!client.folders().exists("nope")?);
    /// # Ok(()) }
    /// ```
    pub fn folders(&self) -> Folders<'_> {
        Folders::new(&self.engine, self.inner.folders())
    }

    /// Call history (logs): see [`History`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// println!("{:?}", client.history().get("a-call-id")?.calc_time);
    /// # Ok(()) }
    /// ```
    pub fn history(&self) -> History<'_> {
        History::new(&self.engine, self.inner.history())
    }

    /// Export and import: see [`Impex`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// println!("{:?}", client.impex().describe_exports()?.recent_exports);
    /// # Ok(()) }
    /// ```
    pub fn impex(&self) -> Impex<'_> {
        Impex::new(&self.engine, self.inner.impex())
    }

    /// Transform documents: see [`Transforms`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// println!("{:?}", client.transforms().list("my-folder", 1, 20)?.count);
    /// # Ok(()) }
    /// ```
    pub fn transforms(&self) -> Transforms<'_> {
        Transforms::new(&self.engine, self.inner.transforms())
    }

    /// Files behind URLs Spark returns: see [`Files`].
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let file = client.files().download("https://spark.example/files/a.zip")?;
    /// # Ok(()) }
    /// ```
    pub fn files(&self) -> Files<'_> {
        Files::new(&self.engine, self.inner.files())
    }

    /// Shortcut for [`services().execute`](Services::execute).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let out = client.execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
    /// # Ok(()) }
    /// ```
    pub fn execute<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
    ) -> Result<ExecuteResponse> {
        self.services().execute(uri, inputs)
    }

    /// Shortcut for [`services().execute_with`](Services::execute_with).
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// let options = cspark::services::ExecuteOptions::default().version("1.0.0");
    /// let out = client.execute_with("my-folder/my-service", &serde_json::json!({"x": 1}), &options)?;
    /// # Ok(()) }
    /// ```
    pub fn execute_with<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResponse> {
        self.services().execute_with(uri, inputs, options)
    }
}
