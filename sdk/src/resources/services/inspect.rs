//! Service inspection: versions, schema and Swagger document.
//!
//! Every call goes through the generated platform client. The schema and the Swagger document
//! decode into [`ServiceSchema`] and [`ServiceSwagger`] (fields Spark adds later are kept in
//! their `extra` maps); the `…_raw` twins return the documents as sent, which is what
//! `cspark-codegen fetch` stores and generates typed bindings from.

use serde_json::Value;

use crate::error::{Result, SparkError};
use crate::generated::types;
use crate::resources::services::{IntoServiceUri, Services};
use crate::resources::support::decode_body;
use crate::uri::{Locator, ServiceUri};

/// One published version of a service (`getversions`).
pub type VersionInfo = types::VersionInfo;

use crate::types::{ServiceSchema, ServiceSwagger};

/// Options of [`Services::get_swagger`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SwaggerOptions {
    /// Subservices to describe (`None` = `All`).
    pub category: Option<String>,
    /// A specific version id (`None` = the latest version).
    pub version_id: Option<String>,
}

impl SwaggerOptions {
    /// Describes one version.
    pub fn version_id(mut self, id: impl Into<String>) -> Self {
        self.version_id = Some(id.into());
        self
    }

    /// Describes only these subservices (comma-separated on the wire).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }
}

impl Services<'_> {
    /// Lists the versions of a `folder/service`, as Spark returns them (newest first).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// for v in client.services().get_versions("my-folder/my-service").await? {
    ///     println!("{:?} {:?}", v.revision, v.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_versions(&self, uri: impl IntoServiceUri) -> Result<Vec<VersionInfo>> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri, "versions")?;
        let api = self.client().platform();
        let outcome = api.get_service_versions(folder, service).await;
        Ok(outcome?.into_inner().data.unwrap_or_default())
    }

    /// The service schema (`xlInputs`, `xOutput`, `bookSummary`, …).
    ///
    /// A `folder/service` URI reads the latest version (`GET …/engines/get/{service}`); a
    /// `version/{id}` URI reads that version (`POST …/GetEngineDetailByVersionId/versionid/{id}`,
    /// as the Python SDK does).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let schema = client.services().get_schema("my-folder/my-service").await?;
    /// println!("{} inputs", schema.xl_inputs.as_ref().map_or(0, Vec::len));
    /// let pinned = client.services().get_schema("version/0a1b2c3d").await?;
    /// println!("{:?}", pinned.engine_id);
    /// # Ok(()) }
    /// ```
    pub async fn get_schema(&self, uri: impl IntoServiceUri) -> Result<ServiceSchema> {
        let body = self.get_schema_raw(uri).await?;
        decode_body(&body, "service schema")
    }

    /// [`get_schema`](Self::get_schema) as the raw JSON Spark sent (escape hatch; what
    /// `cspark-codegen fetch` stores).
    pub async fn get_schema_raw(&self, uri: impl IntoServiceUri) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        if let Locator::VersionId(version_id) = uri.locator() {
            return self.get_engine_detail_raw(version_id).await;
        }
        let (folder, service) = folder_service(&uri, "schemas")?;
        let api = self.client().platform();
        let outcome = api.get_service_schema(folder, service).await;
        Ok(outcome?.into_inner())
    }

    /// The schema of one exact version of a `folder/service` (`getbyversionid`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let schema = client
    ///     .services()
    ///     .get_schema_by_version_id("my-folder/my-service", "0a1b2c3d")
    ///     .await?;
    /// println!("{:?}", schema.book_summary.and_then(|b| b.book_revision));
    /// # Ok(()) }
    /// ```
    pub async fn get_schema_by_version_id(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
    ) -> Result<ServiceSchema> {
        let body = self.get_schema_by_version_id_raw(uri, version_id).await?;
        decode_body(&body, "service schema")
    }

    /// [`get_schema_by_version_id`](Self::get_schema_by_version_id) as the raw JSON Spark sent
    /// (escape hatch).
    pub async fn get_schema_by_version_id_raw(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri, "schemas")?;
        non_empty_version_id(version_id)?;
        let api = self.client().platform();
        let outcome = api
            .get_service_schema_by_version(folder, service, version_id)
            .await;
        Ok(outcome?.into_inner())
    }

    /// The schema of a version by its id alone (`POST
    /// /{tenant}/api/v3/GetEngineDetailByVersionId/versionid/{version_id}`, no body); what
    /// [`get_schema`](Self::get_schema) sends for a `version/{id}` URI.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let schema = client.services().get_engine_detail("0a1b2c3d").await?;
    /// println!("{:?}", schema.xl_inputs);
    /// # Ok(()) }
    /// ```
    pub async fn get_engine_detail(&self, version_id: &str) -> Result<ServiceSchema> {
        let body = self.get_engine_detail_raw(version_id).await?;
        decode_body(&body, "service schema")
    }

    /// [`get_engine_detail`](Self::get_engine_detail) as the raw JSON Spark sent (escape hatch).
    pub async fn get_engine_detail_raw(&self, version_id: &str) -> Result<Value> {
        non_empty_version_id(version_id)?;
        let api = self.client().platform();
        let outcome = api
            .get_service_schema_by_version_id(self.client().base_url().tenant(), version_id)
            .await;
        Ok(outcome?.into_inner())
    }

    /// The Swagger 2.0 document Spark generates for a service (typed inputs and outputs).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::SwaggerOptions;
    /// let doc = client
    ///     .services()
    ///     .get_swagger("my-folder/my-service", &SwaggerOptions::default())
    ///     .await?;
    /// assert_eq!(doc.swagger.as_deref(), Some("2.0"));
    /// # Ok(()) }
    /// ```
    pub async fn get_swagger(
        &self,
        uri: impl IntoServiceUri,
        options: &SwaggerOptions,
    ) -> Result<ServiceSwagger> {
        let body = self.get_swagger_raw(uri, options).await?;
        decode_body(&body, "service swagger")
    }

    /// [`get_swagger`](Self::get_swagger) as the raw JSON Spark sent (escape hatch; what
    /// `cspark-codegen fetch` stores).
    pub async fn get_swagger_raw(
        &self,
        uri: impl IntoServiceUri,
        options: &SwaggerOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri, "swagger")?;
        let api = self.client().platform();
        let outcome = api
            .get_service_swagger(
                self.client().base_url().tenant(),
                folder,
                service,
                options.category.as_deref().unwrap_or("All"),
                "False",
                options.version_id.as_deref().unwrap_or(""),
            )
            .await;
        Ok(outcome?.into_inner())
    }
}

/// An empty version id would address another route (the latest version, or `…/updateversion/`
/// itself): refused before anything is sent.
pub(crate) fn non_empty_version_id(version_id: &str) -> Result<()> {
    if version_id.trim().is_empty() {
        return Err(SparkError::invalid(
            "version id",
            version_id,
            "must not be empty",
        ));
    }
    Ok(())
}

fn folder_service<'u>(uri: &'u ServiceUri, what: &str) -> Result<(&'u str, &'u str)> {
    match (uri.folder(), uri.service()) {
        (Some(folder), Some(service)) => Ok((folder, service)),
        _ => Err(SparkError::invalid(
            "service URI",
            uri.to_string(),
            format!("{what} need a folder/service locator"),
        )),
    }
}
