//! `execute_typed_chunked`: many typed records split over concurrent v4 calls, against the
//! in-process emulator. Outputs are checked against π·r²·h, record by record, in input order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use cspark::{Auth, Chunking, Client, SparkError};
use cspark_emulator::faults::Fault;
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle, FaultPlan, FaultRule};
use cspark_examples::spark::demo_volume_cylinder::Inputs;

async fn start(config: EmulatorConfig) -> (EmulatorHandle, Client) {
    let emu = Emulator::start(config.with_demo_workbooks()).await.unwrap();
    let client = Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .max_retries(0)
        .build()
        .unwrap();
    (emu, client)
}

fn record(i: usize) -> Inputs {
    Inputs {
        radius: 1.0 + (i % 97) as f64 / 10.0,
        height: 1.0 + (i % 13) as f64,
    }
}

fn v4_calls(emu: &EmulatorHandle) -> u64 {
    emu.counters()
        .routes
        .iter()
        .filter(|(k, _)| k.starts_with("POST ") && k.ends_with("/api/v4/execute"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn every_record_once_in_input_order() {
    let (emu, client) = start(EmulatorConfig::default()).await;
    let records: Vec<Inputs> = (0..1_003).map(record).collect();
    let out = client
        .execute_typed_chunked(&records, Chunking::default().chunk_size(100).in_flight(4))
        .await
        .unwrap();
    assert_eq!(out.records.len(), records.len());
    for (i, (x, r)) in records.iter().zip(out.outputs()).enumerate() {
        let expected = std::f64::consts::PI * x.radius * x.radius * x.height;
        let v = r.volume.unwrap();
        assert!(
            (v - expected).abs() <= 1e-9 * expected,
            "record #{i}: {v} != {expected}"
        );
    }
    // 11 calls: ten of 100 and one of 3, each with its own call id.
    assert_eq!(out.calls.len(), 11);
    assert_eq!(v4_calls(&emu), 11);
    for (k, call) in out.calls.iter().enumerate() {
        assert_eq!(call.first_record, k * 100);
        assert_eq!(call.records, if k == 10 { 3 } else { 100 });
        assert!(call.call_id.is_some());
        assert_eq!(call.version.as_deref(), Some("0.1.0"));
    }
    let ids: std::collections::HashSet<_> = out.calls.iter().map(|c| &c.call_id).collect();
    assert_eq!(ids.len(), 11);

    // Nothing to send, nothing sent.
    let empty = client
        .execute_typed_chunked::<Inputs>(&[], Chunking::default())
        .await
        .unwrap();
    assert!(empty.records.is_empty() && empty.calls.is_empty());
    assert_eq!(v4_calls(&emu), 11);
    emu.shutdown().await;
}

#[tokio::test]
async fn calls_in_flight_overlap_on_a_paced_engine() {
    // 20 ms per record: 40 records in chunks of 5 take 800 ms one call after another, 100 ms
    // with all 8 calls in flight.
    let (emu, client) =
        start(EmulatorConfig::default().with_engine_time_per_record(Duration::from_millis(20)))
            .await;
    let records: Vec<Inputs> = (0..40).map(record).collect();
    let started = Instant::now();
    let out = client
        .execute_typed_chunked(&records, Chunking::default().chunk_size(5).in_flight(8))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.records.len(), 40);
    assert_eq!(out.calls.len(), 8);
    assert!(out.records.iter().all(|r| r.process_time == Some(20.0)));
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(600),
        "8 calls of 100 ms each took {elapsed:?}: they did not overlap"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_chunking_is_refused_before_sending() {
    let (emu, client) = start(EmulatorConfig::default()).await;
    let records: Vec<Inputs> = (0..3).map(record).collect();
    for (chunking, name) in [
        (Chunking::default().chunk_size(0), "chunk_size"),
        (Chunking::default().in_flight(0), "in_flight"),
    ] {
        let err = client
            .execute_typed_chunked(&records, chunking)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SparkError::InvalidInput { what, value, .. } if *what == name && value == "0"),
            "{err:?}"
        );
    }
    assert_eq!(emu.counters().total_requests, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_failed_call_ends_the_execution_with_its_error() {
    let (emu, client) = start(EmulatorConfig::default()).await;
    emu.set_faults(FaultPlan {
        seed: 1,
        rules: vec![FaultRule {
            route: "*/api/v4/execute".into(),
            method: Some("POST".into()),
            script: vec![Fault::Pass, Fault::Status(422)],
            ..FaultRule::default()
        }],
    });
    let records: Vec<Inputs> = (0..30).map(record).collect();
    let err = client
        .execute_typed_chunked(&records, Chunking::default().chunk_size(10).in_flight(1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422), "{err:?}");
    // One after another: the third call is never sent.
    assert_eq!(v4_calls(&emu), 2);
    emu.shutdown().await;
}
