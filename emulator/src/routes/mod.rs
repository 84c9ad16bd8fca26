//! The HTTP surface: one router per resource, merged into [`crate::app`], plus the layers
//! every request goes through (path normalisation, counters, faults, auth).

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use std::sync::atomic::Ordering;

use crate::access::Access;
use crate::error::{ApiError, Family};
use crate::faults::Fault;
use crate::state::AppState;

mod auth;
mod batches;
mod encoding;
mod execute;
mod fast;
pub(crate) use fast::FastPath;
mod folders;
mod health;
mod history;
mod impex;
mod logs;
mod multipart;
mod platform;
mod runner;
mod schema;
mod search_terms;
mod services;
mod swagger;
mod transforms;
mod unsupported;
mod upload;
mod v4;
mod versions;
mod wasm;

/// Build the complete application router: the execute fast path in front of the router.
pub fn app(state: AppState) -> Router {
    Router::new().fallback_service(fast::FastPath::new(state.clone(), routed(state)))
}

/// The same application without the fast path: every request goes through axum's routing.
/// Kept so tests can prove both give the same answers.
pub fn app_without_fast_path(state: AppState) -> Router {
    Router::new().fallback_service(routed(state))
}

/// The serving service of [`crate::Emulator::start`]: [`app`] without the outer `Router`
/// (it only forwards to its fallback, but costs a route lookup and a boxed clone per request).
pub fn service(state: AppState) -> fast::FastPath {
    fast::FastPath::new(state.clone(), routed(state))
}

/// Type of the routed application (normalised paths, then the router).
pub type Routed = tower::util::MapRequest<Router, fn(Request) -> Request>;

fn routed(state: AppState) -> Routed {
    let inner = router(&state)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        // Multipart uploads stream under this limit; other bodies get theirs in the gate.
        .layer(DefaultBodyLimit::max(state.limits().upload_body_bytes))
        .with_state(state);
    tower::ServiceExt::map_request(inner, normalise as fn(Request) -> Request)
}

/// Every resource router, merged (no gate, no fallback).
fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(platform::router())
        .merge(folders::router())
        .merge(auth::router())
        .merge(execute::router())
        .merge(v4::router())
        .merge(services::router())
        .merge(swagger::router())
        .merge(upload::router())
        .merge(versions::router())
        .merge(batches::router())
        .merge(history::router())
        .merge(logs::router())
        .merge(impex::router())
        .merge(transforms::router())
        .merge(wasm::router())
        .merge(runner::router(state.clone()))
        .merge(unsupported::router())
        .merge(crate::mcp::router(state.clone()))
}

