//! The bridge for progenitor-generated clients.
//!
//! A generated `Client` built with `with_inner_type(crate::hooks::HookState)` and
//! `HooksMode::Expected` delegates its `pre` and `exec` hooks here. The impl that wires it
//! up (next to the generated module) is:
//!
//! ```text
//! impl progenitor_client::ClientHooks<crate::hooks::HookState> for platform::Client {
//!     async fn pre<E>(&self, req: &mut reqwest::Request, _: &progenitor_client::OperationInfo)
//!         -> Result<(), progenitor_client::Error<E>> {
//!         progenitor_client::ClientInfo::inner(self).pre(req).await
//!     }
//!     async fn exec(&self, req: reqwest::Request, _: &progenitor_client::OperationInfo)
//!         -> reqwest::Result<reqwest::Response> {
//!         progenitor_client::ClientInfo::inner(self).exec(req).await
//!     }
//! }
//! ```
//!
//! `exec` hands the request to [`Transport::send`](crate::transport::Transport::send), the
//! very code path of the handwritten resources. So a generated call sends the same bytes
//! (standard headers, credentials with the OAuth refresh on 401, retries) and fails with the
//! same [`SparkError`] — real attempts, method, path, request id and `Retry-After`. That
//! error cannot travel through progenitor's `Error` type, so `exec` keeps it in the state's
//! call record, where [`HookState::take_error`] finds it once the generated method returns.
//!
//! Build the generated client with `platform::Client::new_with_client(origin, http, state)`,
//! where `state = HookState::new(&client)`, `origin = client.base_url().origin()` (generated
//! paths carry the tenant themselves) and `http` is any `reqwest::Client` (the SDK applies
//! its own per-request timeout).

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};

use crate::client::Client;
use crate::error::{ApiErrorBody, SparkError};
use crate::transport::{Body, RequestSpec};

/// Header progenitor adds to every request; Spark does not use it, so `pre` removes it.
pub const API_VERSION_HEADER: &str = "api-version";

/// What the last call made through one [`HookState`] left behind.
#[derive(Default)]
struct CallRecord {
    /// The SDK error of a failed call, waiting for [`HookState::take_error`].
    error: Option<SparkError>,
    /// The `x-request-id` of the last successful call (for decode errors).
    request_id: Option<String>,
    /// The body of the last successful call (shared, not copied), for operations whose
    /// response the SDK decodes itself.
    body: Option<Bytes>,
}

impl std::fmt::Debug for CallRecord {
    // The body may be large (batch results): its length is enough in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecord")
            .field("error", &self.error)
            .field("request_id", &self.request_id)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .finish()
    }
}

/// State carried by a generated client: the SDK client it delegates to and the record of
/// its last call.
///
/// Errors are recorded per `HookState`; concurrent calls through one generated client can
/// overwrite each other's record, so the SDK's resources build one generated client per call.
#[derive(Debug, Clone)]
pub struct HookState {
    client: Client,
    record: Arc<Mutex<CallRecord>>,
    idempotent: Option<bool>,
    authenticate: bool,
}

