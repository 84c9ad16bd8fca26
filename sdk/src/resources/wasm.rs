//! Hybrid runner client (python-sdk.md §10): a self-hosted `nodegen-server` that runs WASM
//! bundles. Exposed as `cspark::hybrid`.
//!
//! The runner is not the Spark platform, so none of its endpoints is in `openapi/spark.yaml`:
//! these calls are handwritten. Their answers are typed all the same, by component schemas of
//! `openapi/spark.yaml` (`Runner…`, re-exported here; validation and metadata answer Spark's
//! own v3 envelopes), and each call has a `…_raw` twin returning the JSON as sent. It shares
//! the SDK's transport (standard headers, retries, timeouts). Unlike the reference
//! SDKs it keeps the SDK `User-Agent` on every call, and it trims trailing slashes instead of
//! sending `//healthcheck`.

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::support::{Multipart, decode_body};
use crate::auth::Auth;
use crate::error::Result;
use crate::resources::services::IntoServiceUri;
use crate::resources::services::ValidationType;
use crate::resources::services::execute::ExecuteResponse;
use crate::resources::services::ops::proxy_refused;
use crate::transport::RequestSpec;
use crate::types::{MetadataResponse, ValidationResponse};
use crate::uri::{Locator, ServiceUri};

use crate::generated::types::{RunnerHealth, RunnerStatus, RunnerUploadResponse, RunnerVersion};

/// A hybrid runner client: `{runner}` for runner-wide calls, `{runner}/{tenant}` for services.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
}

impl Client {
    /// A runner at `url` (e.g. `http://localhost:3000`) serving `tenant`, without credentials
    /// (runners do not authenticate; see [`from_client`](Self::from_client) for more control).
    ///
    /// ```no_run
    /// # async fn demo() -> cspark::Result<()> {
    /// let runner = cspark::hybrid::Client::connect("http://localhost:3000", "my-tenant")?;
    /// println!("{:?}", runner.version().await?.version);
    /// # Ok(()) }
    /// ```
    pub fn connect(url: &str, tenant: &str) -> Result<Self> {
        let base = format!("{}/{}", url.trim().trim_end_matches('/'), tenant.trim());
        let inner = crate::Client::builder()
            .env_lookup(|_| None)
            .base_url(base)
            .auth(Auth::Open)
            .build()?;
        Ok(Self { inner })
    }

    /// Wraps an SDK client whose base URL is `{runner}/{tenant}`.
    pub fn from_client(inner: crate::Client) -> Self {
        Self { inner }
    }

    fn root(&self, segs: &[&str]) -> String {
        self.inner.base_url().origin_url(segs)
    }

    async fn get(&self, url: &str, what: &'static str) -> Result<Value> {
        self.inner
            .transport
            .send(RequestSpec::get(url)?)
            .await?
            .json(what)
    }

    /// `GET {runner}/version`: the Neuron compatibility version and the last package pull.
    pub async fn version(&self) -> Result<RunnerVersion> {
        decode_body(&self.version_raw().await?, "runner version")
    }

    /// [`version`](Self::version) as the raw JSON the runner sent (escape hatch).
    pub async fn version_raw(&self) -> Result<Value> {
        self.get(&self.root(&["version"]), "runner version").await
    }

    /// `GET {runner}/healthcheck`: `msg` is `"ok"` when healthy.
    pub async fn health_check(&self) -> Result<RunnerHealth> {
        decode_body(&self.health_check_raw().await?, "runner health")
    }

    /// [`health_check`](Self::health_check) as the raw JSON the runner sent (escape hatch).
    pub async fn health_check_raw(&self) -> Result<Value> {
        self.get(&self.root(&["healthcheck"]), "runner health")
            .await
    }

    /// `GET {runner}/status`: loaded models and their statistics (runner ≥ 1.46).
    pub async fn status(&self) -> Result<RunnerStatus> {
        decode_body(&self.status_raw().await?, "runner status")
    }

    /// [`status`](Self::status) as the raw JSON the runner sent (escape hatch).
    pub async fn status_raw(&self) -> Result<Value> {
        self.get(&self.root(&["status"]), "runner status").await
    }

    /// Uploads a WASM bundle (`POST {runner}/api/v3/upload`, multipart `file`; no tenant):
    /// the services it loaded, per tenant.
    pub async fn upload(
        &self,
        zip: impl Into<Bytes>,
        file_name: Option<&str>,
    ) -> Result<RunnerUploadResponse> {
        decode_body(&self.upload_raw(zip, file_name).await?, "runner upload")
    }

