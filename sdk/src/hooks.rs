//! The bridge for progenitor-generated clients.
//!
//! A generated `Client` built with `with_inner_type(crate::hooks::HookState)` and
//! `HooksMode::Expected` delegates its `pre` and `exec` hooks here, so generated calls get
//! the same headers, credentials (incl. OAuth refresh on 401), retries and tracing as the
//! handwritten resources. The impl that wires it up (next to the generated module) is:
//!
//! ```text
//! impl progenitor_client::ClientHooks<crate::hooks::HookState> for platform::Client {
//!     async fn pre<E>(&self, req: &mut reqwest::Request, _: &progenitor_client::OperationInfo)
//!         -> Result<(), progenitor_client::Error<E>> {
//!         progenitor_client::ClientInfo::inner(self).pre(req).await
//!     }
//!     async fn exec(&self, req: reqwest::Request, _: &progenitor_client::OperationInfo)
//!         -> reqwest::Result<reqwest::Response> {
//!         progenitor_client::ClientInfo::inner(self).exec(req).await
//!     }
//! }
//! ```
//!
//! Build the generated client with `platform::Client::new_with_client(origin, http, state)`,
//! where `state = HookState::new(&client)`, `origin = client.base_url().origin()` (generated
//! paths carry the tenant themselves) and `http` is any `reqwest::Client` (the SDK applies
//! its own per-request timeout).

use crate::client::Client;

/// Header progenitor adds to every request; Spark does not use it, so `pre` removes it.
pub const API_VERSION_HEADER: &str = "api-version";

/// State carried by a generated client: the SDK client it delegates to.
#[derive(Debug, Clone)]
pub struct HookState {
    client: Client,
}

impl HookState {
    /// Wraps an SDK client (cheap: the client is an `Arc`).
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
        }
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// For `ClientHooks::pre`: adds the standard and auth headers, removes
    /// `api-version`. Failures become `progenitor_client::Error::Custom` with the SDK
    /// error's message (which never contains secrets).
    pub async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().remove(API_VERSION_HEADER);
        self.client
            .transport()
            .prepare(request)
            .await
            .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
    }

    /// For `ClientHooks::exec`: sends with the SDK's retry rules and returns the final
    /// response, whatever its status.
    pub async fn exec(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        self.client.transport().execute(request).await
    }
}
