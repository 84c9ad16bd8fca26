//! The generated `VolumeCylinder` bindings through the async Batch API on the in-process
//! emulator: every input index comes back exactly once with π·r²·h.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cspark::batches::RunOptions;
use cspark::{Auth, Client};
use cspark_emulator::{Emulator, EmulatorConfig};
use cspark_examples::spark::demo_volume_cylinder as volume;

fn inputs(i: usize) -> volume::Inputs {
    volume::Inputs {
        radius: 0.5 + (i % 19) as f64,
        height: 1.0 + (i % 7) as f64 * 0.25,
    }
}

#[tokio::test]
async fn typed_batch_returns_every_record_once() {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let n = 2_500;
    let mut options = RunOptions::default();
    options.chunk_size = 100;
    options.poll_min = Duration::from_millis(5);
    let mut run = client
        .run_typed_batch((0..n).map(inputs), &options)
        .await
        .unwrap();
    let progress = run.progress();
    let mut seen = vec![false; n];
    while let Some(item) = run.recv().await {
        let (index, outputs) = item.unwrap();
        assert!(!std::mem::replace(&mut seen[index], true), "#{index} twice");
        let i = inputs(index);
        let want = std::f64::consts::PI * i.radius * i.radius * i.height;
        let got = outputs.volume.unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want,
            "#{index}: {got} vs {want}"
        );
        let base = outputs.base_area.unwrap();
        assert!((base - std::f64::consts::PI * i.radius * i.radius).abs() <= 1e-9 * base);
    }
    assert!(seen.iter().all(|s| *s));
    let p = *progress.borrow();
    assert_eq!((p.submitted, p.processed), (n as u64, n as u64));
    assert!(p.done);

    // the batch ran the version the bindings were generated from, and was closed
    let overview = client.batches().describe().await.unwrap();
    let recent = serde_json::to_string(&overview.recent_batches).unwrap();
    assert!(recent.contains("demo/volume-cylinder[0.1.0]"), "{recent}");
    assert!(recent.contains("completed"), "{recent}");
}

#[tokio::test]
async fn typed_batch_rejects_an_unpublished_version() {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let mut options = RunOptions::default();
    options.create.version = Some("9.9.9".into());
    let err = client
        .run_typed_batch((0..3).map(inputs), &options)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}
