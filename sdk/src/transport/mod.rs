//! The one place that sends HTTP requests.
//!
//! Every call the SDK makes takes the same path to the socket:
//!
//! ```text
//! resource method
//!  ├─ generated call: client.platform().op(..)
//!  │    └─ ClientHooks::exec → hooks::Hooks::exec → Transport::call_of_request ─┐
//!  └─ handwritten RequestSpec (execute, downloads, multipart uploads)           │
//!       └─ Transport::send → Transport::call_of_spec ───────────────────────────┤
//!                                                                               ▼
//!    Transport::run, the one loop: credentials per attempt, OAuth refresh on 401,
//!    retry policy and budget, timeout, body cap
//!       └─ Transport::attempt → reqwest::Client::execute (the socket)
//! ```
//!
//! Both kinds of call become a `Call`: a complete `reqwest::Request` but for the
//! credentials (standard headers, one `x-request-id` for every attempt, the timeout), whose
//! buffered body every attempt shares (`Request::try_clone`, no copy). The loop sends it,
//! reads the whole body under the size cap, classifies the outcome and retries per the
//! [`RetryPolicy`]; a 401 with OAuth credentials triggers one token refresh and one replay,
//! outside the retry budget. Its failure (`Failed`) becomes a [`SparkError`] in one place,
//! `failure`: directly for [`Transport::send`], and for generated calls through the facts the
//! hooks attach to what they hand back to progenitor (see [`crate::hooks`]).
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

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tracing::{Instrument as _, debug, field};

use crate::auth::token_cache::TokenCache;
use crate::auth::{Auth, oauth};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::compression::Compression;
use crate::error::{Result, SparkError};
use crate::retry::budget::RetryTokens;
use crate::retry::classify::{Failure, RetryAction, classify_error, classify_status};
use crate::retry::policy::RetryPolicy;

mod body_limit;
pub(crate) mod failure;
mod headers;
mod request_id;
mod route_cache;
pub(crate) mod spec;

pub use crate::uri::encode::segment as path_segment;
use body_limit::BodyError;
pub use body_limit::DEFAULT_MAX_RESPONSE_BYTES;
pub(crate) use headers::FixedHeaders;
pub use headers::{
    RUSTC_VERSION, SDK_VERSION, X_REQUEST_ID, X_SPARK_UA, X_SYNTHETIC_KEY, X_TENANT_NAME, spark_ua,
    user_agent,
};
pub(crate) use request_id::new_request_id;
pub(crate) use route_cache::RouteCache;
use spec::idempotent_method;
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
    Body { status: u16, error: BodyError },
}

/// `Accept-Encoding` the transport asks for: the codings `body_limit` can inflate.
const ACCEPTED_ENCODINGS: &str = "gzip, deflate";

/// Why the retry loop gave up.
pub(crate) enum Failed {
    /// The final attempt got an error status.
    Status {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
    },
    /// The final attempt got no response.
    Transport {
        error: reqwest::Error,
        failure: Failure,
        attempts: u32,
    },
    /// The SDK stopped the call itself (no credentials, a refused body).
    Spark(SparkError),
}

/// One call, ready for the retry loop: a request complete but for the credentials, which
/// are resolved per attempt; each attempt sends a clone of it (`Request::try_clone`: the
/// buffered body is shared, never copied). Built from a [`RequestSpec`] or from a generated
/// client's request.
pub(crate) struct Call {
    /// Every header but the credentials, `x-request-id` included; the timeout set.
    pub(crate) template: reqwest::Request,
    pub(crate) idempotent: bool,
    pub(crate) authenticate: bool,
    pub(crate) request_id: String,
    /// The call's own operation deadline, else the client's.
    pub(crate) deadline: Option<Duration>,
}

impl Call {
    pub(crate) fn method(&self) -> &Method {
        self.template.method()
    }

    /// The URL path (no host, no query): what logs and errors show.
    pub(crate) fn path(&self) -> &str {
        self.template.url().path()
    }
}

/// Header progenitor adds to every request; Spark does not use it.
const API_VERSION_HEADER: &str = "api-version";

