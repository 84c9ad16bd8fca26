//! The bridge between progenitor-generated clients and the SDK's one request path.
//!
//! A generated `Client` carries a [`Hooks`] as its inner state; its `ClientHooks::exec`
//! hands every request to [`Hooks::exec`] together with the operation's [`SendRules`]
//! (emitted by the code generator from the description: `security: []` sends no
//! credentials, `x-cspark-idempotent: true` makes a POST replayable):
//!
//! ```text
//! impl progenitor_client::ClientHooks<cspark::hooks::Hooks> for Client {
//!     async fn exec(&self, request: reqwest::Request, info: &progenitor_client::OperationInfo)
//!         -> reqwest::Result<reqwest::Response> {
//!         self.inner().exec(request, send_rules(info.operation_id)).await
//!     }
//! }
//! ```
//!
//! `exec` runs the transport's retry loop (credentials with the OAuth refresh, standard
//! headers, retries, timeout, body cap) on the request itself and returns what the final
//! attempt got, so nothing is kept anywhere between a call and its error:
//!
//! * a response (any status): the real status, headers and (decompressed) body, plus the
//!   headers [`ATTEMPTS_HEADER`] and [`REQUEST_ID_HEADER`], which the SDK adds (Spark does
//!   not send them); an error status also carries the call's method in the response's
//!   extensions;
//! * no response: the final `reqwest::Error`, its URL fragment holding the same facts
//!   (`#cspark-method=…&cspark-attempts=…&cspark-request-id=…`; nothing after `#` is ever
//!   sent);
//! * a failure of the SDK's own (credentials unobtainable, a body over the size cap): a
//!   `reqwest::Error` whose source is the SDK error.
//!
//! The generated operations declare no error responses, so every non-2xx answer reaches the
//! caller unread as `progenitor_client::Error::UnexpectedResponse`, and
//! `From<progenitor_client::Error<E>> for SparkError` turns each of these into the very
//! error [`Transport::send`](crate::transport::Transport::send) would have returned
//! (status, request id, attempts, method, path, `Retry-After`, the Spark error body).
//!
//! This module is plumbing: public only because clients generated with
//! `cspark-codegen platform --standalone` live in other crates.

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{HeaderValue, Method};
use reqwest::ResponseBuilderExt as _;

use crate::error::SparkError;
use crate::retry::classify::Failure;
use crate::transport::failure::{self, StatusFacts};
use crate::transport::{Call, Failed, Transport};

/// Response header the SDK adds to what a generated call receives: the attempts it took.
pub const ATTEMPTS_HEADER: &str = "x-cspark-attempts";
/// Response header the SDK adds to what a generated call receives: the `x-request-id` it
/// sent.
pub const REQUEST_ID_HEADER: &str = "x-cspark-request-id";

/// How the transport sends one operation, as its description declares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendRules {
    /// Send no credentials (`security: []`).
    pub anonymous: bool,
    /// Whether the request may be replayed after it may have reached the server
    /// (`x-cspark-idempotent`); `None`: by method (GET, HEAD, PUT, DELETE, OPTIONS).
    pub idempotent: Option<bool>,
}

/// The inner state of a generated client: the SDK client's transport.
#[derive(Debug, Clone)]
pub struct Hooks {
    transport: Arc<Transport>,
}

impl Hooks {
    /// The hooks of a generated client that sends through `transport`. (From a
    /// [`Client`](crate::Client): `Hooks::from(&client)`.)
    pub(crate) fn of(transport: Arc<Transport>) -> Self {
        Self { transport }
    }

    /// For `ClientHooks::exec`: sends `request` through the SDK's retry loop under
    /// `rules` and returns what the final attempt got (see the module docs).
    pub async fn exec(
        &self,
        request: reqwest::Request,
        rules: SendRules,
    ) -> reqwest::Result<reqwest::Response> {
        let transport = &*self.transport;
        let call = match transport.call_of_request(request, rules.idempotent, !rules.anonymous) {
            Ok(call) => call,
            Err(e) => return Err(carry(e)),
        };
        match transport.run(&call).await {
            Ok(response) => hand_over(
                &call,
                response.status,
                response.headers,
                response.body,
                response.attempts,
                None,
            ),
            Err(Failed::Status {
                status,
                headers,
                body,
                attempts,
            }) => {
                let failed = FailedCall {
                    method: call.method().clone(),
                    oauth_rejected: transport.oauth_rejected(&call, status),
                    body: body.clone(),
                };
                hand_over(&call, status, headers, body, attempts, Some(failed))
            }
            Err(Failed::Transport {
                error, attempts, ..
            }) => Err(with_facts(error, &call, attempts)),
            Err(Failed::Spark(e)) => Err(carry(e)),
        }
    }
}

/// What the conversion of an error status needs beyond the response's status and headers.
#[derive(Clone)]
struct FailedCall {
    method: Method,
    oauth_rejected: bool,
    /// The body, shared with the response's own (so the conversion needs no `await`).
    body: Bytes,
}

