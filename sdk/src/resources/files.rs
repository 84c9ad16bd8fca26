//! `client.files()`: downloading a file by URL (python-sdk.md `files.download`, ts-sdk.md
//! `files.download`), e.g. a link Spark returned.
//!
//! Credentials go only where they belong: a URL on the client's own origin (scheme, host
//! and port of the base URL) is fetched like any SDK call (standard headers, credentials,
//! retries); any other host gets a plain GET with only a `User-Agent` — no API key, token,
//! tenant or extra headers (whose values may be secrets) — and one attempt, so presigned
//! storage links work and nothing leaks to a foreign host.

use crate::client::Client;
use crate::error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError, TransportKind};
use crate::transport::{ForeignError, RequestSpec, Response};

/// File downloads, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Files<'c> {
    client: &'c Client,
}

impl Files<'_> {
    /// Downloads `url` (absolute `http`/`https`) and returns its bytes, named from
    /// `Content-Disposition` or else the URL's last path segment. The SDK's credentials are
    /// sent only when `url` is on the client's own origin.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let file = client
    ///     .files()
    ///     .download("https://excel.my-env.coherent.global/my-tenant/files/report.zip")
    ///     .await?;
    /// std::fs::write(&file.file_name, &file.bytes).ok();
    /// # Ok(()) }
    /// ```
    pub async fn download(&self, url: &str) -> Result<DownloadedFile> {
        let parsed = parse(url)?;
        let fallback = parsed
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_else(|| "download".to_owned());
        Ok(file_of(fetch(self.client, url).await?, &fallback))
    }
}

/// A GET of `url` (a link from Spark or the caller): with the SDK's headers and credentials
/// on the client's own origin, bare elsewhere (see the module documentation).
pub(crate) async fn fetch(client: &Client, url: &str) -> Result<Response> {
    let parsed = parse(url)?;
    if same_origin(client, &parsed) {
        return client
            .transport
            .send(RequestSpec::get(url)?.idempotent(true))
            .await;
    }
    fetch_foreign(client, parsed).await
}

fn parse(url: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(url)
        .map_err(|e| SparkError::invalid("download URL", url, e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(SparkError::invalid(
            "download URL",
            url,
            format!("scheme {other:?} is not http or https"),
        )),
    }
}

fn same_origin(client: &Client, url: &url::Url) -> bool {
    url::Url::parse(client.base_url().origin()).is_ok_and(|own| own.origin() == url.origin())
}

/// One bare GET: no SDK headers, no credentials, no retries.
async fn fetch_foreign(client: &Client, url: url::Url) -> Result<Response> {
    let path = url.path().to_owned();
    let outcome = match client.transport.get_foreign(url).await {
        Ok(answer) => Ok(answer),
        Err(ForeignError::Http(e)) => Err(e),
        Err(ForeignError::Refused(error)) => return Err(error),
    };
    match outcome {
        Ok((status, headers, body)) if (200..300).contains(&status) => Ok(Response {
            status,
            headers,
            body,
            request_id: String::new(),
            attempts: 1,
        }),
        Ok((status, headers, body)) => Err(SparkError::Api(Box::new(ApiError {
            status,
            kind: ApiErrorKind::from_status(status),
            request_id: String::new(),
            method: "GET".into(),
            path,
            attempts: 1,
            body: ApiErrorBody::parse(&body),
            retry_after: crate::retry::classify::parse_retry_after(&headers),
        }))),
        Err(e) if e.is_timeout() => Err(SparkError::Timeout {
            method: "GET".into(),
            path,
            request_id: String::new(),
            attempts: 1,
        }),
        Err(e) => Err(SparkError::Transport {
            kind: if e.is_connect() {
                TransportKind::Connect
            } else {
                TransportKind::Connection
            },
            method: "GET".into(),
            path,
            request_id: String::new(),
            attempts: 1,
            source: e.without_url(),
        }),
    }
}

impl Client {
    /// File downloads by URL.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let file = client.files().download("https://example.com/export.zip").await?;
    /// println!("{} bytes", file.bytes.len());
    /// # Ok(()) }
    /// ```
    pub fn files(&self) -> Files<'_> {
        Files { client: self }
    }
}

/// A downloaded body as a [`DownloadedFile`], named by `Content-Disposition` or `fallback`.
pub(crate) fn file_of(response: Response, fallback: &str) -> DownloadedFile {
    let file_name = response
        .headers()
        .get(http::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(disposition_file_name)
        .unwrap_or_else(|| fallback.to_owned());
    DownloadedFile {
        file_name,
        bytes: response.body().clone(),
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

/// A file downloaded from Spark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedFile {
    /// File name from `Content-Disposition`, else the requested or default name.
    pub file_name: String,
    /// The bytes.
    pub bytes: bytes::Bytes,
}
