//! `cspark-bench`: the SDK's performance figures (issue 7), printed as a table.
//!
//! ```text
//! cargo run --release -p cspark-bench                 # external emulator if built, else in-process
//! cargo run --release -p cspark-bench -- --in-process # force the in-process emulator
//! cargo run --release -p cspark-bench -- --p1-only    # skip P4 (e.g. under `perf record`)
//! cargo run --release -p cspark-bench -- --p2b        # P2b only: 10,000 records end to end
//! cargo run --release -p cspark-bench -- --p2b --engine-ms-per-record 1
//!                                                     # P2b, the emulator modelling 1 ms/record
//! ```
//!
//! - **P1** typed `execute_typed(&Inputs { .. })` against a hand-written `reqwest` POST of the
//!   same body to the same route: median wall time per sequential call, and the ratio
//!   (target ≤ 1.05×); and the untyped `services().execute_with` (string URI, `json!` inputs)
//!   against the same raw call (target ≤ 1.10×). Calls alternate in blocks of 100 so drift
//!   hits every side equally.
//! - **P2 prep** client CPU per call (`getrusage(RUSAGE_THREAD)` around the sequential loops; the
//!   client runs on a current-thread runtime, so that thread does all of its work).
//! - **P2b** 10,000 records end to end through the SDK's many-record paths: typed v4
//!   `execute_typed_chunked` (chunks with several calls in flight), and the typed batch
//!   pipeline (`run_typed_batch`); records per second, compared with
//!   `bench/run_python.sh --p2b`. With `--engine-ms-per-record MS` the emulator answers as
//!   an engine spending MS per record would (wall time, no CPU), as Spark's workers do.
//! - **P4** v3 executes per second with 64 calls in flight over keep-alive connections, with raw
//!   `reqwest` (the emulator's throughput) and with the SDK (target ≥ 20,000/s).
//!
//! The emulator runs as a separate process (`target/release/cspark-emulator`, or the path in
//! `CSPARK_BENCH_EMULATOR`) when that binary exists, otherwise in this process on its own
//! runtime thread. Environment: `CSPARK_BENCH_CALLS` (default 3,000), `CSPARK_BENCH_SECS`
//! (default 5), `CSPARK_BENCH_RECORDS` (P2b, default 10,000). Only 127.0.0.1 is contacted.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cspark_examples::spark::demo_volume_cylinder::Inputs;
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::{Value, json};

use cspark_bench::{BoxError, KEY, SpawnedEmulator, TENANT, default_emulator_binary};

const WARMUP: usize = 300;
const BLOCK: usize = 100;
const IN_FLIGHT: usize = 64;

/// The emulator under test.
enum Server {
    /// Held only to be dropped (which kills it) when the bench ends.
    External(#[allow(dead_code)] SpawnedEmulator),
    InProcess(
        Option<tokio::sync::oneshot::Sender<()>>,
        Option<std::thread::JoinHandle<()>>,
    ),
}

impl Drop for Server {
    fn drop(&mut self) {
        match self {
            // Killed by its own `Drop`.
            Server::External(_) => {}
            Server::InProcess(stop, thread) => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
                if let Some(t) = thread.take() {
                    let _ = t.join();
                }
            }
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts the emulator; returns it, its base URL (`http://127.0.0.1:PORT`) and a label.
/// `engine_time`: the modelled engine time per record (`--engine-ms-per-record`), if any.
fn start_server(
    force_in_process: bool,
    engine_time: Option<(Duration, String)>,
) -> Result<(Server, String, String), BoxError> {
    let bin = default_emulator_binary();
    if !force_in_process && bin.is_file() {
        let extra: Vec<&str> = match &engine_time {
            Some((_, ms)) => vec!["--engine-ms-per-record", ms.as_str()],
            None => Vec::new(),
        };
        let emulator = SpawnedEmulator::start_with(&bin, Stdio::null(), &extra)?;
        let url = emulator.url.clone();
        return Ok((
            Server::External(emulator),
            url,
            format!("separate process ({})", bin.display()),
        ));
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (url_tx, url_rx) = std::sync::mpsc::channel::<Result<String, String>>();
    let thread = std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = url_tx.send(Err(e.to_string()));
                return;
            }
        };
        rt.block_on(async move {
            let mut config = cspark_emulator::EmulatorConfig::default()
                .with_demo_workbooks()
                .with_api_key(KEY)
                .with_tenant(TENANT);
            config.engine_time_per_record = engine_time.map(|(d, _)| d);
            match cspark_emulator::Emulator::start(config).await {
                Ok(handle) => {
                    let _ = url_tx.send(Ok(handle.url()));
                    let _ = stop_rx.await;
                    handle.shutdown().await;
                }
                Err(e) => {
                    let _ = url_tx.send(Err(e.to_string()));
                }
            }
        });
    });
    let url = url_rx.recv()??;
    Ok((
        Server::InProcess(Some(stop_tx), Some(thread)),
        url,
        "in-process (own 1-worker runtime thread)".into(),
    ))
}

