//! Load check (ignored by default): v3 executes per second over keep-alive connections.
//! Run: `cargo test --release -p cspark-emulator --test throughput -- --ignored --nocapture`
//! (client and server share the machine, so the figure understates the server alone).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test; run explicitly in release mode"]
async fn v3_execute_throughput() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for t in 0..32 {
        let url = url.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let body = json!({"request_data": {"inputs": {"Radius": (t + 1) as f64, "Height": i as f64}}});
                let res = client
                    .post(&url)
                    .header("x-synthetic-key", KEY)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 200);
                let _ = res.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    println!("v3 executes: {n} in 5 s = {:.0}/s", n as f64 / 5.0);
}

/// In-process cost of the whole router (auth, counters, parse, evaluate, history, encode),
/// without sockets: an upper bound for the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test; run explicitly in release mode"]
async fn v3_execute_router_cost() {
    use tower::ServiceExt;
    let (state, problems) = cspark_emulator::Emulator::prepare(
        &cspark_emulator::EmulatorConfig::default().with_demo_workbooks(),
    );
    assert!(problems.is_empty());
    let app = cspark_emulator::app(state);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for t in 0..2 {
        let app = app.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let body = json!({"request_data": {"inputs": {"Radius": (t + 1) as f64, "Height": i as f64}}});
                let req = axum::http::Request::post("/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute")
                    .header("x-synthetic-key", KEY)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let res = app.clone().oneshot(req).await.unwrap();
                assert_eq!(res.status().as_u16(), 200);
                let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "router-only v3 executes: {n} in 5 s = {:.0}/s",
        n as f64 / 5.0
    );
}

/// Evaluation alone, for comparison with the router cost.
#[test]
#[ignore = "load test; run explicitly in release mode"]
fn evaluate_cost() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/workbooks/demo/volume-cylinder.xlsx"
    ))
    .unwrap();
    let book = cspark_emulator::workbook::Workbook::from_xlsx(&bytes, "v.xlsx").unwrap();
    let started = Instant::now();
    let n = 50_000u64;
    for i in 0..n {
        let inputs = json!({"Radius": 2.0, "Height": i as f64});
        let ev = book.evaluate(inputs.as_object().unwrap(), None);
        assert!(!ev.outputs.is_empty());
    }
    let per = started.elapsed().as_secs_f64() / n as f64;
    println!(
        "evaluate: {:.1} µs per call = {:.0}/s on one core",
        per * 1e6,
        1.0 / per
    );
}

/// Sequential per-request router cost (one thread), execute vs health.
#[tokio::test(flavor = "current_thread")]
#[ignore = "load test; run explicitly in release mode"]
async fn router_cost_sequential() {
    use tower::ServiceExt;
    let (state, _) = cspark_emulator::Emulator::prepare(
        &cspark_emulator::EmulatorConfig {
            history_capacity: std::env::var("HIST")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000),
            ..cspark_emulator::EmulatorConfig::default()
        }
        .with_demo_workbooks(),
    );
    let app = cspark_emulator::app(state);
    for (label, path, body) in [
        ("health", "/health", None),
        (
            "execute",
            "/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute",
            Some(r#"{"request_data":{"inputs":{"Radius":2,"Height":3}}}"#),
        ),
    ] {
        let n = 20_000u32;
        let started = Instant::now();
        for _ in 0..n {
            let req = match body {
                None => axum::http::Request::get(path).body(axum::body::Body::empty()),
                Some(b) => axum::http::Request::post(path)
                    .header("x-synthetic-key", KEY)
                    .body(axum::body::Body::from(b)),
            }
            .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let _ = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
        }
        let per = started.elapsed().as_secs_f64() / f64::from(n);
        println!("{label}: {:.1} µs per request", per * 1e6);
    }
}
