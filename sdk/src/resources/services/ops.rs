//! Extra service calls (python-sdk.md §4.3, §5.9): validate, metadata, exists, search,
//! download and delete. Each method is one documented Spark call, made through the generated
//! platform client except the binary download.

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Result, SparkError};
use crate::resources::files::DownloadedFile;
use crate::resources::files::disposition_file_name;
use crate::resources::paging::{self, Items, Page};
use crate::resources::services::execute_body::v3_validation_body;
use crate::resources::services::{IntoServiceUri, Services};
use crate::resources::support::{decode_body, json_object};
use crate::transport::RequestSpec;
use crate::uri::{Locator, ServiceUri};

use crate::resources::services::types::{
    DownloadKind, DownloadOptions, SearchOptions, ValidationType,
};
use crate::types::{
    MetadataResponse, SearchResponse, ServiceSearchItem, V1Response, ValidationResponse,
};

impl<'c> Services<'c> {
    /// Validation rules of every input (`POST …/{locator}/validation`), one
    /// [`InputValidation`](crate::types::InputValidation) per input name.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::ValidationType;
    /// let rules = client
    ///     .services()
    ///     .validate("my-folder/my-service", &serde_json::json!({"x": 1}), ValidationType::Dynamic)
    ///     .await?;
    /// for (input, rule) in rules.response_data.and_then(|d| d.outputs).unwrap_or_default() {
    ///     println!("{input}: {:?} {:?}", rule.validation_allow, rule.options);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn validate<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
    ) -> Result<ValidationResponse> {
        let body = self.validate_raw(uri, inputs, validation_type).await?;
        decode_body(&body, "validation response")
    }

    /// [`validate`](Self::validate) as the raw JSON Spark sent: the escape hatch for fields the
    /// typed answer does not name (they are also kept in its `extra` maps).
    pub async fn validate_raw<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        validation_type: ValidationType,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let body = v3_validation_body(&uri, inputs, validation_type.as_str())?;
        let body = json_object(body, "validation request")?;
        let what = "validation response";
        let tenant = self.client().base_url().tenant();
        let api = self.client().platform();
        let outcome = match (uri.locator(), uri.is_public()) {
            (Locator::FolderService { folder, service }, false) => {
                api.validate_inputs(tenant, folder, service, &body).await
            }
            (Locator::FolderService { folder, service }, true) => {
                api.validate_public_inputs(tenant, folder, service, &body)
                    .await
            }
            (Locator::ServiceId(id), false) => {
                api.validate_inputs_by_service_id(tenant, id, &body).await
            }
            (Locator::ServiceId(id), true) => {
                api.validate_public_inputs_by_service_id(tenant, id, &body)
                    .await
            }
            (Locator::VersionId(id), false) => {
                api.validate_inputs_by_version_id(tenant, id, &body).await
            }
            (Locator::VersionId(id), true) => {
                api.validate_public_inputs_by_version_id(tenant, id, &body)
                    .await
            }
            // A proxy path may hold `/`, which a generated path parameter would encode.
            (Locator::Proxy(_), _) => {
                let url = uri.validation_url(self.client().base_url());
                let spec = RequestSpec::post(&url)?.json(&body)?;
                return self.client().transport.send(spec).await?.json(what);
            }
        };
        Ok(outcome?.into_inner())
    }

    /// The service's `Metadata.*` outputs (`GET …/{locator}/metadata`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let meta = client.services().get_metadata("my-folder/my-service").await?;
    /// let outputs = meta.response_data.and_then(|d| d.outputs).unwrap_or_default();
    /// println!("{:?}", outputs.get("Metadata.Font"));
    /// # Ok(()) }
    /// ```
    ///
    /// A proxy locator (`proxy/…`) is refused with [`SparkError::InvalidInput`] before
    /// anything is sent: no public source documents a metadata call on a proxy path.
    pub async fn get_metadata(&self, uri: impl IntoServiceUri) -> Result<MetadataResponse> {
        let body = self.get_metadata_raw(uri).await?;
        decode_body(&body, "metadata response")
    }

    /// [`get_metadata`](Self::get_metadata) as the raw JSON Spark sent (escape hatch; refuses
    /// proxy locators too).
    pub async fn get_metadata_raw(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let tenant = self.client().base_url().tenant();
        let api = self.client().platform();
        let outcome = match (uri.locator(), uri.is_public()) {
            (Locator::FolderService { folder, service }, false) => {
                api.get_metadata(tenant, folder, service).await
            }
            (Locator::FolderService { folder, service }, true) => {
                api.get_public_metadata(tenant, folder, service).await
            }
            (Locator::ServiceId(id), false) => api.get_metadata_by_service_id(tenant, id).await,
            (Locator::ServiceId(id), true) => {
                api.get_public_metadata_by_service_id(tenant, id).await
            }
            (Locator::VersionId(id), false) => api.get_metadata_by_version_id(tenant, id).await,
            (Locator::VersionId(id), true) => {
                api.get_public_metadata_by_version_id(tenant, id).await
            }
            (Locator::Proxy(_), _) => return Err(proxy_refused(&uri, "get_metadata")),
        };
        Ok(outcome?.into_inner())
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
        let api = self.client().platform();
        let outcome = api
            .service_exists(self.client().base_url().tenant(), folder, service)
            .await;
        match Ok(outcome?.into_inner()) {
            Ok(body) => Ok(body["response_data"]["is_exists"] == Value::Bool(true)),
            Err(SparkError::Api(e)) if e.status == 404 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Searches the tenant's services (`POST /api/v3/services/search`): one page of
    /// [`ServiceSearchItem`]s and the paging counters.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::SearchOptions;
    /// let found = client.services().search(&SearchOptions::default().page(1, 20)).await?;
    /// for item in found.response_data.unwrap_or_default() {
    ///     println!("{:?}/{:?}", item.folder_name, item.service_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn search(&self, options: &SearchOptions) -> Result<SearchResponse> {
        let body = self.search_raw(options).await?;
        decode_body(&body, "search response")
    }

    /// Every service [`search`](Self::search) finds, page after page from `options.page`
    /// (each next page is requested when the previous one is used up). A `page_size` of `-1`
    /// (everything) is one request.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::SearchOptions;
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client
    ///     .services()
    ///     .search_all(&SearchOptions::default().page(1, 50))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} services", all.len());
    /// # Ok(()) }
    /// ```
    pub fn search_all(&self, options: &SearchOptions) -> Items<'c, ServiceSearchItem> {
        let services = *self;
        let options = options.clone();
        let first = u32::try_from(options.page.max(1)).unwrap_or(u32::MAX);
        paging::items(first, move |page| {
            let mut asked = options.clone();
            asked.page = i64::from(page);
            async move {
                let found = services.search(&asked).await?;
                let total = found.response_meta.as_ref().and_then(|m| m.page_total);
                let last = total.is_some_and(|t| asked.page >= t);
                let size = u64::try_from(asked.page_size).unwrap_or(0);
                Ok(Page::sized(
                    found.response_data.unwrap_or_default(),
                    size,
                    last,
                ))
            }
        })
    }

    /// [`search`](Self::search) as the raw JSON Spark sent (escape hatch).
    pub async fn search_raw(&self, options: &SearchOptions) -> Result<Value> {
        let body = json_object(
            json!({"request_data": {
                "page": options.page, "page_size": options.page_size, "sort": options.sort,
                "search": options.search, "fields": options.fields,
            }}),
            "search request",
        )?;
        // A search changes nothing: safe to replay.
        let api = self.client().platform();
        let outcome = api
            .search_services(self.client().base_url().tenant(), &body)
            .await;
        Ok(outcome?.into_inner())
    }

    /// Downloads the workbook of a service version
    /// (`GET {B}/api/v1/product/{f}/engines/{s}/download/{version_id}?filename=&type=`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::DownloadOptions;
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
        // Handwritten: the answer is the workbook's bytes, not JSON.
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
    /// (`DELETE {B}/api/v1/product/{f}/engines/delete/{s}`), returning Spark's v1 envelope.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let done = client.services().delete("my-folder/old-service").await?;
    /// println!("{:?}", done.status);
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, uri: impl IntoServiceUri) -> Result<V1Response> {
        let body = self.delete_raw(uri).await?;
        decode_body(&body, "delete response")
    }

    /// [`delete`](Self::delete) as the raw JSON Spark sent (escape hatch).
    pub async fn delete_raw(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let api = self.client().platform();
        let outcome = api.delete_service(folder, service).await;
        Ok(outcome?.into_inner())
    }
}

/// The error for a call that no public source documents on a proxy path (`get_metadata`,
/// `download_wasm`): naming the locator, sent nowhere. Coherent's OpenAPI description, the
/// Python and TypeScript SDKs only document `POST` (execute) on `…/proxy/{path}`.
pub(crate) fn proxy_refused(uri: &ServiceUri, call: &str) -> SparkError {
    SparkError::invalid(
        "service URI",
        uri.to_string(),
        format!(
            "{call} needs a folder/service, service id or version id locator: \
             no public Spark document describes it on a proxy path"
        ),
    )
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
