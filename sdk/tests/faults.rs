//! Fault suite (issue 7): real HTTP to the in-process emulator serving the demo workbooks, with
//! the emulator's seeded fault plan and its request counters as the referee.
//!
//! | test | fault | asserted |
//! |---|---|---|
//! | `storm_default_retries` | 10 % 429 (`Retry-After: 0.01`), 10 % 503, 2 % dropped connections, 0–3 ms latency | every call ends in success (right `Volume`) or a typed error after at most 3 attempts; Σ attempts = route hits = successes + injected faults |
//! | `storm_many_retries` | same, `max_retries = 30` | no API error at all; only dropped connections fail (one per drop) |
//! | `storm_typed_execute` | 20 % 429/503, no drops | `execute_typed` returns the right values for every call |
//! | `expired_token_*` | revoked / expired OAuth token, 100 concurrent calls | exactly one token request |
//! | `token_endpoint_rejects_client` | wrong client secret | `SparkError::Auth` (401) after one token request, no API call, no loop |
//! | `hung_*` | latency fault far above the client timeout | `SparkError::Timeout` within timeout × attempts + slack |
//!
//! Dropped connections: the emulator sends the response head and then breaks the body. The
//! request has reached the server by then, so the SDK does **not** replay a POST execute (see
//! `retry::classify`: a replay could run the calculation twice) and the call fails with
//! `SparkError::Transport { kind: TransportKind::Connection, .. }` after that one attempt's
//! count. GETs and other idempotent requests are replayed.
//!
//! Only the 429s carry a retry hint (`Retry-After` / `x-retry-after: 0.01`); the emulator's
//! injected 503s carry none, so they use the client's back-off (`retry_interval` = 2 ms here).
//!
//! Size: `CSPARK_FAULT_N` calls per storm (default 2,000, at most 10,000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cspark::services::ExecuteOptions;
use cspark::services::v3_body;
use cspark::transport::RequestSpec;
use cspark::{Auth, Client, ServiceUri, SparkError, TransportKind, TypedService};
use cspark_emulator::{Counters, Emulator, EmulatorConfig, EmulatorHandle, FaultPlan, FaultRule};
use futures::StreamExt;
use serde_json::{Map, Value, json};

const KEY: &str = "fault-suite-key";
const CLIENT_ID: &str = "fault-suite-client";
const CLIENT_SECRET: &str = "fault-suite-client-secret";
const SEED: u64 = 20_261_125;
const IN_FLIGHT: usize = 16;

fn n_calls() -> usize {
    std::env::var("CSPARK_FAULT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
        .clamp(1, 10_000)
}

async fn emulator(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config.with_demo_workbooks())
        .await
        .expect("emulator starts")
}

fn builder(emu: &EmulatorHandle) -> cspark::ClientBuilder {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .retry_interval(Duration::from_millis(2))
        .timeout(Duration::from_secs(10))
}

/// Hits on the v3 folder/service execute route.
fn execute_hits(c: &Counters) -> u64 {
    c.routes
        .iter()
        .filter(|(route, _)| route.starts_with("POST ") && route.ends_with("/execute"))
        .map(|(_, n)| n)
        .sum()
}

fn storm_rule(rate_drop: f64) -> FaultRule {
    FaultRule {
        route: "*/execute".into(),
        method: Some("POST".into()),
        rate_429: 0.10,
        rate_503: 0.10,
        rate_drop,
        latency_jitter_ms: 3,
        retry_after: Some(0.01),
        ..FaultRule::default()
    }
}

fn volume(radius: f64, height: f64) -> f64 {
    std::f64::consts::PI * radius * radius * height
}

fn inputs(i: usize) -> (f64, f64) {
    (1.0 + (i % 11) as f64, 1.0 + (i % 7) as f64)
}

/// How one call ended.
#[derive(Debug)]
enum End {
    Ok {
        attempts: u32,
    },
    /// Retries exhausted on a 429/503.
    Exhausted {
        status: u16,
        attempts: u32,
    },
    /// Dropped connection (POST not replayed).
    Dropped {
        attempts: u32,
    },
}

impl End {
    fn attempts(&self) -> u32 {
        match self {
            End::Ok { attempts } | End::Exhausted { attempts, .. } | End::Dropped { attempts } => {
                *attempts
            }
        }
    }
}

