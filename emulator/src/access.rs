//! Who may call which route: one declared table, consulted by the request gate for every
//! request through the route pattern the request matched, never through the raw path (which
//! the caller controls: a tenant segment `auth` or `_emulator…`, or a folder named `public`,
//! must not change what a route requires).
//!
//! | access | routes | what is checked |
//! |---|---|---|
//! | [`Access::Open`] | [`OPEN_ROUTES`] | nothing (health, the token endpoint, the runner's probes, the request counters) |
//! | [`Access::RunnerUpload`] | [`RUNNER_UPLOAD_ROUTES`] | nothing when the emulator runs without credentials; otherwise a caller without valid credentials may only load a version the store already has (same id, same workbook), never publish (an open upload would replace what keyed callers execute) |
//! | [`Access::Public`] | every route with a literal `public` segment (`/{tenant}/api/v3/public/…`, `/{tenant}/api/v4/public/execute`, `/{tenant}/api/v3/nodegen/public/…`) | the tenant; and only services declared public ([`PublicServices`], Spark's `PublicAPI` book property) resolve |
//! | [`Access::Authenticated`] | everything else, unmatched paths included | credentials (see `crate::auth`) and the tenant |
//!
//! A route added anywhere in `crate::routes` is therefore authenticated unless it is listed
//! here. `tests/security_auth.rs` walks every route of the router without credentials.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, RwLock};

use crate::error::{ApiError, Family};
use crate::store::Version;

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials, no tenant check.
    Open,
    /// The hybrid runner's bundle upload: open only while no credentials are configured.
    RunnerUpload,
    /// Spark's public API: no credentials, tenant checked, public services only.
    Public,
    /// Credentials and tenant checked.
    Authenticated,
}

/// The routes that need no credentials, as registered in `crate::routes`.
pub const OPEN_ROUTES: &[&str] = &[
    "/health",
    "/auth/realms/{tenant}/protocol/openid-connect/token",
    // The hybrid runner's probes: runners do not authenticate.
    "/version",
    "/healthcheck",
    "/status",
    // Test instrumentation: request counts per route, no stored data.
    "/_emulator/counters",
    "/_emulator/counters/reset",
];

/// The hybrid runner's bundle uploads (see [`Access::RunnerUpload`]).
pub const RUNNER_UPLOAD_ROUTES: &[&str] = &["/api/v3/upload", "/upload"];

/// The access of a matched route pattern; `None` (no route matched) is authenticated.
pub fn of_route(route: Option<&str>) -> Access {
    let Some(route) = route else {
        return Access::Authenticated;
    };
    if OPEN_ROUTES.contains(&route) {
        Access::Open
    } else if RUNNER_UPLOAD_ROUTES.contains(&route) {
        Access::RunnerUpload
    } else if route.starts_with("/{tenant}/api/") && route.split('/').any(|s| s == "public") {
        // A literal segment: a folder or service named `public` fills a `{…}` parameter.
        Access::Public
    } else {
        Access::Authenticated
    }
}

/// The tenant a request names in its path: the first segment, for routes that start with
/// `/{tenant}/`. Other routes name none (the header and the token's realm still count).
pub fn path_tenant<'p>(route: Option<&str>, path: &'p str) -> Option<&'p str> {
    if !route.is_some_and(|r| r.starts_with("/{tenant}/")) {
        return None;
    }
    path.strip_prefix('/')?.split('/').next()
}

/// The services whose `PublicAPI` book property is `True`: only these answer on the public
/// routes. Spark sets the property per service; the emulator takes the list from its
/// configuration (`--public-service FOLDER/SERVICE`).
#[derive(Default)]
pub struct PublicServices {
    names: RwLock<HashSet<(String, String)>>,
}

impl PublicServices {
    /// Declare `folder/service` public (names compared case-insensitively).
    pub fn declare(&self, folder: &str, service: &str) {
        self.names
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((folder.to_lowercase(), service.to_lowercase()));
    }

    /// Is `folder/service` public?
    pub fn contains(&self, folder: &str, service: &str) -> bool {
        self.names
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&(folder.to_lowercase(), service.to_lowercase()))
    }
}

