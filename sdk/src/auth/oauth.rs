//! The OAuth2 client-credentials exchange.
//!
//! `POST {token_url}` with `application/x-www-form-urlencoded`
//! `grant_type=client_credentials&client_id=…&client_secret=…`, standard SDK headers and
//! no `Authorization` header. Transient failures (429, 5xx, connect errors) follow the
//! normal retry policy; a 4xx answer (bad credentials) is final after one request.

use std::time::Duration;

use serde::Deserialize;

use super::OAuthCredentials;
use super::token_cache::FreshToken;
use crate::error::{Result, SparkError};
use crate::secret::Secret;
use crate::transport::{RequestSpec, Transport};

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

/// Exchanges the client credentials for an access token.
pub(crate) async fn fetch_token(
    transport: &Transport,
    creds: &OAuthCredentials,
) -> Result<FreshToken> {
    let url = transport.base.token_url();
    let spec = RequestSpec::post(&url)?
        .without_auth()
        .idempotent(true)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id()),
            ("client_secret", creds.client_secret().expose()),
        ]);
    let client_id = creds.client_id().to_owned();
    let response = match transport.send(spec).await {
        Ok(r) => r,
        Err(e) => {
            let status = e.status();
            let request_id = e.request_id().map(str::to_owned);
            let message = match status {
                Some(s @ 400..=499) => format!(
                    "the token endpoint rejected the client credentials (HTTP {s}, client_id={client_id:?}, realm={:?})",
                    transport.base.tenant()
                ),
                _ => format!("could not obtain an OAuth token for client_id={client_id:?}"),
            };
            return Err(SparkError::Auth {
                message,
                status,
                request_id,
                source: Some(Box::new(e)),
            });
        }
    };
    let parsed: TokenResponse = response.json("OAuth token response")?;
    if parsed.access_token.is_empty() {
        return Err(SparkError::Auth {
            message: format!(
                "the token endpoint returned no access_token for client_id={client_id:?}"
            ),
            status: Some(response.status()),
            request_id: Some(response.request_id().to_owned()),
            source: None,
        });
    }
    let ttl = parsed
        .expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok());
    tracing::debug!(
        ttl_secs = ttl.map(|t| t.as_secs()),
        "obtained OAuth access token"
    );
    Ok(FreshToken {
        access_token: Secret::new(parsed.access_token),
        ttl,
    })
}