/// User + system CPU time of the calling thread.
fn thread_cpu() -> Duration {
    cpu(UsageWho::RUSAGE_THREAD)
}

/// User + system CPU time of the whole process.
fn process_cpu() -> Duration {
    cpu(UsageWho::RUSAGE_SELF)
}

fn cpu(who: UsageWho) -> Duration {
    match getrusage(who) {
        Ok(u) => {
            let t = |tv: nix::sys::time::TimeVal| {
                Duration::from_secs(u64::try_from(tv.tv_sec()).unwrap_or(0))
                    + Duration::from_micros(u64::try_from(tv.tv_usec()).unwrap_or(0))
            };
            t(u.user_time()) + t(u.system_time())
        }
        Err(_) => Duration::ZERO,
    }
}

fn inputs(i: usize) -> Inputs {
    Inputs {
        radius: 1.0 + (i % 17) as f64,
        height: 1.0 + (i % 13) as f64,
    }
}

fn expected(i: &Inputs) -> f64 {
    std::f64::consts::PI * i.radius * i.radius * i.height
}

fn check(i: &Inputs, volume: Option<f64>) -> Result<(), BoxError> {
    let v = volume.ok_or("no Volume in the outputs")?;
    if (v - expected(i)).abs() > 1e-6 * expected(i).max(1.0) {
        return Err(format!("wrong Volume {v} for {i:?}").into());
    }
    Ok(())
}

/// The body the SDK sends for a typed call, written by hand.
fn raw_body(i: &Inputs) -> Value {
    json!({
        "request_data": {"inputs": {"Height": i.height, "Radius": i.radius}},
        "request_meta": {"version": "0.1.0", "call_purpose": "Single Execution", "source_system": "Spark Rust SDK",
                         "compiler_type": "Neuron", "excel_file": false, "response_data_inputs": false}
    })
}

/// One hand-written call: serialise, POST, read, parse, pick the output.
async fn raw_call(http: &reqwest::Client, url: &str, i: &Inputs) -> Result<Option<f64>, BoxError> {
    let res = http
        .post(url)
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", TENANT)
        .json(&raw_body(i))
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("raw call: HTTP {}", res.status()).into());
    }
    let bytes = res.bytes().await?;
    let v: Value = serde_json::from_slice(&bytes)?;
    Ok(v["response_data"]["outputs"]["Volume"].as_f64())
}

fn sdk_client(base: &str) -> Result<cspark::Client, BoxError> {
    Ok(cspark::Client::builder()
        .env_lookup(|_| None)
        .base_url(format!("{base}/{TENANT}"))
        .api_key(KEY)
        .build()?)
}

struct Stats {
    median: Duration,
    p90: Duration,
    mean: Duration,
    cpu_per_call: Duration,
}