impl HookState {
    /// Wraps an SDK client (cheap: the client is an `Arc`).
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
            record: Arc::default(),
            idempotent: None,
            authenticate: true,
        }
    }

    /// Declares the calls safe to replay after they may have reached the server (like
    /// [`RequestSpec::idempotent`]); read-only POSTs such as searches use it.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = Some(yes);
        self
    }

    /// Sends the calls without credentials (like [`RequestSpec::without_auth`]), e.g. the
    /// health check of the host.
    pub fn without_auth(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// For `ClientHooks::pre`: removes the headers progenitor adds that the SDK does not
    /// send (`api-version`, and `accept`, which the handwritten calls never sent either, so
    /// the wire stays identical). Standard headers and credentials are added per attempt
    /// by `exec`, which also refreshes OAuth tokens.
    pub async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().remove(API_VERSION_HEADER);
        request.headers_mut().remove(ACCEPT);
        Ok(())
    }

    /// For `ClientHooks::exec`: sends with the SDK's transport (headers, credentials,
    /// retries) and returns the final response. A failed call leaves its [`SparkError`] in
    /// the record and returns the final error status (or, for transport failures, a
    /// `reqwest` error) so the generated method fails too.
    pub async fn exec(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        let outcome = match self.spec_of(request) {
            Ok(spec) => self.client.transport().send(spec).await,
            Err(e) => Err(e),
        };
        let mut record = self.record.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Ok(response) => {
                record.error = None;
                record.request_id = Some(response.request_id().to_owned());
                record.body = Some(response.body().clone());
                let mut rebuilt = http::Response::new(response.body().clone());
                *rebuilt.status_mut() = http::StatusCode::from_u16(response.status())
                    .unwrap_or(http::StatusCode::BAD_GATEWAY);
                *rebuilt.headers_mut() = response.headers().clone();
                Ok(reqwest::Response::from(rebuilt))
            }
            Err(error) => {
                let (status, body) = match &error {
                    SparkError::Api(api) => (api.status, error_body(&api.body)),
                    _ => (599, Bytes::from_static(b"{}")),
                };
                record.error = Some(error);
                record.request_id = None;
                record.body = None;
                let mut rebuilt = http::Response::new(body);
                *rebuilt.status_mut() = http::StatusCode::from_u16(status)
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                rebuilt.headers_mut().insert(
                    CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                let response = reqwest::Response::from(rebuilt);
                if status == 599 {
                    // No HTTP answer to hand over: fail with a reqwest error instead.
                    response.error_for_status()
                } else {
                    Ok(response)
                }
            }
        }
    }

    /// The error the last failed call left behind, if any (taken: a second call returns
    /// `None`).
    pub fn take_error(&self) -> Option<SparkError> {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .error
            .take()
    }

    /// The body of the last successful call (taken).
    pub fn take_body(&self) -> Option<Bytes> {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .body
            .take()
    }

    /// The `x-request-id` of the last successful call.
    pub fn last_request_id(&self) -> Option<String> {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .request_id
            .clone()
    }

    /// Describes a generated request as a [`RequestSpec`]. Generated bodies are JSON
    /// (multipart operations stay handwritten) and always buffered.
    fn spec_of(&self, request: reqwest::Request) -> crate::Result<RequestSpec> {
        let mut spec = RequestSpec::new(request.method().clone(), request.url().as_str())?;
        for (name, value) in request.headers() {
            if name != CONTENT_TYPE && name.as_str() != API_VERSION_HEADER && name != ACCEPT {
                spec = spec.header(name.clone(), value.clone());
            }
        }
        if let Some(body) = request.body() {
            let data = body.as_bytes().ok_or_else(|| {
                SparkError::invalid(
                    "request body",
                    request.url().path(),
                    "a generated call sent a streaming body",
                )
            })?;
            spec = spec.body(Body::Bytes {
                content_type: "application/json",
                data: Bytes::copy_from_slice(data),
            });
        }
        if let Some(yes) = self.idempotent {
            spec = spec.idempotent(yes);
        }
        if !self.authenticate {
            spec = spec.without_auth();
        }
        Ok(spec)
    }
}

/// A JSON error body the generated code can decode (into its all-optional `SparkError`
/// type) for callers that read the generated error rather than the recorded one.
fn error_body(body: &ApiErrorBody) -> Bytes {
    let value = match body {
        ApiErrorBody::V3 {
            error_category,
            error_type,
            message,
            additional_details,
        } => serde_json::json!({"status": "Error", "error": {
            "error_category": error_category, "error_type": error_type,
            "message": message, "additional_details": additional_details}}),
        ApiErrorBody::V4 {
            error_type,
            code,
            message,
        } => serde_json::json!({"type": error_type, "code": code, "message": message}),
        ApiErrorBody::V1 {
            error_code,
            message,
        } => serde_json::json!({"errorCode": error_code, "message": message}),
        ApiErrorBody::Raw(text) => serde_json::json!({"message": text}),
    };
    serde_json::to_vec(&value).map_or_else(|_| Bytes::from_static(b"{}"), Bytes::from)
}
