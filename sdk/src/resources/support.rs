//! Shared plumbing of the platform resources: multipart bodies, bounded polling, dates.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::client::Client;
use crate::error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError};
use crate::transport::{Body, RequestSpec, Response};

/// Boundaries tried in turn; the first one that does not occur in any part is used.
/// Static strings keep [`Body::Bytes`] (a `&'static str` content type) replayable as is.
const BOUNDARIES: [(&str, &str); 3] = [
    (
        "cspark-rs-7f3a9c51e2d84b60a1f5c9e7d3b2a4f0",
        "multipart/form-data; boundary=cspark-rs-7f3a9c51e2d84b60a1f5c9e7d3b2a4f0",
    ),
    (
        "cspark-rs-0c4e8a2f6b1d9e3a7c5f0b8d2e6a4c1f",
        "multipart/form-data; boundary=cspark-rs-0c4e8a2f6b1d9e3a7c5f0b8d2e6a4c1f",
    ),
    (
        "cspark-rs-e5b7d1c3a9f2e8b4d6c0a2f7e1b9d3c5",
        "multipart/form-data; boundary=cspark-rs-e5b7d1c3a9f2e8b4d6c0a2f7e1b9d3c5",
    ),
];

/// One part: field name, optional (file name, content type), bytes.
type Part = (String, Option<(String, String)>, Bytes);

/// A `multipart/form-data` body built in memory, so retries resend the same bytes.
#[derive(Debug, Default)]
pub(crate) struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// A text field.
    pub(crate) fn text(mut self, name: &str, value: impl Into<String>) -> Self {
        let value: String = value.into();
        self.parts.push((name.to_owned(), None, value.into()));
        self
    }

    /// A file field with its file name and content type.
    pub(crate) fn file(mut self, name: &str, file_name: &str, mime: &str, data: Bytes) -> Self {
        self.parts.push((
            name.to_owned(),
            Some((file_name.to_owned(), mime.to_owned())),
            data,
        ));
        self
    }

    /// Encodes the parts (RFC 7578).
    pub(crate) fn into_body(self) -> Result<Body> {
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        let (boundary, content_type) = BOUNDARIES
            .iter()
            .find(|(b, _)| !self.parts.iter().any(|p| contains(&p.2, b.as_bytes())))
            .ok_or_else(|| {
                SparkError::invalid("multipart body", "<file>", "contains every SDK boundary")
            })?;
        let quote = |s: &str| s.replace('"', "%22").replace(['\r', '\n'], " ");
        let mut out = Vec::new();
        for (name, file, data) in self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", quote(&name))
                        .as_bytes(),
                ),
                Some((file_name, mime)) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {mime}\r\n\r\n",
                        quote(&name),
                        quote(&file_name)
                    )
                    .as_bytes(),
                ),
            }
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok(Body::Bytes {
            content_type,
            data: out.into(),
        })
    }
}

/// How a job is polled: bounded attempts at a fixed interval (sleeps use the client's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollOptions {
    /// Status requests at most (at least 1).
    pub max_attempts: u32,
    /// Pause between two status requests.
    pub interval: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            max_attempts: 60,
            interval: Duration::from_secs(1),
        }
    }
}

impl PollOptions {
    /// `max_attempts` status requests, `interval` apart.
    pub fn new(max_attempts: u32, interval: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            interval,
        }
    }
}

/// Sends `spec` until `done` says the JSON body is final; `Err` after `max_attempts`.
pub(crate) async fn poll(
    client: &Client,
    spec: RequestSpec,
    options: PollOptions,
    what: &'static str,
    done: impl Fn(&Value) -> Result<bool>,
) -> Result<Value> {
    let job = spec.path().to_owned();
    let fetch = async || client.transport.send(spec.clone()).await?.json(what);
    poll_with(client, &job, options, what, fetch, done).await
}

/// Calls `fetch` (one status request) until `done` says the JSON body is final; `Err`
/// naming `job` after `max_attempts`. Sleeps on the client's clock.
pub(crate) async fn poll_with(
    client: &Client,
    job: &str,
    options: PollOptions,
    what: &'static str,
    fetch: impl AsyncFn() -> Result<Value>,
    done: impl Fn(&Value) -> Result<bool>,
) -> Result<Value> {
    let attempts = options.max_attempts.max(1);
    for attempt in 1..=attempts {
        let body = fetch().await?;
        if done(&body)? {
            return Ok(body);
        }
        if attempt < attempts {
            client.transport.clock.sleep(options.interval).await;
        }
    }
    Err(SparkError::invalid(
        "job",
        job.to_owned(),
        format!("{what} not finished after {attempts} status checks"),
    ))
}

/// Decodes a JSON answer into its typed form; the error names `what` and quotes the start of
/// the body. The typed calls use it on the body their `…_raw` twin returns.
pub(crate) fn decode_body<T: serde::de::DeserializeOwned>(
    body: &Value,
    what: &'static str,
) -> Result<T> {
    T::deserialize(body).map_err(|e| SparkError::decode(what, "", &e, body.to_string().as_bytes()))
}

/// The map of a JSON object the SDK built (a `json!({…})` body) for a generated call that
/// takes a free-form object; anything else is reported rather than sent.
pub(crate) fn json_object(
    value: Value,
    what: &'static str,
) -> Result<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(SparkError::invalid(
            what,
            other.to_string(),
            "a JSON object is needed",
        )),
    }
}

/// A 409 [`ApiError`] for conflicts Spark reports inside a 2xx body.
pub(crate) fn conflict(response: &Response, path: &str, code: &str, message: String) -> SparkError {
    SparkError::Api(Box::new(ApiError {
        status: 409,
        kind: ApiErrorKind::Conflict,
        request_id: response.request_id().to_owned(),
        method: "POST".into(),
        path: path.to_owned(),
        attempts: response.attempts(),
        body: ApiErrorBody::V1 {
            error_code: Some(code.to_owned()),
            message: Some(message),
        },
        retry_after: None,
    }))
}

/// A string field of a JSON body, or a decode error naming it.
pub(crate) fn str_at<'v>(
    body: &'v Value,
    pointer: &str,
    what: &'static str,
    request_id: &str,
) -> Result<&'v str> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| SparkError::Decode {
            what,
            request_id: request_id.to_owned(),
            reason: format!("missing string at {pointer}"),
        })
}

/// `now` as Spark's naive ISO date (`2024-01-01T10:00:00.123`).
pub(crate) fn now_iso() -> String {
    chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

/// The effective window: `start` (default now) and `end` (default start + 10 years).
/// Python adds `start.day` extra days to the default end (python-sdk.md §11.26); we do not.
pub(crate) fn window(start: Option<&str>, end: Option<&str>) -> (String, String) {
    let start = start.map_or_else(now_iso, str::to_owned);
    let end = end.map_or_else(|| plus_ten_years(&start), str::to_owned);
    (start, end)
}

fn plus_ten_years(start: &str) -> String {
    let year: Option<i32> = start.get(0..4).and_then(|y| y.parse().ok());
    match year {
        Some(y) if start.len() >= 4 => {
            let rest = start.get(4..).unwrap_or_default();
            // 29 February has no match ten years later (unless both are leap years).
            let rest = match rest.strip_prefix("-02-29") {
                Some(tail) => format!("-02-28{tail}"),
                None => rest.to_owned(),
            };
            format!("{}{rest}", y + 10)
        }
        _ => start.to_owned(),
    }
}
