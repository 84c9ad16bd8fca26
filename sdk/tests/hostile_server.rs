#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The SDK against a hostile or broken server (issue 15, item 3): response-size cap on
//! the wire and after decompression (gzip bomb), no credential sent to another origin
//! through a redirect (even with a caller's client builder that follows redirects), and
//! the client-wide retry budget under a permanent 429.

mod common;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::HeaderValue;
use axum::response::Response;
use common::{Reply, Server, builder};
use cspark::retry::RetryBudget;
use cspark::transport::RequestSpec;
use cspark::{Auth, SparkError};
use serde_json::json;

const KEY: &str = "CANARY-redirect-key-77a1";
const HEADER_VALUE: &str = "CANARY-redirect-hdr-0b9e";
const SECRET: &str = "CANARY-redirect-secret-3c5d";

/// Serves `body` (already encoded) with the given headers for every request.
async fn serve_bytes(body: Arc<Vec<u8>>, headers: Vec<(&'static str, String)>) -> String {
    let app = Router::new().fallback(move || {
        let body = body.clone();
        let headers = headers.clone();
        async move {
            let mut response = Response::new(Body::from(body.as_ref().clone()));
            for (name, value) in headers {
                response
                    .headers_mut()
                    .insert(name, HeaderValue::from_str(&value).unwrap());
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/my-tenant")
}

/// A gzip body of `members` concatenated members, each inflating to 1 MiB of zeros:
/// about 1 KiB on the wire per MiB inflated.
fn gzip_bomb(members: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1024 * 1024]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(members)
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

async fn get(client: &cspark::Client, url: &str) -> cspark::Result<cspark::transport::Response> {
    client
        .transport()
        .send(RequestSpec::get(url).unwrap())
        .await
}

fn open_client(base: &str) -> cspark::ClientBuilder {
    cspark::Client::builder()
        .env_lookup(common::no_env)
        .base_url(base)
        .auth(Auth::Open)
        .max_retries(0)
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_default_cap_with_memory_bounded() {
    // 1,024 members: about 1 MiB on the wire, 1 GiB once inflated.
    let bomb = Arc::new(gzip_bomb(1024));
    let wire = bomb.len();
    assert!(wire < 2 * 1024 * 1024, "{wire} bytes");
    let base = serve_bytes(
        bomb,
        vec![
            ("content-encoding", "gzip".into()),
            ("content-type", "application/json".into()),
        ],
    )
    .await;
    let client = open_client(&base).build().unwrap();
    let err = get(&client, &format!("{base}/api/v3/bomb"))
        .await
        .unwrap_err();
    match &err {
        SparkError::ResponseTooLarge {
            limit,
            decompressed,
            path,
            ..
        } => {
            assert_eq!(*limit, cspark::transport::DEFAULT_MAX_RESPONSE_BYTES);
            assert_eq!(*limit, 64 * 1024 * 1024);
            assert!(*decompressed);
            assert_eq!(path, "/my-tenant/api/v3/bomb");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
    let peak = peak_rss_bytes().unwrap_or(0);
    println!(
        "gzip bomb ({} KiB on the wire, 1 GiB inflated): refused at 64 MiB, peak RSS {} MiB",
        wire / 1024,
        peak / (1024 * 1024)
    );
    assert!(
        peak < 512 * 1024 * 1024,
        "peak RSS {} MiB while a 1 GiB bomb was refused",
        peak / (1024 * 1024)
    );
}

#[tokio::test]
async fn the_cap_is_configurable_and_applies_on_the_wire_and_inflated() {
    // 8 MiB inflated, from 8 members: over a 1 MiB cap only once decompressed.
    let base = serve_bytes(
        Arc::new(gzip_bomb(8)),
        vec![("content-encoding", "gzip".into())],
    )
    .await;
    let small = open_client(&base)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let err = get(&small, &format!("{base}/x")).await.unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::ResponseTooLarge {
                limit: 1_048_576,
                decompressed: true,
                ..
            }
        ),
        "{err:?}"
    );
    // The same body fits a 16 MiB cap and arrives inflated.
    let roomy = open_client(&base)
        .max_response_bytes(16 * 1024 * 1024)
        .build()
        .unwrap();
    let ok = get(&roomy, &format!("{base}/x")).await.unwrap();
    assert_eq!(ok.body().len(), 8 * 1024 * 1024);
    assert!(ok.body().iter().all(|b| *b == 0));
    assert!(ok.headers().get("content-encoding").is_none());

    // Plain bytes over the cap on the wire (with a Content-Length) are refused.
    let plain = serve_bytes(Arc::new(vec![b'x'; 2 * 1024 * 1024]), vec![]).await;
    let err = get(&small, &format!("{plain}/x")).await.unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::ResponseTooLarge {
                decompressed: false,
                ..
            }
        ),
        "{err:?}"
    );
    // A corrupt gzip body is a decode error, not a panic nor garbage.
    let corrupt = serve_bytes(
        Arc::new(b"this is not gzip at all".to_vec()),
        vec![("content-encoding", "gzip".into())],
    )
    .await;
    let err = get(&roomy, &format!("{corrupt}/x")).await.unwrap_err();
    assert!(matches!(err, SparkError::Decode { .. }), "{err:?}");

    // An empty body that claims an encoding (as after a HEAD or a 204) is just empty.
    let empty = serve_bytes(
        Arc::new(Vec::new()),
        vec![("content-encoding", "gzip".into())],
    )
    .await;
    let ok = get(&roomy, &format!("{empty}/x")).await.unwrap();
    assert!(ok.body().is_empty());

    let zero = open_client(&base)
        .max_response_bytes(0)
        .build()
        .unwrap_err();
    assert!(zero.to_string().contains("max_response_bytes"), "{zero}");
}

#[tokio::test]
async fn a_foreign_download_is_capped_and_inflated_like_any_answer() {
    // A file host outside the tenant's origin (`files().download` of a foreign link) gets
    // no credentials and no retries, but the same cap: it is the riskier server.
    let tenant = serve_bytes(Arc::new(b"{}".to_vec()), vec![]).await;
    let host = serve_bytes(
        Arc::new(gzip_bomb(8)),
        vec![("content-encoding", "gzip".into())],
    )
    .await;
    let foreign = host.replace("127.0.0.1", "localhost");
    let small = open_client(&tenant)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let err = small
        .files()
        .download(&format!("{foreign}/export.zip"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::ResponseTooLarge {
                limit: 1_048_576,
                decompressed: true,
                ..
            }
        ),
        "{err:?}"
    );
    // Under a roomy cap the same file arrives decompressed, as reqwest used to hand it over.
    let roomy = open_client(&tenant)
        .max_response_bytes(16 * 1024 * 1024)
        .build()
        .unwrap();
    let file = roomy
        .files()
        .download(&format!("{foreign}/export.zip"))
        .await
        .unwrap();
    assert_eq!(file.bytes.len(), 8 * 1024 * 1024);
}

/// The server every redirect points to; records what reached it.
async fn elsewhere() -> Server {
    Server::start(|_, _| Reply::json(200, json!({"access_token": "stolen", "expires_in": 60})))
        .await
}

/// A caller's client builder that follows redirects, as reqwest's default does.
fn following_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10))
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let thief = elsewhere().await;
    let target = format!("{}/stolen", thief.origin());
    let redirect_to = target.clone();
    let server =
        Server::start(move |_, _| Reply::text(307, "moved").with_header("location", &redirect_to))
            .await;

    // API key + extra header, through a caller-supplied builder that follows redirects.
    let client = builder(&server)
        .http_client(following_builder())
        .auth(Auth::api_key(KEY))
        .header("x-extra", HEADER_VALUE)
        .max_retries(0)
        .build()
        .unwrap();
    let spec = RequestSpec::post(&format!(
        "{}/api/v3/folders/f/services/s/execute",
        server.base()
    ))
    .unwrap()
    .json(&json!({"request_data": {"inputs": {}}}))
    .unwrap();
    let err = client.transport().send(spec).await.unwrap_err();
    assert_eq!(err.status(), Some(307), "{err:?}");
    assert!(err.to_string().contains("never follows"), "{err}");

    // Bearer token.
    let bearer = builder(&server)
        .http_client(following_builder())
        .auth(Auth::bearer("CANARY-redirect-bearer"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = get(&bearer, &format!("{}/api/v1/x", server.base()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(307));

    // OAuth: the token endpoint itself redirects (a 307 keeps the form body with the
    // client_secret).
    let oauth = builder(&server)
        .http_client(following_builder())
        .auth(Auth::oauth("client-1", SECRET))
        .max_retries(0)
        .build()
        .unwrap();
    let err = get(&oauth, &format!("{}/api/v1/x", server.base()))
        .await
        .unwrap_err();
    assert!(matches!(err, SparkError::Auth { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(SECRET));

    assert!(
        thief.hits().is_empty(),
        "the other origin received {:?}",
        thief.hits()
    );
    // The original server did get the credentials, so the check above is meaningful.
    let hits = server.hits();
    assert!(
        hits.iter()
            .any(|h| h.header("x-synthetic-key").as_deref() == Some(KEY))
    );
    assert!(
        hits.iter()
            .any(|h| h.header("x-extra").as_deref() == Some(HEADER_VALUE))
    );
    assert!(
        hits.iter()
            .any(|h| h.is_token() && String::from_utf8_lossy(&h.body).contains(SECRET))
    );
}

#[tokio::test]
async fn a_permanent_429_costs_at_most_1_1_attempts_per_call() {
    let server = Server::start(|_, _| Reply::json(429, json!({"error": "slow down"}))).await;
    let client = builder(&server)
        .auth(Auth::Open)
        .retry_interval(Duration::from_millis(1))
        .build()
        .unwrap();
    let url = format!("{}/api/v1/x", server.base());
    for _ in 0..300 {
        let err = get(&client, &url).await.unwrap_err();
        assert_eq!(err.status(), Some(429));
    }
    let attempts = server.hits().len();
    println!(
        "300 calls against a permanent 429: {attempts} attempts ({:.3} per call)",
        attempts as f64 / 300.0
    );
    assert!(attempts <= 330, "{attempts} attempts for 300 calls");
    // The budget still allowed some retries (default max_retries = 2 at the start).
    assert!(attempts > 300, "{attempts}");
}

#[tokio::test]
async fn the_budget_refills_after_the_server_recovers() {
    let failing = Arc::new(AtomicBool::new(true));
    let flag = failing.clone();
    let server = Server::start(move |_, _| {
        if flag.load(Ordering::SeqCst) {
            Reply::json(503, json!({}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::Open)
        .retry_interval(Duration::from_millis(1))
        .build()
        .unwrap();
    let url = format!("{}/api/v1/x", server.base());
    // Drain: with 100 tokens at 5 a retry, 20 retries are paid for.
    for _ in 0..40 {
        get(&client, &url).await.unwrap_err();
    }
    assert_eq!(server.hits().len(), 40 + 20);
    // Still drained: one attempt per call.
    get(&client, &url).await.unwrap_err();
    assert_eq!(server.hits().len(), 61);
    // Recovery: 100 successes refill the bucket.
    failing.store(false, Ordering::SeqCst);
    for _ in 0..100 {
        get(&client, &url).await.unwrap();
    }
    failing.store(true, Ordering::SeqCst);
    let before = server.hits().len();
    get(&client, &url).await.unwrap_err();
    assert_eq!(server.hits().len() - before, 3, "full retries again");

    // An unlimited budget gives the old behaviour: every call retries max_retries times.
    let unlimited = builder(&server)
        .auth(Auth::Open)
        .retry_interval(Duration::from_millis(1))
        .retry_budget(RetryBudget::unlimited())
        .build()
        .unwrap();
    let before = server.hits().len();
    for _ in 0..30 {
        get(&unlimited, &url).await.unwrap_err();
    }
    assert_eq!(server.hits().len() - before, 90);
}

#[tokio::test]
async fn retries_that_end_in_success_do_not_drain_the_budget() {
    // Every other attempt fails: each call needs one retry and then succeeds.
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let server = Server::start(move |_, _| {
        if seen.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            Reply::json(503, json!({}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::Open)
        .retry_interval(Duration::from_millis(1))
        .build()
        .unwrap();
    let url = format!("{}/api/v1/x", server.base());
    for _ in 0..100 {
        let ok = get(&client, &url).await.unwrap();
        assert_eq!(ok.attempts(), 2);
    }
}
