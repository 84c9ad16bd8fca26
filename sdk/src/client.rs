//! [`Client`] and its [`ClientBuilder`].

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::Auth;
use crate::auth::token_cache::TokenCache;
use crate::base_url::BaseUrl;
use crate::clock::{Clock, SystemClock};
use crate::compression::Compression;
use crate::config::{
    self, CONNECT_TIMEOUT, Config, DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_INTERVAL, DEFAULT_TIMEOUT,
};
use crate::env::{self, EnvLookup};
use crate::error::{Result, SparkError};
use crate::generated::PlatformClient;
use crate::hooks::Hooks;
use crate::retry::RetryBudget;
use crate::retry::budget::RetryTokens;
use crate::retry::policy::RetryPolicy;
use crate::transport::{DEFAULT_MAX_RESPONSE_BYTES, FixedHeaders, RouteCache, Transport};

/// A Spark client. Cheap to clone (an `Arc` inside); share one per tenant.
///
/// ```no_run
/// # async fn demo() -> cspark::Result<()> {
/// let client = cspark::Client::builder()
///     .base_url("https://excel.uat.us.coherent.global/my-tenant")
///     .auth(cspark::Auth::api_key("my-api-key"))
///     .build()?;
/// let health = client.health().await?;
/// println!("{}", health.is_up());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) transport: Arc<Transport>,
    pub(crate) config: Arc<Config>,
    /// The generated platform client, built once; it sends through `transport`.
    pub(crate) platform: Arc<PlatformClient>,
}

impl Client {
    /// Starts a builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured only from the `CSPARK_*` environment variables.
    pub fn from_env() -> Result<Self> {
        Self::builder().build()
    }

    /// The resolved settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Base URL and tenant.
    pub fn base_url(&self) -> &BaseUrl {
        &self.transport.base
    }

    /// The HTTP machinery, for generated clients and custom calls.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The platform client generated from `openapi/spark.yaml`, built once with this client
    /// and sharing its transport. Plumbing: the resources call it, and tests drive the
    /// generated path through it. It is hidden because its signatures carry
    /// `progenitor_client` types, which are not part of this crate's API; every operation
    /// it has is a method of a resource (`client.services()`, `client.impex()`, ...).
    #[doc(hidden)]
    pub fn platform(&self) -> &PlatformClient {
        &self.platform
    }
}

/// The hooks of a generated client that sends through this client (cheap: an `Arc`), for
/// clients generated with `cspark-codegen platform --standalone`.
impl From<&Client> for Hooks {
    fn from(client: &Client) -> Self {
        Hooks::of(Arc::clone(&client.transport))
    }
}

/// Builds a [`Client`]; unset values fall back to the `CSPARK_*` environment variables.
pub struct ClientBuilder {
    base_url: Option<String>,
    env: Option<String>,
    tenant: Option<String>,
    auth: Option<Auth>,
    timeout: Duration,
    read_timeout: Duration,
    deadline: Duration,
    max_retries: u32,
    retry_interval: Duration,
    max_backoff: Duration,
    headers: Vec<(String, String)>,
    http: Option<reqwest::ClientBuilder>,
    max_response_bytes: u64,
    retry_budget: RetryBudget,
    clock: Arc<dyn Clock>,
    env_lookup: EnvLookup,
    compression: Option<Compression>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            env: None,
            tenant: None,
            auth: None,
            timeout: DEFAULT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_interval: DEFAULT_RETRY_INTERVAL,
            max_backoff: RetryPolicy::default().max_backoff,
            headers: Vec::new(),
            http: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry_budget: RetryBudget::default(),
            clock: Arc::new(SystemClock),
            env_lookup: env::process_env(),
            compression: None,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("env", &self.env)
            .field("tenant", &self.tenant)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("retry_interval", &self.retry_interval)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_budget", &self.retry_budget)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Base URL with tenant, e.g. `https://excel.uat.us.coherent.global/my-tenant` or
    /// `http://127.0.0.1:8080/my-tenant`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Spark environment (e.g. `uat.us`), used with [`tenant`](Self::tenant) when no
    /// base URL is given.
    pub fn env(mut self, env: impl Into<String>) -> Self {
        self.env = Some(env.into());
        self
    }

