//! Which outcomes are worth another attempt.
//!
//! | outcome | retried? |
//! |---|---|
//! | 408, 429, 502, 503, 504 | yes, any method (the server did not complete the work) |
//! | other statuses (incl. 500) | no |
//! | could not connect (refused, DNS, TLS) | yes, any method: nothing was sent |
//! | connection reset/closed after connecting, body cut | only idempotent requests |
//! | timeout | only idempotent requests |
//!
//! Non-idempotent requests (POST, PATCH, e.g. execute) are not replayed once they may
//! have reached the server, because that could run a calculation or write twice. A
//! request can declare itself safe to replay with `RequestSpec::idempotent(true)`.
//!
//! A 401 is not handled here: the transport refreshes an OAuth token once, outside this
//! budget.
//!
//! Server hints: `x-retry-after` (Spark, seconds, may be fractional such as `.1`),
//! `retry-after-ms` (milliseconds) and `Retry-After` (seconds; the HTTP-date form is
//! ignored). Negative, non-finite or unparsable values are ignored. A hint above
//! [`MAX_RETRY_AFTER`] is not waited for: the call fails at once and the error carries
//! the hint in `ApiError::retry_after`.

use std::time::Duration;

use http::HeaderMap;

/// Longest server-requested delay the SDK will sleep for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAction {
    /// Do not retry.
    No,
    /// Retry, after the server's hint if it gave one (else the policy's back-off).
    Retry {
        /// Server-requested delay, already capped.
        after: Option<Duration>,
    },
    /// The server asked for a delay longer than [`MAX_RETRY_AFTER`]: give up now.
    TooLong(Duration),
}

/// Classifies a response status with its headers.
pub fn classify_status(status: u16, headers: &HeaderMap) -> RetryAction {
    if !matches!(status, 408 | 429 | 502 | 503 | 504) {
        return RetryAction::No;
    }
    match parse_retry_after(headers) {
        Some(d) if d > MAX_RETRY_AFTER => RetryAction::TooLong(d),
        after => RetryAction::Retry { after },
    }
}

/// Kinds of transport failure, as the classifier sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No connection was established.
    Connect,
    /// The connection broke after it was established.
    Connection,
    /// The attempt timed out.
    Timeout,
}

impl Failure {
    /// Reads a `reqwest` error.
    pub fn of(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            Self::Timeout
        } else if err.is_connect() {
            Self::Connect
        } else {
            Self::Connection
        }
    }
}

/// Classifies a transport failure for a request that is or is not idempotent.
pub fn classify_error(failure: Failure, idempotent: bool) -> RetryAction {
    match failure {
        Failure::Connect => RetryAction::Retry { after: None },
        Failure::Connection | Failure::Timeout if idempotent => RetryAction::Retry { after: None },
        _ => RetryAction::No,
    }
}

/// Reads `x-retry-after`, `retry-after-ms` and `Retry-After`, in that order.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let read = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let secs = |v: &str| v.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0);
    if let Some(s) = read("x-retry-after").and_then(secs) {
        return Some(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX));
    }
    if let Some(ms) = read("retry-after-ms").and_then(secs) {
        return Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX));
    }
    read("retry-after")
        .and_then(secs)
        .map(|s| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &'static str, value: &'static str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(name, http::HeaderValue::from_static(value));
        m
    }

    #[test]
    fn retry_after_table() {
        let cases: &[(&'static str, &'static str, Option<Duration>)] = &[
            ("x-retry-after", ".1", Some(Duration::from_millis(100))),
            ("x-retry-after", "2", Some(Duration::from_secs(2))),
            ("x-retry-after", "1.5", Some(Duration::from_millis(1500))),
            ("x-retry-after", "0", Some(Duration::ZERO)),
            ("x-retry-after", "-1", None),
            ("x-retry-after", "nan", None),
            ("x-retry-after", "inf", None),
            ("x-retry-after", "abc", None),
            ("x-retry-after", "", None),
            ("retry-after", "3", Some(Duration::from_secs(3))),
            ("retry-after", " 4 ", Some(Duration::from_secs(4))),
            ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT", None),
            ("retry-after", "-5", None),
            ("retry-after", "1e400", None),
            ("retry-after-ms", "250", Some(Duration::from_millis(250))),
            ("retry-after-ms", "-250", None),
            ("retry-after", "1e30", Some(Duration::MAX)),
        ];
        for (name, value, expected) in cases {
            assert_eq!(
                parse_retry_after(&h(name, value)),
                *expected,
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn statuses() {
        let none = HeaderMap::new();
        for s in [408, 429, 502, 503, 504] {
            assert_eq!(
                classify_status(s, &none),
                RetryAction::Retry { after: None },
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 409, 422, 500, 501] {
            assert_eq!(classify_status(s, &none), RetryAction::No, "{s}");
        }
        assert_eq!(
            classify_status(429, &h("retry-after", "120")),
            RetryAction::TooLong(Duration::from_secs(120))
        );
    }

    #[test]
    fn failures() {
        assert_eq!(
            classify_error(Failure::Connect, false),
            RetryAction::Retry { after: None }
        );
        assert_eq!(classify_error(Failure::Timeout, false), RetryAction::No);
        assert_eq!(
            classify_error(Failure::Timeout, true),
            RetryAction::Retry { after: None }
        );
        assert_eq!(classify_error(Failure::Connection, false), RetryAction::No);
    }
}