tokio::task_local! {
    /// Set while a runner upload without valid credentials is handled, on an emulator
    /// started with credentials: it may not publish ([`check_may_publish`]).
    static ANONYMOUS_UPLOAD: ();
}

/// Run `handler` as a runner upload without valid credentials.
pub async fn anonymous_upload<F: Future>(handler: F) -> F::Output {
    ANONYMOUS_UPLOAD.scope((), handler).await
}

/// Refuse to publish (401) inside an [`anonymous_upload`].
pub fn check_may_publish(family: Family) -> Result<(), ApiError> {
    if ANONYMOUS_UPLOAD.try_with(|_| ()).is_ok() {
        Err(ApiError::Unauthorized(family))
    } else {
        Ok(())
    }
}

tokio::task_local! {
    /// Set while a request of a public route is handled: every service it resolves must be
    /// public. A task-local, so the one function that resolves services
    /// (`crate::exec::resolve`) enforces it for every handler, present and future.
    static PUBLIC_CALL: Arc<PublicServices>;
}

/// Run `handler` as the handler of a public route.
pub async fn public_call<F: Future>(services: Arc<PublicServices>, handler: F) -> F::Output {
    PUBLIC_CALL.scope(services, handler).await
}

/// The public scope of the running task, if it handles a public route (to carry it onto
/// another thread, see [`in_public_scope`]).
pub fn public_scope() -> Option<Arc<PublicServices>> {
    PUBLIC_CALL.try_with(Arc::clone).ok()
}

/// Run `work` (synchronously) in `scope`, as [`public_call`] runs a handler.
pub fn in_public_scope<T>(scope: Option<Arc<PublicServices>>, work: impl FnOnce() -> T) -> T {
    match scope {
        Some(services) => PUBLIC_CALL.sync_scope(services, work),
        None => work(),
    }
}

/// Inside a public call, refuse a service that is not public (401, as for a call without
/// credentials); anywhere else, accept.
pub fn check_public(version: &Version, family: Family) -> Result<(), ApiError> {
    let allowed = PUBLIC_CALL
        .try_with(|public| public.contains(&version.info.folder, &version.info.service))
        .unwrap_or(true);
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(family))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_follows_the_route_pattern_not_the_path() {
        assert_eq!(of_route(Some("/health")), Access::Open);
        assert_eq!(of_route(Some("/upload")), Access::RunnerUpload);
        assert_eq!(
            of_route(Some(
                "/{tenant}/api/v3/public/folders/{folder}/services/{service}/execute"
            )),
            Access::Public
        );
        assert_eq!(
            of_route(Some(
                "/{tenant}/api/v3/nodegen/public/getnodegenzipbyid/{*locator}"
            )),
            Access::Public
        );
        for route in [
            "/api/v1/product/{folder}/engines/get/{service}",
            "/_emulator/files/{version_id}",
            "/_emulator/downloads/{job}",
            "/{tenant}/api/v4/batch",
            "/{tenant}/api/v3/folders/{folder}/services/{service}/updateversion/{version_id}",
            "/{tenant}/api/v3/folders/{folder}/services/{service}/version/{version_id}",
        ] {
            assert_eq!(of_route(Some(route)), Access::Authenticated, "{route}");
        }
        assert_eq!(of_route(None), Access::Authenticated);
    }

    #[test]
    fn path_tenant_is_the_first_segment_of_tenant_routes_only() {
        let route = Some("/{tenant}/api/v3/folders/{folder}/services/{service}/execute");
        assert_eq!(
            path_tenant(route, "/auth/api/v3/folders/f/services/s/execute"),
            Some("auth")
        );
        assert_eq!(
            path_tenant(route, "/api/api/v3/folders/f/services/s/execute"),
            Some("api")
        );
        assert_eq!(
            path_tenant(Some("/api/v1/product/list"), "/api/v1/product/list"),
            None
        );
        assert_eq!(path_tenant(None, "/t/api/v3/x"), None);
    }
}
