//! `p5`: peak memory of a large batch run through the SDK alone (issue 7, P5).
//!
//! ```text
//! cargo build --release -p cspark-emulator -p cspark-bench
//! target/release/p5             # 1,000,000 records
//! target/release/p5 100000      # the same at 100,000, to see that the peak is flat
//! ```
//!
//! Runs `client.batches().run("demo/volume-cylinder", …)` over records generated lazily (an
//! iterator: nothing is materialised up front), consumes every output as it arrives, checks
//! its `Volume` against π·r²·h and that each index comes back exactly once (a bit set: 1 bit
//! per record, 122 KiB at 1,000,000), and prints this process's resident set as the run goes
//! and its peak (`VmHWM` from `/proc/self/status`) at the end, with the emulator's.
//!
//! The emulator must be a separate process so that its memory is not counted as the
//! client's: `target/release/cspark-emulator` (or `$CSPARK_BENCH_EMULATOR`), started on
//! `127.0.0.1:0` with the demo workbooks. Only 127.0.0.1 is contacted.

use std::process::Stdio;
use std::time::Instant;

use cspark::batches::RunOptions;
use cspark_bench::{BoxError, KEY, SpawnedEmulator, TENANT, default_emulator_binary};
use serde_json::{Value, json};

fn radius(i: usize) -> f64 {
    (i % 97) as f64 / 4.0 + 0.5
}

fn height(i: usize) -> u64 {
    (i % 13 + 1) as u64
}

/// A field of `/proc/{pid}/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(pid: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg
            .replace(['_', ','], "")
            .parse()
            .map_err(|e| format!("records {arg:?}: {e}"))?,
        None => 1_000_000,
    };
    // A separate process, so that its memory is not counted as the client's.
    let emulator = SpawnedEmulator::start(&default_emulator_binary(), Stdio::null())?;
    let base = emulator.url.clone();
    let emulator_pid = emulator.pid.to_string();
    let client = cspark::Client::builder()
        .env_lookup(|_| None)
        .base_url(format!("{base}/{TENANT}"))
        .api_key(KEY)
        .build()?;
    let records = (0..n).map(|i| json!({"Radius": radius(i), "Height": height(i)}));
    let options = RunOptions::default();
    println!(
        "P5: {n} records through batches().run (chunk {}, {} chunks in flight), emulator pid {emulator_pid}",
        options.chunk_size, options.max_in_flight
    );
    println!(
        "client VmRSS at start: {}",
        mib(status_kib("self", "VmRSS"))
    );
    let started = Instant::now();
    let mut run = client
        .batches()
        .run("demo/volume-cylinder", records, &options)
        .await?;
    let mut seen = vec![0u64; n.div_ceil(64)];
    let mut count = 0usize;
    let mut worst = 0f64;
    let report_every = (n / 10).max(1);
    while let Some(out) = run.recv().await {
        let out = out?;
        let (word, bit) = (out.index / 64, 1u64 << (out.index % 64));
        let slot = seen
            .get_mut(word)
            .ok_or_else(|| format!("index {} out of range", out.index))?;
        if *slot & bit != 0 {
            return Err(format!("index {} delivered twice", out.index).into());
        }
        *slot |= bit;
        if !out.errors.is_empty() {
            return Err(format!("record {}: {:?}", out.index, out.errors).into());
        }
        let (r, h) = (radius(out.index), height(out.index) as f64);
        let want = std::f64::consts::PI * r * r * h;
        let got = out
            .outputs
            .get("Volume")
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("record {}: no numeric Volume in {}", out.index, out.outputs))?;
        let error = (got - want).abs() / want;
        if error > 1e-9 {
            return Err(format!("record {}: Volume {got}, expected {want}", out.index).into());
        }
        worst = worst.max(error);
        count += 1;
        if count.is_multiple_of(report_every) {
            println!(
                "{count:>9} records  {:>7.1} s  client VmRSS {}  emulator VmRSS {}",
                started.elapsed().as_secs_f64(),
                mib(status_kib("self", "VmRSS")),
                mib(status_kib(&emulator_pid, "VmRSS")),
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if count != n {
        return Err(format!("{count} of {n} records came back").into());
    }
    println!(
        "all {n} records back once, Volume = π·r²·h (worst relative error {worst:.1e}); {secs:.1} s, {:.0} records/s",
        n as f64 / secs
    );
    println!(
        "peak RSS (VmHWM): client {}  emulator {}",
        mib(status_kib("self", "VmHWM")),
        mib(status_kib(&emulator_pid, "VmHWM"))
    );
    drop(emulator);
    Ok(())
}
