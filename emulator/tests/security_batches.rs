//! With `--data`, a batch is journaled by appending what each change adds (issue 15): the
//! bytes written per push stay the same however many results wait to be pulled (a rewrite
//! of the whole batch per push made pushes slow down quadratically), and a restart replays
//! the journal: unpulled results come back, pulled ones do not. Alone in its test binary:
//! it measures the bytes this process writes (`/proc/self/io`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// Bytes this process has passed to `write` so far (`wchar` of `/proc/self/io`).
fn written() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap();
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// One chunk of 20 records, about 1.5 KB of results.
fn chunk(n: usize) -> Value {
    let inputs: Vec<Value> = (0..20)
        .map(|i| json!({"Radius": 1.0 + (n * 20 + i) as f64 / 100.0, "Height": 2.0}))
        .collect();
    json!({"chunks": [{"id": format!("c{n}"), "data": {"inputs": inputs}}]})
}

#[tokio::test]
async fn pushes_append_to_the_journal_and_a_restart_replays_it() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::default()
    };
    let h = start_with(config()).await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (status, created) = post(&b, json!({"service": "demo/volume-cylinder"})).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let push = |n: usize| {
        let url = format!("{b}/{id}/chunks");
        async move {
            let (status, body) = post(&url, chunk(n)).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    // Nothing is pulled: every push adds a result that waits.
    let before = written();
    for n in 0..100 {
        push(n).await;
    }
    let first = written() - before;
    let before = written();
    for n in 100..200 {
        push(n).await;
    }
    let second = written() - before;
    println!("bytes written: pushes 1-100 {first}, pushes 101-200 {second}");
    // Rewriting the batch on each push writes about three times as much the second time.
    assert!(
        second * 10 < first * 13,
        "the first 100 pushes wrote {first} bytes, the next 100 {second}"
    );
    for max in [100, 50] {
        let (_, pulled) = get(&format!("{b}/{id}/chunkresults?max={max}")).await;
        assert_eq!(pulled["data"].as_array().unwrap().len(), max);
    }
    h.shutdown().await;

    let h = start_with(config()).await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (status, st) = get(&format!("{b}/{id}/status")).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["records_available"], 50 * 20, "{st}");
    assert_eq!(st["record_submitted"], 200 * 20, "{st}");
    let (_, rest) = get(&format!("{b}/{id}/chunkresults?max=100")).await;
    let rest = rest["data"].as_array().unwrap();
    assert_eq!(rest.len(), 50);
    assert_eq!(rest[0]["id"], "c150", "the unpulled results, in push order");
    let v = rest[0]["outputs"][0]["Volume"].as_f64().unwrap();
    assert!(close(v, volume(1.0 + 3000.0 / 100.0, 2.0)), "{v}");
    h.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
