//! The one place that sends HTTP requests.
//!
//! Each call is described by a replayable [`RequestSpec`]; [`Transport::send`] builds a
//! fresh `reqwest::Request` from it for every attempt (same `x-request-id`, fresh auth
//! header), sends it, reads the whole body, classifies the outcome and retries per the
//! [`RetryPolicy`]. A 401 with OAuth credentials triggers one token refresh and one
//! replay, outside the retry budget.
//!
//! Generated clients (progenitor `ClientHooks`) delegate here: `pre` calls
//! [`Transport::prepare`] to add the standard and auth headers, `exec` calls
//! [`Transport::execute`], which runs the same retry loop on `Request::try_clone`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tracing::{Instrument as _, debug, field};

use crate::auth::Auth;
use crate::auth::token_cache::TokenCache;
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::compression::Compression;
use crate::error::{ApiError, ApiErrorBody, ApiErrorKind, Result, SparkError, TransportKind};
use crate::retry::classify::{
    Failure, RetryAction, classify_error, classify_status, parse_retry_after,
};
use crate::retry::policy::RetryPolicy;

mod headers;
mod spec;

pub use headers::*;
pub use spec::{Body, RequestSpec, Response};

/// Credentials resolved for one attempt.
enum Credential {
    None,
    Header(HeaderName, HeaderValue),
    OAuth(HeaderValue, u64),
}

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
    pub(crate) extra_headers: HeaderMap,
    pub(crate) compression: Option<Compression>,
    pub(crate) tenant_header: HeaderValue,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
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
        let request_id = uuid::Uuid::new_v4().to_string();
        let span = tracing::debug_span!(
            "spark.http",
            method = %spec.method,
            path = %spec.url.path(),
            request_id = %request_id,
            status = field::Empty,
            attempts = field::Empty,
        );
        let method = spec.method.to_string();
        let path = spec.url.path().to_owned();
        let outcome = Box::pin(self.run(&spec, &request_id))
            .instrument(span)
            .await;
        match outcome {
            Ok(r) => Ok(r),
            Err(Failed::Spark(e)) => Err(e),
            Err(Failed::Transport {
                failure: Failure::Timeout,
                attempts,
                ..
            }) => Err(SparkError::Timeout {
                method,
                path,
                request_id,
                attempts,
            }),
            Err(Failed::Transport {
                error,
                failure,
                attempts,
            }) => Err(SparkError::Transport {
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
            Err(Failed::Status {
                status,
                headers,
                body,
                attempts,
            }) => {
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
        let idempotent = spec.is_idempotent();
        let (mut attempts, mut retries, mut refreshed) = (0u32, 0u32, false);
        loop {
            attempts += 1;
            let credential = if spec.authenticate {
                self.credential().await.map_err(Failed::Spark)?
            } else {
                Credential::None
            };
            let request = self
                .build(spec, &body, request_id, &credential)
                .map_err(Failed::Spark)?;
            let action = match self.attempt(request).await {
                Ok((status, headers, bytes)) => {
                    tracing::Span::current()
                        .record("status", status)
                        .record("attempts", attempts);
                    debug!(attempt = attempts, status, "spark response");
                    if (200..300).contains(&status) {
                        return Ok(Response {
                            status,
                            headers,
                            body: bytes,
                            request_id: request_id.to_owned(),
                            attempts,
                        });
                    }
                    if let (401, Credential::OAuth(_, generation), false) =
                        (status, &credential, refreshed)
                    {
                        debug!(
                            attempt = attempts,
                            "401 with an OAuth token: refreshing once"
                        );
                        self.tokens.invalidate(*generation).await;
                        refreshed = true;
                        continue;
                    }
                    let action = classify_status(status, &headers);
                    let delay = self.policy.delay(retries, action, rand::random::<f64>());
                    match delay {
                        Some(d) => (d, format!("status {status}")),
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
                Err(error) => {
                    let failure = Failure::of(&error);
                    tracing::Span::current().record("attempts", attempts);
                    debug!(attempt = attempts, ?failure, "spark request failed");
                    let action: RetryAction = classify_error(failure, idempotent);
                    match self.policy.delay(retries, action, rand::random::<f64>()) {
                        Some(d) => (d, format!("{failure:?}")),
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
            let (delay, reason) = action;
            debug!(attempt = attempts, delay_ms = delay.as_millis() as u64, %reason, "retrying");
            retries += 1;
            self.clock.sleep(delay).await;
        }
    }

    /// Sends one attempt and reads the whole body. The only call to the HTTP client.
    async fn attempt(&self, request: reqwest::Request) -> reqwest::Result<(u16, HeaderMap, Bytes)> {
        let response = self.http.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok((status, headers, body))
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
        for (name, value) in &self.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&user_agent())
                .unwrap_or(HeaderValue::from_static("Coherent Spark SDK")),
        );
        headers.insert(
            HeaderName::from_static(X_SPARK_UA),
            HeaderValue::from_str(&spark_ua())
                .unwrap_or(HeaderValue::from_static("agent=spark-rust-sdk")),
        );
        let id = HeaderValue::from_str(request_id).map_err(|_| {
            SparkError::invalid("request id", request_id, "not a valid header value")
        })?;
        headers.insert(HeaderName::from_static(X_REQUEST_ID), id);
        headers.insert(
            HeaderName::from_static(X_TENANT_NAME),
            self.tenant_header.clone(),
        );
        Ok(())
    }

    fn build(
        &self,
        spec: &RequestSpec,
        body: &Option<(&'static str, Bytes, Option<Compression>)>,
        request_id: &str,
        credential: &Credential,
    ) -> Result<reqwest::Request> {
        let mut headers = spec.headers.clone();
        if let Some((content_type, _, compression)) = body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Some(c) = compression {
                headers.insert(CONTENT_ENCODING, HeaderValue::from_static(c.token()));
                headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(c.token()));
            }
        }
        self.standard_headers(&mut headers, request_id)?;
        match credential {
            Credential::None => {}
            Credential::Header(name, value) => {
                headers.insert(name.clone(), value.clone());
            }
            Credential::OAuth(value, _) => {
                headers.insert(AUTHORIZATION, value.clone());
            }
        }
        let mut builder = self
            .http
            .request(spec.method.clone(), spec.url.clone())
            .headers(headers)
            .timeout(self.timeout);
        if let Some((_, data, _)) = body {
            builder = builder.body(data.clone());
        }
        builder.build().map_err(|e| {
            SparkError::invalid("request", spec.url.path(), e.without_url().to_string())
        })
    }

    /// Adds the standard headers (a new `x-request-id` unless one is set) and the
    /// credentials to a request built elsewhere, e.g. by a generated client's `pre` hook.
    pub async fn prepare(&self, request: &mut reqwest::Request) -> Result<()> {
        let request_id = request
            .headers()
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
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
        let mut current = request;
        loop {
            let mut spare = current.try_clone();
            let sent_auth = current.headers().get(AUTHORIZATION).cloned();
            let outcome = self.attempt(current).await;
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
                    classify_status(*status, headers)
                }
                Ok(_) => RetryAction::No,
                Err(e) => classify_error(Failure::of(e), idempotent),
            };
            let delay = self.policy.delay(retries, action, rand::random::<f64>());
            match (delay, spare) {
                (Some(d), Some(next)) => {
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