fn stats(mut samples: Vec<Duration>, cpu: Duration) -> Stats {
    samples.sort();
    let n = samples.len().max(1);
    let at = |q: f64| {
        samples
            .get(((n as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    let total: Duration = samples.iter().sum();
    Stats {
        median: at(0.5),
        p90: at(0.9),
        mean: total / n as u32,
        cpu_per_call: cpu / n as u32,
    }
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// One untyped call as a user writes it: a string URI and `json!` inputs (with the version
/// pinned so that the body is the typed call's), outputs read from the envelope's map.
async fn untyped_call(
    client: &cspark::Client,
    options: &cspark::services::ExecuteOptions,
    i: &Inputs,
) -> Result<Option<f64>, BoxError> {
    let out = client
        .services()
        .execute_with(
            "demo/volume-cylinder",
            &json!({"Height": i.height, "Radius": i.radius}),
            options,
        )
        .await?;
    Ok(out.outputs().get("Volume").and_then(Value::as_f64))
}

/// The three sides of P1.
struct P1 {
    typed: Stats,
    untyped: Stats,
    raw: Stats,
}

/// P1 (typed and untyped execute vs raw) and the sequential CPU figures, on a
/// current-thread runtime.
fn p1(base: &str, calls: usize) -> Result<P1, BoxError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let client = sdk_client(base)?;
        let http = reqwest::Client::builder().build()?;
        let url = format!("{base}/{TENANT}/api/v3/folders/demo/services/volume-cylinder/execute");
        // Same body on both sides (as JSON values: key order carries no meaning).
        let uri = cspark::ServiceUri::new("demo", "volume-cylinder")?;
        let first = inputs(0);
        let pinned = cspark::services::ExecuteOptions::default().version("0.1.0");
        let sdk_body: Value =
            serde_json::from_slice(&cspark::services::v3_body(&uri, &first, &pinned)?)?;
        if sdk_body != raw_body(&first) {
            return Err(format!(
                "raw body differs from the SDK's: {sdk_body} vs {}",
                raw_body(&first)
            )
            .into());
        }
        for i in 0..WARMUP {
            let x = inputs(i);
            check(&x, client.execute_typed(&x).await?.outputs.volume)?;
            check(&x, untyped_call(&client, &pinned, &x).await?)?;
            check(&x, raw_call(&http, &url, &x).await?)?;
        }
        let mut typed = Vec::with_capacity(calls);
        let mut untyped = Vec::with_capacity(calls);
        let mut raw = Vec::with_capacity(calls);
        let (mut typed_cpu, mut untyped_cpu, mut raw_cpu) =
            (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut i = 0;
        while typed.len() < calls {
            let c0 = thread_cpu();
            for _ in 0..BLOCK {
                let x = inputs(i);
                i += 1;
                let t = Instant::now();
                let out = client.execute_typed(&x).await?;
                typed.push(t.elapsed());
                check(&x, out.outputs.volume)?;
            }
            let c1 = thread_cpu();
            for _ in 0..BLOCK {
                let x = inputs(i);
                i += 1;
                let t = Instant::now();
                let out = untyped_call(&client, &pinned, &x).await?;
                untyped.push(t.elapsed());
                check(&x, out)?;
            }
            let c2 = thread_cpu();
            for _ in 0..BLOCK {
                let x = inputs(i);
                i += 1;
                let t = Instant::now();
                let out = raw_call(&http, &url, &x).await?;
                raw.push(t.elapsed());
                check(&x, out)?;
            }
            let c3 = thread_cpu();
            typed_cpu += c1.saturating_sub(c0);
            untyped_cpu += c2.saturating_sub(c1);
            raw_cpu += c3.saturating_sub(c2);
        }
        Ok(P1 {
            typed: stats(typed, typed_cpu),
            untyped: stats(untyped, untyped_cpu),
            raw: stats(raw, raw_cpu),
        })
    })
}

/// Pure-CPU pieces of a typed call that the raw call does not do (or does more cheaply),
/// timed in isolation over `n` iterations each: where the P1 overhead comes from.
fn breakdown(base: &str, n: u32) -> Result<Vec<(&'static str, Duration)>, BoxError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // One real response body to decode.
    let body: Vec<u8> = rt.block_on(async {
        let http = reqwest::Client::new();
        let url = format!("{base}/{TENANT}/api/v3/folders/demo/services/volume-cylinder/execute");
        let res = http
            .post(&url)
            .header("x-synthetic-key", KEY)
            .json(&raw_body(&inputs(1)))
            .send()
            .await?;
        Ok::<_, BoxError>(res.bytes().await?.to_vec())
    })?;
    let client = sdk_client(base)?;
    let x = inputs(3);
    let opts = cspark::services::ExecuteOptions::default().version("0.1.0");
    let time = |f: &mut dyn FnMut() -> Result<(), BoxError>| -> Result<Duration, BoxError> {
        for _ in 0..n / 10 {
            f()?;
        }
        let t = Instant::now();
        for _ in 0..n {
            f()?;
        }
        Ok(t.elapsed() / n)
    };
    let mut rows = Vec::new();
    rows.push((
        "SDK body, typed inputs: v3_body",
        time(&mut || {
            let uri = cspark::ServiceUri::new("demo", "volume-cylinder")?;
            std::hint::black_box(cspark::services::v3_body(&uri, &x, &opts)?);
            Ok(())
        })?,
    ));
    rows.push((
        "SDK body, untyped: ServiceUri::parse + json! + v3_body",
        time(&mut || {
            let uri = cspark::ServiceUri::parse("demo/volume-cylinder")?;
            let inputs = json!({"Height": x.height, "Radius": x.radius});
            std::hint::black_box(cspark::services::v3_body(&uri, &inputs, &opts)?);
            Ok(())
        })?,
    ));
    rows.push((
        "raw body: json! + to_vec",
        time(&mut || {
            std::hint::black_box(serde_json::to_vec(&raw_body(&x))?);
            Ok(())
        })?,
    ));
    rows.push((
        "execute URL: format + RequestSpec::post (URL parse)",
        time(&mut || {
            let uri = cspark::ServiceUri::new("demo", "volume-cylinder")?;
            std::hint::black_box(cspark::transport::RequestSpec::post(
                &uri.execute_url(client.base_url()),
            )?);
            Ok(())
        })?,
    ));
    rows.push((
        "user-agent + x-spark-ua format!",
        time(&mut || {
            std::hint::black_box((
                cspark::transport::user_agent(),
                cspark::transport::spark_ua(),
            ));
            Ok(())
        })?,
    ));
    rows.push((
        "typed decode: ExecuteResponse + outputs Value -> Outputs",
        time(&mut || {
            let r: cspark::services::ExecuteResponse = serde_json::from_slice(&body)?;
            let out: cspark_examples::spark::demo_volume_cylinder::Outputs =
                serde_json::from_value(Value::Object(r.response_data.outputs))?;
            std::hint::black_box(out);
            Ok(())
        })?,
    ));
    rows.push((
        "raw decode: Value + pick Volume",
        time(&mut || {
            let v: Value = serde_json::from_slice(&body)?;
            std::hint::black_box(v["response_data"]["outputs"]["Volume"].as_f64());
            Ok(())
        })?,
    ));
    Ok(rows)
}

/// The hand-written side's HTTP client (P2b), kept across runs like the SDK's.
static RAW_HTTP: std::sync::LazyLock<reqwest::Client> =
    std::sync::LazyLock::new(reqwest::Client::new);

/// One P2b configuration: how the records go out.
#[derive(Clone, Copy)]
enum ManyPath {
    /// `execute_typed_chunked` with `chunk` records per v4 call, `in_flight` calls at once.
    V4 { chunk: usize, in_flight: usize },
    /// `run_typed_batch` with `chunk` records per batch chunk and at most `in_flight` chunks
    /// pushed but not yet pulled (other options default).
    Batch { chunk: usize, in_flight: usize },
    /// One hand-written reqwest v4 call with every record (the Python SDK's wire traffic):
    /// what the emulator alone allows.
    RawV4,
}

impl std::fmt::Display for ManyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManyPath::V4 { chunk, in_flight } => write!(
                f,
                "execute_typed_chunked, {chunk} records per v4 call, {in_flight} in flight"
            ),
            ManyPath::Batch { chunk, in_flight } => write!(
                f,
                "run_typed_batch, chunks of {chunk}, {in_flight} chunks in flight"
            ),
            ManyPath::RawV4 => write!(f, "raw reqwest, one v4 call with every record"),
        }
    }
}

