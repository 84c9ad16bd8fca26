//! Where the Spark tenant lives: origin (scheme, host, port) plus tenant.
//!
//! Rules (see `python-sdk.md` §1.3, with the deviations listed below):
//! - any `http` or `https` URL is accepted, so private domains and a local emulator
//!   (`http://127.0.0.1:8080/my-tenant`) work without an escape hatch;
//! - for `*.coherent.global` hosts with at least one environment label, the first host
//!   label is normalised to `excel` (`spark.`, `keycloak.`, `utility.`, `entitystore.` all
//!   become `excel.`): the base URL always names the API host;
//! - the tenant is the first non-empty path segment; later segments, query and fragment
//!   are dropped; with no path segment the separate tenant option is used;
//! - `env` + `tenant` build `https://excel.{env}.coherent.global/{tenant}`, both trimmed
//!   and lower-cased.
//!
//! Deviations from the reference SDKs: hosts are lower-cased (URL parsing does this);
//! an explicit tenant option is trimmed; `http://` and non-Spark hosts are accepted;
//! environments with more than two labels are still normalised.

use std::fmt;

use url::Url;

use crate::error::{Result, SparkError};
use crate::uri::encode;

/// A validated base URL: origin plus tenant.
///
/// ```no_run
/// use cspark::BaseUrl;
/// let base = BaseUrl::parse("https://spark.uat.us.coherent.global/my-tenant", None)?;
/// assert_eq!(base.full(), "https://excel.uat.us.coherent.global/my-tenant");
/// assert_eq!(base.env(), Some("uat.us"));
/// # Ok::<(), cspark::SparkError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl {
    origin: String,
    tenant: String,
    env: Option<String>,
}

const SPARK_DOMAIN: &str = ".coherent.global";

impl BaseUrl {
    /// Parses a base URL; `tenant` is used only when the URL path has no tenant segment.
    pub fn parse(url: &str, tenant: Option<&str>) -> Result<Self> {
        let trimmed = url.trim();
        let parsed = Url::parse(trimmed).map_err(|e| {
            SparkError::config("base_url", trimmed, format!("not a valid URL ({e})"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SparkError::config(
                "base_url",
                trimmed,
                "scheme must be http or https",
            ));
        }
        let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
            return Err(SparkError::config("base_url", trimmed, "URL has no host"));
        };
        let (host, env) = normalise_host(host);
        let origin = match parsed.port() {
            Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
            None => format!("{}://{host}", parsed.scheme()),
        };
        let from_path = parsed
            .path_segments()
            .and_then(|mut segments| segments.find(|s| !s.is_empty()))
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            });
        let tenant = match from_path {
            Some(t) => t,
            None => match tenant.map(str::trim).filter(|t| !t.is_empty()) {
                Some(t) => t.to_owned(),
                None => {
                    return Err(SparkError::config(
                        "tenant",
                        trimmed,
                        "tenant name is required: put it in the URL path or set the tenant",
                    ));
                }
            },
        };
        if tenant.trim().is_empty() {
            return Err(SparkError::config("tenant", tenant, "tenant name is blank"));
        }
        Ok(Self {
            origin,
            tenant,
            env,
        })
    }

    /// Builds `https://excel.{env}.coherent.global/{tenant}` (both trimmed, lower-cased).
    pub fn from_env(env: &str, tenant: &str) -> Result<Self> {
        let env = env.trim().to_lowercase();
        let tenant = tenant.trim().to_lowercase();
        let valid_label =
            |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if env.is_empty() || !env.split('.').all(valid_label) {
            return Err(SparkError::config(
                "env",
                env,
                "environment name must be dot-separated labels of letters, digits and '-'",
            ));
        }
        if tenant.is_empty() {
            return Err(SparkError::config("tenant", tenant, "tenant name is blank"));
        }
        Ok(Self {
            origin: format!("https://excel.{env}{SPARK_DOMAIN}"),
            tenant,
            env: Some(env),
        })
    }

    /// Scheme, host and port, without a trailing slash (`{B}` in the spec).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tenant name.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The Spark environment (e.g. `uat.us`) for `*.coherent.global` hosts.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// True for `*.coherent.global` hosts.
    pub fn is_spark_host(&self) -> bool {
        self.env.is_some()
    }

    /// `{origin}/{tenant}` with the tenant percent-encoded (`{BT}` in the spec).
    pub fn full(&self) -> String {
        format!("{}/{}", self.origin, encode::segment(&self.tenant))
    }

    /// `{origin}/health`.
    pub fn health_url(&self) -> String {
        format!("{}/health", self.origin)
    }

    /// The origin of another Spark host of the same environment (`keycloak`, `utility`,
    /// …); for non-Spark hosts, the origin itself.
    pub fn service_origin(&self, service: &str) -> String {
        match &self.env {
            Some(env) => {
                let scheme = self.origin.split("://").next().unwrap_or("https");
                let port = self
                    .origin
                    .rsplit_once(':')
                    .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                    .map(|(_, p)| format!(":{p}"))
                    .unwrap_or_default();
                format!("{scheme}://{service}.{env}{SPARK_DOMAIN}{port}")
            }
            None => self.origin.clone(),
        }
    }

    /// The OAuth2 token endpoint:
    /// `{keycloak origin}/auth/realms/{tenant}/protocol/openid-connect/token` for Spark
    /// hosts, the same path on this origin for any other host (e.g. the emulator).
    pub fn token_url(&self) -> String {
        format!(
            "{}/auth/realms/{}/protocol/openid-connect/token",
            self.service_origin("keycloak"),
            encode::segment(&self.tenant)
        )
    }

    /// `{origin}/{tenant}/{segments…}` with each segment percent-encoded.
    pub(crate) fn tenant_url(&self, segments: &[&str]) -> String {
        let mut out = self.full();
        for s in segments {
            out.push('/');
            out.push_str(&encode::segment(s));
        }
        out
    }

    /// `{origin}/{segments…}` (v1 product API, no tenant) with each segment encoded.
    pub(crate) fn origin_url(&self, segments: &[&str]) -> String {
        let mut out = self.origin.clone();
        for s in segments {
            out.push('/');
            out.push_str(&encode::segment(s));
        }
        out
    }
}

/// Returns the host with the Spark service label normalised, and the environment.
fn normalise_host(host: &str) -> (String, Option<String>) {
    let lower = host.to_ascii_lowercase();
    if let Some(prefix) = lower.strip_suffix(SPARK_DOMAIN)
        && let Some((_, env)) = prefix.split_once('.')
        && !env.is_empty()
        && env.split('.').all(|l| !l.is_empty())
    {
        return (format!("excel.{env}{SPARK_DOMAIN}"), Some(env.to_owned()));
    }
    (lower, None)
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaseUrl")
            .field("origin", &self.origin)
            .field("tenant", &self.tenant)
            .field("env", &self.env)
            .finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full())
    }
}
