//! [`RequestSpec`] (what to send, replayable) and [`Response`] (what came back).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::error::{Result, SparkError};

/// A request body, kept as bytes so every attempt can resend it.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// Bytes with a content type.
    Bytes {
        /// `Content-Type` value.
        content_type: &'static str,
        /// The payload.
        data: Bytes,
    },
}

/// A replayable description of one API call.
///
/// ```no_run
/// use cspark::transport::RequestSpec;
/// # async fn demo(client: &cspark::Client) -> cspark::Result<()> {
/// let spec = RequestSpec::get(&format!("{}/api/v3/health", client.base_url().full()))?;
/// let response = client.transport().send(spec).await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RequestSpec {
    pub(crate) method: Method,
    pub(crate) url: url::Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) idempotent: Option<bool>,
    pub(crate) authenticate: bool,
    pub(crate) compress: bool,
    pub(crate) deadline: Option<std::time::Duration>,
}

impl RequestSpec {
    /// A request to an absolute URL.
    pub fn new(method: Method, url: &str) -> Result<Self> {
        let url =
            url::Url::parse(url).map_err(|e| SparkError::invalid("URL", url, e.to_string()))?;
        Ok(Self::to_url(method, url))
    }

    /// A request to an already parsed URL (the typed calls' cached routes).
    pub(crate) fn to_url(method: Method, url: url::Url) -> Self {
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::Empty,
            idempotent: None,
            deadline: None,
            authenticate: true,
            compress: false,
        }
    }

    /// `GET url`.
    pub fn get(url: &str) -> Result<Self> {
        Self::new(Method::GET, url)
    }

    /// `POST url`.
    pub fn post(url: &str) -> Result<Self> {
        Self::new(Method::POST, url)
    }

    /// A JSON body (serialised once).
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let data = serde_json::to_vec(body)
            .map_err(|e| SparkError::invalid("request body", "<json>", e.to_string()))?;
        self.body = Body::Bytes {
            content_type: "application/json",
            data: data.into(),
        };
        Ok(self)
    }

    /// A `application/x-www-form-urlencoded` body.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let data = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Body::Bytes {
            content_type: "application/x-www-form-urlencoded",
            data: data.into(),
        };
        self
    }

    /// A JSON body already serialised.
    pub(crate) fn json_bytes(mut self, data: Vec<u8>) -> Self {
        self.body = Body::Bytes {
            content_type: "application/json",
            data: data.into(),
        };
        self
    }

    /// A raw body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.url.query_pairs_mut().append_pair(name, value);
        self
    }

    /// Adds a header (per-call headers lose to extra headers and SDK headers).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Declares whether the request may be replayed after it may have reached the
    /// server. Default: true for GET, HEAD, PUT, DELETE, OPTIONS.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = Some(yes);
        self
    }

    /// Sends no credentials (the standard headers are still sent).
    pub fn without_auth(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// The operation deadline of this call (every attempt and back-off), instead of the
    /// client's ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)). A zero
    /// deadline is refused when the call is sent.
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// [`deadline`](Self::deadline) when one is given (the call options' `deadline`).
    pub(crate) fn deadline_if(mut self, deadline: Option<std::time::Duration>) -> Self {
        if deadline.is_some() {
            self.deadline = deadline;
        }
        self
    }

    /// Compresses the body with the client's [`Compression`](crate::Compression), if one is configured.
    pub fn compressible(mut self) -> Self {
        self.compress = true;
        self
    }

    /// The URL path (no host, no query): what logs and errors show.
    pub fn path(&self) -> &str {
        self.url.path()
    }

    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent
            .unwrap_or_else(|| idempotent_method(&self.method))
    }
}

impl std::fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = match &self.body {
            Body::Empty => 0,
            Body::Bytes { data, .. } => data.len(),
        };
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path", &self.url.path())
            .field("body_len", &len)
            .finish_non_exhaustive()
    }
}

/// A successful response, fully read.
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) request_id: String,
    pub(crate) attempts: u32,
}

impl Response {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Raw body (already decompressed).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The `x-request-id` sent.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Attempts it took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decodes the body as JSON; `what` names the payload in the error.
    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &'static str) -> Result<T> {
        serde_json::from_slice(&self.body)
            .map_err(|e| SparkError::decode(what, &self.request_id, &e, &self.body))
    }
}

/// GET, HEAD, PUT, DELETE and OPTIONS may be replayed after they may have reached the
/// server; anything else only if declared so.
pub(crate) fn idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}
