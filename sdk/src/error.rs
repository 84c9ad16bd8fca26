//! One error type, grouped by the stage at which a call failed.
//!
//! | stage | variant |
//! |---|---|
//! | before anything is sent | [`SparkError::Config`], [`SparkError::InvalidInput`], [`SparkError::InputRules`] |
//! | getting credentials | [`SparkError::Auth`] |
//! | sending | [`SparkError::Transport`], [`SparkError::Timeout`] |
//! | answered with an error status | [`SparkError::Api`] |
//! | answered, but the body is not what was expected | [`SparkError::Decode`] |
//! | answered with a body over the size cap | [`SparkError::ResponseTooLarge`] |
//!
//! No variant ever holds an API key, a token or a client secret, and none holds a
//! whole response body: error bodies are decoded into their known fields or truncated.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Result alias used across the SDK.
pub type Result<T, E = SparkError> = std::result::Result<T, E>;

/// Longest raw body excerpt kept in an error (in characters).
pub const MAX_BODY_EXCERPT: usize = 512;

/// Everything that can go wrong in a Spark call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SparkError {
    /// The client configuration is invalid (checked when building the client).
    #[error("invalid configuration: {field} = {value:?}: {reason}")]
    Config {
        /// Name of the option or environment variable at fault.
        field: &'static str,
        /// The offending value (never a secret: secrets are reported as `***`).
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An argument of a call is invalid; nothing was sent.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidInput {
        /// What the value is (e.g. `service URI`).
        what: &'static str,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Typed inputs break the workbook's data-validation rules (as the generated bindings
    /// carry them); they were not sent. Single and many-records calls check every record
    /// first and send nothing; a typed batch run checks each record as it reads it, so the
    /// records before the one named may have been pushed (the batch is then cancelled).
    #[error("inputs of {service}{} break the workbook's rules and were not sent: {source}",
        record.map(|i| format!(" (record #{i})")).unwrap_or_default())]
    InputRules {
        /// `folder/service`.
        service: String,
        /// The record at fault in a many-records call (0-based), `None` for a single call.
        record: Option<usize>,
        /// Every broken rule, naming the input, its value and the rule.
        #[source]
        source: crate::bindings::InvalidInputs,
    },
    /// Credentials could not be obtained or were rejected.
    #[error("authentication failed: {message}{}", fmt_request_id(request_id.as_deref()))]
    Auth {
        /// What went wrong, without any secret.
        message: String,
        /// HTTP status of the token endpoint or API, when there was one.
        status: Option<u16>,
        /// `x-request-id` of the request concerned, when one was sent.
        request_id: Option<String>,
        /// The underlying failure, if any.
        #[source]
        source: Option<Box<SparkError>>,
    },
    /// The request could not be delivered or its response could not be read.
    #[error("{} {method} {path} failed after {attempts} attempt(s) (request_id={request_id}): {}",
        if kind.is_connect() { "could not connect:" } else { "connection failed:" }, cause_chain(source))]
    Transport {
        /// Whether the connection was never established (request surely not sent).
        kind: TransportKind,
        /// HTTP method.
        method: String,
        /// URL path (no query, no host).
        path: String,
        /// `x-request-id` of the request.
        request_id: String,
        /// Attempts made.
        attempts: u32,
        /// The HTTP client's error, with the URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// No complete response within the configured timeout.
    #[error("timed out: {method} {path} after {attempts} attempt(s) (request_id={request_id})")]
    Timeout {
        /// HTTP method.
        method: String,
        /// URL path (no query, no host).
        path: String,
        /// `x-request-id` of the request.
        request_id: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Spark answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A successful response whose body could not be decoded.
    #[error("cannot decode {what} (request_id={request_id}): {reason}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// `x-request-id` of the request.
        request_id: String,
        /// Decoder message plus a short body excerpt.
        reason: String,
    },
    /// The response body is larger than the client's cap
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)),
    /// on the wire or once decompressed. Reading stopped at the cap; not retried.
    #[error("the response to {method} {path} is larger than the limit of {limit} bytes{} (request_id={request_id}); raise ClientBuilder::max_response_bytes if such answers are expected",
        if *decompressed { " once decompressed" } else { "" })]
    ResponseTooLarge {
        /// HTTP method.
        method: String,
        /// URL path (no query, no host).
        path: String,
        /// `x-request-id` of the request.
        request_id: String,
        /// The cap in bytes.
        limit: u64,
        /// Whether the cap was reached while inflating a compressed body.
        decompressed: bool,
    },
}

