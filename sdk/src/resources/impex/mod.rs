//! `client.impex()`: export and import of services (python-sdk.md §4.7, ts-sdk.md §1.7, §1.9).

pub(crate) mod types;

use bytes::Bytes;
use serde_json::{Value, json};

use super::files::file_of;
use super::support::{Multipart, PollOptions, decode_body, json_object, poll, poll_with};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::generated::types as wire;
use crate::resources::files::DownloadedFile;
use crate::transport::RequestSpec;

/// Import/export operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Impex<'c> {
    client: &'c Client,
}

pub use crate::resources::impex::types::{ExportRequest, ImportMapping, ImportOptions, Migration};
use crate::types::{ImpexDescription, ImpexResult, JobCreated};

impl<'c> Impex<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    fn url(&self, segs: &[&str]) -> String {
        let mut all = vec!["api", "v4"];
        all.extend_from_slice(segs);
        self.client.base_url().tenant_url(&all)
    }

    /// The multipart import stays handwritten (progenitor cannot send multipart bodies).
    async fn send_json(&self, spec: RequestSpec, what: &'static str) -> Result<Value> {
        self.client.transport.send(spec).await?.json(what)
    }

    /// Starts an export job (`POST /api/v4/export`): `{id, object, status_url}`.
    pub async fn start_export(&self, request: &ExportRequest) -> Result<JobCreated> {
        let mut inputs = serde_json::Map::new();
        for (k, v) in [
            ("folders", &request.folders),
            ("services", &request.services),
            ("version_ids", &request.version_ids),
        ] {
            if !v.is_empty() {
                inputs.insert(k.into(), json!(v));
            }
        }
        if inputs.is_empty() {
            return Err(SparkError::invalid(
                "export",
                "<empty>",
                "at least one of folders, services or version_ids is needed",
            ));
        }
        let body = json_object(
            json!({
                "inputs": inputs, "file_filter": request.file_filter, "version_filter": request.version_filter,
                "source_system": request.source_system, "correlation_id": request.correlation_id,
            }),
            "export job",
        )?;
        let api = self.client.platform();
        let outcome = api
            .start_export(self.client.base_url().tenant(), &body)
            .await;
        crate::generated::decode_as(outcome?, "export job")
    }

    /// One status request of a job (`GET /api/v4/{export|import}/{id}/status`).
    async fn status(&self, kind: JobKind, id: &str) -> Result<Value> {
        let (api, tenant) = (self.client.platform(), self.client.base_url().tenant());
        let outcome = match kind {
            JobKind::Export => api.get_export_status(tenant, id).await,
            JobKind::Import => api.get_import_status(tenant, id).await,
        };
        Ok(outcome?.into_inner())
    }

    /// Polls `GET /api/v4/{export|import}/{id}/status` until `completed` or `closed`.
    async fn wait(&self, kind: JobKind, id: &str, options: PollOptions) -> Result<Value> {
        let url = self.url(&[kind.segment(), id, "status"]);
        let path = url::Url::parse(&url).map_or(url.clone(), |u| u.path().to_owned());
        let fetch = async || self.status(kind, id).await;
        poll_with(self.client, &path, options, "impex job", fetch, |b| {
            job_done(b, &path)
        })
        .await
    }

    /// One status request for an export job (`GET /api/v4/export/{id}/status`), no polling:
    /// the job's state as it is now. [`wait_export`](Self::wait_export) polls until it ends.
    pub async fn export_status(&self, id: &str) -> Result<ImpexResult> {
        let body = self.export_status_raw(id).await?;
        decode_body(&body, "export job")
    }

    /// [`export_status`](Self::export_status) as the raw JSON Spark sent (escape hatch).
    pub async fn export_status_raw(&self, id: &str) -> Result<Value> {
        self.status(JobKind::Export, id).await
    }

    /// One status request for an import job (`GET /api/v4/import/{id}/status`), no polling.
    /// [`wait_import`](Self::wait_import) polls until it ends.
    pub async fn import_status(&self, id: &str) -> Result<ImpexResult> {
        let body = self.import_status_raw(id).await?;
        decode_body(&body, "import job")
    }

    /// [`import_status`](Self::import_status) as the raw JSON Spark sent (escape hatch).
    pub async fn import_status_raw(&self, id: &str) -> Result<Value> {
        self.status(JobKind::Import, id).await
    }

    /// Polls a job's server-given `status_url` (export or import) until `completed` or
    /// `closed`; `failed` and `cancelled` end the wait with an error.
    pub async fn wait_url(&self, status_url: &str, options: PollOptions) -> Result<ImpexResult> {
        let body = self.wait_url_raw(status_url, options).await?;
        decode_body(&body, "impex job")
    }

    /// [`wait_url`](Self::wait_url) returning the final status as the raw JSON Spark sent
    /// (escape hatch).
    pub async fn wait_url_raw(&self, status_url: &str, options: PollOptions) -> Result<Value> {
        // Handwritten: Spark hands out this absolute URL; it is followed as given.
        let spec = RequestSpec::get(status_url)?;
        let id = spec.path().to_owned();
        poll(self.client, spec, options, "impex job", |b| {
            job_done(b, &id)
        })
        .await
    }

    /// Waits for an export job and returns its final status.
    pub async fn wait_export(&self, id: &str, options: PollOptions) -> Result<ImpexResult> {
        let body = self.wait_export_raw(id, options).await?;
        decode_body(&body, "export job")
    }

    /// [`wait_export`](Self::wait_export) as the raw JSON Spark sent (escape hatch).
    pub async fn wait_export_raw(&self, id: &str, options: PollOptions) -> Result<Value> {
        self.wait(JobKind::Export, id, options).await
    }

    /// Cancels an export job (`PATCH /api/v4/export/{id}`).
    pub async fn cancel_export(&self, id: &str) -> Result<ImpexResult> {
        let body = wire::ExportStatusUpdate {
            export_status: Some(wire::ExportStatusUpdateExportStatus::Cancelled),
        };
        let api = self.client.platform();
        let outcome = api
            .cancel_export(self.client.base_url().tenant(), id, &body)
            .await;
        crate::generated::decode_as(outcome?, "export cancellation")
    }

    /// Recent and running exports (`GET /api/v4/export/status`).
    pub async fn describe_exports(&self) -> Result<ImpexDescription> {
        let body = self.describe_exports_raw().await?;
        decode_body(&body, "export description")
    }

    /// [`describe_exports`](Self::describe_exports) as the raw JSON Spark sent (escape hatch).
    pub async fn describe_exports_raw(&self) -> Result<Value> {
        let api = self.client.platform();
        let outcome = api.describe_exports(self.client.base_url().tenant()).await;
        Ok(outcome?.into_inner())
    }

    /// Recent and running imports (`GET /api/v4/import/status`).
    pub async fn describe_imports(&self) -> Result<ImpexDescription> {
        let body = self.describe_imports_raw().await?;
        decode_body(&body, "import description")
    }

    /// [`describe_imports`](Self::describe_imports) as the raw JSON Spark sent (escape hatch).
    pub async fn describe_imports_raw(&self) -> Result<Value> {
        let api = self.client.platform();
        let outcome = api.describe_imports(self.client.base_url().tenant()).await;
        Ok(outcome?.into_inner())
    }

    /// Export → poll → download every `outputs.files[].file`: one zip per file.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::impex::ExportRequest;
    /// let zips = client.impex().export(&ExportRequest::default().services(["my-folder/my-service"])).await?;
    /// println!("{} bytes", zips[0].bytes.len());
    /// # Ok(()) }
    /// ```
    pub async fn export(&self, request: &ExportRequest) -> Result<Vec<DownloadedFile>> {
        let job = self.start_export(request).await?;
        let id = job_id(&job, "export job")?;
        let done = self.wait_export(id, request.poll).await?;
        let mut files = Vec::new();
        let listed = done.outputs.as_ref().and_then(|o| o.files.as_deref());
        for (i, f) in listed.unwrap_or_default().iter().enumerate() {
            if let Some(url) = f.file.as_deref().filter(|u| !u.is_empty()) {
                files.push(file_of(
                    super::files::fetch(self.client, url).await?,
                    &format!("export-{i}.zip"),
                ));
            }
        }
        if files.is_empty() {
            return Err(SparkError::invalid(
                "export job",
                id.to_owned(),
                "produced no files",
            ));
        }
        Ok(files)
    }

    /// Starts an import job (`POST /api/v4/import`, multipart `importRequestEntity` + `file`).
    pub async fn start_import(
        &self,
        destination: &[ImportMapping],
        zip: impl Into<Bytes>,
        options: &ImportOptions,
    ) -> Result<JobCreated> {
        let modify: Vec<Value> = destination
            .iter()
            .map(|m| json!({"service_uri_source": m.source, "service_uri_destination": m.target, "update_version_type": m.upgrade}))
            .collect();
        let entity = json!({
            "inputs": {"services_modify": modify}, "services_existing": options.if_present,
            "source_system": options.source_system, "correlation_id": options.correlation_id,
        });
        let body = Multipart::default()
            .text("importRequestEntity", entity.to_string())
            .file("file", "package.zip", "application/zip", zip.into())
            .into_body()?;
        let body = self
            .send_json(
                RequestSpec::post(&self.url(&["import"]))?.body(body),
                "import job",
            )
            .await?;
        decode_body(&body, "import job")
    }

    /// Waits for an import job and returns its final status.
    pub async fn wait_import(&self, id: &str, options: PollOptions) -> Result<ImpexResult> {
        let body = self.wait_import_raw(id, options).await?;
        decode_body(&body, "import job")
    }

    /// [`wait_import`](Self::wait_import) as the raw JSON Spark sent (escape hatch).
    pub async fn wait_import_raw(&self, id: &str, options: PollOptions) -> Result<Value> {
        self.wait(JobKind::Import, id, options).await
    }

    /// Import → poll: the final status (`outputs.services`, `outputs.service_versions`).
    /// A job reporting `errors` is an error.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client, zip: Vec<u8>) -> cspark::Result<()> {
    /// use cspark::impex::{ImportMapping, ImportOptions};
    /// let done = client.impex().import(&[ImportMapping::same("f/s")], zip, &ImportOptions::default()).await?;
    /// println!("{:?}", done.outputs.and_then(|o| o.services));
    /// # Ok(()) }
    /// ```
    pub async fn import(
        &self,
        destination: &[ImportMapping],
        zip: impl Into<Bytes>,
        options: &ImportOptions,
    ) -> Result<ImpexResult> {
        let job = self.start_import(destination, zip, options).await?;
        let id = job_id(&job, "import job")?;
        let done = self.wait_import(id, options.poll).await?;
        match &done.errors {
            None | Some(Value::Null) => Ok(done),
            Some(Value::Array(e)) if e.is_empty() => Ok(done),
            Some(errors) => Err(SparkError::invalid(
                "import job",
                id.to_owned(),
                format!("failed with errors: {errors}"),
            )),
        }
    }
}

