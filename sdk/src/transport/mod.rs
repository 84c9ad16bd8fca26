//! The one place that sends HTTP requests.
//!
//! Each call is described by a replayable [`RequestSpec`]; [`Transport::send`] builds a
//! fresh `reqwest::Request` from it for every attempt (same `x-request-id`, fresh auth
//! header), sends it, reads the whole body, classifies the outcome and retries per the
//! [`RetryPolicy`]. A 401 with OAuth credentials triggers one token refresh and one
//! replay, outside the retry budget.
//!
//! The per-call work is kept small because it is all the SDK adds to a raw HTTP call (P1 in
//! BENCHMARKS.md): header values that never change are built once per client
//! (`FixedHeaders`), the header map is built once per call and cloned
//! per attempt, request ids come from a userspace generator, and the error-only strings
//! (method, path) are made only when a call fails.
//!
//! Two client-wide guards apply to every attempt: the body is read under a size cap and
//! decompressed here (`body_limit`), and every retry is paid from the client's
//! [`RetryBudget`](crate::retry::RetryBudget) bucket, so an outage cannot multiply the load.
//! The HTTP client never follows redirects (the builder forces it), so credentials never
//! reach another origin: a 3xx is returned to the caller as an error status.
//!
//! Generated clients (progenitor `ClientHooks`) delegate here: `pre` calls
//! [`Transport::prepare`] to add the standard and auth headers, `exec` calls
//! [`Transport::execute`], which runs the same retry loop on `Request::try_clone`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tracing::{Instrument as _, debug, field};

use crate::auth::Auth;
use crate::auth::token_cache::TokenCache;
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::compression::Compression;
use crate::error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError, TransportKind};
use crate::retry::budget::RetryTokens;
use crate::retry::classify::{
    Failure, RetryAction, classify_error, classify_status, parse_retry_after,
};
use crate::retry::policy::RetryPolicy;

mod body_limit;
mod headers;
mod request_id;
mod route_cache;
mod spec;

use body_limit::BodyError;
pub use body_limit::DEFAULT_MAX_RESPONSE_BYTES;
pub(crate) use headers::FixedHeaders;
pub use headers::{
    RUSTC_VERSION, SDK_VERSION, X_REQUEST_ID, X_SPARK_UA, X_SYNTHETIC_KEY, X_TENANT_NAME, spark_ua,
    user_agent,
};
pub(crate) use request_id::new_request_id;
pub(crate) use route_cache::RouteCache;
pub use spec::{Body, RequestSpec, Response};

/// Credentials resolved for one attempt.
enum Credential {
    None,
    Header(HeaderName, HeaderValue),
    OAuth(HeaderValue, u64),
}

/// Why one attempt produced no usable response.
enum AttemptError {
    /// Sending or reading failed (retry rules apply).
    Http(reqwest::Error),
    /// The server answered, but the body was refused (over the cap, corrupt encoding).
    Body {
        status: u16,
        headers: HeaderMap,
        error: BodyError,
    },
}

/// `Accept-Encoding` the transport asks for: the codings `body_limit` can inflate.
const ACCEPTED_ENCODINGS: &str = "gzip, deflate";

/// Final outcome of the retry loop.
enum Failed {
    Status {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
    },
    Transport {
        error: reqwest::Error,
        failure: Failure,
        attempts: u32,
    },
    Spark(SparkError),
}

/// Shared HTTP machinery of a [`Client`](crate::Client).
pub struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base: BaseUrl,
    pub(crate) auth: Auth,
    pub(crate) tokens: TokenCache,
    pub(crate) policy: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) timeout: Duration,
    pub(crate) compression: Option<Compression>,
    pub(crate) fixed: FixedHeaders,
    pub(crate) routes: RouteCache,
    /// Cap on a response body, compressed and decompressed.
    pub(crate) max_response_bytes: u64,
    /// The client-wide retry budget.
    pub(crate) retry_tokens: RetryTokens,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_tokens", &self.retry_tokens)
            .finish_non_exhaustive()
    }
}

fn request_id_value(request_id: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(request_id)
        .map_err(|_| SparkError::invalid("request id", request_id, "not a valid header value"))
}

