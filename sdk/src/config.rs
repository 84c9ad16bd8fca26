//! Resolved client settings and how they are derived from the builder and the
//! environment.
//!
//! Precedence:
//! - base URL: explicit `base_url` > [`CSPARK_BASE_URL`](crate::env::CSPARK_BASE_URL) >
//!   `env` (or `CSPARK_ENV`) + `tenant` (or `CSPARK_TENANT`); a tenant in the URL path
//!   wins over the tenant option;
//! - credentials: explicit [`Auth`] > `CSPARK_CLIENT_ID` + `CSPARK_CLIENT_SECRET` >
//!   `CSPARK_OAUTH_PATH` > `CSPARK_API_KEY` > `CSPARK_BEARER_TOKEN` (OAuth first, as the
//!   reference SDKs document; environment credentials never override explicit ones).

use std::time::Duration;

use crate::auth::{Auth, OAuthCredentials};
use crate::base_url::BaseUrl;
use crate::env::{self, EnvLookup};
use crate::error::{Result, SparkError};
use crate::retry::RetryBudget;

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest silence while reading an answer (`reliability.md` §7.2's read-idle
/// timeout).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default operation deadline: every attempt and back-off of one call fits in it
/// (`reliability.md` §7.2).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(180);
/// Longest wait for a connection (TCP and TLS) to the default HTTP client's server; a
/// shorter request timeout wins. Kept short: a host that does not answer in 5 s is better
/// retried than waited for.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default first back-off step.
pub const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The settings a [`Client`](crate::Client) runs with. `Debug` never shows secrets
/// nor extra header values.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Base URL and tenant.
    pub base_url: BaseUrl,
    /// Credentials.
    pub auth: Auth,
    /// Per-attempt timeout (connect + send + whole body).
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First back-off step.
    pub retry_interval: Duration,
    /// Names of the extra headers sent with every request.
    pub extra_header_names: Vec<String>,
    /// Cap on a response body in bytes, compressed and decompressed.
    pub max_response_bytes: u64,
    /// The client-wide retry budget.
    pub retry_budget: RetryBudget,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.full())
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_interval", &self.retry_interval)
            .field("extra_header_names", &self.extra_header_names)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_budget", &self.retry_budget)
            .finish()
    }
}

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (auth={}, timeout={:?}, max_retries={}, retry_interval={:?})",
            self.base_url,
            self.auth.kind(),
            self.timeout,
            self.max_retries,
            self.retry_interval
        )
    }
}

/// Resolves the base URL.
pub(crate) fn resolve_base_url(
    base_url: Option<&str>,
    env_name: Option<&str>,
    tenant: Option<&str>,
    lookup: &EnvLookup,
) -> Result<BaseUrl> {
    let env_tenant = env::get(lookup, env::CSPARK_TENANT);
    let tenant = tenant.map(str::to_owned).or(env_tenant);
    if let Some(url) = base_url {
        return BaseUrl::parse(url, tenant.as_deref());
    }
    if let Some(url) = env::get(lookup, env::CSPARK_BASE_URL) {
        return BaseUrl::parse(&url, tenant.as_deref()).map_err(|e| match e {
            SparkError::Config { value, reason, .. } => SparkError::Config {
                field: env::CSPARK_BASE_URL,
                value,
                reason,
            },
            other => other,
        });
    }
    let env_name = env_name
        .map(str::to_owned)
        .or_else(|| env::get(lookup, env::CSPARK_ENV));
    match (env_name, tenant) {
        (Some(e), Some(t)) => BaseUrl::from_env(&e, &t),
        (None, Some(t)) => Err(SparkError::config(
            "env",
            t,
            "base URL is required: set base_url, CSPARK_BASE_URL, or env with tenant",
        )),
        (Some(e), None) => Err(SparkError::config(
            "tenant",
            e,
            "tenant name is missing: set tenant or CSPARK_TENANT",
        )),
        (None, None) => Err(SparkError::config(
            "base_url",
            "",
            "base URL is required: set base_url, CSPARK_BASE_URL, or env + tenant (CSPARK_ENV, CSPARK_TENANT)",
        )),
    }
}

/// Resolves credentials when none were given explicitly.
pub(crate) fn resolve_auth(lookup: &EnvLookup) -> Result<Auth> {
    let id = env::get(lookup, env::CSPARK_CLIENT_ID);
    let secret = env::get(lookup, env::CSPARK_CLIENT_SECRET);
    match (id, secret) {
        (Some(id), Some(secret)) => return Ok(Auth::OAuth(OAuthCredentials::new(id, secret))),
        (Some(id), None) => {
            return Err(SparkError::config(
                env::CSPARK_CLIENT_SECRET,
                "",
                format!("missing while {} is set ({id:?})", env::CSPARK_CLIENT_ID),
            ));
        }
        (None, Some(_)) => {
            return Err(SparkError::config(
                env::CSPARK_CLIENT_ID,
                "",
                format!("missing while {} is set", env::CSPARK_CLIENT_SECRET),
            ));
        }
        (None, None) => {}
    }
    if let Some(path) = env::get(lookup, env::CSPARK_OAUTH_PATH) {
        return Auth::oauth_file(path);
    }
    if let Some(key) = env::get(lookup, env::CSPARK_API_KEY) {
        return Ok(Auth::api_key(key));
    }
    if let Some(token) = env::get(lookup, env::CSPARK_BEARER_TOKEN) {
        return Ok(Auth::bearer(token));
    }
    Err(SparkError::config(
        "auth",
        "",
        "credentials are required: an API key, a bearer token or OAuth client credentials (use Auth::Open, or the API key \"open\", for public APIs)",
    ))
}

/// Checks explicit credentials.
pub(crate) fn validate_auth(auth: &Auth) -> Result<()> {
    match auth {
        Auth::ApiKey(k) if k.is_empty() => {
            Err(SparkError::config("api_key", "***", "API key is empty"))
        }
        Auth::Bearer(t) if t.is_empty() => {
            Err(SparkError::config("token", "***", "bearer token is empty"))
        }
        Auth::OAuth(c) => c.validate("oauth", c.client_id()),
        _ => Ok(()),
    }
}
