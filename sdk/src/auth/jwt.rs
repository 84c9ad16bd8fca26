//! Reading the base URL and tenant out of a Spark (Keycloak) access token.
//!
//! The token is decoded **without** verifying its signature: this only tells the SDK
//! where to send the token, the server still verifies it.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::Deserialize;

use crate::base_url::BaseUrl;
use crate::error::{Result, SparkError};

/// What a token says about where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtInfo {
    /// The `iss` claim, e.g. `https://keycloak.uat.us.coherent.global/auth/realms/my-tenant`.
    pub issuer: String,
    /// The tenant: the `realm` claim, else the realm in the issuer path.
    pub tenant: String,
    /// The API base URL: the issuer's origin with the host label switched to `excel`.
    pub base_url: BaseUrl,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    realm: Option<String>,
}

/// Decodes `iss` and `realm` from a JWT (with or without a `Bearer ` prefix).
///
/// ```no_run
/// # let token = "";
/// let info = cspark::jwt::decode(token)?;
/// println!("{} {}", info.base_url, info.tenant);
/// # Ok::<(), cspark::SparkError>(())
/// ```
pub fn decode(token: &str) -> Result<JwtInfo> {
    let bad = |reason: &str| SparkError::invalid("JWT", "***", reason.to_owned());
    let token = match crate::Auth::bearer(token) {
        crate::Auth::Bearer(t) => t,
        _ => return Err(bad("not a token")),
    };
    let payload = token
        .expose()
        .split('.')
        .nth(1)
        .ok_or_else(|| bad("expected three dot-separated parts"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(payload))
        .map_err(|_| bad("payload is not base64url"))?;
    let claims: Claims =
        serde_json::from_slice(&bytes).map_err(|_| bad("payload is not a JSON object"))?;
    let issuer = claims.iss.ok_or_else(|| bad("no iss claim"))?;
    let iss = url::Url::parse(&issuer).map_err(|_| bad("iss claim is not a URL"))?;
    let tenant = match claims.realm.filter(|r| !r.trim().is_empty()) {
        Some(r) => r,
        None => iss
            .path_segments()
            .and_then(|mut s| {
                s.find(|seg| *seg == "realms")?;
                s.next().map(str::to_owned)
            })
            .ok_or_else(|| bad("no realm claim and no realm in iss"))?,
    };
    let origin = iss.origin().ascii_serialization();
    let base_url = BaseUrl::parse(&origin, Some(&tenant))?;
    Ok(JwtInfo {
        issuer,
        tenant,
        base_url,
    })
}
