//! `GET {origin}/health`.

use crate::client::Client;
use crate::error::Result;

use crate::generated::types::HealthStatus;

impl HealthStatus {
    /// True when the status is `UP` (any case); no status is not up.
    pub fn is_up(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("up"))
    }
}

impl Client {
    /// Checks the platform's health (no tenant in the path, no credentials sent).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// assert!(client.health().await?.is_up());
    /// # Ok(()) }
    /// ```
    pub async fn health(&self) -> Result<HealthStatus> {
        // The host's health check takes no credentials.
        let api = self.platform();
        let outcome = api.get_health().await;
        crate::generated::decode_as(outcome?, "health status")
    }

    /// Obtains (and caches) an OAuth token now instead of on the first call; a no-op
    /// for other credentials. Useful to fail fast on bad client credentials.
    pub async fn authenticate(&self) -> Result<()> {
        self.transport.warm_up().await
    }
}
