//! `client.history()`: API call history (python-sdk.md §4.6, ts-sdk.md §1.6): detailed log
//! by call id, search, rehydration and CSV/JSON log downloads.

pub(crate) mod types;

use serde_json::{Value, json};

use super::files::{fetch, file_of};
use super::paging::{self, Items, Page};
use super::support::{PollOptions, decode_body, json_object, poll_with, str_at};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::resources::files::DownloadedFile;
use crate::resources::services::IntoServiceUri;
use crate::resources::services::ops::folder_service;
use crate::transport::RequestSpec;
use crate::uri::ServiceUri;

/// Call-history operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct History<'c> {
    client: &'c Client,
}

pub use crate::resources::history::types::{LogDownload, LogFormat, LogSearch};
use crate::types::{CallHistoryPage, CallLogInfo, DetailedLog, DownloadUrlResponse, JobResponse};

impl<'c> History<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The detailed log of one call (`GET …/api/v3/log/getexecutionhistorybycallid/{id}`).
    /// Spark sends `response_data` as a JSON *string*; it is parsed (an object is accepted as is).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let log = client.history().get("call-id").await?;
    /// println!("{:?} took {:?} ms", log.engine_call_id, log.calc_time);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, call_id: &str) -> Result<DetailedLog> {
        let log = self.get_raw(call_id).await?;
        decode_body(&log, "detailed log")
    }

    /// [`get`](Self::get) as raw JSON: the detailed log parsed from `response_data`, every
    /// key as Spark sent it (escape hatch).
    pub async fn get_raw(&self, call_id: &str) -> Result<Value> {
        let api = self.client.platform();
        let outcome = api
            .get_call_history(self.client.base_url().tenant(), call_id)
            .await;
        let answer = outcome?;
        let request_id = crate::generated::request_id(&answer);
        let mut body = answer.into_inner();
        match body["response_data"].take() {
            Value::String(text) => serde_json::from_str(&text)
                .map_err(|e| SparkError::decode("detailed log", &request_id, &e, text.as_bytes())),
            Value::Null => Ok(json!({})),
            other => Ok(other),
        }
    }

    /// Searches a service's call history (v1): one page, `{count, data:[…]}`.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::history::LogSearch;
    /// let page = client.history().search("my-folder/my-service", &LogSearch::default()).await?;
    /// for call in page.data.unwrap_or_default() {
    ///     println!("{:?} {:?} ms", call.call_guid, call.calc_time);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn search(
        &self,
        uri: impl IntoServiceUri,
        filters: &LogSearch,
    ) -> Result<CallHistoryPage> {
        let body = self.search_raw(uri, filters).await?;
        decode_body(&body, "call history search")
    }

    /// Every call [`search`](Self::search) matches, page after page from `filters.page`
    /// (each next page is requested when the previous one is used up).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::history::LogSearch;
    /// use futures::TryStreamExt;
    /// let calls: Vec<_> = client
    ///     .history()
    ///     .search_all("my-folder/my-service", &LogSearch::default())
    ///     .try_collect()
    ///     .await?;
    /// println!("{} calls", calls.len());
    /// # Ok(()) }
    /// ```
    pub fn search_all(
        &self,
        uri: impl IntoServiceUri,
        filters: &LogSearch,
    ) -> Items<'c, CallLogInfo> {
        let uri = match uri.into_service_uri() {
            Ok(uri) => uri,
            Err(e) => return paging::failed(e),
        };
        let history = *self;
        let filters = filters.clone();
        paging::items(filters.page.max(1), move |page| {
            let mut asked = filters.clone();
            asked.page = page;
            let uri = uri.clone();
            async move {
                let found = history.search(uri, &asked).await?;
                let items = found.data.unwrap_or_default();
                Ok(Page::counted(items, page, asked.size, found.count))
            }
        })
    }

    /// [`search`](Self::search) as the raw JSON Spark sent (escape hatch).
    pub async fn search_raw(&self, uri: impl IntoServiceUri, filters: &LogSearch) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (folder, service) = folder_service(&uri)?;
        let mut search = Vec::new();
        let mut push = |field: &str, v: &Option<String>| {
            if let Some(v) = v {
                search.push(json!({"field": field, "value": v}));
            }
        };
        push("StartDate", &filters.start_date);
        push("EndDate", &filters.end_date);
        push("CallPurpose", &filters.call_purpose);
        push("search", &filters.text);
        if let Some(v) = &filters.version_id {
            search.push(json!({"field": "version", "id": v}));
        }
        let body = json_object(
            json!({"search": search, "page": filters.page, "pageSize": filters.size, "sort": "-updated"}),
            "call history search",
        )?;
        // A search changes nothing: safe to replay.
        let api = self.client.platform();
        let outcome = api.search_call_history(folder, service, &body).await;
        Ok(outcome?.into_inner())
    }

    /// Rebuilds the workbook of a call (`POST …/download/xml/{call_id}` with body `{}`, or
    /// `…/download/{call_id}` when `legacy`), then downloads it from `download_url`.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let file = client.history().rehydrate("my-folder/my-service", "call-id", None, false).await?;
    /// std::fs::write(&file.file_name, &file.bytes).ok();
    /// # Ok(()) }
    /// ```
    pub async fn rehydrate(
        &self,
        uri: impl IntoServiceUri,
        call_id: &str,
        index: Option<u32>,
        legacy: bool,
    ) -> Result<DownloadedFile> {
        let uri = uri.into_service_uri()?;
        let (body, request_id) = if legacy {
            // The legacy `download/{call_id}` form is not in spark.yaml (Python's `legacy=True`).
            let mut spec = RequestSpec::post(&self.service_url(&uri, &["download", call_id])?)?
                .json(&json!({}))?;
            if let Some(i) = index {
                spec = spec.query("index", &i.to_string());
            }
            let response = self.client.transport.send(spec).await?;
            let body: Value = response.json("rehydration")?;
            (body, response.request_id().to_owned())
        } else {
            let (folder, service) = folder_service(&uri)?;
            let index = index
                .map(|i| {
                    i32::try_from(i).map_err(|_| {
                        SparkError::invalid("rehydration index", i.to_string(), "too large")
                    })
                })
                .transpose()?;
            let api = self.client.platform();
            let outcome = api
                .rehydrate_call(
                    self.client.base_url().tenant(),
                    folder,
                    service,
                    call_id,
                    index,
                    &serde_json::Map::new(),
                )
                .await;
            let answer = outcome?;
            let request_id = crate::generated::request_id(&answer);
            (answer.into_inner(), request_id)
        };
        let url = str_at(
            &body,
            "/response_data/download_url",
            "rehydration",
            &request_id,
        )?;
        Ok(file_of(
            fetch(self.client, url).await?,
            &format!("{call_id}.xlsx"),
        ))
    }

    /// Exports call history: starts the job (`POST …/log/download{json|csv}`), polls
    /// `…/status/{job}` until progress 100, then downloads the zip.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::history::LogDownload;
    /// let zip = client.history().download("my-folder/my-service", &LogDownload::default().csv()).await?;
    /// println!("{} bytes", zip.bytes.len());
    /// # Ok(()) }
    /// ```
    pub async fn download(
        &self,
        uri: impl IntoServiceUri,
        options: &LogDownload,
    ) -> Result<DownloadedFile> {
        let uri = uri.into_service_uri()?;
        let started = self.start_download_raw(&uri, options).await?;
        let job = str_at(&started, "/response_data/job_id", "log download job", "")?;
        let done = self
            .wait_download_raw(&uri, options.format, job, options.poll)
            .await?;
        let url = str_at(
            &done,
            "/response_data/download_url",
            "log download status",
            "",
        )?;
        let name = format!("{}_logs.zip", uri.service().unwrap_or("service"));
        Ok(file_of(fetch(self.client, url).await?, &name))
    }

    /// Starts a log export job (`POST …/log/download{json|csv}`): `response_data.job_id`.
    pub async fn start_download(
        &self,
        uri: impl IntoServiceUri,
        options: &LogDownload,
    ) -> Result<JobResponse> {
        let body = self.start_download_raw(uri, options).await?;
        decode_body(&body, "log download job")
    }

    /// [`start_download`](Self::start_download) as the raw JSON Spark sent (escape hatch).
    pub async fn start_download_raw(
        &self,
        uri: impl IntoServiceUri,
        options: &LogDownload,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let mut data = serde_json::Map::new();
        data.insert("call_ids".into(), json!(options.call_ids));
        data.insert("timezone_offset".into(), json!(options.timezone_offset));
        if let Some(d) = &options.start_date {
            data.insert("start_date".into(), json!(d));
        }
        if let Some(d) = &options.end_date {
            data.insert("end_date".into(), json!(d));
        }
        let body = json_object(
            json!({"request_data": data, "request_meta": {"version_id": options.version_id}}),
            "log download job",
        )?;
        let (folder, service) = folder_service(&uri)?;
        let tenant = self.client.base_url().tenant();
        let api = self.client.platform();
        let outcome = match options.format {
            LogFormat::Csv => {
                api.start_history_download_csv(tenant, folder, service, &body)
                    .await
            }
            LogFormat::Json => {
                api.start_history_download_json(tenant, folder, service, &body)
                    .await
            }
        };
        Ok(outcome?.into_inner())
    }

    /// Polls `…/log/download{json|csv}/status/{job}` until progress 100 (`download_url`).
    pub async fn wait_download(
        &self,
        uri: impl IntoServiceUri,
        format: LogFormat,
        job_id: &str,
        options: PollOptions,
    ) -> Result<DownloadUrlResponse> {
        let body = self.wait_download_raw(uri, format, job_id, options).await?;
        decode_body(&body, "log download")
    }

    /// [`wait_download`](Self::wait_download) returning the last status as the raw JSON Spark
    /// sent (escape hatch).
    pub async fn wait_download_raw(
        &self,
        uri: impl IntoServiceUri,
        format: LogFormat,
        job_id: &str,
        options: PollOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let kind = format!("download{}", format.as_str());
        let url = self.service_url(&uri, &["log", &kind, "status", job_id])?;
        let path = url::Url::parse(&url).map_or(url.clone(), |u| u.path().to_owned());
        let (folder, service) = folder_service(&uri)?;
        let tenant = self.client.base_url().tenant();
        let fetch = async || {
            let api = self.client.platform();
            let outcome = match format {
                LogFormat::Csv => {
                    api.get_history_download_status_csv(tenant, folder, service, job_id)
                        .await
                }
                LogFormat::Json => {
                    api.get_history_download_status_json(tenant, folder, service, job_id)
                        .await
                }
            };
            Ok(outcome?.into_inner())
        };
        poll_with(self.client, &path, options, "log download", fetch, |b| {
            Ok(b["response_data"]["progress"].as_i64() == Some(100))
        })
        .await
    }

    fn service_url(&self, uri: &ServiceUri, tail: &[&str]) -> Result<String> {
        let (folder, service) = folder_service(uri)?;
        let mut segs = vec!["api", "v3", "folders", folder, "services", service];
        segs.extend_from_slice(tail);
        Ok(self.client.base_url().tenant_url(&segs))
    }
}

impl Client {
    /// API call history: logs, rehydration, log downloads.
    pub fn history(&self) -> History<'_> {
        History::new(self)
    }
}
