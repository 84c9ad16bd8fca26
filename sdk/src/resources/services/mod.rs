//! `client.services()`: service calls.

pub(crate) mod execute;
pub(crate) mod execute_body;
pub(crate) mod execute_many;
pub(crate) mod inspect;
pub(crate) mod lifecycle;
pub(crate) mod lifecycle_types;
mod object_only;
pub(crate) mod ops;
pub(crate) mod types;
pub(crate) mod versions;

pub use execute::{
    CompilerType, DEFAULT_CALL_PURPOSE, DEFAULT_MANY_CALL_PURPOSE, DEFAULT_SOURCE_SYSTEM,
    ExecuteOptions, ExecuteResponse, ResponseData, ResponseMeta,
};
pub use execute_body::{v3_body, v4_body};
pub use execute_many::ExecuteManyResponse;
pub use inspect::{SwaggerOptions, VersionInfo};
pub use lifecycle_types::{Compiled, CreateOptions, Created, RecompileOptions};
pub use types::{DownloadKind, DownloadOptions, SearchOptions, ValidationType};
pub use versions::VersionUpdate;

use serde::Serialize;

use crate::client::Client;
use crate::error::Result;
use crate::transport::RequestSpec;
use crate::uri::ServiceUri;

/// Anything that names a service: `&str`, `String`, [`ServiceUri`].
pub trait IntoServiceUri {
    /// Converts, validating strings.
    fn into_service_uri(self) -> Result<ServiceUri>;
}

impl IntoServiceUri for &str {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(self)
    }
}

impl IntoServiceUri for String {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(&self)
    }
}

impl IntoServiceUri for &String {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(self)
    }
}

impl IntoServiceUri for ServiceUri {
    fn into_service_uri(self) -> Result<ServiceUri> {
        Ok(self)
    }
}

impl IntoServiceUri for &ServiceUri {
    fn into_service_uri(self) -> Result<ServiceUri> {
        Ok(self.clone())
    }
}

/// Service operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Services<'c> {
    client: &'c Client,
}

impl Client {
    /// Service calls (execute, …).
    pub fn services(&self) -> Services<'_> {
        Services::new(self)
    }
}

impl<'c> Services<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Runs a service once (API v3) with default metadata.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let out = client.services().execute("my-folder/my-service", &serde_json::json!({"x": 1})).await?;
    /// println!("{:?} in {:?} ms", out.outputs(), out.response_meta.process_time);
    /// # Ok(()) }
    /// ```
    pub async fn execute<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
    ) -> Result<ExecuteResponse> {
        self.execute_with(uri, inputs, &ExecuteOptions::default())
            .await
    }

    /// Runs a service once (API v3) with metadata options.
    pub async fn execute_with<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResponse> {
        self.execute_traced(uri, inputs, options)
            .await
            .map(|(r, _)| r)
    }

    /// Like [`execute_with`](Self::execute_with), also returning the `x-request-id`.
    pub(crate) async fn execute_traced<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<(ExecuteResponse, String)> {
        let uri = uri.into_service_uri()?;
        let body = v3_body(&uri, inputs, options)?;
        // Handwritten on purpose: the v3 execute hot path (request compression, one
        // serialisation, no generated-client detour) and every locator form incl. proxies.
        let spec = RequestSpec::post(&uri.execute_url(self.client.base_url()))?
            .json_bytes(body)
            .compressible()
            .deadline_if(options.deadline);
        let response = self.client.transport.send(spec).await?;
        Ok((
            response.json("execute response")?,
            response.request_id().to_owned(),
        ))
    }
}
