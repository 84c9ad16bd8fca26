//! `client.services()` of the [blocking client](super::Client): execute, validate, inspect,
//! the service lifecycle (upload → compile → publish), version edit and delete, transforms
//! and WASM download.

use std::future::Future;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::Engine;
use crate::PollOptions;
use crate::error::Result;
use crate::resources::files::DownloadedFile;
use crate::resources::services::IntoServiceUri;
use crate::resources::services::lifecycle_types::{
    Compiled, CreateOptions, Created, RecompileOptions,
};
use crate::resources::services::types::{DownloadOptions, SearchOptions, ValidationType};
use crate::resources::services::versions::VersionUpdate;
use crate::resources::transforms::TransformRef;
use crate::services::{
    ExecuteManyResponse, ExecuteOptions, ExecuteResponse, SwaggerOptions, VersionInfo,
};
use crate::types::VersionUpdateResponse;
use crate::types::{CompilationStatusResponse, PublishResponse, RecompileResponse, UploadResponse};
use crate::types::{
    MetadataResponse, SearchResponse, ServiceSchema, ServiceSearchItem, ServiceSwagger, V1Response,
    ValidationResponse,
};

/// Blocking twin of [`crate::services::Services`], borrowed from a [`blocking::Client`](super::Client).
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// let services = client.services();
/// let out = services.execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
/// println!("{:?}", out.outputs());
/// if services.exists("my-folder/old-service")? {
///     services.delete("my-folder/old-service")?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Services<'c> {
    engine: &'c Engine,
    inner: crate::services::Services<'c>,
}

impl<'c> Services<'c> {
    pub(crate) fn new(engine: &'c Engine, inner: crate::services::Services<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::services::Services<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    /// Blocking twin of [`crate::services::Services::search_all`]: every service found, page after
    /// page, as an iterator.
    pub fn search_all(&self, options: &SearchOptions) -> super::Paged<'c, ServiceSearchItem> {
        super::Paged::new(self.engine, self.inner.search_all(options))
    }

    blocking_twins! { "crate::services::Services" =>
        fn execute[I: Serialize + ?Sized](uri: impl IntoServiceUri, inputs: &I) -> ExecuteResponse;
        fn execute_with[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            options: &ExecuteOptions,
        ) -> ExecuteResponse;
        fn execute_many[I: Serialize](
            uri: impl IntoServiceUri,
            records: &[I],
            options: &ExecuteOptions,
        ) -> ExecuteManyResponse;
        fn transform[I: Serialize + ?Sized, O: serde::de::DeserializeOwned](
            uri: impl IntoServiceUri,
            inputs: &I,
            using: Option<&TransformRef>,
            v4: bool,
            options: &ExecuteOptions,
        ) -> O;
        fn transform_raw[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            using: Option<&TransformRef>,
            v4: bool,
            options: &ExecuteOptions,
        ) -> Value;
        fn validate[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
        ) -> ValidationResponse;
        fn validate_raw[I: Serialize + ?Sized](
            uri: impl IntoServiceUri,
            inputs: &I,
            validation_type: ValidationType,
        ) -> Value;
        fn get_metadata(uri: impl IntoServiceUri) -> MetadataResponse;
        fn get_metadata_raw(uri: impl IntoServiceUri) -> Value;
        fn exists(uri: impl IntoServiceUri) -> bool;
        fn search(options: &SearchOptions) -> SearchResponse;
        fn search_raw(options: &SearchOptions) -> Value;
        fn download(uri: impl IntoServiceUri, options: &DownloadOptions) -> DownloadedFile;
        fn download_wasm(uri: impl IntoServiceUri) -> DownloadedFile;
        fn delete(uri: impl IntoServiceUri) -> V1Response;
        fn delete_raw(uri: impl IntoServiceUri) -> Value;
        fn get_versions(uri: impl IntoServiceUri) -> Vec<VersionInfo>;
        fn get_schema(uri: impl IntoServiceUri) -> ServiceSchema;
        fn get_schema_raw(uri: impl IntoServiceUri) -> Value;
        fn get_schema_by_version_id(uri: impl IntoServiceUri, version_id: &str) -> ServiceSchema;
        fn get_schema_by_version_id_raw(uri: impl IntoServiceUri, version_id: &str) -> Value;
        fn get_engine_detail(version_id: &str) -> ServiceSchema;
        fn get_engine_detail_raw(version_id: &str) -> Value;
        fn get_swagger(uri: impl IntoServiceUri, options: &SwaggerOptions) -> ServiceSwagger;
        fn get_swagger_raw(uri: impl IntoServiceUri, options: &SwaggerOptions) -> Value;
        fn upload(uri: impl IntoServiceUri, file: impl Into<Bytes>, options: &CreateOptions) -> UploadResponse;
        fn upload_raw(uri: impl IntoServiceUri, file: impl Into<Bytes>, options: &CreateOptions) -> Value;
        fn wait_compilation(
            uri: impl IntoServiceUri,
            job_id: &str,
            options: PollOptions,
        ) -> CompilationStatusResponse;
        fn wait_compilation_raw(uri: impl IntoServiceUri, job_id: &str, options: PollOptions) -> Value;
        fn compile(uri: impl IntoServiceUri, file: impl Into<Bytes>, options: &CreateOptions) -> Compiled;
        fn publish(
            uri: impl IntoServiceUri,
            file_id: &str,
            engine_id: &str,
            options: &CreateOptions,
        ) -> PublishResponse;
        fn publish_raw(
            uri: impl IntoServiceUri,
            file_id: &str,
            engine_id: &str,
            options: &CreateOptions,
        ) -> Value;
        fn create(uri: impl IntoServiceUri, file: impl Into<Bytes>, options: &CreateOptions) -> Created;
        fn recompile(uri: impl IntoServiceUri, options: &RecompileOptions) -> RecompileResponse;
        fn recompile_raw(uri: impl IntoServiceUri, options: &RecompileOptions) -> Value;
        fn recompile_and_wait(
            uri: impl IntoServiceUri,
            options: &RecompileOptions,
            poll: PollOptions,
        ) -> (RecompileResponse, CompilationStatusResponse);
        fn update_version(
            uri: impl IntoServiceUri,
            version_id: &str,
            edit: &VersionUpdate,
        ) -> VersionUpdateResponse;
        fn update_version_raw(uri: impl IntoServiceUri, version_id: &str, edit: &VersionUpdate) -> Value;
        fn delete_version(uri: impl IntoServiceUri, version_id: &str) -> V1Response;
        fn delete_version_raw(uri: impl IntoServiceUri, version_id: &str) -> Value;
    }
}