/// P2b: `n` records end to end along `path`, every output checked; returns the wall time.
async fn p2b_once(
    client: &cspark::Client,
    records: &Arc<Vec<Inputs>>,
    path: ManyPath,
) -> Result<Duration, BoxError> {
    let n = records.len();
    let started = Instant::now();
    let mut seen = vec![false; n];
    match path {
        ManyPath::V4 { chunk, in_flight } => {
            let chunking = cspark::Chunking::default()
                .chunk_size(chunk)
                .in_flight(in_flight);
            let out = client.execute_typed_chunked(records, chunking).await?;
            if out.records.len() != n {
                return Err(format!("{} results for {n} records", out.records.len()).into());
            }
            for (i, (x, r)) in records.iter().zip(out.outputs()).enumerate() {
                check(x, r.volume)?;
                seen[i] = true;
            }
        }
        ManyPath::Batch { chunk, in_flight } => {
            let mut options = cspark::batches::RunOptions::default();
            options.chunk_size = chunk;
            options.max_in_flight = in_flight;
            let mut run = client
                .run_typed_batch(records.as_ref().clone(), &options)
                .await?;
            while let Some(item) = run.recv().await {
                let (i, out) = item?;
                let x = records.get(i).ok_or("index out of range")?;
                check(x, out.volume)?;
                if std::mem::replace(&mut seen[i], true) {
                    return Err(format!("record #{i} delivered twice").into());
                }
            }
        }
        ManyPath::RawV4 => {
            let url = format!("{}/api/v4/execute", client.base_url().full());
            let body = json!({
                "inputs": records.as_ref(),
                "service": "demo/volume-cylinder[0.1.0]",
                "call_purpose": "Sync Batch Execution",
                "source_system": "Spark Rust SDK",
            });
            let res = RAW_HTTP
                .post(&url)
                .header("x-synthetic-key", KEY)
                .header("x-tenant-name", TENANT)
                .json(&body)
                .send()
                .await?;
            if !res.status().is_success() {
                return Err(format!("raw v4 call: HTTP {}", res.status()).into());
            }
            let v: Value = serde_json::from_slice(&res.bytes().await?)?;
            let outputs = v["outputs"].as_array().ok_or("no outputs")?;
            for (i, (x, out)) in records.iter().zip(outputs).enumerate() {
                check(x, out["Volume"].as_f64())?;
                seen[i] = true;
            }
        }
    }
    let elapsed = started.elapsed();
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!("record #{missing} missing").into());
    }
    Ok(elapsed)
}

