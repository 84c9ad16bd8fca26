//! The SDK errors a failed call turns into: built here once, for the calls sent with
//! [`Transport::send`](super::Transport::send) and for generated calls (whose hooks hand
//! the same facts to progenitor on the response or error itself).

use http::HeaderMap;

use super::body_limit::BodyError;
use crate::error::{ApiError, ApiErrorBody, ApiErrorKind, SparkError, TransportKind};
use crate::retry::classify::{Failure, parse_retry_after};

/// What is known of a call whose final attempt got an error status.
pub(crate) struct StatusFacts<'a> {
    pub(crate) status: u16,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) attempts: u32,
    /// A 401 to a freshly issued OAuth token (see `Transport::oauth_rejected`).
    pub(crate) oauth_rejected: bool,
}

/// An error status: [`SparkError::Api`], or [`SparkError::Auth`] when Spark refused a
/// freshly issued OAuth token.
pub(crate) fn status_error(facts: StatusFacts<'_>) -> SparkError {
    let api = ApiError {
        status: facts.status,
        kind: ApiErrorKind::from_status(facts.status),
        request_id: facts.request_id.to_owned(),
        method: facts.method.to_owned(),
        path: facts.path.to_owned(),
        attempts: facts.attempts,
        body: ApiErrorBody::parse(facts.body),
        retry_after: parse_retry_after(facts.headers),
    };
    if facts.oauth_rejected {
        return SparkError::Auth {
            message: "the API rejected a freshly issued OAuth token; check the client's permissions and tenant".into(),
            status: Some(401),
            request_id: Some(facts.request_id.to_owned()),
            source: Some(Box::new(SparkError::Api(Box::new(api)))),
        };
    }
    SparkError::Api(Box::new(api))
}

/// No response: [`SparkError::Timeout`] or [`SparkError::Transport`].
pub(crate) fn transport_error(
    error: reqwest::Error,
    failure: Failure,
    method: &str,
    path: &str,
    request_id: &str,
    attempts: u32,
) -> SparkError {
    let (method, path, request_id) = (method.to_owned(), path.to_owned(), request_id.to_owned());
    match failure {
        Failure::Timeout => SparkError::Timeout {
            method,
            path,
            request_id,
            attempts,
        },
        _ => SparkError::Transport {
            kind: if failure == Failure::Connect {
                TransportKind::Connect
            } else {
                TransportKind::Connection
            },
            method,
            path,
            request_id,
            attempts,
            source: error.without_url(),
        },
    }
}

/// A body the transport refused (over the cap, corrupt encoding).
pub(crate) fn body_error(
    method: &str,
    path: &str,
    request_id: &str,
    error: BodyError,
) -> SparkError {
    match error {
        BodyError::TooLarge {
            limit,
            decompressed,
        } => SparkError::ResponseTooLarge {
            method: method.to_owned(),
            path: path.to_owned(),
            request_id: request_id.to_owned(),
            limit,
            decompressed,
        },
        BodyError::Corrupt { encoding, reason } => SparkError::Decode {
            what: "response body",
            request_id: request_id.to_owned(),
            reason: format!("Content-Encoding is {encoding} but the body is not: {reason}"),
        },
        // Mapped to `AttemptError::Http` by `attempt`; kept total for safety.
        BodyError::Http(e) => SparkError::Decode {
            what: "response body",
            request_id: request_id.to_owned(),
            reason: e.without_url().to_string(),
        },
    }
}
