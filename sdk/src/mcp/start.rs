//! Starting a session: the `initialize` handshake, retried on transient failures.
//!
//! `initialize` changes nothing on the server, so it is retried as the REST client retries
//! idempotent calls: after a 429 or 5xx answer, or when the connection failed, up to
//! `max_retries` more times, waiting `retry_interval` doubled at each retry (capped at
//! 20 s) or the server's numeric `Retry-After` when it asks for longer. A refusal (401,
//! 403, other 4xx) or a protocol error is final at once.

use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::service::{ClientInitializeError, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClientTransportConfig, StreamableHttpError,
};

use super::error::{McpError, McpResult, redact};
use crate::secret::Secret;

/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// How a failed attempt may be retried.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Final: do not retry.
    Final,
    /// Transient; the server's `Retry-After` in seconds, if it gave a number.
    Transient(Option<f64>),
}

/// Classifies a failed handshake by the transport error inside it (no message parsing).
fn verdict(error: &ClientInitializeError) -> Verdict {
    let ClientInitializeError::TransportError { error, .. } = error else {
        return Verdict::Final;
    };
    let Some(http) = error
        .error
        .downcast_ref::<StreamableHttpError<reqwest::Error>>()
    else {
        return Verdict::Final;
    };
    match http {
        StreamableHttpError::HttpStatus(s) if s.status == 429 || s.status >= 500 => {
            Verdict::Transient(
                s.retry_after
                    .as_deref()
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0),
            )
        }
        StreamableHttpError::Client(e) if e.is_connect() || e.is_request() || e.is_body() => {
            Verdict::Transient(None)
        }
        StreamableHttpError::Io(_) | StreamableHttpError::UnexpectedEndOfStream => {
            Verdict::Transient(None)
        }
        _ => Verdict::Final,
    }
}

/// Settings of a session start.
pub(super) struct Start<'a> {
    pub http: reqwest::Client,
    pub endpoint: &'a str,
    pub token: &'a Secret,
    pub timeout: Duration,
    pub max_retries: u32,
    pub retry_interval: Duration,
}

/// Runs the handshake, each attempt bounded by `timeout`.
pub(super) async fn start(s: Start<'_>) -> McpResult<RunningService<RoleClient, ()>> {
    let mut retry = 0u32;
    loop {
        let config = StreamableHttpClientTransportConfig::with_uri(s.endpoint.to_owned())
            .auth_header(s.token.expose().to_owned());
        let transport = StreamableHttpClientTransport::with_client(s.http.clone(), config);
        let error = match tokio::time::timeout(s.timeout, ().serve(transport)).await {
            Ok(Ok(service)) => return Ok(service),
            Err(_) => {
                return Err(McpError::Timeout {
                    operation: format!("initialize {}", s.endpoint),
                    after: s.timeout,
                });
            }
            Ok(Err(e)) => e,
        };
        let wait = match verdict(&error) {
            Verdict::Transient(asked) if retry < s.max_retries => {
                let step = s
                    .retry_interval
                    .saturating_mul(2u32.saturating_pow(retry))
                    .min(MAX_BACKOFF);
                let asked = asked
                    .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                    .map_or(Duration::ZERO, |d| d.min(MAX_BACKOFF));
                step.max(asked)
            }
            _ => {
                let attempts = retry + 1;
                return Err(McpError::Connect {
                    endpoint: s.endpoint.to_owned(),
                    reason: redact(
                        format!("{error} (after {attempts} attempt(s))"),
                        Some(s.token.expose()),
                    ),
                });
            }
        };
        retry += 1;
        tracing::debug!(retry, ?wait, "MCP initialize failed; retrying");
        tokio::time::sleep(wait).await;
    }
}