/// One execute through the SDK transport, exactly as `services().execute` builds it, but
/// keeping the attempt count of successful calls too.
async fn execute_once(client: &Client, i: usize) -> End {
    let (radius, height) = inputs(i);
    let uri = ServiceUri::new("demo", "volume-cylinder").unwrap();
    let mut map = Map::new();
    map.insert("Radius".into(), json!(radius));
    map.insert("Height".into(), json!(height));
    let body: Value =
        serde_json::from_slice(&v3_body(&uri, &map, &ExecuteOptions::default()).unwrap()).unwrap();
    let spec = RequestSpec::post(&uri.execute_url(client.base_url()))
        .unwrap()
        .json(&body)
        .unwrap();
    match client.transport().send(spec).await {
        Ok(res) => {
            let v: Value = res.json("execute").unwrap();
            let got = v["response_data"]["outputs"]["Volume"].as_f64().unwrap();
            let want = volume(radius, height);
            assert!(
                (got - want).abs() < 1e-9 * want,
                "call {i}: {got} != {want}"
            );
            End::Ok {
                attempts: res.attempts(),
            }
        }
        Err(SparkError::Api(api)) if matches!(api.status, 429 | 503) => End::Exhausted {
            status: api.status,
            attempts: api.attempts,
        },
        Err(SparkError::Transport {
            kind: TransportKind::Connection,
            attempts,
            ..
        }) => End::Dropped { attempts },
        Err(other) => panic!("call {i}: unexpected error: {other}"),
    }
}