    /// Tenant, used when the base URL has no tenant path segment.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Credentials.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Shorthand for `auth(Auth::api_key(key))`.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.auth(Auth::api_key(key))
    }

    /// Shorthand for `auth(Auth::bearer(token))`.
    pub fn bearer(self, token: impl Into<String>) -> Self {
        self.auth(Auth::bearer(token))
    }

    /// Uses a Spark access token as bearer token and, unless a base URL or env was
    /// given, takes the base URL and tenant from its `iss` / `realm` claims.
    pub fn jwt(mut self, token: &str) -> Result<Self> {
        let info = crate::auth::jwt::decode(token)?;
        if self.base_url.is_none() && self.env.is_none() {
            self.base_url = Some(info.base_url.full());
        }
        Ok(self.auth(Auth::bearer(token)))
    }

    /// Operation deadline across every attempt of one call (default 180 s): no retry starts
    /// past it, and an attempt's own timeout is cut to what is left of it. Must be positive.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Per-attempt timeout (default 60 s). Must be positive.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Longest silence while reading an answer, headers or body (default 60 s): a server
    /// that stops sending mid-body fails the attempt then, even under a longer
    /// [`timeout`](Self::timeout). It matters only when shorter than that timeout (which
    /// bounds every silence already), and only then is it set, also on a custom
    /// [`http_client`](Self::http_client). Must be positive.
    pub fn read_timeout(mut self, read_timeout: Duration) -> Self {
        self.read_timeout = read_timeout;
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retries).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// First back-off step (default 1 s); later steps double, capped at 20 s.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Adds a header sent with every request. It cannot override the SDK's own
    /// headers (`User-Agent`, `x-spark-ua`, `x-request-id`, `x-tenant-name`, auth).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Builds the HTTP client from your own `reqwest::ClientBuilder` (proxies, TLS, root
    /// certificates, …). The SDK still applies its timeout to each request.
    ///
    /// Two settings are forced on it, because they protect your credentials and memory:
    /// - **redirects are never followed** (`redirect::Policy::none()`): a redirect would
    ///   replay the API key, extra headers, the `Authorization` header or, for the token
    ///   request, the OAuth `client_secret` to whatever origin the `Location` names. A 3xx
    ///   answer is returned as an error status instead;
    /// - **automatic decompression is off**: the SDK inflates gzip and deflate bodies
    ///   itself, counting the bytes, so [`max_response_bytes`](Self::max_response_bytes)
    ///   holds for the decompressed size too.
    ///
    /// This takes a builder rather than a built `reqwest::Client` because a built client's
    /// redirect policy can be neither read nor changed.
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Largest response body accepted, in bytes, both as received and once decompressed
    /// (default [`DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB). A larger body stops reading at the
    /// cap and fails with [`SparkError::ResponseTooLarge`]. Must be positive.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The client-wide retry budget shared by all calls (default: 100 tokens, 5 per retry,
    /// 10 per timeout retry, 1 back per success; see [`RetryBudget`]).
    /// [`RetryBudget::unlimited()`] leaves only `max_retries` in charge.
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = budget;
        self
    }

    /// Compresses execute request bodies.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// Replaces the clock (tests: [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the process environment as the source of `CSPARK_*` values.
    ///
    /// ```no_run
    /// let client = cspark::Client::builder()
    ///     .env_lookup(|name| (name == "CSPARK_BASE_URL").then(|| "http://127.0.0.1:8080/t".to_owned()))
    ///     .auth(cspark::Auth::Open)
    ///     .build();
    /// ```
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env_lookup = Arc::new(lookup);
        self
    }

    /// Validates everything and builds the client. Errors name the offending value.
    pub fn build(self) -> Result<Client> {
        let base_url = config::resolve_base_url(
            self.base_url.as_deref(),
            self.env.as_deref(),
            self.tenant.as_deref(),
            &self.env_lookup,
        )?;
        let auth = match self.auth {
            Some(a) => a,
            None => config::resolve_auth(&self.env_lookup)?,
        };
        config::validate_auth(&auth)?;
        if self.timeout.is_zero() {
            return Err(SparkError::config(
                "timeout",
                format!("{:?}", self.timeout),
                "must be positive",
            ));
        }
        if self.deadline.is_zero() {
            return Err(SparkError::config(
                "deadline",
                format!("{:?}", self.deadline),
                "must be positive",
            ));
        }
        if self.retry_interval > Duration::from_secs(600) {
            return Err(SparkError::config(
                "retry_interval",
                format!("{:?}", self.retry_interval),
                "must be at most 10 minutes",
            ));
        }
        let mut extra = HeaderMap::new();
        for (name, value) in &self.headers {
            let n = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                SparkError::config("header", name.clone(), "not a valid header name")
            })?;
            let mut v = HeaderValue::from_str(value).map_err(|_| {
                SparkError::config(
                    "header",
                    name.clone(),
                    "value contains characters not allowed in a header",
                )
            })?;
            v.set_sensitive(true);
            extra.insert(n, v);
        }
        let tenant_header = HeaderValue::from_str(base_url.tenant()).map_err(|_| {
            SparkError::config(
                "tenant",
                base_url.tenant(),
                "not usable in the x-tenant-name header",
            )
        })?;
        if self.max_response_bytes == 0 {
            return Err(SparkError::config(
                "max_response_bytes",
                "0",
                "must be positive",
            ));
        }
        let (http, which) = match self.http {
            Some(builder) => (builder, "custom"),
            None => (
                reqwest::Client::builder().connect_timeout(self.timeout.min(CONNECT_TIMEOUT)),
                "default",
            ),
        };
        if self.read_timeout.is_zero() {
            return Err(SparkError::config(
                "read_timeout",
                format!("{:?}", self.read_timeout),
                "must be positive",
            ));
        }
        // A silence can never outlast the attempt, so a read timeout no shorter than the
        // attempt's is left out: it would only arm a timer on every read (about 1 µs of CPU
        // per call in P1).
        let http = if self.read_timeout < self.timeout {
            http.read_timeout(self.read_timeout)
        } else {
            http
        };
        // Forced whatever the caller configured: see `http_client`.
        let http = http
            .redirect(reqwest::redirect::Policy::none())
            .no_gzip()
            .no_deflate()
            .build()
            .map_err(|e| SparkError::config("http_client", which, e.to_string()))?;
        let config = Config {
            base_url: base_url.clone(),
            auth: auth.clone(),
            timeout: self.timeout,
            max_retries: self.max_retries,
            retry_interval: self.retry_interval,
            extra_header_names: extra.keys().map(|k| k.as_str().to_owned()).collect(),
            max_response_bytes: self.max_response_bytes,
            retry_budget: self.retry_budget,
        };
        let fixed = FixedHeaders::new(&extra, &tenant_header, &auth);
        let transport = Transport {
            http,
            base: base_url,
            auth,
            tokens: TokenCache::default(),
            policy: RetryPolicy {
                max_retries: self.max_retries,
                base: self.retry_interval,
                max_backoff: self.max_backoff.max(self.retry_interval),
            },
            clock: self.clock,
            timeout: self.timeout,
            deadline: self.deadline,
            compression: self.compression,
            fixed,
            routes: RouteCache::default(),
            max_response_bytes: self.max_response_bytes,
            retry_tokens: RetryTokens::new(self.retry_budget),
        };
        let transport = Arc::new(transport);
        let platform = Arc::new(PlatformClient::of(&transport));
        Ok(Client {
            transport,
            config: Arc::new(config),
            platform,
        })
    }
}