/// The route patterns of [`router`], read from its `Debug` description (axum has no other
/// way to list them): every `RouteId(n): "pattern"` entry.
pub fn patterns() -> Vec<String> {
    let state = AppState::new("t", None, Default::default(), None, 0);
    let text = format!("{:?}", router(&state));
    let mut found: Vec<String> = text
        .split("RouteId(")
        .skip(1)
        .filter_map(|part| {
            let (_, rest) = part.split_once("): \"")?;
            let (pattern, _) = rest.split_once('"')?;
            Some(pattern.to_string())
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Unknown paths: 404 in the family's shape.
async fn not_found(uri: Uri) -> Response {
    let family = Family::of_path(uri.path());
    ApiError::NotFound {
        family,
        code: "RESOURCE_NOT_FOUND",
        message: format!("no such endpoint: {}", uri.path()),
    }
    .into_response()
}

/// Fixed path segments Spark matches case-insensitively; they are lower-cased before routing.
/// Folder and service names keep their case (lookups are case-insensitive anyway).
const KEYWORDS: &[&str] = &[
    "api",
    "v1",
    "v3",
    "v4",
    "folders",
    "services",
    "service",
    "version",
    "execute",
    "public",
    "product",
    "engines",
    "get",
    "getversions",
    "getbyversionid",
    "download",
    "delete",
    "downloadswagger",
    "metadata",
    "validation",
    "exists",
    "search",
    "upload",
    "getcompilationprogess",
    "publish",
    "log",
    "getexecutionhistorybycallid",
    "batch",
    "chunks",
    "chunkresults",
    "status",
    "getenginedetailbyversionid",
    "versionid",
    "health",
    "auth",
    "realms",
    "protocol",
    "openid-connect",
    "token",
    "_emulator",
    "counters",
    "reset",
    "recompilenodgen",
    "updateversion",
    "config",
    "getsparkconfiguration",
    "xml",
    "files",
    "create",
    "getproduct",
    "list",
    "update",
    "isproductexists",
    "uploadcoverimage",
    "lookup",
    "getcategories",
    "downloadjson",
    "downloadcsv",
    "downloads",
    "export",
    "import",
    "transforms",
    "transform",
    "savecategory",
    "deletecategory",
    "for",
    "run",
    "nodegen",
    "getnodegenzipbyid",
    "proxy",
    "logs",
];

/// True when [`normalise`] would change `path`.
fn needs_normalising(path: &str) -> bool {
    path.split('/')
        .any(|seg| seg.bytes().any(|b| b.is_ascii_uppercase()) && is_keyword(seg))
}

fn normalise(mut req: Request) -> Request {
    let uri = req.uri();
    let path = uri.path();
    if !needs_normalising(path) {
        return req;
    }
    let lowered: Vec<String> = path
        .split('/')
        .map(|seg| {
            if is_keyword(seg) {
                seg.to_ascii_lowercase()
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut text = lowered.join("/");
    if let Some(q) = uri.query() {
        text.push('?');
        text.push_str(q);
    }
    if let Ok(new_uri) = text.parse::<Uri>() {
        *req.uri_mut() = new_uri;
    }
    req
}

fn is_keyword(seg: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(seg))
}

/// Counters, fault injection, auth, request-id echo: the middleware form of [`gate_core`].
async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    gate_core(&state, req, None, |req| next.run(req)).await
}

/// Everything a request goes through around its handler: counters, fault injection, auth,
/// compressed bodies, Spark-shaped rejections, gzip answers, request-id echo. One
/// implementation for the router's middleware and the execute fast path ([`fast`]), so the
/// two cannot drift apart. `route` names the matched route when the caller knows it (the fast
/// path); otherwise it is read from axum's `MatchedPath`.
pub(super) async fn gate_core<H, Fut>(
    state: &AppState,
    req: Request,
    route: Option<&'static str>,
    handler: H,
) -> Response
where
    H: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let inner = &state.inner;
    inner
        .counters
        .total_requests
        .fetch_add(1, Ordering::Relaxed);
    // Borrowed from the request (no per-request copies); the request is only moved into
    // `limit_and_decode` after their last use.
    let method = req.method().as_str();
    let matched: Option<&str> = route.or_else(|| {
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str)
    });
    inner.counters.hit(method, matched.unwrap_or("<unmatched>"));
    let path = req.uri().path();
    let family = Family::of_path(path);
    let request_id = req.headers().get("x-request-id").cloned();

    if let Some(decision) = inner.faults.decide(method, path) {
        if let Some(latency) = decision.latency {
            tokio::time::sleep(latency).await;
        }
        let injected = match decision.fault {
            None | Some(Fault::Pass) => None,
            Some(Fault::Drop) => Some(dropped_connection()),
            Some(Fault::Status(401)) => Some(ApiError::Unauthorized(family).into_response()),
            Some(Fault::Status(code)) => {
                let status = axum::http::StatusCode::from_u16(code)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
                Some(
                    ApiError::Injected {
                        family,
                        status,
                        retry_after: (code == 429).then_some(decision.retry_after),
                    }
                    .into_response(),
                )
            }
        };
        if let Some(res) = injected {
            inner
                .counters
                .faults_injected
                .fetch_add(1, Ordering::Relaxed);
            return with_request_id(res, request_id);
        }
    }

    // Who may call: decided by the matched route from the one table in `crate::access`.
    let access = crate::access::of_route(matched);
    let tenant = crate::access::path_tenant(matched, path);
    let mut anonymous = false;
    let checked = match access {
        Access::Open => Ok(()),
        Access::RunnerUpload if !inner.auth.restricted() => Ok(()),
        // Without valid credentials, an upload may only load a version already published.
        Access::RunnerUpload => {
            anonymous = crate::auth::check(
                req.headers(),
                tenant,
                &inner.tenant,
                &inner.auth,
                &inner.tokens,
                family,
            )
            .is_err();
            Ok(())
        }
        Access::Public => crate::auth::check_tenant(req.headers(), tenant, &inner.tenant, family),
        Access::Authenticated => crate::auth::check(
            req.headers(),
            tenant,
            &inner.tenant,
            &inner.auth,
            &inner.tokens,
            family,
        )
        .map(|_| ()),
    };
    if let Err(e) = checked {
        return with_request_id(e.into_response(), request_id);
    }
    let limit = encoding::body_limit(&req, state.limits());
    let req = match encoding::limit_and_decode(req, family, limit).await {
        Ok(req) => req,
        Err(e) => return with_request_id(e.into_response(), request_id),
    };
    let gzip_ok = encoding::accepts_gzip(req.headers());
    let res = if access == Access::Public {
        crate::access::public_call(inner.public_services.clone(), handler(req)).await
    } else if anonymous {
        crate::access::anonymous_upload(handler(req)).await
    } else {
        handler(req).await
    };
    let res = spark_shaped(res, family).await;
    let res = encoding::compress_response(res, gzip_ok).await;
    with_request_id(res, request_id)
}

/// Error responses that did not come from our handlers (axum extractor rejections, 405)
/// are plain text; rewrite them into the family's JSON error shape, keeping the status.
async fn spark_shaped(res: Response, family: Family) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let mut message = String::from_utf8_lossy(&body).trim().to_string();
    if message.is_empty() {
        message = status.canonical_reason().unwrap_or("rejected").to_string();
    }
    ApiError::Rejected {
        family,
        status,
        message,
    }
    .into_response()
}

fn with_request_id(mut res: Response, id: Option<HeaderValue>) -> Response {
    if let Some(id) = id {
        res.headers_mut().insert("x-request-id", id);
    }
    res
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees the
/// socket close without a complete response.
fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by fault plan"))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut()
        .insert("content-length", HeaderValue::from_static("4096"));
    res
}

/// Parse a JSON body into a value; anything malformed is a Spark-shaped 400.
pub(crate) fn parse_json(body: &[u8], family: Family) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(family, format!("malformed JSON body: {e}")))
}

/// Parse a JSON body that must be an object.
pub(crate) fn parse_object(
    body: &[u8],
    family: Family,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    match parse_json(body, family)? {
        Value::Object(obj) => Ok(obj),
        _ => Err(ApiError::bad_request(
            family,
            "the request body must be a JSON object",
        )),
    }
}
