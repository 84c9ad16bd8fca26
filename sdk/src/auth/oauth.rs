//! The OAuth2 client-credentials exchange.
//!
//! `POST {token_url}` with `application/x-www-form-urlencoded`
//! `grant_type=client_credentials&client_id=…&client_secret=…`, standard SDK headers and
//! no `Authorization` header. Transient failures (429, 5xx, connect errors) follow the
//! normal retry policy; a 4xx answer (bad credentials) is final after one request.
//!
//! The token response is the one body the SDK never quotes in an error: whatever the
//! endpoint sends (a token with a wrong type, truncated JSON, HTML), the error names the
//! field or the position at fault, never the content, because that content may be the
//! access token. Error answers of the endpoint are reduced to their OAuth `error` code
//! (RFC 6749 §5.2) for the same reason.
//!
//! The client never follows a redirect, so the `client_secret` in the form body cannot
//! be replayed to another origin by a 307/308 answer.

use std::time::Duration;

use super::OAuthCredentials;
use super::token_cache::FreshToken;
use crate::error::{Result, SparkError};
use crate::secret::Secret;
use crate::transport::spec::{RequestSpec, Response};

/// The fields the SDK reads from a token response.
struct TokenResponse {
    access_token: String,
    expires_in: Option<f64>,
}

/// Reads a token response without ever putting its content into the error: serde's own
/// messages quote offending values (`invalid type: string "…"`), so they are not used.
fn parse_token_response(body: &[u8]) -> std::result::Result<TokenResponse, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the body is not JSON ({:?} error at line {}, column {}; {} bytes; content not shown)",
            e.classify(),
            e.line(),
            e.column(),
            body.len()
        )
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| format!("expected a JSON object, got {}", json_kind(&value)))?;
    let access_token = match object.get("access_token") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(token)) => token.clone(),
        Some(other) => {
            return Err(format!(
                "access_token is {}, expected a string (value not shown)",
                json_kind(other)
            ));
        }
    };
    // Keycloak sends a number; a numeric string is accepted too, anything else ignored
    // (the default lifetime applies).
    let expires_in = match object.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(TokenResponse {
        access_token,
        expires_in,
    })
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// An error answer of the token endpoint, keeping only what cannot hold a secret: the
/// status and, when it is a plain RFC 6749 code, the `error` field.
fn scrub_token_error(error: SparkError) -> SparkError {
    let SparkError::Api(mut api) = error else {
        return error;
    };
    let code = match &api.body {
        crate::error::ApiErrorBody::Raw(text) => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("error")?.as_str().map(str::to_owned)),
        _ => None,
    }
    .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    api.body = crate::error::ApiErrorBody::Raw(match code {
        Some(code) => format!("OAuth error {code:?} (rest of the body not shown)"),
        None => "(token endpoint body not shown)".to_owned(),
    });
    SparkError::Api(api)
}

/// The token request for `creds` at `token_url` (the transport sends it: see
/// `Transport::fetch_token`).
pub(crate) fn token_request(token_url: &str, creds: &OAuthCredentials) -> Result<RequestSpec> {
    Ok(RequestSpec::post(token_url)?
        .without_auth()
        .idempotent(true)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id()),
            ("client_secret", creds.client_secret().expose()),
        ]))
}

/// The token in the answer to [`token_request`], or an [`SparkError::Auth`] that quotes
/// none of the endpoint's body; `realm` (the tenant) names the realm in the message.
pub(crate) fn token_of(
    answer: Result<Response>,
    creds: &OAuthCredentials,
    realm: &str,
) -> Result<FreshToken> {
    let client_id = creds.client_id().to_owned();
    let response = match answer {
        Ok(r) => r,
        Err(e) => {
            let status = e.status();
            let request_id = e.request_id().map(str::to_owned);
            let message = match status {
                Some(s @ 400..=499) => format!(
                    "the token endpoint rejected the client credentials (HTTP {s}, client_id={client_id:?}, realm={realm:?})"
                ),
                _ => format!("could not obtain an OAuth token for client_id={client_id:?}"),
            };
            return Err(SparkError::Auth {
                message,
                status,
                request_id,
                source: Some(Box::new(scrub_token_error(e))),
            });
        }
    };
    let parsed = parse_token_response(response.body()).map_err(|reason| SparkError::Auth {
        message: format!(
            "the token endpoint's answer for client_id={client_id:?} is not a usable token response: {reason}"
        ),
        status: Some(response.status()),
        request_id: Some(response.request_id().to_owned()),
        source: None,
    })?;
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