/// One P2b row: records/s (median and best of the runs) and the client's CPU per record
/// (median; the whole bench process, so only meaningful with the emulator outside it).
struct ManyRow {
    path: ManyPath,
    median: f64,
    best: f64,
    cpu_per_record: Duration,
}

/// P2b rows, each path run `reps` times (alternating).
fn p2b(base: &str, n: usize, reps: usize, paced: bool) -> Result<Vec<ManyRow>, BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let client = sdk_client(base)?;
        let records = Arc::new((0..n).map(inputs).collect::<Vec<_>>());
        let v4 = |chunk: usize, in_flight: usize| ManyPath::V4 { chunk, in_flight };
        // With a modelled engine the server's CPU is no longer the limit, so the paths spread
        // records over more calls at once (Spark's batch configuration allows up to 100
        // workers per tenant).
        let paths: Vec<ManyPath> = if paced {
            vec![
                v4(n, 1),
                v4(500, 4),
                v4(500, 20),
                v4(250, 40),
                v4(100, 100),
                ManyPath::Batch {
                    chunk: 200,
                    in_flight: 16,
                },
                ManyPath::Batch {
                    chunk: 100,
                    in_flight: 100,
                },
            ]
        } else {
            vec![
                v4(n, 1),
                v4(1_000, 2),
                v4(500, 4),
                v4(250, 8),
                ManyPath::Batch {
                    chunk: 200,
                    in_flight: 16,
                },
                ManyPath::Batch {
                    chunk: 1_000,
                    in_flight: 16,
                },
                ManyPath::RawV4,
            ]
        };
        // Warm-up: connections, the emulator's workbook cache, the client's routes.
        for path in &paths {
            p2b_once(&client, &records, *path).await?;
        }
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); paths.len()];
        let mut cpus: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
        // Alternate the paths in every repetition so load drift hits them alike.
        for _ in 0..reps {
            for (k, path) in paths.iter().enumerate() {
                let c0 = process_cpu();
                let t = p2b_once(&client, &records, *path).await?;
                cpus[k].push(process_cpu().saturating_sub(c0) / n as u32);
                rates[k].push(n as f64 / t.as_secs_f64());
            }
        }
        Ok(paths
            .iter()
            .zip(rates.into_iter().zip(cpus))
            .map(|(path, (mut r, mut c))| {
                r.sort_by(f64::total_cmp);
                c.sort();
                ManyRow {
                    path: *path,
                    median: r.get(r.len() / 2).copied().unwrap_or(0.0),
                    best: r.last().copied().unwrap_or(0.0),
                    cpu_per_record: c.get(c.len() / 2).copied().unwrap_or_default(),
                }
            })
            .collect())
    })
}