fn sensitive(value: &str, what: &'static str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(value).map_err(|_| SparkError::Auth {
        message: format!("{what} contains characters not allowed in a header"),
        status: None,
        request_id: None,
        source: None,
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl Transport {
    /// The base URL requests are built on.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// Sends a request with retries; error statuses become [`SparkError::Api`].
    pub async fn send(&self, spec: RequestSpec) -> Result<Response> {
        let request_id = new_request_id();
        // Without a subscriber at DEBUG this is a disabled span: no fields are formatted.
        let span = tracing::debug_span!(
            "spark.http",
            method = %spec.method,
            path = %spec.url.path(),
            request_id = %request_id,
            status = field::Empty,
            attempts = field::Empty,
        );
        let outcome = Box::pin(self.run(&spec, &request_id))
            .instrument(span)
            .await;
        let failed = match outcome {
            Ok(response) => return Ok(response),
            Err(failed) => failed,
        };
        let method = spec.method.to_string();
        let path = spec.url.path().to_owned();
        match failed {
            Failed::Spark(e) => Err(e),
            Failed::Transport {
                failure: Failure::Timeout,
                attempts,
                ..
            } => Err(SparkError::Timeout {
                method,
                path,
                request_id,
                attempts,
            }),
            Failed::Transport {
                error,
                failure,
                attempts,
            } => Err(SparkError::Transport {
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
            }),
            Failed::Status {
                status,
                headers,
                body,
                attempts,
            } => {
                let api = ApiError {
                    status,
                    kind: ApiErrorKind::from_status(status),
                    request_id: request_id.clone(),
                    method,
                    path,
                    attempts,
                    body: ApiErrorBody::parse(&body),
                    retry_after: parse_retry_after(&headers),
                };
                let unauthorized_oauth =
                    status == 401 && matches!(self.auth, Auth::OAuth(_)) && spec.authenticate;
                if unauthorized_oauth {
                    return Err(SparkError::Auth {
                        message: "the API rejected a freshly issued OAuth token; check the client's permissions and tenant".into(),
                        status: Some(401),
                        request_id: Some(request_id),
                        source: Some(Box::new(SparkError::Api(Box::new(api)))),
                    });
                }
                Err(SparkError::Api(Box::new(api)))
            }
        }
    }

    /// The retry loop of [`send`](Self::send); [`execute`](Self::execute) applies the same
    /// classification and policy to cloned `reqwest` requests.
    async fn run(
        &self,
        spec: &RequestSpec,
        request_id: &str,
    ) -> std::result::Result<Response, Failed> {
        let body = self.prepare_body(spec).map_err(Failed::Spark)?;
        let call_headers = self
            .call_headers(spec, &body, request_id)
            .map_err(Failed::Spark)?;
        let idempotent = spec.is_idempotent();
        let (mut attempts, mut retries, mut refreshed) = (0u32, 0u32, false);
        let mut last_retry_cost = None;
        loop {
            attempts += 1;
            let credential = if spec.authenticate {
                self.credential().await.map_err(Failed::Spark)?
            } else {
                Credential::None
            };
            let oauth_generation = match &credential {
                Credential::OAuth(_, generation) => Some(*generation),
                _ => None,
            };
            let request = self.build(spec, &body, call_headers.clone(), credential);
            let action = match self.attempt(request).await {
                Ok((status, headers, bytes)) => {
                    tracing::Span::current()
                        .record("status", status)
                        .record("attempts", attempts);
                    debug!(attempt = attempts, status, "spark response");
                    if (200..300).contains(&status) {
                        self.retry_tokens.on_success(last_retry_cost);
                        return Ok(Response {
                            status,
                            headers,
                            body: bytes,
                            request_id: request_id.to_owned(),
                            attempts,
                        });
                    }
                    if let (401, Some(generation), false) = (status, oauth_generation, refreshed) {
                        debug!(
                            attempt = attempts,
                            "401 with an OAuth token: refreshing once"
                        );
                        self.tokens.invalidate(generation).await;
                        refreshed = true;
                        continue;
                    }
                    let action = classify_status(status, &headers, idempotent);
                    let delay = self.policy.delay(retries, action, rand::random::<f64>());
                    // Only a retry the policy allows is paid for.
                    let paid = delay.and_then(|_| self.retry_tokens.withdraw(false));
                    match delay.zip(paid) {
                        Some((d, cost)) => (d, cost, format!("status {status}")),
                        None => {
                            return Err(Failed::Status {
                                status,
                                headers,
                                body: bytes,
                                attempts,
                            });
                        }
                    }
                }
                Err(AttemptError::Body { status, error, .. }) => {
                    tracing::Span::current()
                        .record("status", status)
                        .record("attempts", attempts);
                    return Err(Failed::Spark(body_error(spec, request_id, error)));
                }
                Err(AttemptError::Http(error)) => {
                    let failure = Failure::of(&error);
                    tracing::Span::current().record("attempts", attempts);
                    debug!(attempt = attempts, ?failure, "spark request failed");
                    let action: RetryAction = classify_error(failure, idempotent);
                    let delay = self.policy.delay(retries, action, rand::random::<f64>());
                    let paid =
                        delay.and_then(|_| self.retry_tokens.withdraw(failure == Failure::Timeout));
                    match delay.zip(paid) {
                        Some((d, cost)) => (d, cost, format!("{failure:?}")),
                        None => {
                            return Err(Failed::Transport {
                                error,
                                failure,
                                attempts,
                            });
                        }
                    }
                }
            };
            let (delay, cost, reason) = action;
            debug!(attempt = attempts, delay_ms = delay.as_millis() as u64, %reason, "retrying");
            retries += 1;
            last_retry_cost = Some(cost);
            self.clock.sleep(delay).await;
        }
    }

    /// Sends one attempt and reads the whole body under the size cap. The only call to
    /// the HTTP client.
    async fn attempt(
        &self,
        mut request: reqwest::Request,
    ) -> std::result::Result<(u16, HeaderMap, Bytes), AttemptError> {
        request
            .headers_mut()
            .entry(ACCEPT_ENCODING)
            .or_insert_with(|| HeaderValue::from_static(ACCEPTED_ENCODINGS));
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(AttemptError::Http)?;
        let status = response.status().as_u16();
        let mut headers = std::mem::take(response.headers_mut());
        match body_limit::read_body(response, &mut headers, self.max_response_bytes).await {
            Ok(body) => Ok((status, headers, body)),
            Err(BodyError::Http(e)) => Err(AttemptError::Http(e)),
            Err(error) => Err(AttemptError::Body {
                status,
                headers,
                error,
            }),
        }
    }

    fn prepare_body(
        &self,
        spec: &RequestSpec,
    ) -> Result<Option<(&'static str, Bytes, Option<Compression>)>> {
        match (
            &spec.body,
            spec.compress.then_some(self.compression).flatten(),
        ) {
            (Body::Empty, _) => Ok(None),
            (Body::Bytes { content_type, data }, None) => {
                Ok(Some((content_type, data.clone(), None)))
            }
            (Body::Bytes { content_type, data }, Some(c)) => {
                let packed = c
                    .compress(data)
                    .map_err(|e| SparkError::invalid("request body", c.token(), e.to_string()))?;
                Ok(Some((content_type, packed.into(), Some(c))))
            }
        }
    }

    /// Resolves the credentials once (fetching an OAuth token if none is cached).
    pub(crate) async fn warm_up(&self) -> Result<()> {
        self.credential().await.map(|_| ())
    }

    async fn credential(&self) -> Result<Credential> {
        if let Some((name, value)) = &self.fixed.credential {
            return Ok(Credential::Header(name.clone(), value.clone()));
        }
        Ok(match &self.auth {
            Auth::Open => Credential::None,
            Auth::ApiKey(key) => Credential::Header(
                HeaderName::from_static(X_SYNTHETIC_KEY),
                sensitive(key.expose(), "API key")?,
            ),
            Auth::Bearer(token) => Credential::Header(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()), "bearer token")?,
            ),
            Auth::OAuth(creds) => {
                let (token, generation) = self
                    .tokens
                    .get(self.clock.as_ref(), || {
                        crate::auth::oauth::fetch_token(self, creds)
                    })
                    .await?;
                Credential::OAuth(
                    sensitive(&format!("Bearer {}", token.expose()), "access token")?,
                    generation,
                )
            }
        })
    }

    /// Standard headers: extra headers first, then the SDK's own (which win).
    fn standard_headers(&self, headers: &mut HeaderMap, request_id: &str) -> Result<()> {
        for (name, value) in &self.fixed.standard {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(
            HeaderName::from_static(X_REQUEST_ID),
            request_id_value(request_id)?,
        );
        Ok(())
    }

    /// The headers of every attempt of a call but the credentials. Precedence, lowest
    /// first: the spec's own headers, the body's content type and encoding, the client's
    /// extra headers, the SDK's headers. Built from the client's fixed map, so lower
    /// ranks are only added where no higher one is set.
    fn call_headers(
        &self,
        spec: &RequestSpec,
        body: &Option<(&'static str, Bytes, Option<Compression>)>,
        request_id: &str,
    ) -> Result<HeaderMap> {
        let mut headers = self.fixed.standard.clone();
        headers.insert(
            HeaderName::from_static(X_REQUEST_ID),
            request_id_value(request_id)?,
        );
        if let Some((content_type, _, compression)) = body {
            headers
                .entry(CONTENT_TYPE)
                .or_insert_with(|| HeaderValue::from_static(content_type));
            if let Some(c) = compression {
                for name in [CONTENT_ENCODING, ACCEPT_ENCODING] {
                    headers
                        .entry(name)
                        .or_insert_with(|| HeaderValue::from_static(c.token()));
                }
            }
        }
        for (name, value) in &spec.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        Ok(headers)
    }

    /// One attempt's request: the call's headers plus this attempt's credentials. Built
    /// directly (not through `RequestBuilder`, which would copy the header map again).
    fn build(
        &self,
        spec: &RequestSpec,
        body: &Option<(&'static str, Bytes, Option<Compression>)>,
        mut headers: HeaderMap,
        credential: Credential,
    ) -> reqwest::Request {
        match credential {
            Credential::None => {}
            Credential::Header(name, value) => {
                headers.insert(name, value);
            }
            Credential::OAuth(value, _) => {
                headers.insert(AUTHORIZATION, value);
            }
        }
        let mut request = reqwest::Request::new(spec.method.clone(), spec.url.clone());
        *request.headers_mut() = headers;
        *request.timeout_mut() = Some(self.timeout);
        if let Some((_, data, _)) = body {
            *request.body_mut() = Some(data.clone().into());
        }
        request
    }

    /// Adds the standard headers (a new `x-request-id` unless one is set) and the
    /// credentials to a request built elsewhere, e.g. by a generated client's `pre` hook.
    pub async fn prepare(&self, request: &mut reqwest::Request) -> Result<()> {
        let request_id = request
            .headers()
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(new_request_id);
        let headers = request.headers_mut();
        self.standard_headers(headers, &request_id)?;
        match self.credential().await? {
            Credential::None => {}
            Credential::Header(name, value) => {
                headers.insert(name, value);
            }
            Credential::OAuth(value, _) => {
                headers.insert(AUTHORIZATION, value);
            }
        }
        if request.timeout().is_none() {
            *request.timeout_mut() = Some(self.timeout);
        }
        Ok(())
    }

    /// Sends a prepared `reqwest::Request` (from a generated client's `exec` hook) with
    /// the same retry rules; the final response is returned whatever its status. A
    /// request whose body cannot be cloned is sent once.
    pub async fn execute(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        let idempotent = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let (mut retries, mut refreshed) = (0u32, false);
        let mut last_retry_cost = None;
        let mut current = request;
        loop {
            let mut spare = current.try_clone();
            let sent_auth = current.headers().get(AUTHORIZATION).cloned();
            let outcome = match self.attempt(current).await {
                Ok(ok) => Ok(ok),
                Err(AttemptError::Http(e)) => Err(e),
                Err(AttemptError::Body {
                    status,
                    headers,
                    error,
                }) => return Ok(refused_body_response(status, headers, error)),
            };
            // 401 with OAuth: drop the token that was used, fetch one, replay once.
            if let (Ok((401, ..)), Auth::OAuth(_), false) = (&outcome, &self.auth, refreshed)
                && let (Some(mut next), Some(used)) = (spare.take(), sent_auth)
            {
                refreshed = true;
                self.tokens.invalidate_header(&used).await;
                if let Ok(Credential::OAuth(value, _)) = self.credential().await {
                    debug!("401 with an OAuth token: refreshing once (generated client)");
                    next.headers_mut().insert(AUTHORIZATION, value);
                    current = next;
                    continue;
                }
            }
            let action = match &outcome {
                Ok((status, headers, _)) if !(200..300).contains(status) => {
                    classify_status(*status, headers, idempotent)
                }
                Ok(_) => {
                    self.retry_tokens.on_success(last_retry_cost);
                    RetryAction::No
                }
                Err(e) => classify_error(Failure::of(e), idempotent),
            };
            let timed_out = matches!(&outcome, Err(e) if e.is_timeout());
            let delay = self
                .policy
                .delay(retries, action, rand::random::<f64>())
                .filter(|_| spare.is_some());
            let paid = delay.and_then(|_| self.retry_tokens.withdraw(timed_out));
            match (delay.zip(paid), spare) {
                (Some((d, cost)), Some(next)) => {
                    last_retry_cost = Some(cost);
                    debug!(
                        retry = retries + 1,
                        delay_ms = d.as_millis() as u64,
                        "retrying generated-client request"
                    );
                    retries += 1;
                    self.clock.sleep(d).await;
                    current = next;
                }
                _ => {
                    let (status, headers, body) = outcome?;
                    let mut rebuilt = http::Response::new(body);
                    *rebuilt.status_mut() =
                        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
                    *rebuilt.headers_mut() = headers;
                    return Ok(reqwest::Response::from(rebuilt));
                }
            }
        }
    }
}

impl Transport {
    /// A bare GET of a URL outside the tenant's origin (a foreign download): no SDK headers
    /// but the user agent, no credentials, no retries, and the same response-size cap and
    /// decoding as every other answer, so a hostile file host cannot exhaust memory either.
    pub(crate) async fn get_foreign(
        &self,
        url: url::Url,
    ) -> std::result::Result<(u16, HeaderMap, Bytes), ForeignError> {
        let path = url.path().to_owned();
        let response = self
            .http
            .get(url)
            .header(http::header::USER_AGENT, user_agent())
            .header(ACCEPT_ENCODING, ACCEPTED_ENCODINGS)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(ForeignError::Http)?;
        let status = response.status().as_u16();
        let mut headers = response.headers().clone();
        match body_limit::read_body(response, &mut headers, self.max_response_bytes).await {
            Ok(body) => Ok((status, headers, body)),
            Err(BodyError::Http(e)) => Err(ForeignError::Http(e)),
            Err(error) => Err(ForeignError::Refused(body_error_for(
                "GET", &path, "", error,
            ))),
        }
    }
}

/// Why [`Transport::get_foreign`] failed: the connection, or a body the cap refused.
pub(crate) enum ForeignError {
    Http(reqwest::Error),
    Refused(SparkError),
}

/// The SDK error for a body the transport refused.
fn body_error(spec: &RequestSpec, request_id: &str, error: BodyError) -> SparkError {
    body_error_for(spec.method.as_str(), spec.url.path(), request_id, error)
}

fn body_error_for(method: &str, path: &str, request_id: &str, error: BodyError) -> SparkError {
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

/// For [`Transport::execute`], whose callers expect a `reqwest::Response`: the status and
/// headers as received, with a body that fails to read with the reason it was refused.
fn refused_body_response(status: u16, headers: HeaderMap, error: BodyError) -> reqwest::Response {
    let reason = match error {
        BodyError::TooLarge { limit, .. } => {
            format!("response body larger than the limit of {limit} bytes")
        }
        BodyError::Corrupt { encoding, reason } => {
            format!("response body is not valid {encoding}: {reason}")
        }
        BodyError::Http(e) => e.without_url().to_string(),
    };
    let failing = futures::stream::once(async move {
        Err::<Bytes, std::io::Error>(std::io::Error::other(reason))
    });
    let mut rebuilt = http::Response::new(reqwest::Body::wrap_stream(failing));
    *rebuilt.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}
