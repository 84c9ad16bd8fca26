//! Extra service calls (python-sdk.md §4.3, §5.9): validate, metadata, exists, search,
//! download and delete. Each method is one documented Spark call.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::execute::ExecuteOptions;
use super::services::{IntoServiceUri, Services, execute_body};
use crate::error::{Result, SparkError};
use crate::transport::RequestSpec;
use crate::uri::ServiceUri;

pub use super::service_types::{
    DownloadKind, DownloadOptions, DownloadedFile, SearchOptions, ValidationType,
};

impl Services<'_> {
    /// Validation rules of every input (`POST …/{locator}/validation`), as raw JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::resources::service_ops::ValidationType;
    /// let rules = client
    ///     .services()
    ///     .validate("my-folder/my-service", &serde_json::json!({"x": 1}), ValidationType::Dynamic)
    ///     .await?;
    /// println!("{}", rules["response_data"]["outputs"]);
    /// # Ok(()) }
    /// ```
    pub async fn validate<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let inputs = match serde_json::to_value(inputs) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            _ => {
                return Err(SparkError::invalid(
                    "inputs",
                    "<non-object>",
                    "validation takes a JSON object of inputs",
                ));
            }
        };
        let mut body = execute_body(&uri, inputs, &ExecuteOptions::default());
        body["request_meta"]["validation_type"] = json!(validation_type.as_str());
        let spec = RequestSpec::post(&uri.validation_url(self.client().base_url()))?.json(&body)?;
        self.client()
            .transport
            .send(spec)
            .await?
            .json("validation response")
    }

    /// The service's `Metadata.*` outputs (`GET …/{locator}/metadata`), as raw JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let meta = client.services().get_metadata("my-folder/my-service").await?;
    /// println!("{}", meta["response_data"]["outputs"]);
    /// # Ok(()) }
    /// ```
    pub async fn get_metadata(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let spec = RequestSpec::get(&uri.metadata_url(self.client().base_url()))?;
        self.client()
            .transport
            .send(spec)
            .await?
            .json("metadata response")
    }

    /// Whether `folder/service` exists (`GET …/folders/{f}/services/{s}/exists`). A 404 is
    /// `Ok(false)` (Python raises on 404: python-sdk.md §11.23).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// if client.services().exists("my-folder/my-service").await? { println!("there"); }
    /// # Ok(()) }
    /// ```
    pub async fn exists(&self, uri: impl IntoServiceUri) -> Result<bool> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let url = self.client().base_url().tenant_url(&[
            "api", "v3", "folders", folder, "services", service, "exists",
        ]);
        match self.client().transport.send(RequestSpec::get(&url)?).await {
            Ok(r) => {
                let body: Value = r.json("exists response")?;
                Ok(body["response_data"]["is_exists"] == Value::Bool(true))
            }
            Err(SparkError::Api(e)) if e.status == 404 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Searches the tenant's services (`POST /api/v3/services/search`), as raw JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::resources::service_ops::SearchOptions;
    /// let found = client.services().search(&SearchOptions::default().page(1, 20)).await?;
    /// println!("{}", found["response_data"]);
    /// # Ok(()) }
    /// ```
    pub async fn search(&self, options: &SearchOptions) -> Result<Value> {
        let url = self
            .client()
            .base_url()
            .tenant_url(&["api", "v3", "services", "search"]);
        let body = json!({"request_data": {
            "page": options.page, "page_size": options.page_size, "sort": options.sort,
            "search": options.search, "fields": options.fields,
        }});
        let spec = RequestSpec::post(&url)?.json(&body)?.idempotent(true);
        self.client()
            .transport
            .send(spec)
            .await?
            .json("search response")
    }

    /// Downloads the workbook of a service version
    /// (`GET {B}/api/v1/product/{f}/engines/{s}/download/{version_id}?filename=&type=`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::resources::service_ops::DownloadOptions;
    /// let file = client
    ///     .services()
    ///     .download("my-folder/my-service", &DownloadOptions::default().configured())
    ///     .await?;
    /// std::fs::write(&file.file_name, &file.bytes).ok();
    /// # Ok(()) }
    /// ```
    pub async fn download(
        &self,
        uri: impl IntoServiceUri,
        options: &DownloadOptions,
    ) -> Result<DownloadedFile> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let base = self.client().base_url();
        let mut url = base.origin_url(&["api", "v1", "product", folder, "engines", service]);
        url.push_str("/download/");
        url.push_str(&crate::uri::encode::segment(
            options.version_id.as_deref().unwrap_or(""),
        ));
        let flag = match options.kind {
            DownloadKind::Original => "",
            DownloadKind::Configured => "withmetadata",
        };
        let spec = RequestSpec::get(&url)?
            .query("filename", options.file_name.as_deref().unwrap_or(""))
            .query("type", flag);
        let response = self.client().transport.send(spec).await?;
        let file_name = response
            .headers()
            .get(http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_file_name)
            .or_else(|| options.file_name.clone())
            .unwrap_or_else(|| format!("{service}.xlsx"));
        Ok(DownloadedFile {
            file_name,
            bytes: response.body().clone(),
        })
    }

    /// Deletes a service and all its versions
    /// (`DELETE {B}/api/v1/product/{f}/engines/delete/{s}`), returning the raw JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// client.services().delete("my-folder/old-service").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let url = self
            .client()
            .base_url()
            .origin_url(&["api", "v1", "product", folder, "engines", "delete", service]);
        let spec = RequestSpec::new(http::Method::DELETE, &url)?;
        self.client()
            .transport
            .send(spec)
            .await?
            .json("delete response")
    }
}

/// `folder` and `service` of a folder/service URI.
pub(crate) fn folder_service(uri: &ServiceUri) -> Result<(&str, &str)> {
    match (uri.folder(), uri.service()) {
        (Some(folder), Some(service)) => Ok((folder, service)),
        _ => Err(SparkError::invalid(
            "service URI",
            uri.to_string(),
            "this call needs a folder/service locator",
        )),
    }
}

/// `attachment; filename="x.xlsx"` (or `filename*=UTF-8''x.xlsx`) → `x.xlsx`.
pub(crate) fn disposition_file_name(value: &str) -> Option<String> {
    value.split(';').map(str::trim).find_map(|part| {
        if let Some(v) = part.strip_prefix("filename*=") {
            let v = v.rsplit("''").next().unwrap_or(v);
            return percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned());
        }
        part.strip_prefix("filename=")
            .map(|v| v.trim_matches('"').to_owned())
    })
}