/// P4: executes per second with `IN_FLIGHT` concurrent calls; returns (calls/s, errors, client
/// CPU per call over the whole process).
fn p4(base: &str, secs: u64, use_sdk: bool) -> Result<(f64, u64, Duration), BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let client = sdk_client(base)?;
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(IN_FLIGHT)
            .build()?;
        let url = Arc::new(format!(
            "{base}/{TENANT}/api/v3/folders/demo/services/volume-cylinder/execute"
        ));
        let counting = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::with_capacity(IN_FLIGHT);
        for t in 0..IN_FLIGHT {
            let (client, http, url) = (client.clone(), http.clone(), url.clone());
            let (counting, stop, done, errors) =
                (counting.clone(), stop.clone(), done.clone(), errors.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    let x = inputs(i);
                    i += IN_FLIGHT;
                    let ok = if use_sdk {
                        client
                            .execute_typed(&x)
                            .await
                            .ok()
                            .and_then(|o| check(&x, o.outputs.volume).ok())
                            .is_some()
                    } else {
                        raw_call(&http, &url, &x)
                            .await
                            .ok()
                            .and_then(|v| check(&x, v).ok())
                            .is_some()
                    };
                    if counting.load(Ordering::Relaxed) {
                        if ok {
                            done.fetch_add(1, Ordering::Relaxed);
                        } else {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(1)).await; // warm-up: connections open
        let cpu0 = process_cpu();
        let t0 = Instant::now();
        counting.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(secs)).await;
        counting.store(false, Ordering::Relaxed);
        let elapsed = t0.elapsed();
        let cpu = process_cpu().saturating_sub(cpu0);
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await?;
        }
        let n = done.load(Ordering::Relaxed);
        Ok((
            n as f64 / elapsed.as_secs_f64(),
            errors.load(Ordering::Relaxed),
            cpu / u32::try_from(n.max(1)).unwrap_or(u32::MAX),
        ))
    })
}

/// `--engine-ms-per-record MS`: the emulator models an engine spending MS per record.
fn engine_time_arg() -> Result<Option<(Duration, String)>, BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let Some(at) = args.iter().position(|a| a == "--engine-ms-per-record") else {
        return Ok(None);
    };
    let ms = args
        .get(at + 1)
        .ok_or("--engine-ms-per-record needs a value in milliseconds")?;
    let per_record = cspark_emulator::pacing::parse_ms(ms)?;
    Ok((!per_record.is_zero()).then(|| (per_record, ms.clone())))
}