/// Copies services from one tenant to another: export from `from`, then import **every**
/// exported zip into `to`, in order (the TS SDK's `services.migrate` imports only the first;
/// Python's `migrate()` is not implemented).
///
/// ```no_run
/// # async fn demo(dev: cspark::Client, prod: cspark::Client) -> cspark::Result<()> {
/// use cspark::impex::{ExportRequest, ImportMapping, ImportOptions, migrate};
/// let done = migrate(&dev, &prod, &ExportRequest::default().services(["f/s"]),
///     &[ImportMapping::same("f/s")], &ImportOptions::default()).await?;
/// for import in &done.imports {
///     println!("{:?}", import.status);
/// }
/// # Ok(()) }
/// ```
pub async fn migrate(
    from: &Client,
    to: &Client,
    export: &ExportRequest,
    destination: &[ImportMapping],
    options: &ImportOptions,
) -> Result<Migration> {
    let exports = from.impex().export(export).await?;
    let mut imports = Vec::with_capacity(exports.len());
    for file in &exports {
        imports.push(
            to.impex()
                .import(destination, file.bytes.clone(), options)
                .await?,
        );
    }
    Ok(Migration { exports, imports })
}

/// Which v4 ImpEx job a status poll reads.
#[derive(Debug, Clone, Copy)]
enum JobKind {
    Export,
    Import,
}

impl JobKind {
    fn segment(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Import => "import",
        }
    }
}

/// The id of a started job, or a decode error naming `what`.
fn job_id<'j>(job: &'j JobCreated, what: &'static str) -> Result<&'j str> {
    job.id.as_deref().ok_or_else(|| SparkError::Decode {
        what,
        request_id: String::new(),
        reason: "missing string at /id".into(),
    })
}

/// Whether an ImpEx status body is final; `failed` / `cancelled` end the wait with an error.
fn job_done(body: &Value, job: &str) -> Result<bool> {
    match body["status"].as_str() {
        Some("completed" | "closed") => Ok(true),
        Some(s @ ("failed" | "cancelled")) => Err(SparkError::invalid(
            "impex job",
            job.to_owned(),
            format!("ended with status {s}: {}", body["errors"]),
        )),
        _ => Ok(false),
    }
}

impl Client {
    /// Service export and import (v4 ImpEx).
    pub fn impex(&self) -> Impex<'_> {
        Impex::new(self)
    }
}
