//! The real hooks of the generated platform client, over real HTTP: every generated call
//! goes through the SDK's one request path (credentials, standard headers, retries,
//! timeout, body cap), its send rules come from the operation (`security: []`,
//! `x-cspark-idempotent`), and its errors convert into the `SparkError` the transport saw,
//! each call its own. Faults come from a local test server on 127.0.0.1 or from the
//! emulator's fault plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Reply, Server, TENANT, builder, token_reply};
use cspark::folders::FolderFields;
use cspark::hooks::ATTEMPTS_HEADER;
use cspark::services::{SearchOptions, ValidationType};
use cspark::{ApiErrorBody, Auth, SparkError, TransportKind};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultPlan, FaultRule};
use serde_json::json;

const VERSIONS: &str = "/api/v1/product/f/engines/getversions/s";

fn versions_ok() -> Reply {
    Reply::json(
        200,
        json!({"status": "Success", "data": [], "errorCode": null}),
    )
}

#[tokio::test]
async fn a_generated_call_gets_the_sdk_headers_and_retries_with_one_request_id() {
    let server = Server::start(|_, i| {
        if i < 2 {
            Reply::json(503, json!({}))
        } else {
            versions_ok()
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::api_key("k-1"))
        .max_retries(2)
        .build()
        .unwrap();
    let answer = client
        .platform()
        .get_service_versions("f", "s")
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    // The attempts the call took travel on the answer itself.
    assert_eq!(answer.headers()[ATTEMPTS_HEADER], "3");
    let hits = server.hits();
    assert_eq!(hits.len(), 3, "{hits:?}");
    for h in &hits {
        assert_eq!(h.path, VERSIONS);
        assert_eq!(h.header("x-synthetic-key").as_deref(), Some("k-1"));
        assert_eq!(h.header("x-tenant-name").as_deref(), Some(TENANT));
        assert!(
            h.header("x-spark-ua")
                .unwrap()
                .starts_with("agent=spark-rust-sdk/")
        );
        // Progenitor's own headers never reach the wire: no `api-version`, and the
        // HTTP client's default `accept`, as on every handwritten call.
        assert_eq!(h.header("api-version"), None);
        assert_eq!(h.header("accept").as_deref(), Some("*/*"));
        assert_eq!(h.header("x-request-id"), hits[0].header("x-request-id"));
    }
}

#[tokio::test]
async fn an_exhausted_generated_call_reports_what_the_transport_saw() {
    let server = Server::start(|_, _| {
        Reply::text(502, "<html>bad gateway</html>").with_header("x-retry-after", "0")
    })
    .await;
    let client = builder(&server)
        .auth(Auth::api_key("k"))
        .max_retries(1)
        .build()
        .unwrap();
    let err = client.services().get_versions("f/s").await.unwrap_err();
    let SparkError::Api(api) = err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(server.hits().len(), 2);
    assert_eq!(api.attempts, 2);
    assert_eq!(api.status, 502);
    assert_eq!((api.method.as_str(), api.path.as_str()), ("GET", VERSIONS));
    assert_eq!(
        Some(api.request_id.clone()),
        server.hits()[1].header("x-request-id")
    );
    assert_eq!(api.retry_after, Some(Duration::ZERO));
    // A body that is not Spark's JSON keeps its status and its text.
    assert_eq!(
        api.body,
        ApiErrorBody::Raw("<html>bad gateway</html>".into())
    );
}

#[tokio::test]
async fn two_concurrent_calls_through_one_client_get_their_own_errors() {
    let server = Server::start(|h, _| {
        if h.path.contains("/product/slow/") {
            Reply::json(404, json!({"status": "Error", "errorCode": "SLOW_MISSING"}))
                .delayed(Duration::from_millis(200))
        } else {
            Reply::json(
                409,
                json!({"status": "Error", "errorCode": "FAST_CONFLICT"}),
            )
        }
    })
    .await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let platform = client.platform();
    let (slow, fast) = tokio::join!(
        platform.get_service_versions("slow", "s"),
        platform.get_service_versions("fast", "s"),
    );
    let (slow, fast) = (
        SparkError::from(slow.unwrap_err()),
        SparkError::from(fast.unwrap_err()),
    );
    let (slow, fast) = (slow.api().unwrap(), fast.api().unwrap());
    assert_eq!(slow.status, 404);
    assert_eq!(slow.code(), Some("SLOW_MISSING"));
    assert!(slow.path.contains("/product/slow/"), "{}", slow.path);
    assert_eq!(fast.status, 409);
    assert_eq!(fast.code(), Some("FAST_CONFLICT"));
    assert!(fast.path.contains("/product/fast/"), "{}", fast.path);
    assert_ne!(slow.request_id, fast.request_id);
}

#[tokio::test]
async fn a_2xx_body_that_is_not_the_declared_type_is_a_decode_error() {
    let server = Server::start(|_, _| Reply::json(200, json!({"data": "not a list"}))).await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let err = client.services().get_versions("f/s").await.unwrap_err();
    // Progenitor keeps only the bytes of such a body: the error names no request id.
    assert!(
        matches!(&err, SparkError::Decode { reason, .. } if reason.contains("not a list")),
        "{err:?}"
    );
    assert_eq!(server.hits().len(), 1);
}

#[tokio::test]
async fn an_anonymous_operation_sends_no_credentials() {
    let server = Server::start(|_, _| Reply::json(200, json!({"status": "UP"}))).await;
    let client = builder(&server)
        .auth(Auth::api_key("k-secret"))
        .build()
        .unwrap();
    // `getHealth` is `security: []` in spark.yaml.
    assert!(client.health().await.unwrap().is_up());
    // `getServiceVersions` is not.
    let _ = client.services().get_versions("f/s").await;
    let hits = server.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].path, "/health");
    assert_eq!(hits[0].header("x-synthetic-key"), None);
    assert_eq!(hits[0].header("authorization"), None);
    assert!(hits[0].header("x-request-id").is_some());
    assert_eq!(
        hits[1].header("x-synthetic-key").as_deref(),
        Some("k-secret")
    );
}

