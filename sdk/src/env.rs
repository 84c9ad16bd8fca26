//! Every environment variable the SDK reads, declared once.
//!
//! The builder consults these only for values that were not set explicitly. Tests and
//! embedders can replace the process environment with any lookup function through
//! [`ClientBuilder::env_lookup`](crate::ClientBuilder::env_lookup).

use std::sync::Arc;

/// Base URL including the tenant, e.g. `https://excel.uat.us.coherent.global/my-tenant`.
pub const CSPARK_BASE_URL: &str = "CSPARK_BASE_URL";
/// API key sent as `x-synthetic-key`; the value `open` means "send no credentials".
pub const CSPARK_API_KEY: &str = "CSPARK_API_KEY";
/// Bearer token, with or without the `Bearer ` prefix.
pub const CSPARK_BEARER_TOKEN: &str = "CSPARK_BEARER_TOKEN";
/// OAuth2 client id (client-credentials grant); needs [`CSPARK_CLIENT_SECRET`].
pub const CSPARK_CLIENT_ID: &str = "CSPARK_CLIENT_ID";
/// OAuth2 client secret (client-credentials grant); needs [`CSPARK_CLIENT_ID`].
pub const CSPARK_CLIENT_SECRET: &str = "CSPARK_CLIENT_SECRET";
/// Path to a JSON file `{"clientId": "...", "clientSecret": "..."}` holding OAuth2 credentials.
pub const CSPARK_OAUTH_PATH: &str = "CSPARK_OAUTH_PATH";
/// Tenant name, used with [`CSPARK_ENV`] when no base URL is given.
pub const CSPARK_TENANT: &str = "CSPARK_TENANT";
/// Environment name such as `uat.us`, used with [`CSPARK_TENANT`] when no base URL is given.
pub const CSPARK_ENV: &str = "CSPARK_ENV";

/// All variables above, in the order the builder consults them.
pub const ALL: [&str; 8] = [
    CSPARK_BASE_URL,
    CSPARK_API_KEY,
    CSPARK_BEARER_TOKEN,
    CSPARK_CLIENT_ID,
    CSPARK_CLIENT_SECRET,
    CSPARK_OAUTH_PATH,
    CSPARK_TENANT,
    CSPARK_ENV,
];

/// A function that answers "what is the value of this variable?".
pub(crate) type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Reads the process environment; blank values count as unset, values are trimmed.
pub(crate) fn process_env() -> EnvLookup {
    Arc::new(|name: &str| std::env::var(name).ok())
}

/// Looks `name` up, trimming the value and treating blank values as unset.
pub(crate) fn get(lookup: &EnvLookup, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}
