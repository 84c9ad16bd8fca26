//! The SDK's identification, the header names it uses, and the per-client header values
//! that never change (built once, cloned per request: cloning a `HeaderValue` is a
//! reference-count bump, building one copies and validates the text).

use std::sync::LazyLock;

use http::header::{AUTHORIZATION, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::Auth;

/// SDK version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Compiler version the SDK was built with.
pub const RUSTC_VERSION: &str = env!("CSPARK_RUSTC_VERSION");

/// `Coherent Spark SDK v{version} (Rust/{rustc})`.
pub fn user_agent() -> String {
    format!("Coherent Spark SDK v{SDK_VERSION} (Rust/{RUSTC_VERSION})")
}

/// `agent=spark-rust-sdk/{version}; env=Rust/{rustc}`.
pub fn spark_ua() -> String {
    format!("agent=spark-rust-sdk/{SDK_VERSION}; env=Rust/{RUSTC_VERSION}")
}

/// Header carrying the client-generated request id.
pub const X_REQUEST_ID: &str = "x-request-id";
/// Header carrying the tenant.
pub const X_TENANT_NAME: &str = "x-tenant-name";
/// Header carrying an API key.
pub const X_SYNTHETIC_KEY: &str = "x-synthetic-key";
/// Header carrying the SDK identification.
pub const X_SPARK_UA: &str = "x-spark-ua";

// Both are built from compile-time text; the fallbacks only guard against a toolchain
// version string with characters a header cannot carry.
static USER_AGENT_VALUE: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&user_agent()).unwrap_or(HeaderValue::from_static("Coherent Spark SDK"))
});
static SPARK_UA_VALUE: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&spark_ua()).unwrap_or(HeaderValue::from_static("agent=spark-rust-sdk"))
});

/// Header values fixed for the life of a client.
#[derive(Clone, Default)]
pub(crate) struct FixedHeaders {
    /// The caller's extra headers overlaid by the SDK's own (`User-Agent`, `x-spark-ua`,
    /// `x-tenant-name`); everything but the request id and the credentials.
    pub(crate) standard: HeaderMap,
    /// The API-key or bearer header, when the credentials are static and valid header
    /// text (marked sensitive). `None` for OAuth, open access, or text a header cannot
    /// carry, in which case the transport resolves them per call (and reports the error).
    pub(crate) credential: Option<(HeaderName, HeaderValue)>,
}

impl FixedHeaders {
    /// Builds the fixed headers of a client.
    pub(crate) fn new(extra: &HeaderMap, tenant: &HeaderValue, auth: &Auth) -> Self {
        let mut standard = extra.clone();
        standard.insert(USER_AGENT, USER_AGENT_VALUE.clone());
        standard.insert(HeaderName::from_static(X_SPARK_UA), SPARK_UA_VALUE.clone());
        standard.remove(X_REQUEST_ID);
        standard.insert(HeaderName::from_static(X_TENANT_NAME), tenant.clone());
        let sensitive = |text: &str| {
            HeaderValue::from_str(text).ok().map(|mut v| {
                v.set_sensitive(true);
                v
            })
        };
        let credential = match auth {
            Auth::ApiKey(key) => {
                sensitive(key.expose()).map(|v| (HeaderName::from_static(X_SYNTHETIC_KEY), v))
            }
            Auth::Bearer(token) => {
                sensitive(&format!("Bearer {}", token.expose())).map(|v| (AUTHORIZATION, v))
            }
            Auth::OAuth(_) | Auth::Open => None,
        };
        Self {
            standard,
            credential,
        }
    }
}

impl std::fmt::Debug for FixedHeaders {
    // Names only: the credential is a secret and extra headers may be too.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixedHeaders")
            .field("standard", &self.standard.keys().collect::<Vec<_>>())
            .field("credential", &self.credential.as_ref().map(|(n, _)| n))
            .finish()
    }
}
