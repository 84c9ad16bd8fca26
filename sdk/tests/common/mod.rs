//! An in-process HTTP server for the SDK's integration tests: every request is recorded,
//! every answer comes from a closure the test supplies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn is_token(&self) -> bool {
        self.path.ends_with("/protocol/openid-connect/token")
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: None,
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.into(),
            delay: None,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, by: Duration) -> Self {
        self.delay = Some(by);
        self
    }
}

type Handler = dyn Fn(&Hit, usize) -> Reply + Send + Sync;

#[derive(Clone)]
struct AppState {
    hits: Arc<Mutex<Vec<Hit>>>,
    handler: Arc<Handler>,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
}

pub const TENANT: &str = "my-tenant";

impl Server {
    /// Starts a server whose answers come from `handler(hit, index_of_hit)`.
    pub async fn start(handler: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static) -> Self {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            hits: hits.clone(),
            handler: Arc::new(handler),
        };
        let app = Router::new().fallback(answer).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, hits }
    }

    /// `http://127.0.0.1:PORT/my-tenant`.
    pub fn base(&self) -> String {
        format!("http://{}/{TENANT}", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn api_hits(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| !h.is_token()).collect()
    }

    pub fn token_hits(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(Hit::is_token).collect()
    }
}

async fn answer(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hit = Hit {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body,
    };
    let index = {
        let mut hits = state.hits.lock().unwrap();
        hits.push(hit.clone());
        hits.len() - 1
    };
    let reply = (state.handler)(&hit, index);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (k, v) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    response
}

/// A token endpoint answer.
pub fn token_reply(token: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        serde_json::json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}),
    )
}

/// A v3 execute success envelope.
pub fn execute_ok(outputs: serde_json::Value) -> Reply {
    Reply::json(
        200,
        serde_json::json!({
            "status": "Success",
            "response_data": {"outputs": outputs, "warnings": null, "errors": null, "service_chain": null},
            "response_meta": {
                "service_id": "sid", "version_id": "vid", "version": "1.2.3", "process_time": 3,
                "call_id": "call-1", "compiler_type": "Neuron", "compiler_version": "1.12.0",
                "source_hash": null, "engine_id": "e1", "correlation_id": "corr", "parameterset_version_id": null,
                "system": "SPARK", "request_timestamp": "2024-11-20T23:19:50.191Z"
            },
            "error": null
        }),
    )
}

/// An environment lookup that knows nothing (tests never read the process env).
pub fn no_env(_: &str) -> Option<String> {
    None
}

/// A builder pointed at `server`, isolated from the process environment, with fast retries.
pub fn builder(server: &Server) -> cspark::ClientBuilder {
    cspark::Client::builder()
        .env_lookup(no_env)
        .base_url(server.base())
        .retry_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(10))
}
