//! The modelled engine time (`pacing`): answers wait records × the per-record time, reported
//! `process_time` follows it, concurrent calls overlap, batch chunks become pullable only
//! once computed. The assertions are lower bounds set by sleeps, plus one generous overlap
//! bound (concurrent calls must not queue behind each other).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use cspark_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn v3_url(h: &cspark_emulator::EmulatorHandle) -> String {
    format!(
        "{}/api/v3/folders/demo/services/volume-cylinder/execute",
        h.base_url()
    )
}

fn v3_body(r: f64) -> Value {
    json!({"request_data": {"inputs": {"Radius": r, "Height": 2.0}}, "request_meta": {}})
}

#[tokio::test]
async fn v4_answer_waits_for_every_record_and_reports_it() {
    let h = start_with(
        EmulatorConfig::default().with_engine_time_per_record(Duration::from_millis(15)),
    )
    .await;
    let inputs: Vec<Value> = (0..20)
        .map(|i| json!({"Radius": 1.0 + f64::from(i), "Height": 2.0}))
        .collect();
    let started = Instant::now();
    let (status, body) = post(
        &format!("{}/api/v4/execute", h.base_url()),
        json!({"service": "demo/volume-cylinder", "inputs": inputs}),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert!(
        elapsed >= Duration::from_millis(300),
        "20 records at 15 ms answered in {elapsed:?}"
    );
    let times = body["process_time"].as_array().unwrap();
    assert_eq!(times.len(), 20);
    assert!(times.iter().all(|t| t.as_u64().unwrap() >= 15), "{times:?}");
    // The outputs are still the workbook's.
    let v = body["outputs"][3]["Volume"].as_f64().unwrap();
    assert!((v - std::f64::consts::PI * 16.0 * 2.0).abs() < 1e-9, "{v}");
}

#[tokio::test]
async fn concurrent_v3_calls_overlap_like_separate_workers() {
    let h = start_with(
        EmulatorConfig::default().with_engine_time_per_record(Duration::from_millis(400)),
    )
    .await;
    let url = v3_url(&h);
    let started = Instant::now();
    let calls = (0..8).map(|i| {
        let url = url.clone();
        async move { post(&url, v3_body(1.0 + f64::from(i))).await }
    });
    let answers = futures_join_all(calls).await;
    let elapsed = started.elapsed();
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["response_meta"]["process_time"], 400, "{body}");
    }
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    // One after another they would take 3.2 s.
    assert!(
        elapsed < Duration::from_millis(2400),
        "8 concurrent 400 ms calls took {elapsed:?}"
    );
}

#[tokio::test]
async fn setting_it_at_run_time_and_turning_it_off() {
    let h = start().await;
    let url = v3_url(&h);
    // Without a modelled time, process_time is the real evaluation time in ms: about 0 on
    // a quiet machine, more under load, never the modelled 250.
    let real = |body: &serde_json::Value| body["response_meta"]["process_time"].as_u64();
    let (_, body) = post(&url, v3_body(1.0)).await;
    assert!(real(&body).is_some_and(|ms| ms < 250), "{body}");

    h.set_engine_time(Some(Duration::from_millis(250)));
    let started = Instant::now();
    let (status, body) = post(&url, v3_body(1.0)).await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(body["response_meta"]["process_time"], 250, "{body}");

    h.set_engine_time(None);
    let (_, body) = post(&url, v3_body(1.0)).await;
    assert!(real(&body).is_some_and(|ms| ms < 250), "{body}");
}

#[tokio::test]
async fn batch_chunk_is_pullable_only_once_computed() {
    let h = start_with(
        EmulatorConfig::default().with_engine_time_per_record(Duration::from_millis(60)),
    )
    .await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (status, created) = post(&b, json!({"service": "demo/volume-cylinder"})).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap();
    let mut rows = vec![json!(["Radius", "Height"])];
    rows.extend((0..10).map(|i| json!([1.0 + f64::from(i), 1.0])));
    let pushed_at = Instant::now();
    let (status, pushed) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "c1", "size": 10, "data": {"inputs": rows}}]}),
    )
    .await;
    assert_eq!(status, 200, "{pushed}");
    assert_eq!(pushed["record_submitted"], 10, "{pushed}");
    assert_eq!(pushed["records_available"], 0, "{pushed}");
    assert_eq!(pushed["records_completed"], 0, "{pushed}");
    assert_eq!(pushed["workers_in_use"], 1, "{pushed}");
    assert_eq!(pushed["pipeline_status"], "processing", "{pushed}");

    // 10 records × 60 ms: nothing to pull before 600 ms have passed.
    let mut pulled = Vec::new();
    while pulled.is_empty() {
        let (status, answer) = get(&format!("{b}/{id}/chunkresults?max=10")).await;
        assert_eq!(status, 200, "{answer}");
        pulled = answer["data"].as_array().unwrap().clone();
        if pulled.is_empty() {
            assert!(pushed_at.elapsed() < Duration::from_secs(30), "never ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        } else {
            assert!(pushed_at.elapsed() >= Duration::from_millis(600));
            assert_eq!(answer["status"]["records_completed"], 10, "{answer}");
            assert_eq!(answer["status"]["workers_in_use"], 0, "{answer}");
            assert_eq!(answer["status"]["pipeline_status"], "idle", "{answer}");
        }
    }
    assert_eq!(pulled.len(), 1);
    assert_eq!(pulled[0]["id"], "c1");
    let times = pulled[0]["process_time"].as_array().unwrap();
    assert!(times.iter().all(|t| t == 60), "{times:?}");
}

/// Await every future concurrently (no extra dependency for one helper).
async fn futures_join_all<
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
>(
    futures: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
