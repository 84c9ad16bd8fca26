//! Platform configuration and the WASM bundle of a service (python-sdk.md §4.1, §4.8).

use serde_json::Value;

use super::files::file_of;
use super::support::decode_body;
use crate::client::Client;
use crate::error::Result;
use crate::resources::files::DownloadedFile;
use crate::resources::services::ops::proxy_refused;
use crate::resources::services::{IntoServiceUri, Services};
use crate::transport::RequestSpec;
use crate::uri::Locator;

use crate::generated::types::PlatformConfig;

impl Client {
    /// Tenant settings (`GET {B}/api/v1/config/GetSparkConfiguration`, bearer only on Spark):
    /// the `data` map when `status` is `Success`, else the whole body (its keys in `extra`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let config = client.spark_config().await?;
    /// println!("{:?}", config.compiler_version_neuron_stable_latest);
    /// println!("{:?}", config.extra.get("EnableWebhooks"));
    /// # Ok(()) }
    /// ```
    pub async fn spark_config(&self) -> Result<PlatformConfig> {
        let mut body = self.spark_config_raw().await?;
        let settings = if body["status"] == "Success" {
            body["data"].take()
        } else {
            body
        };
        decode_body(&settings, "platform configuration")
    }

    /// [`spark_config`](Self::spark_config) as the whole envelope Spark sent (escape hatch).
    pub async fn spark_config_raw(&self) -> Result<Value> {
        let api = self.platform();
        let outcome = api.get_platform_config().await;
        Ok(outcome?.into_inner())
    }
}

impl Services<'_> {
    /// The WASM bundle of a service for hybrid runners
    /// (`GET …/api/v3/nodegen[/public]/getnodegenzipbyId/{locator}`), as zip bytes.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let zip = client.services().download_wasm("my-folder/my-service[1.0.0]").await?;
    /// std::fs::write(&zip.file_name, &zip.bytes).ok();
    /// # Ok(()) }
    /// ```
    ///
    /// A proxy locator (`proxy/…`) is refused with [`SparkError::InvalidInput`](crate::SparkError::InvalidInput)
    /// before anything is sent: no public source documents the bundle of a proxy path.
    pub async fn download_wasm(&self, uri: impl IntoServiceUri) -> Result<DownloadedFile> {
        let uri = uri.into_service_uri()?;
        if let Locator::Proxy(_) = uri.locator() {
            return Err(proxy_refused(&uri, "download_wasm"));
        }
        // Handwritten: a binary zip, and the `[version]` suffix follows the service segment.
        let spec = RequestSpec::get(&uri.wasm_url(self.client().base_url()))?;
        let response = self.client().transport.send(spec).await?;
        let name = format!("{}.zip", uri.service().unwrap_or("wasm"));
        Ok(file_of(response, &name))
    }
}
