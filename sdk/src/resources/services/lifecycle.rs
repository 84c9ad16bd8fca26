//! Service lifecycle (python-sdk.md §4.3, §4.11): upload → compilation → publish, and
//! recompile. `create` chains the three documented calls with bounded polling. The upload is
//! multipart and stays handwritten; the other calls use the generated platform client.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::error::{Result, SparkError};
use crate::resources::services::ops::folder_service;
use crate::resources::services::{IntoServiceUri, Services};
use crate::resources::support::{
    Multipart, PollOptions, decode_body, json_object, poll_with, window,
};
use crate::transport::RequestSpec;
use crate::uri::ServiceUri;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

use crate::resources::services::lifecycle_types::{
    Compiled, CreateOptions, Created, RecompileOptions,
};
use crate::types::{CompilationStatusResponse, PublishResponse, RecompileResponse, UploadResponse};

impl Services<'_> {
    /// Uploads a workbook (`POST …/upload`, multipart); the answer holds the compilation job
    /// id. See [`compile`](Self::compile) to also wait.
    pub async fn upload(
        &self,
        uri: impl IntoServiceUri,
        file: impl Into<Bytes>,
        options: &CreateOptions,
    ) -> Result<UploadResponse> {
        let body = self.upload_raw(uri, file, options).await?;
        decode_body(&body, "upload response")
    }

    /// [`upload`](Self::upload) as the raw JSON Spark sent (escape hatch).
    pub async fn upload_raw(
        &self,
        uri: impl IntoServiceUri,
        file: impl Into<Bytes>,
        options: &CreateOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (_, service) = folder_service(&uri)?;
        let (start, end) = window(options.start_date.as_deref(), options.end_date.as_deref());
        let mut data = Map::new();
        data.insert("effective_start_date".into(), json!(start));
        data.insert("effective_end_date".into(), json!(end));
        data.insert("version_difference".into(), json!(diff(options)));
        data.extend(options.extras.clone());
        let entity = json!({ "request_data": data }).to_string();
        let name = options
            .file_name
            .clone()
            .unwrap_or_else(|| format!("{service}.xlsx"));
        let mime = if name.ends_with(".xlsx") {
            XLSX
        } else {
            "application/octet-stream"
        };
        let body = Multipart::default()
            .text("engineUploadRequestEntity", entity)
            .file("serviceFile", &name, mime, file.into())
            .into_body()?;
        let spec = RequestSpec::post(&self.lifecycle_url(&uri, &["upload"])?)?.body(body);
        self.client()
            .transport
            .send(spec)
            .await?
            .json("upload response")
    }

    /// Polls `getcompilationprogess/{job_id}` (sic) until progress 100 and status `Success`;
    /// a finished job with another status is an error at once. Returns the last status.
    pub async fn wait_compilation(
        &self,
        uri: impl IntoServiceUri,
        job_id: &str,
        options: PollOptions,
    ) -> Result<CompilationStatusResponse> {
        let body = self.wait_compilation_raw(uri, job_id, options).await?;
        decode_body(&body, "compilation")
    }

    /// [`wait_compilation`](Self::wait_compilation) returning the last status as the raw JSON
    /// Spark sent (escape hatch).
    pub async fn wait_compilation_raw(
        &self,
        uri: impl IntoServiceUri,
        job_id: &str,
        options: PollOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let tenant = self.client().base_url().tenant();
        let path = self.lifecycle_path(&uri, &["getcompilationprogess", job_id])?;
        let fetch = async || {
            let api = self.client().platform();
            let outcome = api
                .get_compilation_status(tenant, folder, service, job_id)
                .await;
            Ok(outcome?.into_inner())
        };
        poll_with(self.client(), &path, options, "compilation", fetch, |b| {
            let data = &b["response_data"];
            if data["progress"].as_i64().unwrap_or(0) < 100 {
                return Ok(false);
            }
            match data["status"].as_str() {
                Some("Success") => Ok(true),
                other => Err(SparkError::invalid(
                    "compilation",
                    job_id.to_owned(),
                    format!(
                        "finished with status {other:?}: {}",
                        data["last_error_message"]
                    ),
                )),
            }
        })
        .await
    }

    /// Uploads a workbook and waits for its compilation.
    pub async fn compile(
        &self,
        uri: impl IntoServiceUri,
        file: impl Into<Bytes>,
        options: &CreateOptions,
    ) -> Result<Compiled> {
        let uri = uri.into_service_uri()?;
        let upload = self.upload(&uri, file, options).await?;
        let job = upload
            .response_data
            .as_ref()
            .and_then(|d| d.nodegen_compilation_jobid.as_deref())
            .ok_or_else(|| missing("upload response", "response_data.nodegen_compilation_jobid"))?;
        let compilation = self.wait_compilation(&uri, job, options.poll).await?;
        Ok(Compiled {
            upload,
            compilation,
        })
    }

    /// Publishes compiled documents as a new version (`POST …/publish`).
    /// Nulls are kept as Spark receives them from the reference SDKs.
    pub async fn publish(
        &self,
        uri: impl IntoServiceUri,
        file_id: &str,
        engine_id: &str,
        options: &CreateOptions,
    ) -> Result<PublishResponse> {
        let body = self.publish_raw(uri, file_id, engine_id, options).await?;
        decode_body(&body, "publish response")
    }

    /// [`publish`](Self::publish) as the raw JSON Spark sent (escape hatch).
    pub async fn publish_raw(
        &self,
        uri: impl IntoServiceUri,
        file_id: &str,
        engine_id: &str,
        options: &CreateOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (_, service) = folder_service(&uri)?;
        let (start, end) = window(options.start_date.as_deref(), options.end_date.as_deref());
        let tags = (!options.tags.is_empty()).then(|| options.tags.join(","));
        let mut data = Map::new();
        for (k, v) in [
            (
                "draft_service_name",
                json!(options.draft_name.as_deref().unwrap_or(service)),
            ),
            ("effective_start_date", json!(start)),
            ("effective_end_date", json!(end)),
            ("original_file_documentid", json!(file_id)),
            ("engine_file_documentid", json!(engine_id)),
            ("version_difference", json!(diff(options))),
            ("should_trck_user_action", json!(options.track_user)),
            ("version_label", json!(options.label)),
            ("release_note", json!(options.release_notes)),
            ("tags", json!(tags)),
        ] {
            data.insert(k.into(), v);
        }
        data.extend(options.extras.clone());
        let (folder, service) = folder_service(&uri)?;
        let body = Map::from_iter([("request_data".to_owned(), Value::Object(data))]);
        let api = self.client().platform();
        let outcome = api
            .publish_service(self.client().base_url().tenant(), folder, service, &body)
            .await;
        Ok(outcome?.into_inner())
    }

    /// Upload → compile (polled) → publish: a new service, or a new version of one.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::CreateOptions;
    /// let file = std::fs::read("volume.xlsx").unwrap_or_default();
    /// let created = client
    ///     .services()
    ///     .create("my-folder/volume", file, &CreateOptions::default().version_difference("major"))
    ///     .await?;
    /// println!("version {:?}", created.version_id());
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        uri: impl IntoServiceUri,
        file: impl Into<Bytes>,
        options: &CreateOptions,
    ) -> Result<Created> {
        let uri = uri.into_service_uri()?;
        let Compiled {
            upload,
            compilation,
        } = self.compile(&uri, file, options).await?;
        let data = upload.response_data.as_ref();
        let file_id = data
            .and_then(|d| d.original_file_documentid.as_deref())
            .ok_or_else(|| missing("upload response", "response_data.original_file_documentid"))?;
        let engine_id = data
            .and_then(|d| d.engine_file_documentid.as_deref())
            .ok_or_else(|| missing("upload response", "response_data.engine_file_documentid"))?;
        let publication = self.publish(&uri, file_id, engine_id, options).await?;
        Ok(Created {
            upload,
            compilation,
            publication,
        })
    }

    /// Recompiles a version with another compiler (`POST …/recompileNodgen`, sic):
    /// `response_data.{version_id, revision, job_id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::services::RecompileOptions;
    /// let r = client.services().recompile("my-folder/my-service", &RecompileOptions::default()).await?;
    /// println!("{:?}", r.response_data.and_then(|d| d.job_id));
    /// # Ok(()) }
    /// ```
    pub async fn recompile(
        &self,
        uri: impl IntoServiceUri,
        options: &RecompileOptions,
    ) -> Result<RecompileResponse> {
        let body = self.recompile_raw(uri, options).await?;
        decode_body(&body, "recompile response")
    }

    /// [`recompile`](Self::recompile) as the raw JSON Spark sent (escape hatch).
    pub async fn recompile_raw(
        &self,
        uri: impl IntoServiceUri,
        options: &RecompileOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (start, end) = window(options.start_date.as_deref(), options.end_date.as_deref());
        let tags = (!options.tags.is_empty()).then(|| options.tags.join(","));
        // Unlike Python (§11.22), an explicit version id is always honoured.
        let version_id = options
            .version_id
            .clone()
            .or_else(|| uri.version_id_value().map(str::to_owned));
        let body = json!({"request_data": {
            "versionId": version_id,
            "upgradeType": options.upgrade.as_deref().unwrap_or("patch"),
            "neuronCompilerVersion": options.compiler.as_deref().unwrap_or("StableLatest"),
            "releaseNotes": options.release_notes.as_deref().unwrap_or("Recompiled via Spark Rust SDK"),
            // Coherent's spelling (TypeScript SDK, Postman collection); the Python SDK sends
            // `label`, which Spark's own documents do not show.
            "versionLabel": options.label,
            "effectiveStartDate": start,
            "effectiveEndDate": end,
            "tags": tags,
        }});
        let (folder, service) = folder_service(&uri)?;
        let body = json_object(body, "recompile request")?;
        let api = self.client().platform();
        let outcome = api
            .recompile_service(self.client().base_url().tenant(), folder, service, &body)
            .await;
        Ok(outcome?.into_inner())
    }

    /// [`recompile`](Self::recompile), then waits for its compilation job; returns both bodies.
    pub async fn recompile_and_wait(
        &self,
        uri: impl IntoServiceUri,
        options: &RecompileOptions,
        poll: PollOptions,
    ) -> Result<(RecompileResponse, CompilationStatusResponse)> {
        let uri = uri.into_service_uri()?;
        let started = self.recompile(&uri, options).await?;
        let job = started
            .response_data
            .as_ref()
            .and_then(|d| d.job_id.as_deref())
            .ok_or_else(|| missing("recompile response", "response_data.jobId"))?;
        let done = self.wait_compilation(&uri, job, poll).await?;
        Ok((started, done))
    }

    /// The multipart upload: handwritten, progenitor cannot send multipart bodies.
    fn lifecycle_url(&self, uri: &ServiceUri, tail: &[&str]) -> Result<String> {
        let (folder, service) = folder_service(uri)?;
        let mut segs = vec!["api", "v3", "folders", folder, "services", service];
        segs.extend_from_slice(tail);
        Ok(self.client().base_url().tenant_url(&segs))
    }

    /// The path of a lifecycle URL (what a polling error names).
    fn lifecycle_path(&self, uri: &ServiceUri, tail: &[&str]) -> Result<String> {
        let url = self.lifecycle_url(uri, tail)?;
        Ok(url::Url::parse(&url).map_or(url.clone(), |u| u.path().to_owned()))
    }
}

/// A decode error for a field the next step needs.
fn missing(what: &'static str, field: &str) -> SparkError {
    SparkError::Decode {
        what,
        request_id: String::new(),
        reason: format!("missing string at {field}"),
    }
}

fn diff(options: &CreateOptions) -> &str {
    options.version_difference.as_deref().unwrap_or("minor")
}
