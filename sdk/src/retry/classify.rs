//! Which outcomes are worth another attempt.
//!
//! | outcome | retried? |
//! |---|---|
//! | 408, 429, 502, 503, 504 | yes, any method (the server did not complete the work) |
//! | 500 | only idempotent requests (the server may have done part of the work) |
//! | other statuses | no |
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
//! `retry-after-ms` (milliseconds) and `Retry-After` (seconds, or an HTTP date, counted from
//! the response's own `Date` header as RFC 9110 §10.2.3 says, else from the local wall
//! clock; a date already past means "now"). Negative, non-finite or unparsable values are
//! ignored. A hint above
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

/// Classifies a response status with its headers, for a request that is or is not
/// idempotent.
pub fn classify_status(status: u16, headers: &HeaderMap, idempotent: bool) -> RetryAction {
    let retried = match status {
        408 | 429 | 502 | 503 | 504 => true,
        500 => idempotent,
        _ => false,
    };
    if !retried {
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
    let value = read("retry-after")?;
    if let Some(s) = secs(value) {
        return Some(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX));
    }
    let at = http_date(value)?;
    let now = read("date")
        .and_then(http_date)
        .unwrap_or_else(std::time::SystemTime::now);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An HTTP date (RFC 9110 §5.6.7): the IMF-fixdate form senders must use, and the obsolete
/// RFC 850 and asctime forms recipients must still accept.
fn http_date(value: &str) -> Option<std::time::SystemTime> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let utc = |naive: NaiveDateTime| DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc);
    let parsed = DateTime::parse_from_rfc2822(value)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT")
                .ok()
                .map(utc)
        })
        .or_else(|| {
            NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y")
                .ok()
                .map(utc)
        })?;
    let secs = u64::try_from(parsed.timestamp()).ok()?;
    std::time::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &'static str, value: &'static str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(name, http::HeaderValue::from_static(value));
        m
    }

    fn hs(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (name, value) in pairs {
            m.insert(*name, http::HeaderValue::from_static(value));
        }
        m
    }

    /// Response headers, by name and value.
    type Headers = &'static [(&'static str, &'static str)];

    const DATE: (&str, &str) = ("date", "Wed, 21 Oct 2015 07:28:00 GMT");

    #[test]
    fn retry_after_table() {
        let s = Duration::from_secs;
        let cases: &[(Headers, Option<Duration>)] = &[
            (&[("x-retry-after", ".1")], Some(Duration::from_millis(100))),
            (&[("x-retry-after", "2")], Some(s(2))),
            (
                &[("x-retry-after", "1.5")],
                Some(Duration::from_millis(1500)),
            ),
            (&[("x-retry-after", "0")], Some(Duration::ZERO)),
            (&[("x-retry-after", "-1")], None),
            (&[("x-retry-after", "nan")], None),
            (&[("x-retry-after", "inf")], None),
            (&[("x-retry-after", "-inf")], None),
            (&[("x-retry-after", "abc")], None),
            (&[("x-retry-after", "")], None),
            (&[("retry-after", "3")], Some(s(3))),
            (&[("retry-after", " 4 ")], Some(s(4))),
            (&[("retry-after", "-5")], None),
            (&[("retry-after", "1e400")], None),
            (&[("retry-after", "1e30")], Some(Duration::MAX)),
            (
                &[("retry-after", "18446744073709551616")],
                Some(Duration::MAX),
            ),
            (
                &[("retry-after-ms", "250")],
                Some(Duration::from_millis(250)),
            ),
            (&[("retry-after-ms", "-250")], None),
            (&[("retry-after-ms", "NaN")], None),
            // x-retry-after wins over the others, retry-after-ms over Retry-After.
            (&[("x-retry-after", "1"), ("retry-after", "9")], Some(s(1))),
            (
                &[("retry-after-ms", "500"), ("retry-after", "9")],
                Some(Duration::from_millis(500)),
            ),
            (
                &[("x-retry-after", "bad"), ("retry-after", "7")],
                Some(s(7)),
            ),
            // HTTP dates, counted from the response's Date header.
            (
                &[DATE, ("retry-after", "Wed, 21 Oct 2015 07:28:05 GMT")],
                Some(s(5)),
            ),
            (
                &[DATE, ("retry-after", "Wednesday, 21-Oct-15 07:28:30 GMT")],
                Some(s(30)),
            ),
            (
                &[DATE, ("retry-after", "Wed Oct 21 07:29:00 2015")],
                Some(s(60)),
            ),
            (
                &[DATE, ("retry-after", "Wed, 21 Oct 2015 08:28:00 GMT")],
                Some(s(3600)),
            ),
            (
                &[DATE, ("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT")],
                Some(Duration::ZERO),
            ),
            (
                &[DATE, ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")],
                Some(Duration::ZERO),
            ),
            (
                &[DATE, ("retry-after", "Wed, 32 Oct 2015 07:28:00 GMT")],
                None,
            ),
            (
                &[DATE, ("retry-after", "Wed, 21 Oct 2015 25:28:00 GMT")],
                None,
            ),
            (&[DATE, ("retry-after", "tomorrow")], None),
            (
                &[DATE, ("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT")],
                Some(Duration::ZERO),
            ),
            // Without a Date header the wall clock is the reference: 2015 is long past, and
            // the year 9999 is far beyond the cap.
            (
                &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")],
                Some(Duration::ZERO),
            ),
        ];
        for (headers, expected) in cases {
            assert_eq!(parse_retry_after(&hs(headers)), *expected, "{headers:?}");
        }
        let far = parse_retry_after(&h("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"));
        assert!(far.is_some_and(|d| d > MAX_RETRY_AFTER), "{far:?}");
        let action = classify_status(
            503,
            &h("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
            false,
        );
        assert!(
            matches!(action, RetryAction::TooLong(d) if d > MAX_RETRY_AFTER),
            "{action:?}"
        );
    }

    #[test]
    fn statuses() {
        let none = HeaderMap::new();
        for idempotent in [false, true] {
            for s in [408, 429, 502, 503, 504] {
                assert_eq!(
                    classify_status(s, &none, idempotent),
                    RetryAction::Retry { after: None },
                    "{s}"
                );
            }
            for s in [400, 401, 403, 404, 409, 422, 501] {
                assert_eq!(
                    classify_status(s, &none, idempotent),
                    RetryAction::No,
                    "{s}"
                );
            }
        }
        assert_eq!(classify_status(500, &none, false), RetryAction::No);
        assert_eq!(
            classify_status(500, &none, true),
            RetryAction::Retry { after: None }
        );
        assert_eq!(
            classify_status(429, &h("retry-after", "120"), false),
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
