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
