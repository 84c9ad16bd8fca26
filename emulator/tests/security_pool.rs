//! Evaluation runs off the async workers, on a bounded pool (issue 15): `/health` answers
//! at once while heavy calls compute, and a call that finds every evaluation slot and queue
//! place taken (v3, v4, a batch push, or an ImpEx import, whose workbooks compile on the
//! same pool) is refused at once with a 429 and `Retry-After`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use cspark_emulator::{EmulatorConfig, EmulatorHandle, Limits};
use serde_json::{Value, json};

const RECORDS: usize = 40_000;

async fn emulator(workers: usize, queue: usize) -> EmulatorHandle {
    start_with(EmulatorConfig {
        limits: Limits {
            evaluation_workers: workers,
            evaluation_queue: queue,
            records_per_call: RECORDS,
            ..Limits::default()
        },
        ..EmulatorConfig::default()
    })
    .await
}

/// A v4 call of [`RECORDS`] records: seconds of evaluation in a debug build. The body is
/// built before the clock matters.
fn heavy(h: &EmulatorHandle) -> tokio::task::JoinHandle<u16> {
    let url = format!("{}/api/v4/execute", h.base_url());
    let inputs: Vec<Value> = (0..RECORDS)
        .map(|i| json!({"Radius": 1.0 + i as f64, "Height": 2.0}))
        .collect();
    let body =
        serde_json::to_vec(&json!({"service": "demo/volume-cylinder", "inputs": inputs})).unwrap();
    tokio::spawn(async move {
        let res = client()
            .post(url)
            .header("x-synthetic-key", KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let _ = res.bytes().await;
        status
    })
}

fn light(h: &EmulatorHandle) -> reqwest::RequestBuilder {
    client()
        .post(execute_url(h, "demo", "volume-cylinder"))
        .header("x-synthetic-key", KEY)
        .json(&json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}))
}

// Two async workers: were evaluations on them, two heavy calls would stall everything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_heavy_calls_evaluate() {
    let h = emulator(2, 8).await;
    let calls = [heavy(&h), heavy(&h)];
    let http = client();
    let mut slowest = Duration::ZERO;
    let mut samples = 0;
    for _ in 0..600 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if calls.iter().any(|c| c.is_finished()) {
            break;
        }
        let started = Instant::now();
        let res = http
            .get(format!("{}/health", h.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        slowest = slowest.max(started.elapsed());
        samples += 1;
    }
    assert!(
        samples >= 5,
        "only {samples} health checks while the heavy calls ran: make them heavier"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "the slowest of {samples} health checks took {slowest:?}"
    );
    for call in calls {
        assert_eq!(call.await.unwrap(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_pool_answers_429_with_retry_after() {
    let h = emulator(1, 0).await;
    let batches = format!("{}/api/v4/batch", h.base_url());
    let (status, batch) = post(&batches, json!({"service": "demo/volume-cylinder"})).await;
    assert_eq!(status, 200, "{batch}");
    let push = format!("{batches}/{}/chunks", batch["id"].as_str().unwrap());
    let chunk = json!({"chunks": [{"id": "c1", "data": {"inputs": [{"Radius": 1, "Height": 1}]}}]});
    let package = export_package(&h).await;
    let mut running = heavy(&h);
    // Probe until the heavy call holds the only slot (bounded by the heavy call itself).
    let mut refused = None;
    for _ in 0..600 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if running.is_finished() {
            // A probe can hold the slot at the moment the heavy call arrives, which then is
            // the one refused (seen on a loaded machine): send it again.
            let status = std::mem::replace(&mut running, heavy(&h)).await.unwrap();
            assert_eq!(
                status, 429,
                "the heavy call ended before any probe was refused"
            );
            continue;
        }
        let res = light(&h).send().await.unwrap();
        if res.status().as_u16() == 429 {
            refused = Some(res);
            break;
        }
    }
    let res = refused.expect("a call was refused while the only slot was busy");
    assert_eq!(res.headers()["retry-after"], "1");
    let (status, body) = decode(res).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["message"], "TOO_MANY_REQUESTS", "{body}");
    // A batch push evaluates on the same pool.
    let (status, body) = post(&push, chunk.clone()).await;
    assert!(
        status == 429 || running.is_finished(),
        "a push while the only slot was busy: {status} {body}"
    );
    // So does an ImpEx import: it compiles the package's workbooks there.
    let (status, body) = import(&h, package.clone()).await;
    assert!(
        status == 429 || running.is_finished(),
        "an import while the only slot was busy: {status} {body}"
    );
    assert_eq!(running.await.unwrap(), 200);
    let (status, body) = import(&h, package).await;
    assert_eq!(status, 200, "{body}");
    // The slot is free again.
    let (status, body) = decode(light(&h).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&push, chunk).await;
    assert_eq!(status, 200, "{body}");
}

/// A migration package of the demo cylinder (export, then download).
async fn export_package(h: &EmulatorHandle) -> Vec<u8> {
    let (status, started) = post(
        &format!("{}/api/v4/export", h.base_url()),
        json!({"inputs": {"services": ["demo/volume-cylinder"]}, "file_filter": "migrate"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let (_, result) = get(started["status_url"].as_str().unwrap()).await;
    let file = result["outputs"]["files"][0]["file"].as_str().unwrap();
    let res = client()
        .get(file)
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    res.bytes().await.unwrap().to_vec()
}

/// Imports `package` as `pooled/cylinder`, adding a version when it exists.
async fn import(h: &EmulatorHandle, package: Vec<u8>) -> (u16, Value) {
    let entity = json!({"inputs": {"services_modify": [{"service_uri_source": "demo/volume-cylinder",
        "service_uri_destination": "pooled/cylinder"}]}, "services_existing": "add_version"});
    import_package(h, package, entity).await
}
