//! Changing one published version of a service in place: edit its description, release
//! note, label, tags and effective dates (`PUT …/updateversion/{version_id}`), or delete an
//! intermediate version (`DELETE …/version/{version_id}`). Both calls are documented only in
//! Coherent's OpenAPI description (spark-openapi, `putFoldersServicesUpdateversion` and
//! `deleteFoldersServicesVersion`); they go through the generated platform client.

use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::resources::services::inspect::non_empty_version_id;
use crate::resources::services::ops::folder_service;
use crate::resources::services::{IntoServiceUri, Services};
use crate::resources::support::{decode_body, json_object};

use crate::generated::types::{V1Response, VersionUpdateResponse};

/// What [`Services::update_version`] changes. A field left `None` is sent as `null`, which
/// leaves it as it is.
///
/// ```
/// use cspark::services::VersionUpdate;
/// let edit = VersionUpdate::default()
///     .release_note("Fixes the rounding of premiums")
///     .label("2026-Q1")
///     .effective("2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z");
/// assert_eq!(edit.label.as_deref(), Some("2026-Q1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct VersionUpdate {
    /// `description`: text describing the version.
    pub description: Option<String>,
    /// `release_note`.
    pub release_note: Option<String>,
    /// `version_label`: the label shown next to the version number.
    pub label: Option<String>,
    /// `tags` (comma-joined on the wire).
    pub tags: Option<Vec<String>>,
    /// `effective_start_date`: an ISO 8601 date or date-time.
    pub start_date: Option<String>,
    /// `effective_end_date`: an ISO 8601 date or date-time.
    pub end_date: Option<String>,
    /// `book_properties`: `(name, value)` pairs to change.
    pub book_properties: Vec<(String, Value)>,
    /// Extra `request_data` keys, sent as given.
    pub extras: Map<String, Value>,
}

impl VersionUpdate {
    /// The version's description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The release note.
    pub fn release_note(mut self, text: impl Into<String>) -> Self {
        self.release_note = Some(text.into());
        self
    }

    /// The version label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The tags (replacing the version's tags).
    pub fn tags(mut self, tags: &[&str]) -> Self {
        self.tags = Some(tags.iter().map(|t| (*t).to_owned()).collect());
        self
    }

    /// The effective window (ISO 8601 dates or date-times, e.g. `2026-01-01T00:00:00Z`).
    pub fn effective(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self.end_date = Some(end.into());
        self
    }

    /// One book property to change.
    pub fn book_property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.book_properties.push((name.into(), value.into()));
        self
    }

    /// The `request_data` object: every documented field, `null` where unchanged.
    fn request_data(&self) -> Map<String, Value> {
        let properties = (!self.book_properties.is_empty()).then(|| {
            self.book_properties
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect::<Vec<_>>()
        });
        let mut data = Map::new();
        for (key, value) in [
            ("description", json!(self.description)),
            ("release_note", json!(self.release_note)),
            ("version_label", json!(self.label)),
            ("tags", json!(self.tags.as_ref().map(|t| t.join(",")))),
            ("effective_start_date", json!(self.start_date)),
            ("effective_end_date", json!(self.end_date)),
            ("book_properties", json!(properties)),
        ] {
            data.insert(key.to_owned(), value);
        }
        data.extend(self.extras.clone());
        data
    }
}

impl Services<'_> {
    /// Edits a version of a `folder/service` in place, without publishing a new version
    /// (`PUT /{tenant}/api/v3/folders/{f}/services/{s}/updateversion/{version_id}`): its
    /// description, release note, label, tags, effective dates or book properties.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::VersionUpdate;
    /// let edit = VersionUpdate::default().release_note("Reviewed by pricing");
    /// let done = client
    ///     .services()
    ///     .update_version("my-folder/my-service", "0a1b2c3d-0000-4000-8000-000000000000", &edit)
    ///     .await?;
    /// println!("{:?}", done.response_data.and_then(|d| d.revision));
    /// # Ok(()) }
    /// ```
    pub async fn update_version(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
        edit: &VersionUpdate,
    ) -> Result<VersionUpdateResponse> {
        let body = self.update_version_raw(uri, version_id, edit).await?;
        decode_body(&body, "update version response")
    }

    /// [`update_version`](Self::update_version) as the raw JSON Spark sent (escape hatch).
    pub async fn update_version_raw(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
        edit: &VersionUpdate,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        non_empty_version_id(version_id)?;
        let body = json_object(
            json!({ "request_data": edit.request_data() }),
            "update version request",
        )?;
        let outcome = self
            .client()
            .platform()
            .update_service_version(
                self.client().base_url().tenant(),
                folder,
                service,
                version_id,
                &body,
            )
            .await;
        Ok(outcome?.into_inner())
    }

    /// Deletes an intermediate version of a `folder/service`
    /// (`DELETE /{tenant}/api/v3/folders/{f}/services/{s}/version/{version_id}`). Spark
    /// refuses the first and the latest version; the version's workbook and call history go
    /// with it. To delete the whole service, see [`delete`](Self::delete).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let done = client
    ///     .services()
    ///     .delete_version("my-folder/my-service", "0a1b2c3d-0000-4000-8000-000000000000")
    ///     .await?;
    /// println!("{:?}", done.status);
    /// # Ok(()) }
    /// ```
    pub async fn delete_version(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
    ) -> Result<V1Response> {
        let body = self.delete_version_raw(uri, version_id).await?;
        decode_body(&body, "delete version response")
    }

    /// [`delete_version`](Self::delete_version) as the raw JSON Spark sent (escape hatch).
    pub async fn delete_version_raw(
        &self,
        uri: impl IntoServiceUri,
        version_id: &str,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        non_empty_version_id(version_id)?;
        let outcome = self
            .client()
            .platform()
            .delete_service_version(
                self.client().base_url().tenant(),
                folder,
                service,
                version_id,
            )
            .await;
        Ok(outcome?.into_inner())
    }
}