fn main() -> Result<(), BoxError> {
    let force_in_process = std::env::args().any(|a| a == "--in-process");
    let engine_time = engine_time_arg()?;
    let paced = engine_time.is_some();
    let calls = env_usize("CSPARK_BENCH_CALLS", 3_000).max(BLOCK);
    let secs = env_usize("CSPARK_BENCH_SECS", 5).max(1) as u64;
    let (server, base, how) = start_server(force_in_process, engine_time.clone())?;
    let external = matches!(server, Server::External(_));
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("cspark-bench: {cores} cores, emulator {how}, base {base}");
    println!(
        "profile: {}",
        if cfg!(debug_assertions) {
            "debug (figures meaningless: use --release)"
        } else {
            "release"
        }
    );

    if std::env::args().any(|a| a == "--p2b") {
        let n = env_usize("CSPARK_BENCH_RECORDS", 10_000).max(1);
        let reps = 5;
        println!();
        println!(
            "P2b {n} records end to end (volume-cylinder, every output checked), median of {reps} runs, client runtime 2 workers"
        );
        if let Some((_, ms)) = &engine_time {
            println!("emulator models {ms} ms of engine time per record");
        }
        println!("| path | records/s (median) | best | client CPU/record |");
        println!("|---|---|---|---|");
        for row in p2b(&base, n, reps, paced)? {
            println!(
                "| {} | {:.0} | {:.0} | {} |",
                row.path,
                row.median,
                row.best,
                us(row.cpu_per_record)
            );
        }
        drop(server);
        return Ok(());
    }

    let P1 {
        typed,
        untyped,
        raw,
    } = p1(&base, calls)?;
    let ratio = typed.median.as_secs_f64() / raw.median.as_secs_f64().max(1e-12);
    let untyped_ratio = untyped.median.as_secs_f64() / raw.median.as_secs_f64().max(1e-12);
    println!();
    println!(
        "P1 sequential v3 execute, {calls} calls each after {WARMUP} warm-up, blocks of {BLOCK} alternating"
    );
    println!("| client | median | p90 | mean | client CPU/call |");
    println!("|---|---|---|---|---|");
    for (name, s) in [
        ("cspark execute_typed(&Inputs)", &typed),
        ("cspark services().execute_with (json! inputs)", &untyped),
        ("raw reqwest POST + serde_json", &raw),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} |",
            us(s.median),
            us(s.p90),
            us(s.mean),
            us(s.cpu_per_call)
        );
    }
    println!(
        "P1 ratio typed/raw (median): {ratio:.3}x  (target <= 1.05x: {})",
        if ratio <= 1.05 { "met" } else { "NOT met" }
    );
    println!(
        "untyped/raw (median): {untyped_ratio:.3}x  (target <= 1.10x: {})",
        if untyped_ratio <= 1.10 {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "CPU overhead of the untyped call per call: {}",
        us(untyped.cpu_per_call.saturating_sub(raw.cpu_per_call))
    );
    println!(
        "CPU overhead of the SDK per call: {}",
        us(typed.cpu_per_call.saturating_sub(raw.cpu_per_call))
    );

    println!();
    println!(
        "P1 breakdown: CPU-only pieces of a call, 20,000 iterations each (the typed call also \
         skips the URL parse: its route is cached; median call above for scale)"
    );
    println!("| piece | time per call |");
    println!("|---|---|");
    for (name, d) in breakdown(&base, 20_000)? {
        println!("| {name} | {} |", us(d));
    }
    if std::env::args().any(|a| a == "--p1-only") {
        return Ok(());
    }
    let (raw_rate, raw_err, raw_cpu) = p4(&base, secs, false)?;
    let (sdk_rate, sdk_err, sdk_cpu) = p4(&base, secs, true)?;
    println!();
    println!(
        "P4 v3 executes/s, {IN_FLIGHT} in flight over keep-alive, {secs} s after 1 s warm-up, client runtime 2 workers"
    );
    println!(
        "| client | executes/s | errors | process CPU/call{} |",
        if external {
            " (client only)"
        } else {
            " (client + server)"
        }
    );
    println!("|---|---|---|---|");
    println!(
        "| raw reqwest | {raw_rate:.0} | {raw_err} | {} |",
        us(raw_cpu)
    );
    println!(
        "| cspark execute_typed | {sdk_rate:.0} | {sdk_err} | {} |",
        us(sdk_cpu)
    );
    println!(
        "P4 target >= 20,000/s (raw): {}",
        if raw_rate >= 20_000.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    drop(server);
    Ok(())
}
