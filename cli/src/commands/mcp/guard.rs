//! Who may call `cspark mcp serve --http`. Every tool call runs on Spark with the user's
//! credentials, so the endpoint is either reachable from this machine only, or guarded by a
//! bearer token:
//!
//! * **no token**: the address must be a loopback one, and rmcp's checks stay on: loopback
//!   `Host` names only (DNS rebinding) and, from a browser, loopback `Origin`s only (a web
//!   page elsewhere cannot drive the tools);
//! * **a token** (`CSPARK_MCP_TOKEN`, at least [`MIN_TOKEN_CHARS`] characters): every request
//!   must send `Authorization: Bearer <token>`, compared in constant time; then any address,
//!   host name and origin may be used, since none can call without the token.

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cspark::Secret;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;

use crate::error::{CliError, CliResult};

/// The shortest token accepted: guessing one stays out of reach.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Browser origins accepted without a token: pages served from this machine.
const LOOPBACK_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// The access rule of one HTTP server.
#[derive(Debug, Clone)]
pub struct Guard {
    token: Option<Secret>,
}

impl Guard {
    /// Checks that serving on `addr` with `token` is safe: a token is long enough, and an
    /// address other than loopback has one.
    pub fn new(addr: SocketAddr, token: Option<Secret>) -> CliResult<Self> {
        if let Some(token) = &token {
            let chars = token.expose().chars().count();
            if chars < MIN_TOKEN_CHARS {
                return Err(CliError::usage(format!(
                    "the MCP token (CSPARK_MCP_TOKEN or --http-token) has {chars} characters; \
                     use {MIN_TOKEN_CHARS} or more"
                )));
            }
        } else if !addr.ip().is_loopback() {
            return Err(CliError::usage(format!(
                "--http {addr} is not a loopback address: the tools run Spark calls with your \
                 credentials, so serving them beyond this machine needs a token (set \
                 CSPARK_MCP_TOKEN; clients then send `Authorization: Bearer <token>`)"
            )));
        }
        Ok(Self { token })
    }

    /// rmcp's own checks: loopback hosts and origins without a token, none with one.
    pub fn config(&self, config: StreamableHttpServerConfig) -> StreamableHttpServerConfig {
        if self.token.is_some() {
            config.disable_allowed_hosts().disable_allowed_origins()
        } else {
            config.with_allowed_origins(LOOPBACK_ORIGINS)
        }
    }

    /// `router`, refusing with a 401 every request without the token (when there is one).
    pub fn protect(&self, router: axum::Router) -> axum::Router {
        let Some(token) = self.token.clone() else {
            return router;
        };
        router.layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let allowed = bearer(&request).is_some_and(|sent| same(sent, token.expose()));
                async move {
                    if allowed {
                        next.run(request).await
                    } else {
                        unauthorized()
                    }
                }
            },
        ))
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Equal strings, in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn unauthorized() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "this MCP server needs `Authorization: Bearer <token>` (its CSPARK_MCP_TOKEN)",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("0123456789abcdef", "0123456789abcdef"));
        assert!(!same("0123456789abcdef", "0123456789abcdeg"));
        assert!(!same("0123456789abcdef", "0123456789abcde"));
        assert!(!same("", "x"));
    }
}