/// Runs `n` calls, `IN_FLIGHT` at a time.
async fn storm(client: &Client, n: usize) -> Vec<End> {
    futures::stream::iter(0..n)
        .map(|i| {
            let client = client.clone();
            async move { execute_once(&client, i).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await
}

struct Tally {
    ok: usize,
    exhausted: usize,
    dropped: usize,
    attempts: u64,
}

fn tally(ends: &[End], max_retries: u32) -> Tally {
    let mut t = Tally {
        ok: 0,
        exhausted: 0,
        dropped: 0,
        attempts: 0,
    };
    for e in ends {
        let a = e.attempts();
        assert!(
            (1..=max_retries + 1).contains(&a),
            "attempts {a} outside 1..={}: {e:?}",
            max_retries + 1
        );
        t.attempts += u64::from(a);
        match e {
            End::Ok { .. } => t.ok += 1,
            End::Exhausted { attempts, status } => {
                assert_eq!(
                    *attempts,
                    max_retries + 1,
                    "a {status} ends the call only when retries are exhausted"
                );
                t.exhausted += 1;
            }
            End::Dropped { .. } => t.dropped += 1,
        }
    }
    t
}

/// Default retries (2): every call ends in success or a typed error; the emulator's counters
/// match the SDK's own attempt counts exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_default_retries() {
    let n = n_calls();
    let emu = emulator(EmulatorConfig::default().with_api_key(KEY)).await;
    emu.set_faults(FaultPlan::single(SEED, storm_rule(0.02)));
    let client = builder(&emu).api_key(KEY).max_retries(2).build().unwrap();
    let started = Instant::now();
    let ends = storm(&client, n).await;
    let elapsed = started.elapsed();
    let c = emu.counters();
    let t = tally(&ends, 2);
    assert_eq!(t.ok + t.exhausted + t.dropped, n);
    let hits = execute_hits(&c);
    assert_eq!(
        hits, t.attempts,
        "route hits = Σ attempts (no hidden retries): {c:?}"
    );
    assert_eq!(
        hits,
        t.ok as u64 + c.faults_injected,
        "route hits = successes + injected faults: {c:?}"
    );
    assert!(t.ok as f64 > 0.9 * n as f64, "most calls succeed: {}", t.ok);
    assert!(t.dropped > 0 || n < 200, "drops were injected");
    eprintln!(
        "storm (max_retries 2): {n} calls in {elapsed:?}: {} ok, {} exhausted, {} dropped; {hits} attempts, {} faults",
        t.ok, t.exhausted, t.dropped, c.faults_injected
    );
}

/// With enough retries every 429/503 is absorbed; only dropped connections (never replayed
/// for a POST) fail, each as `Transport { kind: Connection }` after its single drop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_many_retries() {
    let n = n_calls();
    let emu = emulator(EmulatorConfig::default().with_api_key(KEY)).await;
    emu.set_faults(FaultPlan::single(SEED + 1, storm_rule(0.02)));
    let client = builder(&emu).api_key(KEY).max_retries(30).build().unwrap();
    let ends = storm(&client, n).await;
    let c = emu.counters();
    let t = tally(&ends, 30);
    assert_eq!(t.exhausted, 0, "no call runs out of retries");
    assert_eq!(t.ok + t.dropped, n);
    let hits = execute_hits(&c);
    assert_eq!(hits, t.attempts, "{c:?}");
    assert_eq!(hits, t.ok as u64 + c.faults_injected, "{c:?}");
    // Each failed call was ended by exactly one drop (no drop was retried).
    let drops_seen = ends
        .iter()
        .filter(|e| matches!(e, End::Dropped { .. }))
        .count();
    assert_eq!(drops_seen, t.dropped);
    eprintln!(
        "storm (max_retries 30): {n} calls: {} ok, {} dropped; {hits} attempts, {} faults",
        t.ok, t.dropped, c.faults_injected
    );

    // Without drops, everything succeeds.
    emu.reset_counters();
    emu.set_faults(FaultPlan::single(SEED + 2, storm_rule(0.0)));
    let m = n.min(1_000);
    let ends = storm(&client, m).await;
    let t = tally(&ends, 30);
    assert_eq!(t.ok, m, "all calls succeed with correct values");
    let c = emu.counters();
    assert_eq!(execute_hits(&c), t.attempts);
    assert_eq!(execute_hits(&c), m as u64 + c.faults_injected);
}

/// The bindings `cspark-codegen` emits for `demo/volume-cylinder`, reduced to what the test
/// needs (the examples crate is not a dependency of the SDK's tests).
struct VolumeCylinder;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CylInputs {
    #[serde(rename = "Radius")]
    radius: f64,
    #[serde(rename = "Height")]
    height: f64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CylOutputs {
    #[serde(rename = "Volume", default)]
    volume: Option<f64>,
}

impl TypedService for VolumeCylinder {
    type Inputs = CylInputs;
    type Outputs = CylOutputs;
    const FOLDER: &'static str = "demo";
    const SERVICE: &'static str = "volume-cylinder";
    const VERSION: &'static str = "0.1.0";
    const VERSION_ID: Option<&'static str> = None;
}

impl cspark::ServiceInputs for CylInputs {
    type Service = VolumeCylinder;
}

/// The typed path under 20 % 429/503: right values for every call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_typed_execute() {
    let n = n_calls().min(500);
    let emu = emulator(EmulatorConfig::default().with_api_key(KEY)).await;
    emu.set_faults(FaultPlan::single(SEED + 3, storm_rule(0.0)));
    let client = builder(&emu).api_key(KEY).max_retries(30).build().unwrap();
    let results: Vec<(usize, cspark::Result<f64>)> = futures::stream::iter(0..n)
        .map(|i| {
            let client = client.clone();
            async move {
                let (radius, height) = inputs(i);
                let out = client
                    .execute_typed(&CylInputs { radius, height })
                    .await
                    .map(|t| t.outputs.volume.unwrap());
                (i, out)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for (i, r) in results {
        let (radius, height) = inputs(i);
        let got = r.unwrap_or_else(|e| panic!("call {i}: {e}"));
        assert!((got - volume(radius, height)).abs() < 1e-9 * got);
    }
    let c = emu.counters();
    assert_eq!(execute_hits(&c), n as u64 + c.faults_injected, "{c:?}");
    assert!(c.faults_injected > 0);
}

fn oauth_emulator_config(lifetime: Duration) -> EmulatorConfig {
    let mut config = EmulatorConfig::default().with_oauth_client(CLIENT_ID, CLIENT_SECRET);
    config.token_lifetime = lifetime;
    config
}

async fn concurrent_executes(client: &Client, n: usize) {
    let results: Vec<cspark::Result<cspark::services::ExecuteResponse>> =
        futures::stream::iter(0..n)
            .map(|i| {
                let client = client.clone();
                async move {
                    let (radius, height) = inputs(i);
                    client
                        .services()
                        .execute(
                            "demo/volume-cylinder",
                            &json!({"Radius": radius, "Height": height}),
                        )
                        .await
                }
            })
            .buffer_unordered(n)
            .collect()
            .await;
    for r in results {
        r.unwrap();
    }
}

/// 100 concurrent calls after the emulator revoked every token: each of them may see a 401,
/// but the token is refreshed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_revoked_single_refresh() {
    let emu = emulator(oauth_emulator_config(Duration::from_secs(3600))).await;
    let client = builder(&emu)
        .auth(Auth::oauth(CLIENT_ID, CLIENT_SECRET))
        .build()
        .unwrap();
    concurrent_executes(&client, 1).await;
    assert_eq!(emu.counters().token_requests, 1);
    emu.revoke_tokens();
    emu.reset_counters();
    concurrent_executes(&client, 100).await;
    let c = emu.counters();
    assert_eq!(c.token_requests, 1, "one refresh for 100 calls: {c:?}");
    let hits = execute_hits(&c);
    assert!(
        (100..=200).contains(&hits),
        "each call replays at most once after its 401: {hits}"
    );
}

/// Proactive refresh: the token expired on the client's clock, so 100 concurrent calls make
/// exactly one token request and no API call is rejected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_lifetime_single_refresh() {
    let emu = emulator(oauth_emulator_config(Duration::from_secs(3))).await;
    let client = builder(&emu)
        .auth(Auth::oauth(CLIENT_ID, CLIENT_SECRET))
        .build()
        .unwrap();
    concurrent_executes(&client, 1).await;
    assert_eq!(emu.counters().token_requests, 1);
    // The SDK refreshes at ttl - min(60 s, ttl/2) = 1.5 s; the emulator rejects after 3 s.
    // The 100 calls below must finish within the next token's 1.5 s (they take ~0.1 s).
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    emu.reset_counters();
    concurrent_executes(&client, 100).await;
    let c = emu.counters();
    assert_eq!(c.token_requests, 1, "{c:?}");
    assert_eq!(
        execute_hits(&c),
        100,
        "no call was sent with the expired token"
    );
}

/// A token endpoint that rejects the client: a clear `Auth` error after one token request,
/// even with a generous retry budget, and no API call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_rejects_client() {
    let emu = emulator(oauth_emulator_config(Duration::from_secs(3600))).await;
    let client = builder(&emu)
        .auth(Auth::oauth(CLIENT_ID, "not-the-secret"))
        .max_retries(5)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .services()
        .execute("demo/volume-cylinder", &json!({"Radius": 1, "Height": 1}))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            err,
            SparkError::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("rejected the client credentials") && text.contains("401"),
        "{text}"
    );
    assert!(text.contains(CLIENT_ID), "names the client: {text}");
    assert!(!text.contains("not-the-secret"), "{text}");
    let c = emu.counters();
    assert_eq!(c.token_requests, 1, "{c:?}");
    assert_eq!(execute_hits(&c), 0, "{c:?}");

    // Each later call tries once more, never in a loop; concurrent callers may share a failure.
    let client = Arc::new(client);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .services()
                    .execute("demo/volume-cylinder", &json!({"Radius": 1, "Height": 1}))
                    .await
            })
        })
        .collect();
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(matches!(e, SparkError::Auth { .. }), "{e:?}");
    }
    let c = emu.counters();
    assert!(
        (2..=21).contains(&c.token_requests),
        "at most one token request per call: {c:?}"
    );
    assert_eq!(execute_hits(&c), 0);
}

