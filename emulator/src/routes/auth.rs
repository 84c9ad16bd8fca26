//! Keycloak-style OAuth2 token endpoint (client credentials).

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use serde_json::json;

use crate::state::AppState;
use crate::wire::json_response;

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/auth/realms/{tenant}/protocol/openid-connect/token",
        post(token),
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({"error": error, "error_description": description}),
    )
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let inner = &state.inner;
    inner
        .counters
        .token_requests
        .fetch_add(1, Ordering::Relaxed);
    if !tenant.eq_ignore_ascii_case(&inner.tenant) {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "Realm does not exist",
            "Realm does not exist",
        );
    }
    let form: HashMap<String, String> = url_form(&body);
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if grant != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant_type",
        );
    }
    // Credentials in the form, or HTTP Basic.
    let (id, secret) = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => basic_auth(&headers).unwrap_or_default(),
    };
    // Open mode: any client. Restricted: a configured client only; with API keys alone,
    // none (a token would otherwise be a way round the keys).
    let known = if inner.auth.oauth_clients.is_empty() {
        !inner.auth.restricted()
    } else {
        inner
            .auth
            .oauth_clients
            .iter()
            .any(|(i, s)| *i == id && *s == secret)
    };
    if id.is_empty() || !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Invalid client or Invalid client credentials",
        );
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let issuer_base = format!("http://{host}");
    let ttl = inner.auth.token_lifetime;
    let access_token = inner.tokens.issue(&inner.tenant, &issuer_base, &id, ttl);
    json_response(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "expires_in": ttl.as_secs(),
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        }),
    )
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((percent_decode(id), percent_decode(secret)))
}

/// Parse `application/x-www-form-urlencoded`.
fn url_form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
