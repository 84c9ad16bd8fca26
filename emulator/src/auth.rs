//! Credentials: issued OAuth tokens and the per-request check.
//!
//! Open mode (no API keys or OAuth clients configured): any non-empty `x-synthetic-key` and
//! any non-empty bearer token are accepted, but the placeholders `undefined` and `null`
//! (what a client sends when its credential is missing) never are. Restricted mode: only the
//! configured keys, and only unexpired tokens issued by this emulator to a configured OAuth
//! client (with API keys alone, the token endpoint issues no token).
//!
//! Which routes need a credential at all is declared in `crate::access`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::error::{ApiError, Family};

/// Who may call the emulator.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// Accepted API keys (`x-synthetic-key`); empty = any non-empty key.
    pub api_keys: Vec<String>,
    /// Accepted OAuth clients (id, secret); empty = any client.
    pub oauth_clients: Vec<(String, String)>,
    /// Lifetime of issued access tokens.
    pub token_lifetime: Duration,
}

impl AuthConfig {
    /// True when credentials are checked against the configured lists.
    pub fn restricted(&self) -> bool {
        !self.api_keys.is_empty() || !self.oauth_clients.is_empty()
    }
}

/// Tokens issued by the token endpoint, with their expiry.
#[derive(Default)]
pub struct Tokens {
    issued: Mutex<HashMap<String, (Instant, String)>>,
}

impl Tokens {
    /// Issue a JWT-looking token (`header.payload.signature`, base64url) for `client_id`.
    pub fn issue(&self, tenant: &str, issuer_base: &str, client_id: &str, ttl: Duration) -> String {
        let now = chrono::Utc::now().timestamp();
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": "cspark-emulator"});
        let payload = json!({
            "exp": now + ttl.as_secs() as i64,
            "iat": now,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iss": format!("{issuer_base}/auth/realms/{tenant}"),
            "aud": "product-factory",
            "sub": uuid::Uuid::new_v4().to_string(),
            "typ": "Bearer",
            "azp": client_id,
            "realm": tenant,
            "groups": ["user:pf"],
            "clientId": client_id,
        });
        let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string().as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
        let token = format!("{}.{}.{}", part(&header), part(&payload), signature);
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        issued.retain(|_, (exp, _)| *exp > now);
        issued.insert(token.clone(), (now + ttl, tenant.to_string()));
        token
    }

    /// Is this a live token we issued?
    pub fn valid(&self, token: &str) -> bool {
        let issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        issued
            .get(token)
            .is_some_and(|(exp, _)| *exp > Instant::now())
    }

    /// Revoke every issued token (tests: force a refresh).
    pub fn revoke_all(&self) {
        self.issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The `realm` claim of a JWT-looking bearer token, if readable.
pub fn token_realm(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("realm")?.as_str().map(String::from)
}

/// The credential a request carries.
pub enum Credential {
    /// `x-synthetic-key`.
    ApiKey,
    /// `Authorization: Bearer`.
    Bearer,
}

/// Check the credentials of a non-public request and the tenant it names.
pub fn check(
    headers: &HeaderMap,
    path_tenant: Option<&str>,
    tenant: &str,
    config: &AuthConfig,
    tokens: &Tokens,
    family: Family,
) -> Result<Credential, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let credential = if let Some(key) = header("x-synthetic-key").filter(|k| !k.is_empty()) {
        if is_placeholder(key) {
            return Err(ApiError::Unauthorized(family));
        }
        if !config.api_keys.is_empty() && !config.api_keys.iter().any(|k| k == key) {
            return Err(ApiError::Unauthorized(family));
        }
        if config.api_keys.is_empty() && !config.oauth_clients.is_empty() {
            // Restricted to OAuth clients only: no API key is valid.
            return Err(ApiError::Unauthorized(family));
        }
        Credential::ApiKey
    } else if let Some(auth) = header("authorization") {
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && !is_placeholder(t))
            .ok_or(ApiError::Unauthorized(family))?;
        if config.restricted() && !tokens.valid(token) {
            return Err(ApiError::Unauthorized(family));
        }
        if let Some(realm) = token_realm(token)
            && !realm.eq_ignore_ascii_case(tenant)
        {
            return Err(tenant_mismatch(family));
        }
        Credential::Bearer
    } else {
        return Err(ApiError::Unauthorized(family));
    };
    check_tenant(headers, path_tenant, tenant, family)?;
    Ok(credential)
}

/// What a client sends when its credential is missing (a JavaScript `undefined` or `null`
/// interpolated into the header): never a credential, even in open mode, as on Spark.
fn is_placeholder(credential: &str) -> bool {
    ["undefined", "null"]
        .iter()
        .any(|p| credential.eq_ignore_ascii_case(p))
}

/// `x-tenant-name` and the path tenant must both name this emulator's tenant.
pub fn check_tenant(
    headers: &HeaderMap,
    path_tenant: Option<&str>,
    tenant: &str,
    family: Family,
) -> Result<(), ApiError> {
    let header = headers
        .get("x-tenant-name")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    for named in [header, path_tenant].into_iter().flatten() {
        if !named.eq_ignore_ascii_case(tenant) {
            return Err(tenant_mismatch(family));
        }
    }
    Ok(())
}

fn tenant_mismatch(family: Family) -> ApiError {
    ApiError::BadRequest {
        family,
        code: "TENANT_MISMATCH",
        message: "the tenant in the request does not match the tenant of the credentials".into(),
    }
}