/// Shared HTTP machinery of a [`Client`](crate::Client).
pub struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base: BaseUrl,
    pub(crate) auth: Auth,
    pub(crate) tokens: TokenCache,
    pub(crate) policy: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) timeout: Duration,
    /// Operation deadline across the attempts of one call.
    pub(crate) deadline: Duration,
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
        let call = self.call_of_spec(spec, new_request_id())?;
        self.run(&call)
            .await
            .map_err(|failed| self.failure(&call, failed))
    }

    /// The SDK error for a call that failed: the one conversion of [`Failed`], for
    /// [`send`](Self::send) and (through the response the hooks hand to progenitor) for
    /// generated calls alike.
    pub(crate) fn failure(&self, call: &Call, failed: Failed) -> SparkError {
        let (method, path) = (call.method().as_str(), call.path());
        match failed {
            Failed::Spark(e) => e,
            Failed::Transport {
                error,
                failure,
                attempts,
            } => failure::transport_error(error, failure, method, path, &call.request_id, attempts),
            Failed::Status {
                status,
                headers,
                body,
                attempts,
            } => failure::status_error(failure::StatusFacts {
                status,
                headers: &headers,
                body: &body,
                method,
                path,
                request_id: &call.request_id,
                attempts,
                oauth_rejected: self.oauth_rejected(call, status),
            }),
        }
    }

    /// Whether a final 401 means Spark refused a freshly issued OAuth token (the loop has
    /// already refreshed once).
    pub(crate) fn oauth_rejected(&self, call: &Call, status: u16) -> bool {
        status == 401 && matches!(self.auth, Auth::OAuth(_)) && call.authenticate
    }

    /// Describes a [`RequestSpec`] as a [`Call`]: the body compressed if asked, the call's
    /// headers built once.
    fn call_of_spec(&self, spec: RequestSpec, request_id: String) -> Result<Call> {
        if spec.deadline.is_some_and(|d| d.is_zero()) {
            return Err(SparkError::invalid(
                "deadline",
                "0s",
                "a call needs a deadline above zero",
            ));
        }
        let idempotent = spec.is_idempotent();
        let deadline = spec.deadline;
        let (content, body, compression) = match self.prepare_body(&spec)? {
            Some((content_type, data, compression)) => {
                (Some(content_type), Some(data), compression)
            }
            None => (None, None, None),
        };
        let headers = self.call_headers(&spec.headers, content, compression, &request_id)?;
        let mut template = reqwest::Request::new(spec.method, spec.url);
        *template.headers_mut() = headers;
        *template.timeout_mut() = Some(self.timeout);
        *template.body_mut() = body.map(reqwest::Body::from);
        Ok(Call {
            template,
            idempotent,
            authenticate: spec.authenticate,
            request_id,
            deadline,
        })
    }

    /// Describes a request built elsewhere (a generated client's) as a [`Call`]: the
    /// request itself, with the SDK's headers and timeout. Generated bodies are buffered;
    /// a streaming one cannot be replayed and is refused. Progenitor's `api-version` and
    /// `accept` headers are dropped: Spark does not use them and the handwritten calls
    /// never sent them, so the wire is the same whichever way a call was made.
    pub(crate) fn call_of_request(
        &self,
        mut request: reqwest::Request,
        idempotent: Option<bool>,
        authenticate: bool,
    ) -> Result<Call> {
        if request.body().is_some_and(|b| b.as_bytes().is_none()) {
            return Err(SparkError::invalid(
                "request body",
                request.url().path(),
                "a streaming body cannot be replayed",
            ));
        }
        let mut own = std::mem::take(request.headers_mut());
        own.remove(API_VERSION_HEADER);
        own.remove(ACCEPT);
        let content = own.remove(CONTENT_TYPE);
        let request_id = new_request_id();
        let mut headers = self.call_headers(&own, None, None, &request_id)?;
        if let (Some(value), Some(_)) = (content, request.body()) {
            headers.entry(CONTENT_TYPE).or_insert(value);
        }
        *request.headers_mut() = headers;
        *request.timeout_mut() = Some(self.timeout);
        let idempotent = idempotent.unwrap_or_else(|| idempotent_method(request.method()));
        Ok(Call {
            template: request,
            idempotent,
            authenticate,
            request_id,
            deadline: None,
        })
    }

    /// The one retry loop: every request the SDK sends, handwritten or generated, goes
    /// through here. Resolves credentials per attempt, refreshes an OAuth token once on
    /// 401, classifies each outcome and retries per the policy and the retry budget.
    pub(crate) async fn run(&self, call: &Call) -> std::result::Result<Response, Failed> {
        // Without a subscriber at DEBUG this is a disabled span: no fields are formatted.
        let span = tracing::debug_span!(
            "spark.http",
            method = %call.method(),
            path = %call.path(),
            request_id = %call.request_id,
            status = field::Empty,
            attempts = field::Empty,
        );
        Box::pin(self.retry_loop(call)).instrument(span).await
    }

    async fn retry_loop(&self, call: &Call) -> std::result::Result<Response, Failed> {
        let (mut attempts, mut retries, mut refreshed) = (0u32, 0u32, false);
        let mut last_retry_cost = None;
        let started = self.clock.now();
        let deadline = call.deadline.unwrap_or(self.deadline);
        // Time left of the deadline after waiting `delay` (None: a retry would start past it).
        let left_after = |delay: Duration| {
            let spent = self.clock.now().saturating_duration_since(started);
            deadline.checked_sub(spent + delay).filter(|d| !d.is_zero())
        };
        loop {
            attempts += 1;
            let credential = if call.authenticate {
                self.credential().await.map_err(Failed::Spark)?
            } else {
                Credential::None
            };
            let oauth_generation = match &credential {
                Credential::OAuth(_, generation) => Some(*generation),
                _ => None,
            };
            let mut request = self.build(call, credential).map_err(Failed::Spark)?;
            // The attempt may not run past the call's deadline either.
            if let (Some(left), Some(timeout)) = (left_after(Duration::ZERO), request.timeout_mut())
            {
                *timeout = (*timeout).min(left);
            }
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
                            request_id: call.request_id.clone(),
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
                    let action = classify_status(status, &headers, call.idempotent);
                    let delay = self
                        .policy
                        .delay(retries, action, rand::random::<f64>())
                        .filter(|d| left_after(*d).is_some());
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
                Err(AttemptError::Body { status, error }) => {
                    tracing::Span::current()
                        .record("status", status)
                        .record("attempts", attempts);
                    return Err(Failed::Spark(failure::body_error(
                        call.method().as_str(),
                        call.path(),
                        &call.request_id,
                        error,
                    )));
                }
                Err(AttemptError::Http(error)) => {
                    let failure = Failure::of(&error);
                    tracing::Span::current().record("attempts", attempts);
                    debug!(attempt = attempts, ?failure, "spark request failed");
                    let action: RetryAction = classify_error(failure, call.idempotent);
                    let delay = self
                        .policy
                        .delay(retries, action, rand::random::<f64>())
                        .filter(|d| left_after(*d).is_some());
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
            Err(error) => Err(AttemptError::Body { status, error }),
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

    /// Exchanges OAuth client credentials for a token: the request and the reading of the
    /// answer are `auth::oauth`'s, the sending (through [`send`](Self::send): standard
    /// headers, retries, no credentials) is the transport's.
    pub(crate) async fn fetch_token(
        &self,
        creds: &crate::auth::OAuthCredentials,
    ) -> Result<crate::auth::token_cache::FreshToken> {
        let request = oauth::token_request(&self.base.token_url(), creds)?;
        oauth::token_of(self.send(request).await, creds, self.base.tenant())
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
                    .get(self.clock.as_ref(), || self.fetch_token(creds))
                    .await?;
                Credential::OAuth(
                    sensitive(&format!("Bearer {}", token.expose()), "access token")?,
                    generation,
                )
            }
        })
    }

    /// The headers of every attempt of a call but the credentials. Precedence, lowest
    /// first: the call's own headers, the body's content type and encoding, the client's
    /// extra headers, the SDK's headers. Built from the client's fixed map, so lower
    /// ranks are only added where no higher one is set.
    fn call_headers(
        &self,
        own: &HeaderMap,
        content_type: Option<&'static str>,
        compression: Option<Compression>,
        request_id: &str,
    ) -> Result<HeaderMap> {
        let mut headers = self.fixed.standard.clone();
        headers.insert(
            HeaderName::from_static(X_REQUEST_ID),
            request_id_value(request_id)?,
        );
        if let Some(content_type) = content_type {
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
        for (name, value) in own {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        Ok(headers)
    }

    /// One attempt's request: the call's headers plus this attempt's credentials. Built
    /// directly (not through `RequestBuilder`, which would copy the header map again).
    /// One attempt's request: a clone of the call's, plus this attempt's credentials.
    fn build(&self, call: &Call, credential: Credential) -> Result<reqwest::Request> {
        let mut request = call.template.try_clone().ok_or_else(|| {
            SparkError::invalid(
                "request body",
                call.path(),
                "a streaming body cannot be replayed",
            )
        })?;
        match credential {
            Credential::None => {}
            Credential::Header(name, value) => {
                request.headers_mut().insert(name, value);
            }
            Credential::OAuth(value, _) => {
                request.headers_mut().insert(AUTHORIZATION, value);
            }
        }
        Ok(request)
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
            Err(error) => Err(ForeignError::Refused(failure::body_error(
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