    /// [`upload`](Self::upload) as the raw JSON the runner sent (escape hatch).
    pub async fn upload_raw(
        &self,
        zip: impl Into<Bytes>,
        file_name: Option<&str>,
    ) -> Result<Value> {
        let body = Multipart::default()
            .file(
                "file",
                file_name.unwrap_or("package.zip"),
                "application/zip",
                zip.into(),
            )
            .into_body()?;
        let spec = RequestSpec::post(&self.root(&["api", "v3", "upload"]))?.body(body);
        self.inner.transport.send(spec).await?.json("runner upload")
    }

    /// Runs a service on the runner (v3, same body as on Spark).
    pub async fn execute<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
    ) -> Result<ExecuteResponse> {
        self.inner.services().execute(uri, inputs).await
    }

    /// Runs many records at once on the runner (`POST {runner}/{tenant}/api/v4/execute`).
    pub async fn execute_many<I: Serialize>(
        &self,
        uri: impl IntoServiceUri,
        records: &[I],
    ) -> Result<crate::services::ExecuteManyResponse> {
        self.inner
            .services()
            .execute_many(uri, records, &Default::default())
            .await
    }

    /// Validation rules (`POST {runner}/{tenant}/api/v3/validation`, locator in `request_meta`):
    /// Spark's v3 validation envelope, one rule per input.
    pub async fn validate<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
    ) -> Result<ValidationResponse> {
        self.validate_with(uri, inputs, validation_type, &Map::new())
            .await
    }

    /// [`validate`](Self::validate) as the raw JSON the runner sent (escape hatch).
    pub async fn validate_raw<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
    ) -> Result<Value> {
        self.validate_with_raw(uri, inputs, validation_type, &Map::new())
            .await
    }

    /// [`validate`](Self::validate) with free-form `metadata` in `request_meta` (Python's
    /// `metadata=`): its keys go first and the SDK's own (`service_id`, `version_id`,
    /// `version`, `validation_type`) override them, as in the reference SDK.
    ///
    /// ```no_run
    /// # async fn demo(runner: cspark::hybrid::Client) -> cspark::Result<()> {
    /// use cspark::services::ValidationType;
    /// let mut metadata = serde_json::Map::new();
    /// metadata.insert("call_purpose".into(), "nightly check".into());
    /// let rules = runner
    ///     .validate_with("version/0a1b", &serde_json::json!({"x": 1}), ValidationType::Dynamic, &metadata)
    ///     .await?;
    /// println!("{:?}", rules.response_data);
    /// # Ok(()) }
    /// ```
    pub async fn validate_with<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
        metadata: &Map<String, Value>,
    ) -> Result<ValidationResponse> {
        let body = self
            .validate_with_raw(uri, inputs, validation_type, metadata)
            .await?;
        decode_body(&body, "runner validation")
    }

    /// [`validate_with`](Self::validate_with) as the raw JSON the runner sent (escape hatch).
    pub async fn validate_with_raw<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
        metadata: &Map<String, Value>,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let mut meta = Value::Object(metadata.clone());
        if let (Value::Object(all), Value::Object(own)) = (&mut meta, locator_meta(&uri)) {
            all.extend(own);
        }
        meta["version"] = json!(uri.version());
        meta["validation_type"] = json!(validation_type.as_str());
        self.post_meta("validation", inputs, meta).await
    }

    /// Metadata outputs (`POST {runner}/{tenant}/api/v3/metadata`; a GET on Spark). A proxy
    /// locator is refused before anything is sent, as on Spark: the runner addresses services
    /// by id in `request_meta` only. Spark's v3 envelope: the `Metadata.*` outputs.
    pub async fn get_metadata(&self, uri: impl IntoServiceUri) -> Result<MetadataResponse> {
        decode_body(&self.get_metadata_raw(uri).await?, "runner metadata")
    }

    /// [`get_metadata`](Self::get_metadata) as the raw JSON the runner sent (escape hatch;
    /// refuses proxy locators too).
    pub async fn get_metadata_raw(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        if let Locator::Proxy(_) = uri.locator() {
            return Err(proxy_refused(&uri, "get_metadata"));
        }
        self.post_meta("metadata", &Value::Null, locator_meta(&uri))
            .await
    }

    async fn post_meta<I: Serialize + ?Sized>(
        &self,
        endpoint: &str,
        inputs: &I,
        meta: Value,
    ) -> Result<Value> {
        let url = self.inner.base_url().tenant_url(&["api", "v3", endpoint]);
        let body = json!({"request_data": {"inputs": inputs}, "request_meta": meta});
        self.inner
            .transport
            .send(RequestSpec::post(&url)?.json(&body)?)
            .await?
            .json("runner response")
    }
}

fn locator_meta(uri: &ServiceUri) -> Value {
    let (sid, vid) = match uri.locator() {
        Locator::ServiceId(id) => (Some(id.as_str()), None),
        Locator::VersionId(id) => (None, Some(id.as_str())),
        _ => (None, None),
    };
    json!({"service_id": sid, "version_id": vid})
}
