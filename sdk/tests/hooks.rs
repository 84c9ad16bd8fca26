#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A stand-in for the progenitor-generated client: its `pre`/`exec` hooks delegate to
//! `cspark::hooks::HookState`, exactly as the generated platform client will.

mod common;

use common::{Reply, Server, builder, token_reply};
use cspark::Auth;
use cspark::hooks::HookState;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use serde_json::json;

struct FakeGenerated {
    baseurl: String,
    http: reqwest::Client,
    inner: HookState,
}

impl ClientInfo<HookState> for FakeGenerated {
    fn api_version() -> &'static str {
        "2026.11.25"
    }
    fn baseurl(&self) -> &str {
        &self.baseurl
    }
    fn client(&self) -> &reqwest::Client {
        &self.http
    }
    fn inner(&self) -> &HookState {
        &self.inner
    }
}

impl ClientHooks<HookState> for FakeGenerated {
    async fn pre<E>(
        &self,
        req: &mut reqwest::Request,
        _: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner().pre(req).await
    }
    async fn exec(
        &self,
        req: reqwest::Request,
        _: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().exec(req).await
    }
}

impl FakeGenerated {
    /// What a generated method does: build, pre, exec.
    async fn get(&self, path: &str) -> u16 {
        let info = OperationInfo { operation_id: "op" };
        let mut req = self
            .http
            .get(format!("{}{path}", self.baseurl))
            .header("api-version", Self::api_version())
            .build()
            .unwrap();
        self.pre::<()>(&mut req, &info).await.unwrap();
        self.exec(req, &info).await.unwrap().status().as_u16()
    }
}

fn fake(client: &cspark::Client) -> FakeGenerated {
    FakeGenerated {
        baseurl: client.base_url().origin().to_owned(),
        http: reqwest::Client::new(),
        inner: HookState::new(client),
    }
}

#[tokio::test]
async fn generated_calls_get_headers_and_retries() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(503, json!({}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let client = builder(&server).auth(Auth::api_key("k-1")).build().unwrap();
    let status = fake(&client)
        .get("/my-tenant/api/v3/folders/f/services/s/metadata")
        .await;
    assert_eq!(status, 200);
    let hits = server.hits();
    assert_eq!(hits.len(), 2);
    for h in &hits {
        assert_eq!(h.header("x-synthetic-key").as_deref(), Some("k-1"));
        assert_eq!(h.header("x-tenant-name").as_deref(), Some("my-tenant"));
        assert!(
            h.header("x-spark-ua")
                .unwrap()
                .starts_with("agent=spark-rust-sdk/")
        );
        assert_eq!(h.header("api-version"), None);
    }
    assert_eq!(
        hits[0].header("x-request-id"),
        hits[1].header("x-request-id")
    );
}

#[tokio::test]
async fn generated_calls_refresh_oauth_once_on_401() {
    let issued = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let n = issued.clone();
    let server = Server::start(move |h, _| {
        if h.is_token() {
            let k = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return token_reply(if k == 0 { "stale" } else { "fresh" }, 360);
        }
        match h.header("authorization").as_deref() {
            Some("Bearer fresh") => Reply::json(200, json!({})),
            _ => Reply::json(401, json!({})),
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    assert_eq!(
        fake(&client)
            .get("/my-tenant/api/v3/version/v/metadata")
            .await,
        200
    );
    assert_eq!(server.token_hits().len(), 2);
    assert_eq!(server.api_hits().len(), 2);
}

#[tokio::test]
async fn generated_calls_return_final_error_status() {
    let server = Server::start(|_, _| Reply::json(404, json!({"type": "invalid_input"}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    assert_eq!(
        fake(&client)
            .get("/my-tenant/api/v3/service/x/metadata")
            .await,
        404
    );
    assert_eq!(server.hits().len(), 1);
}
