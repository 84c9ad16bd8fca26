//! Credentials and how they become request headers.
//!
//! | [`Auth`] | header(s) |
//! |---|---|
//! | [`Auth::ApiKey`] | `x-synthetic-key: <key>` (with `x-tenant-name`, always sent) |
//! | [`Auth::Bearer`] | `Authorization: Bearer <token>` |
//! | [`Auth::OAuth`] | `Authorization: Bearer <access token>`, fetched before the first call |
//! | [`Auth::Open`] | none (public endpoints); `open` as API key or token selects it |
//!
//! OAuth2 client-credentials tokens are fetched eagerly, cached until `expires_in` minus
//! a skew of `min(60 s, ttl/2)`, refreshed by one task at a time, and refreshed at most
//! once per call after a 401 (see the `token_cache` module and the transport).

pub mod jwt;
pub(crate) mod oauth;
pub(crate) mod token_cache;

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Result, SparkError};
use crate::secret::Secret;

/// How requests are authenticated.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// A Spark API key (`x-synthetic-key`).
    ApiKey(Secret),
    /// A bearer token (sent as `Authorization: Bearer …`).
    Bearer(Secret),
    /// OAuth2 client credentials, exchanged for bearer tokens.
    OAuth(OAuthCredentials),
    /// No credentials (public endpoints).
    Open,
}

impl Auth {
    /// The literal that selects [`Auth::Open`] when given as an API key or token.
    pub const OPEN: &str = "open";

    /// An API key; the value `open` means [`Auth::Open`].
    ///
    /// ```no_run
    /// let auth = cspark::Auth::api_key("my-key");
    /// assert_eq!(format!("{auth:?}"), "ApiKey(***)");
    /// ```
    pub fn api_key(key: impl Into<String>) -> Self {
        let key = key.into().trim().to_owned();
        if key == Self::OPEN {
            Self::Open
        } else {
            Self::ApiKey(Secret::new(key))
        }
    }

    /// A bearer token, with or without a leading `Bearer ` (any case); `open` means
    /// [`Auth::Open`].
    ///
    /// ```no_run
    /// let auth = cspark::Auth::bearer("Bearer abc.def.ghi");
    /// assert!(matches!(auth, cspark::Auth::Bearer(ref t) if t.expose() == "abc.def.ghi"));
    /// ```
    pub fn bearer(token: impl Into<String>) -> Self {
        let token = strip_bearer(&token.into());
        if token == Self::OPEN {
            Self::Open
        } else {
            Self::Bearer(Secret::new(token))
        }
    }

    /// OAuth2 client credentials.
    pub fn oauth(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::OAuth(OAuthCredentials::new(client_id, client_secret))
    }

    /// OAuth2 client credentials from a JSON file holding `clientId` and `clientSecret`
    /// (`client_id` / `client_secret` are accepted too).
    pub fn oauth_file(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::OAuth(OAuthCredentials::from_file(path)?))
    }

    /// Short name of the mode: `api_key`, `bearer`, `oauth` or `open`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ApiKey(_) => "api_key",
            Self::Bearer(_) => "bearer",
            Self::OAuth(_) => "oauth",
            Self::Open => "open",
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("ApiKey(***)"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
            Self::OAuth(c) => write!(f, "OAuth({c:?})"),
            Self::Open => f.write_str("Open"),
        }
    }
}

/// Removes a leading `Bearer` word (any case) and surrounding whitespace.
fn strip_bearer(token: &str) -> String {
    let t = token.trim();
    match t.get(..6) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case("bearer") && t[6..].starts_with(char::is_whitespace) =>
        {
            t[6..].trim().to_owned()
        }
        _ => t.to_owned(),
    }
}

/// OAuth2 client-credentials pair.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthCredentials {
    client_id: String,
    client_secret: Secret,
}

#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(alias = "client_id")]
    #[serde(rename = "clientId")]
    client_id: String,
    #[serde(alias = "client_secret")]
    #[serde(rename = "clientSecret")]
    client_secret: String,
}

impl OAuthCredentials {
    /// Builds a pair.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into().trim().to_owned(),
            client_secret: Secret::new(client_secret.into().trim()),
        }
    }

    /// Reads `{"clientId": "...", "clientSecret": "..."}` from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            SparkError::config(
                "oauth_path",
                shown.clone(),
                format!("cannot read OAuth credentials file: {e}"),
            )
        })?;
        let file: CredentialsFile = serde_json::from_str(&text).map_err(|e| {
            SparkError::config(
                "oauth_path",
                shown.clone(),
                format!(
                    "expected a JSON object with clientId and clientSecret (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let creds = Self::new(file.client_id, file.client_secret);
        creds.validate("oauth_path", &shown)?;
        Ok(creds)
    }

    pub(crate) fn validate(&self, field: &'static str, shown: &str) -> Result<()> {
        if self.client_id.is_empty() {
            return Err(SparkError::config(field, shown, "OAuth client id is empty"));
        }
        if self.client_secret.is_empty() {
            return Err(SparkError::config(
                field,
                shown,
                "OAuth client secret is empty",
            ));
        }
        Ok(())
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret.
    pub fn client_secret(&self) -> &Secret {
        &self.client_secret
    }
}

impl fmt::Debug for OAuthCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_stripped_once() {
        assert!(matches!(Auth::bearer("Bearer abc"), Auth::Bearer(t) if t.expose() == "abc"));
        assert!(matches!(Auth::bearer("bearer   xyz "), Auth::Bearer(t) if t.expose() == "xyz"));
        assert!(matches!(Auth::bearer("bearerish"), Auth::Bearer(t) if t.expose() == "bearerish"));
        assert!(matches!(Auth::bearer("open"), Auth::Open));
        assert!(matches!(Auth::api_key("open"), Auth::Open));
    }
}