const HANG: u64 = 3_000;
const TIMEOUT: Duration = Duration::from_millis(250);
/// Spec target 2: a stalled call returns within the timeout(s) + 1 s.
const SLACK: Duration = Duration::from_secs(1);

fn hang(route: &str, method: &str) -> FaultPlan {
    FaultPlan::single(
        SEED,
        FaultRule {
            route: route.into(),
            method: Some(method.into()),
            latency_ms: HANG,
            ..FaultRule::default()
        },
    )
}

/// A hung execute (POST): one attempt (a timed-out POST may have run, so it is not
/// replayed), `SparkError::Timeout` right after the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_execute_times_out() {
    let emu = emulator(EmulatorConfig::default().with_api_key(KEY)).await;
    emu.set_faults(hang("*/execute", "POST"));
    let client = builder(&emu)
        .api_key(KEY)
        .timeout(TIMEOUT)
        .max_retries(2)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .services()
        .execute("demo/volume-cylinder", &json!({"Radius": 1, "Height": 1}))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        SparkError::Timeout { attempts, .. } => assert_eq!(*attempts, 1, "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");
    assert!(elapsed < TIMEOUT + SLACK, "{elapsed:?}");
    assert_eq!(execute_hits(&emu.counters()), 1);
}

/// A hung GET (idempotent): every attempt times out and is retried; the call ends with
/// `SparkError::Timeout` after max_retries + 1 attempts, within timeout × attempts + slack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_get_retries_then_times_out() {
    let emu = emulator(EmulatorConfig::default().with_api_key(KEY)).await;
    emu.set_faults(hang("*/metadata", "GET"));
    let client = builder(&emu)
        .api_key(KEY)
        .timeout(TIMEOUT)
        .max_retries(2)
        .build()
        .unwrap();
    let url = format!(
        "{}/api/v3/folders/demo/services/volume-cylinder/metadata",
        emu.base_url()
    );
    let started = Instant::now();
    let err = client
        .transport()
        .send(RequestSpec::get(&url).unwrap())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        SparkError::Timeout { attempts, .. } => assert_eq!(*attempts, 3, "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(elapsed >= TIMEOUT * 3, "{elapsed:?}");
    assert!(elapsed < TIMEOUT * 3 + SLACK, "{elapsed:?}");
    let hits: u64 = emu
        .counters()
        .routes
        .iter()
        .filter(|(r, _)| r.starts_with("GET ") && r.ends_with("/metadata"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(hits, 3);
}
