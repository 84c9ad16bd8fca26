//! `client.history()` of the [blocking client](super::Client): call logs.

use std::future::Future;

use serde_json::Value;

use super::Engine;
use crate::PollOptions;
use crate::error::Result;
use crate::resources::files::DownloadedFile;
use crate::resources::history::types::{LogDownload, LogFormat, LogSearch};
use crate::resources::services::IntoServiceUri;
use crate::types::{CallHistoryPage, CallLogInfo, DetailedLog, DownloadUrlResponse, JobResponse};

/// Blocking twin of [`crate::resources::history::History`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::history::LogDownload;
/// let out = client.services().execute("my-folder/my-service", &serde_json::json!({"x": 1}))?;
/// let call_id = out.response_meta.call_id.clone().unwrap_or_default();
/// println!("{:?}", client.history().get(&call_id)?.calc_time);
/// let csv = client
///     .history()
///     .download("my-folder/my-service", &LogDownload::default().csv().call_ids([call_id]))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct History<'c> {
    engine: &'c Engine,
    inner: crate::resources::history::History<'c>,
}

impl<'c> History<'c> {
    pub(crate) fn new(engine: &'c Engine, inner: crate::resources::history::History<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::resources::history::History<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    /// Blocking twin of [`crate::resources::history::History::search_all`]: every call,
    /// page after page, as an iterator.
    pub fn search_all(
        &self,
        uri: impl IntoServiceUri,
        filters: &LogSearch,
    ) -> super::Paged<'c, CallLogInfo> {
        super::Paged::new(self.engine, self.inner.search_all(uri, filters))
    }

    blocking_twins! { "crate::resources::history::History" =>
        fn get(call_id: &str) -> DetailedLog;
        fn get_raw(call_id: &str) -> Value;
        fn search(uri: impl IntoServiceUri, filters: &LogSearch) -> CallHistoryPage;
        fn search_raw(uri: impl IntoServiceUri, filters: &LogSearch) -> Value;
        fn rehydrate(
            uri: impl IntoServiceUri,
            call_id: &str,
            index: Option<u32>,
            legacy: bool,
        ) -> DownloadedFile;
        fn download(uri: impl IntoServiceUri, options: &LogDownload) -> DownloadedFile;
        fn start_download(uri: impl IntoServiceUri, options: &LogDownload) -> JobResponse;
        fn start_download_raw(uri: impl IntoServiceUri, options: &LogDownload) -> Value;
        fn wait_download(
            uri: impl IntoServiceUri,
            format: LogFormat,
            job_id: &str,
            options: PollOptions,
        ) -> DownloadUrlResponse;
        fn wait_download_raw(
            uri: impl IntoServiceUri,
            format: LogFormat,
            job_id: &str,
            options: PollOptions,
        ) -> Value;
    }
}
