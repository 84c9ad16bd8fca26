//! The v3 execute fast path: `POST /{tenant}/api/v3[/public]/folders/{f}/services/{s}/execute`
//! recognised by hand and run through the same gate and handler as the router would, without
//! axum's route lookup, path extractor, `from_fn` middleware and boxed route clones (about a
//! fifth of the server's CPU per execute, BENCHMARKS.md P4). Everything else, and every
//! execute the router could treat differently (percent-encoded or keyword segments, paths
//! the normaliser would rewrite, compressed or unsized bodies), goes to the router.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{FromRequest, Request};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tower::{Service, ServiceExt};

use super::execute::PathParams;
use super::{Routed, gate_core, is_keyword};
use crate::state::AppState;

/// The routes as registered in `execute::router`: the counters key requests by them.
const ROUTE: &str = "/{tenant}/api/v3/folders/{folder}/services/{service}/execute";
const ROUTE_PUBLIC: &str = "/{tenant}/api/v3/public/folders/{folder}/services/{service}/execute";

/// axum's default body limit, which the `Bytes` extractor applies when no
/// `DefaultBodyLimit` layer is in front of it. Requests that declare at most this many bytes
/// can never reach the router's larger limit either, so both paths read them alike.
const FAST_BODY_MAX: u64 = 2 * 1024 * 1024;

/// The application service: the execute fast path in front of the routed application.
#[derive(Clone)]
pub struct FastPath {
    state: AppState,
    routed: Routed,
}

impl FastPath {
    pub(super) fn new(state: AppState, routed: Routed) -> FastPath {
        FastPath { state, routed }
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl Service<Request> for FastPath {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both the fast path and the router are always ready; the router is driven with
        // `oneshot`, which polls its readiness itself.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> BoxFuture {
        match eligible(&req) {
            Some(route) => {
                let state = self.state.clone();
                Box::pin(async move { Ok(execute(&state, route, req).await) })
            }
            None => Box::pin(self.routed.clone().oneshot(req)),
        }
    }
}

/// The route of a request the fast path may answer, or `None` for the router.
fn eligible(req: &Request) -> Option<&'static str> {
    if req.method() != Method::POST || req.headers().contains_key(header::CONTENT_ENCODING) {
        return None;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse::<u64>()
        .ok()?;
    if declared > FAST_BODY_MAX {
        return None;
    }
    parse(req.uri().path()).map(|(route, _)| route)
}

/// Split an execute path into its route and locator. Only exact lower-case fixed segments
/// and plain variable segments are accepted, so the normaliser and axum's percent-decoding
/// would leave the path as it is and the router would match the same route.
fn parse(path: &str) -> Option<(&'static str, PathParams<'_>)> {
    let mut segs = path.strip_prefix('/')?.split('/');
    let tenant = segs.next()?;
    if segs.next()? != "api" || segs.next()? != "v3" {
        return None;
    }
    let (route, fixed) = match segs.next()? {
        "public" => (ROUTE_PUBLIC, segs.next()?),
        other => (ROUTE, other),
    };
    if fixed != "folders" {
        return None;
    }
    let folder = segs.next()?;
    if segs.next()? != "services" {
        return None;
    }
    let service = segs.next()?;
    if segs.next()? != "execute" || segs.next().is_some() {
        return None;
    }
    if ![tenant, folder, service].iter().all(|s| plain(s)) {
        return None;
    }
    let params = PathParams {
        folder: Some(folder),
        service: Some(service),
        ..PathParams::default()
    };
    Some((route, params))
}

/// A variable segment the router would pass through unchanged and could not confuse with a
/// fixed segment of another route.
fn plain(seg: &str) -> bool {
    !seg.is_empty() && !seg.contains('%') && !is_keyword(seg)
}

async fn execute(state: &AppState, route: &'static str, req: Request) -> Response {
    gate_core(state, req, Some(route), |req| async move {
        // The path is unchanged by the gate (it only decodes compressed bodies, which never
        // take this path); a cheap clone (shared bytes) outlives the request's body.
        let uri = req.uri().clone();
        let body = match Bytes::from_request(req, &()).await {
            Ok(body) => body,
            Err(rejection) => return rejection.into_response(),
        };
        match parse(uri.path()) {
            Some((_, params)) => super::execute::run_paced(state, params, body)
                .await
                .into_response(),
            None => super::not_found(uri).await,
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_plain_execute_paths() {
        let ok = parse("/t/api/v3/folders/demo/services/volume-cylinder/execute");
        assert!(matches!(ok, Some((ROUTE, p)) if p.folder == Some("demo")));
        let public = parse("/t/api/v3/public/folders/demo/services/s/execute");
        assert!(matches!(public, Some((ROUTE_PUBLIC, _))));
        for path in [
            "/t/api/v3/Folders/demo/services/s/execute",
            "/t/api/v3/folders/de%20mo/services/s/execute",
            "/t/api/v3/folders//services/s/execute",
            "/t/api/v3/folders/demo/services/s/execute/",
            "/t/api/v3/folders/public/services/s/execute",
            "/api/api/v3/folders/demo/services/s/execute",
            "/t/api/v3/folders/demo/services/s",
            "/t/api/v4/folders/demo/services/s/execute",
            "/t/api/v3/service/abc/execute",
        ] {
            assert!(parse(path).is_none(), "{path}");
        }
    }
}