#[tokio::test]
async fn a_generated_call_refreshes_an_oauth_token_once_on_401() {
    let issued = Arc::new(AtomicUsize::new(0));
    let n = issued.clone();
    let server = Server::start(move |h, _| {
        if h.is_token() {
            let k = n.fetch_add(1, Ordering::SeqCst);
            return token_reply(if k == 0 { "stale" } else { "fresh" }, 360);
        }
        match h.header("authorization").as_deref() {
            Some("Bearer fresh") => versions_ok(),
            _ => Reply::json(401, json!({})),
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    let answer = client
        .platform()
        .get_service_versions("f", "s")
        .await
        .unwrap();
    assert_eq!(answer.headers()[ATTEMPTS_HEADER], "2");
    assert_eq!(server.token_hits().len(), 2);
    assert_eq!(server.api_hits().len(), 2);
}

#[tokio::test]
async fn a_rejected_fresh_oauth_token_is_an_auth_error() {
    let server = Server::start(|h, _| {
        if h.is_token() {
            token_reply("t", 360)
        } else {
            Reply::json(401, json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    let err = client.services().get_versions("f/s").await.unwrap_err();
    assert!(
        matches!(
            &err,
            SparkError::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.api_hits().len(), 2);
}

#[tokio::test]
async fn the_sdk_own_failures_reach_the_caller_whole() {
    // A body over the cap: the transport refuses it, no status is made up.
    let server = Server::start(|_, _| Reply::json(200, json!({"data": "x".repeat(4096)}))).await;
    let client = builder(&server)
        .auth(Auth::api_key("k"))
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = client.services().get_versions("f/s").await.unwrap_err();
    match err {
        SparkError::ResponseTooLarge {
            method,
            path,
            limit,
            ..
        } => assert_eq!(
            (method.as_str(), path.as_str(), limit),
            ("GET", VERSIONS, 1024)
        ),
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }

    // No credentials to be had: the token endpoint refuses, nothing reaches the API.
    let server = Server::start(|_, _| Reply::json(400, json!({"error": "invalid_client"}))).await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "wrong"))
        .build()
        .unwrap();
    let err = client.services().get_versions("f/s").await.unwrap_err();
    assert!(matches!(err, SparkError::Auth { .. }), "{err:?}");
    assert!(server.api_hits().is_empty());
}

#[tokio::test]
async fn a_multipart_upload_goes_through_the_same_path() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(503, json!({}))
        } else {
            Reply::json(
                200,
                json!({"status": "Success", "data": {"folderId": "f-1"}}),
            )
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::api_key("k-1"))
        .max_retries(1)
        .build()
        .unwrap();
    let folder = client
        .folders()
        .create("pricing", &FolderFields::default())
        .await
        .unwrap();
    assert_eq!(folder.data.and_then(|f| f.id).as_deref(), Some("f-1"));
    let hits = server.hits();
    assert_eq!(hits.len(), 2, "retried once on 503: {hits:?}");
    for h in &hits {
        assert_eq!(h.path, "/api/v1/product/create");
        assert_eq!(h.header("x-synthetic-key").as_deref(), Some("k-1"));
        assert!(
            h.header("content-type")
                .unwrap()
                .starts_with("multipart/form-data; boundary=")
        );
    }
    assert_eq!(
        hits[0].header("x-request-id"),
        hits[1].header("x-request-id")
    );
    assert_eq!(
        hits[0].header("content-type"),
        hits[1].header("content-type")
    );
    assert_eq!(hits[0].body, hits[1].body);
}

async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .expect("emulator starts")
}

fn drop_once(emu: &EmulatorHandle, route: &str, method: &str) {
    emu.set_faults(FaultPlan::single(
        7,
        FaultRule {
            route: route.into(),
            method: Some(method.into()),
            script: vec![Fault::Drop],
            ..FaultRule::default()
        },
    ));
}

fn hits_on(emu: &EmulatorHandle, needle: &str) -> u64 {
    emu.counters()
        .routes
        .iter()
        .filter(|(route, _)| route.contains(needle))
        .map(|(_, n)| n)
        .sum()
}

fn emulator_client(emu: &EmulatorHandle) -> cspark::Client {
    cspark::Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::bearer("any-token"))
        .max_retries(2)
        .retry_interval(Duration::from_millis(1))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_post_declared_idempotent_is_replayed_after_a_dropped_connection() {
    let emu = emulator().await;
    // `searchServices` is `x-cspark-idempotent: true` in spark.yaml.
    drop_once(&emu, "*/services/search", "POST");
    let found = emulator_client(&emu)
        .services()
        .search(&SearchOptions::default())
        .await
        .unwrap();
    assert!(!found.response_data.unwrap_or_default().is_empty());
    assert_eq!(emu.counters().faults_injected, 1);
    assert_eq!(hits_on(&emu, "search"), 2, "{:?}", emu.counters());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_plain_post_is_not_replayed_after_a_dropped_connection() {
    let emu = emulator().await;
    drop_once(&emu, "*/validation", "POST");
    let err = emulator_client(&emu)
        .services()
        .validate_raw(
            "demo/volume-cylinder",
            &json!({"Radius": 1.0, "Height": 2.0}),
            ValidationType::Static,
        )
        .await
        .unwrap_err();
    match err {
        SparkError::Transport {
            kind,
            method,
            attempts,
            path,
            request_id,
            ..
        } => {
            assert_eq!(kind, TransportKind::Connection);
            assert_eq!((method.as_str(), attempts), ("POST", 1));
            assert!(path.ends_with("/validation"), "{path}");
            assert!(!request_id.is_empty());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(hits_on(&emu, "validation"), 1, "{:?}", emu.counters());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_get_is_replayed_and_a_final_drop_reports_every_attempt() {
    let emu = emulator().await;
    emu.set_faults(FaultPlan::single(
        7,
        FaultRule {
            route: "*/getversions/*".into(),
            method: Some("GET".into()),
            script: vec![Fault::Drop; 3],
            ..FaultRule::default()
        },
    ));
    let err = emulator_client(&emu)
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap_err();
    let SparkError::Transport { attempts, .. } = err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert_eq!(attempts, 3);
    assert_eq!(emu.counters().faults_injected, 3);
    emu.shutdown().await;
}