/// The final response as a `reqwest::Response`, with the SDK's facts.
fn hand_over(
    call: &Call,
    status: u16,
    mut headers: http::HeaderMap,
    body: Bytes,
    attempts: u32,
    failed: Option<FailedCall>,
) -> reqwest::Result<reqwest::Response> {
    headers.insert(ATTEMPTS_HEADER, HeaderValue::from(attempts));
    if let Ok(value) = HeaderValue::from_str(&call.request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    let mut builder = http::Response::builder()
        .status(status)
        .url(call.template.url().clone());
    if let Some(failed) = failed {
        builder = builder.extension(failed);
    }
    match builder.body(body) {
        Ok(mut response) => {
            *response.headers_mut() = headers;
            Ok(reqwest::Response::from(response))
        }
        // The status came from a real response, so this does not happen.
        Err(e) => Err(carry(SparkError::invalid(
            "response status",
            status.to_string(),
            e.to_string(),
        ))),
    }
}

/// The final transport error with the call's facts in its URL's fragment.
fn with_facts(error: reqwest::Error, call: &Call, attempts: u32) -> reqwest::Error {
    let mut url = call.template.url().clone();
    url.set_fragment(Some(&format!(
        "cspark-method={}&cspark-attempts={attempts}&cspark-request-id={}",
        call.method(),
        call.request_id
    )));
    error.with_url(url)
}

/// The facts [`with_facts`] left on a transport error: method, path, request id, attempts.
fn facts_of(error: &reqwest::Error) -> Option<(String, String, String, u32)> {
    let url = error.url()?;
    let (mut method, mut request_id, mut attempts) = (None, None, None);
    for pair in url.fragment()?.split('&') {
        match pair.split_once('=') {
            Some(("cspark-method", v)) => method = Some(v.to_owned()),
            Some(("cspark-request-id", v)) => request_id = Some(v.to_owned()),
            Some(("cspark-attempts", v)) => attempts = v.parse().ok(),
            _ => {}
        }
    }
    Some((method?, url.path().to_owned(), request_id?, attempts?))
}

/// An SDK error travelling inside the `reqwest::Error` that `exec` must return. The slot
/// is the error's own: the conversion takes the error out of it exactly once.
struct Carried(Mutex<Option<SparkError>>);

impl std::fmt::Debug for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Carried")
    }
}

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => e.fmt(f),
            None => f.write_str("the SDK stopped the call"),
        }
    }
}

impl std::error::Error for Carried {}

/// A `reqwest::Error` whose source is `error`: the body of a response that never existed
/// fails to read with it (reqwest offers no other way to make one). No status is
/// involved: the error is a body-read error, never a response.
fn carry(error: SparkError) -> reqwest::Error {
    let carried = Carried(Mutex::new(Some(error)));
    let failing = futures::stream::iter([Err::<Bytes, Carried>(carried)]);
    let response =
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(failing)));
    // `bytes()` is async, but a body that is a single ready error fails on the first poll.
    let read = futures::FutureExt::now_or_never(response.bytes());
    match read {
        Some(Err(e)) => e,
        // Unreachable: the stream's only item is the error, and it is ready.
        _ => unreachable!("a body made of one ready error reads as that error"),
    }
}

/// The SDK error carried by `error` (see [`carry`]), taken out of its slot.
fn carried(error: &reqwest::Error) -> Option<SparkError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(Carried(slot)) = e.downcast_ref::<Carried>() {
            return slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        }
        source = e.source();
    }
    None
}

fn header_str<'h>(headers: &'h http::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn attempts_of(headers: &http::HeaderMap) -> u32 {
    header_str(headers, ATTEMPTS_HEADER).parse().unwrap_or(0)
}

/// The one conversion of a generated call's error: the same [`SparkError`] that
/// [`Transport::send`](crate::transport::Transport::send) returns for the same outcome,
/// built from the facts [`Hooks::exec`] attached to the response or error.
///
/// Limits: a 2xx body that does not decode as the operation's type
/// (`InvalidResponsePayload`) names no request id (progenitor keeps only the bytes); an
/// error that did not come through [`Hooks::exec`] has no SDK facts, so its attempts are
/// reported as 0 (unknown) and its method and request id as empty.
impl<E> From<progenitor_client::Error<E>> for SparkError {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::UnexpectedResponse(response) => {
                let failed = response.extensions().get::<FailedCall>();
                let headers = response.headers();
                failure::status_error(StatusFacts {
                    status: response.status().as_u16(),
                    headers,
                    body: failed.map_or(&[][..], |f| &f.body[..]),
                    method: failed.map_or("", |f| f.method.as_str()),
                    path: response.url().path(),
                    request_id: header_str(headers, REQUEST_ID_HEADER),
                    attempts: attempts_of(headers),
                    oauth_rejected: failed.is_some_and(|f| f.oauth_rejected),
                })
            }
            // The generated operations declare no error responses (see the module docs);
            // a client generated otherwise still gets status, request id and attempts.
            P::ErrorResponse(value) => failure::status_error(StatusFacts {
                status: value.status().as_u16(),
                headers: value.headers(),
                body: &[],
                method: "",
                path: "",
                request_id: header_str(value.headers(), REQUEST_ID_HEADER),
                attempts: attempts_of(value.headers()),
                oauth_rejected: false,
            }),
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                if let Some(sdk) = carried(&e) {
                    return sdk;
                }
                if e.is_builder() {
                    let path = e.url().map(|u| u.path().to_owned()).unwrap_or_default();
                    return SparkError::invalid("request", path, e.without_url().to_string());
                }
                let failure = Failure::of(&e);
                let (method, path, request_id, attempts) = facts_of(&e).unwrap_or_else(|| {
                    let path = e.url().map(|u| u.path().to_owned()).unwrap_or_default();
                    (String::new(), path, String::new(), 0)
                });
                failure::transport_error(e, failure, &method, &path, &request_id, attempts)
            }
            P::InvalidResponsePayload(bytes, e) => {
                SparkError::decode("response body", "", &e, &bytes)
            }
            P::InvalidRequest(message) | P::Custom(message) => {
                SparkError::invalid("request", String::new(), message)
            }
        }
    }
}
