//! `Pipeline::run_stream` / `Batches::run_stream` against the emulator: records from a
//! stream that only yields more once the run has returned outputs (the way a caller bounds
//! what it holds), so reading the source must never stall the pushes already started.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cspark::batches::RunOptions;
use cspark::{Auth, Client};
use cspark_emulator::{Emulator, EmulatorConfig};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::watch;

fn record(i: usize) -> Value {
    json!({"Radius": 1 + i % 17, "Height": 1 + i % 9})
}

fn expected(i: usize) -> f64 {
    let (r, h) = ((1 + i % 17) as f64, (1 + i % 9) as f64);
    std::f64::consts::PI * r * r * h
}

#[tokio::test]
async fn a_source_gated_on_the_runs_outputs_runs_to_the_end() {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let client = Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let n = 1_000;
    let lead = 25; // records the source may be ahead of the outputs received
    let (received_tx, received_rx) = watch::channel(0usize);
    let records = futures::stream::unfold((0usize, received_rx), move |(i, mut rx)| async move {
        if i == n {
            return None;
        }
        rx.wait_for(|got| got + lead >= i).await.ok()?;
        Some((record(i), (i + 1, rx)))
    });
    let mut options = RunOptions::default();
    options.chunk_size = 10;
    options.max_in_flight = 4;
    options.poll_min = Duration::from_millis(1);
    options.poll_max = Duration::from_millis(20);
    let mut run = client
        .batches()
        .run_stream("demo/volume-cylinder", records, &options)
        .await
        .unwrap();
    let mut seen = vec![false; n];
    // A deadline so that a regression (the source starving the pushes) fails instead of
    // hanging; the run itself takes well under a second.
    let drained = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(out) = run.next().await {
            let out = out.unwrap();
            assert!(!seen[out.index], "index {} twice", out.index);
            seen[out.index] = true;
            let got = out.outputs["Volume"].as_f64().unwrap();
            let want = expected(out.index);
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "#{}: {got} vs {want}",
                out.index
            );
            received_tx.send_modify(|r| *r += 1);
        }
    })
    .await;
    assert!(
        drained.is_ok(),
        "the run stalled with {} outputs",
        *received_tx.borrow()
    );
    assert!(seen.iter().all(|s| *s), "some indices missing");
}