/// Whether a transport failure happened before or after a connection existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Could not connect (refused, DNS, TLS): the request was not sent.
    Connect,
    /// The connection failed after it was established (reset, closed early, body
    /// cut): the server may have received and processed the request.
    Connection,
}

impl TransportKind {
    /// True for [`TransportKind::Connect`].
    pub fn is_connect(self) -> bool {
        matches!(self, Self::Connect)
    }
}

/// `outer: inner: innermost`, skipping repeated messages.
fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

fn fmt_request_id(id: Option<&str>) -> String {
    id.map(|id| format!(" (request_id={id})"))
        .unwrap_or_default()
}

impl SparkError {
    /// HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// The `x-request-id` the SDK sent with the failed request, when it got that far.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => Some(&api.request_id),
            Self::Auth { request_id, .. } => request_id.as_deref(),
            Self::Transport { request_id, .. }
            | Self::Timeout { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::ResponseTooLarge { request_id, .. } => Some(request_id),
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed (the SDK has already
    /// retried as configured by the time you see this error).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => api.kind.is_retryable() || api.status == 408 || api.status == 502,
            Self::Transport { .. } | Self::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The API error details, for [`SparkError::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    pub(crate) fn config(
        field: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::Config {
            field,
            value: value.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(
        what: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidInput {
            what,
            value: value.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn decode(
        what: &'static str,
        request_id: &str,
        err: &serde_json::Error,
        body: &[u8],
    ) -> Self {
        Self::Decode {
            what,
            request_id: request_id.to_owned(),
            reason: format!("{err}; body starts with {:?}", excerpt(body)),
        }
    }
}

/// Error category derived from the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400
    BadRequest,
    /// 401
    Unauthorized,
    /// 403
    Forbidden,
    /// 404
    NotFound,
    /// 409
    Conflict,
    /// 415
    UnsupportedMediaType,
    /// 422
    UnprocessableEntity,
    /// 429
    RateLimit,
    /// 500
    InternalServer,
    /// 503
    ServiceUnavailable,
    /// 504
    GatewayTimeout,
    /// Any other status (the status itself is kept in [`ApiError::status`]).
    Unknown,
}

impl ApiErrorKind {
    /// Maps a status code.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            415 => Self::UnsupportedMediaType,
            422 => Self::UnprocessableEntity,
            429 => Self::RateLimit,
            500 => Self::InternalServer,
            503 => Self::ServiceUnavailable,
            504 => Self::GatewayTimeout,
            _ => Self::Unknown,
        }
    }

    /// Statuses that signal a transient condition.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimit | Self::ServiceUnavailable | Self::GatewayTimeout
        )
    }

    /// A short name, e.g. `RateLimit`.
    pub fn name(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::Conflict => "Conflict",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::UnprocessableEntity => "UnprocessableEntity",
            Self::RateLimit => "RateLimit",
            Self::InternalServer => "InternalServer",
            Self::ServiceUnavailable => "ServiceUnavailable",
            Self::GatewayTimeout => "GatewayTimeout",
            Self::Unknown => "Unknown",
        }
    }
}

/// An error status returned by Spark, with its decoded body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status (kept for every status, including unmapped ones).
    pub status: u16,
    /// Category of the status.
    pub kind: ApiErrorKind,
    /// The `x-request-id` the SDK sent (Spark does not echo one).
    pub request_id: String,
    /// HTTP method.
    pub method: String,
    /// URL path, without host or query.
    pub path: String,
    /// Attempts made before giving up.
    pub attempts: u32,
    /// The decoded error body.
    pub body: ApiErrorBody,
    /// Delay the server asked for (`Retry-After` / `x-retry-after`), if any.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// The most specific message available from the body.
    pub fn message(&self) -> Option<&str> {
        match &self.body {
            ApiErrorBody::V3 { message, .. }
            | ApiErrorBody::V4 { message, .. }
            | ApiErrorBody::V1 { message, .. } => message.as_deref(),
            ApiErrorBody::Raw(text) if !text.is_empty() => Some(text),
            ApiErrorBody::Raw(_) => None,
        }
    }

    /// The machine-readable code: v3 `error_type`, v4 `code`, v1 `errorCode`.
    pub fn code(&self) -> Option<&str> {
        match &self.body {
            ApiErrorBody::V3 { error_type, .. } => error_type.as_deref(),
            ApiErrorBody::V4 { code, .. } => code.as_deref(),
            ApiErrorBody::V1 { error_code, .. } => error_code.as_deref(),
            ApiErrorBody::Raw(_) => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed: HTTP {} {}",
            self.method,
            self.path,
            self.status,
            self.kind.name()
        )?;
        let one_line = |s: &str| s.replace(['\n', '\r'], " ");
        match (self.code().map(one_line), self.message().map(one_line)) {
            (Some(code), Some(msg)) if code != msg => write!(f, ": {code}: {msg}")?,
            (_, Some(msg)) => write!(f, ": {msg}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, None) => {}
        }
        if (300..400).contains(&self.status) {
            f.write_str(" (a redirect: the SDK never follows one, so credentials cannot reach another origin; point the base URL at the final address)")?;
        }
        write!(
            f,
            " (request_id={}, attempts={})",
            self.request_id, self.attempts
        )
    }
}

/// The body of an error response, decoded by envelope family.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiErrorBody {
    /// v3 envelope: `{"status":"Error","error":{"error_category","error_type","message","additional_details"}}`.
    V3 {
        /// `error.error_category`, e.g. `access_error`.
        error_category: Option<String>,
        /// `error.error_type`, e.g. `error.UNAUTHORIZED`.
        error_type: Option<String>,
        /// `error.message`.
        message: Option<String>,
        /// `error.additional_details` as sent.
        additional_details: Option<serde_json::Value>,
    },
    /// v4 flat error: `{"type","code","message"}`.
    V4 {
        /// `type`, e.g. `invalid_input`.
        error_type: Option<String>,
        /// `code`, e.g. `SERVICE_NOT_FOUND`.
        code: Option<String>,
        /// `message`.
        message: Option<String>,
    },
    /// v1 product envelope: `{"errorCode","message"}`.
    V1 {
        /// `errorCode`, e.g. `INVALID_TOKEN`.
        error_code: Option<String>,
        /// `message`.
        message: Option<String>,
    },
    /// Anything else: the body text, truncated to [`MAX_BODY_EXCERPT`] characters.
    Raw(String),
}

#[derive(Deserialize)]
struct V3Envelope {
    error: Option<V3Error>,
}

#[derive(Deserialize)]
struct V3Error {
    error_category: Option<String>,
    error_type: Option<String>,
    message: Option<String>,
    additional_details: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct V4Error {
    #[serde(rename = "type")]
    error_type: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct V1Error {
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    message: Option<String>,
}

impl ApiErrorBody {
    /// Decodes an error body, trying the v3, v4 and v1 shapes in turn.
    pub fn parse(body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Self::Raw(excerpt(body));
        };
        let Some(object) = value.as_object() else {
            return Self::Raw(excerpt(body));
        };
        if object
            .get("error")
            .is_some_and(serde_json::Value::is_object)
            && let Ok(V3Envelope { error: Some(e) }) =
                serde_json::from_value::<V3Envelope>(value.clone())
        {
            return Self::V3 {
                error_category: e.error_category,
                error_type: e.error_type,
                message: e.message,
                additional_details: e.additional_details.filter(|d| !d.is_null()),
            };
        }
        if (object.contains_key("code") || object.contains_key("type"))
            && let Ok(e) = serde_json::from_value::<V4Error>(value.clone())
        {
            return Self::V4 {
                error_type: e.error_type,
                code: e.code,
                message: e.message,
            };
        }
        if (object.contains_key("errorCode") || object.contains_key("message"))
            && let Ok(e) = serde_json::from_value::<V1Error>(value)
        {
            return Self::V1 {
                error_code: e.error_code,
                message: e.message,
            };
        }
        Self::Raw(excerpt(body))
    }
}

/// The first [`MAX_BODY_EXCERPT`] characters of a body, lossily decoded.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(MAX_BODY_EXCERPT).collect();
    if text.chars().count() > MAX_BODY_EXCERPT {
        out.push('…');
    }
    out
}
