//! Parsed URLs of the typed calls, built once per client.
//!
//! A typed call names its service with `&'static str`s (`S::FOLDER`, `S::SERVICE`), so its
//! route never changes for a client. Formatting, percent-encoding and parsing that URL took
//! about as long as the rest of the SDK's per-call work together (P1 in BENCHMARKS.md); here
//! it happens on the first call and later calls clone the parsed `Url`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use url::Url;

use crate::base_url::BaseUrl;
use crate::error::{Result, SparkError};
use crate::uri::ServiceUri;

/// A typed service's locator and its v3 execute URL.
#[derive(Debug)]
pub(crate) struct TypedRoute {
    /// `folder/service`, validated.
    pub(crate) uri: ServiceUri,
    /// `{base}/api/v3/folders/{folder}/services/{service}/execute`.
    pub(crate) execute_url: Url,
}

/// The routes of one client's typed calls.
#[derive(Debug, Default)]
pub(crate) struct RouteCache {
    v3: Mutex<HashMap<(&'static str, &'static str), Arc<TypedRoute>>>,
    v4: OnceLock<Url>,
}

fn parse(url: &str) -> Result<Url> {
    Url::parse(url).map_err(|e| SparkError::invalid("URL", url, e.to_string()))
}

impl RouteCache {
    /// The route of `folder/service`; an invalid name is an error (and is not cached).
    pub(crate) fn typed(
        &self,
        base: &BaseUrl,
        folder: &'static str,
        service: &'static str,
    ) -> Result<Arc<TypedRoute>> {
        // A panic elsewhere while holding the lock cannot leave the map half-updated
        // (inserts are single calls), so a poisoned lock is still usable.
        let cached = self
            .v3
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(folder, service))
            .cloned();
        if let Some(route) = cached {
            return Ok(route);
        }
        let uri = ServiceUri::new(folder, service)?;
        let execute_url = parse(&uri.execute_url(base))?;
        let route = Arc::new(TypedRoute { uri, execute_url });
        self.v3
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((folder, service), route.clone());
        Ok(route)
    }

    /// `{base}/api/v4/execute`.
    pub(crate) fn v4_execute(&self, base: &BaseUrl) -> Result<Url> {
        if let Some(url) = self.v4.get() {
            return Ok(url.clone());
        }
        let url = parse(&crate::uri::v4_execute_url(base, false))?;
        Ok(self.v4.get_or_init(|| url).clone())
    }
}
