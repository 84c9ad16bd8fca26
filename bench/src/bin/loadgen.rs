//! `loadgen`: P4, v3 executes per second against the emulator, measured with a client light
//! enough that it does not hide the server's cost (a few µs of CPU per request, like `wrk`).
//!
//! ```text
//! cargo build --release -p cspark-emulator
//! cargo run --release -p cspark-bench --bin loadgen                      # spawn the emulator
//! cargo run --release -p cspark-bench --bin loadgen -- --connections 128 --secs 10
//! cargo run --release -p cspark-bench --bin loadgen -- --url http://127.0.0.1:8480 --pid 1234
//! ```
//!
//! Keep-alive HTTP/1.1 over plain `tokio::net::TcpStream`s on one current-thread runtime: one
//! request in flight per connection, request bytes built once before the run, the answer parsed
//! only as far as the status line and `content-length`. Every answer must be a 200; every
//! [`CHECK_EVERY`]th body is parsed as JSON and its `Volume` compared with π·r²·h, so a server
//! that answered quickly but wrongly would fail the run.
//!
//! Reported: requests/s over the measured window (after a warm-up), latency percentiles, the
//! server's CPU per request (utime + stime of the emulator process from `/proc/PID/stat` before
//! and after the window), the client's own CPU per request (`getrusage`), and the CPU the rest
//! of the machine used meanwhile (from `/proc/stat`), since the machine is shared.
//!
//! The emulator is `--emulator PATH`, else `$CSPARK_BENCH_EMULATOR`, else
//! `target/release/cspark-emulator`, started on `127.0.0.1:0` with the demo workbooks; or an
//! already running one with `--url` (and `--pid` for its CPU). Only 127.0.0.1 is contacted.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::process::Stdio;
use std::rc::Rc;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use cspark_bench::{BoxError, KEY, SpawnedEmulator, default_emulator_binary};
const ROUTE: &str = "/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute";
/// Distinct (radius, height) bodies cycled through, so the server cannot answer from a cache.
const VARIANTS: usize = 221;
/// One answer in this many has its body parsed and its `Volume` checked.
const CHECK_EVERY: u64 = 256;
/// Linux reports `/proc` times in USER_HZ, which is 100 on every architecture it runs on.
const USER_HZ: f64 = 100.0;

struct Options {
    url: Option<String>,
    pid: Option<u32>,
    emulator: Option<PathBuf>,
    connections: usize,
    secs: f64,
    warmup: f64,
}

fn parse_options() -> Result<Options, BoxError> {
    let mut o = Options {
        url: None,
        pid: None,
        emulator: std::env::var_os("CSPARK_BENCH_EMULATOR").map(PathBuf::from),
        connections: 64,
        secs: 5.0,
        warmup: 1.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => o.url = Some(value()?.trim_end_matches('/').to_owned()),
            "--pid" => o.pid = Some(value()?.parse()?),
            "--emulator" => o.emulator = Some(PathBuf::from(value()?)),
            "--connections" => o.connections = value()?.parse()?,
            "--secs" => o.secs = value()?.parse()?,
            "--warmup" => o.warmup = value()?.parse()?,
            other => return Err(format!("unknown option {other:?}").into()),
        }
    }
    if o.connections == 0 || o.secs <= 0.0 || o.warmup < 0.0 {
        return Err("--connections and --secs must be positive".into());
    }
    Ok(o)
}

/// Starts the emulator (killed by its handle when the returned value is dropped); its URL and pid.
fn spawn_emulator(bin: Option<PathBuf>) -> Result<(SpawnedEmulator, String, u32), BoxError> {
    let bin = bin.unwrap_or_else(default_emulator_binary);
    let emulator = SpawnedEmulator::start(&bin, Stdio::inherit())?;
    let (url, pid) = (emulator.url.clone(), emulator.pid);
    eprintln!("emulator: {} (pid {pid}) at {url}", bin.display());
    Ok((emulator, url, pid))
}

/// One prebuilt request and the volume its answer must carry.
struct Prepared {
    bytes: Vec<u8>,
    volume: f64,
}

fn prepare(host: &str) -> Vec<Prepared> {
    (0..VARIANTS)
        .map(|i| {
            let radius = 1.0 + (i % 17) as f64;
            let height = 1.0 + (i / 17) as f64;
            let body = format!(
                r#"{{"request_data":{{"inputs":{{"Radius":{radius},"Height":{height}}}}},"request_meta":{{"call_purpose":"loadgen"}}}}"#
            );
            let head = format!(
                "POST {ROUTE} HTTP/1.1\r\nhost: {host}\r\nx-synthetic-key: {KEY}\r\n\
                 content-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(body.as_bytes());
            Prepared {
                bytes,
                volume: std::f64::consts::PI * radius * radius * height,
            }
        })
        .collect()
}

/// Counts shared by the connection tasks (one thread, so `Cell`s).
#[derive(Default)]
struct Tally {
    measuring: Cell<bool>,
    stop: Cell<bool>,
    ok: Cell<u64>,
    checked: Cell<u64>,
    latencies_us: RefCell<Vec<u32>>,
}

/// Where the response head ends and how long the body is.
fn parse_head(buf: &[u8]) -> Result<Option<(usize, usize)>, BoxError> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end])?;
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    if status.get(9..12) != Some("200") {
        return Err(format!("not a 200: {status:?}").into());
    }
    let length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .ok_or("answer without content-length")?
        .1
        .trim()
        .parse::<usize>()?;
    Ok(Some((end + 4, length)))
}

fn check_volume(body: &[u8], expected: f64) -> Result<(), BoxError> {
    let doc: serde_json::Value = serde_json::from_slice(body)?;
    let got = doc
        .pointer("/response_data/outputs/Volume")
        .and_then(serde_json::Value::as_f64)
        .ok_or("no Volume in the answer")?;
    if (got - expected).abs() > 1e-9 * expected {
        return Err(format!("Volume {got}, expected {expected}").into());
    }
    Ok(())
}

async fn connection(
    addr: String,
    requests: Rc<Vec<Prepared>>,
    first: usize,
    tally: Rc<Tally>,
) -> Result<(), BoxError> {
    let mut stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut next = first;
    let mut sent = 0u64;
    while !tally.stop.get() {
        let req = &requests[next % requests.len()];
        next += 1;
        sent += 1;
        let started = Instant::now();
        stream.write_all(&req.bytes).await?;
        let mut filled = 0;
        let (body_at, body_len) = loop {
            let n = stream.read(&mut buf[filled..]).await?;
            if n == 0 {
                return Err("server closed the connection".into());
            }
            filled += n;
            if let Some(found) = parse_head(&buf[..filled])? {
                break found;
            }
            if filled == buf.len() {
                return Err("response head too large".into());
            }
        };
        let total = body_at + body_len;
        if total > buf.len() {
            buf.resize(total, 0);
        }
        while filled < total {
            let n = stream.read(&mut buf[filled..total]).await?;
            if n == 0 {
                return Err("server closed the connection mid-body".into());
            }
            filled += n;
        }
        if filled != total {
            return Err("bytes after the answer (no pipelining expected)".into());
        }
        if sent % CHECK_EVERY == 1 {
            check_volume(&buf[body_at..total], req.volume)?;
            tally.checked.set(tally.checked.get() + 1);
        }
        if tally.measuring.get() {
            tally.ok.set(tally.ok.get() + 1);
            let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            tally.latencies_us.borrow_mut().push(us);
        }
    }
    Ok(())
}

/// utime + stime of a process, in seconds.
fn process_cpu_secs(pid: u32) -> Result<f64, BoxError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; fields after its closing ')' are fixed.
    let rest = stat.rsplit_once(')').ok_or("odd /proc/PID/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok((utime + stime) / USER_HZ)
}

/// Busy CPU seconds of the whole machine (all cores), from `/proc/stat`.
fn machine_busy_secs() -> Result<f64, BoxError> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat.lines().next().ok_or("empty /proc/stat")?;
    let ticks: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
    let total: f64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0.0) + ticks.get(4).copied().unwrap_or(0.0);
    Ok((total - idle) / USER_HZ)
}

fn own_cpu_secs() -> f64 {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(u) => {
            let s = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
            s(u.user_time()) + s(u.system_time())
        }
        Err(_) => 0.0,
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn main() -> Result<(), BoxError> {
    let opts = parse_options()?;
    let (_spawned, url, pid) = match &opts.url {
        Some(url) => (None, url.clone(), opts.pid),
        None => {
            let (child, url, pid) = spawn_emulator(opts.emulator.clone())?;
            (Some(child), url, Some(pid))
        }
    };
    let host = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?
        .to_owned();
    let requests = Rc::new(prepare(&host));
    let tally = Rc::new(Tally::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let report = local.block_on(&rt, async {
        let mut tasks = Vec::new();
        for c in 0..opts.connections {
            tasks.push(tokio::task::spawn_local(connection(
                host.clone(),
                Rc::clone(&requests),
                c * 7,
                Rc::clone(&tally),
            )));
        }
        tokio::time::sleep(Duration::from_secs_f64(opts.warmup)).await;
        let server0 = pid.map(process_cpu_secs).transpose()?;
        let client0 = own_cpu_secs();
        let machine0 = machine_busy_secs()?;
        let started = Instant::now();
        tally.measuring.set(true);
        tokio::time::sleep(Duration::from_secs_f64(opts.secs)).await;
        tally.measuring.set(false);
        let window = started.elapsed().as_secs_f64();
        let server1 = pid.map(process_cpu_secs).transpose()?;
        let client1 = own_cpu_secs();
        let machine1 = machine_busy_secs()?;
        tally.stop.set(true);
        for t in tasks {
            t.await??;
        }
        let server = server0.zip(server1).map(|(a, b)| b - a);
        Ok::<_, BoxError>((window, server, client1 - client0, machine1 - machine0))
    })?;
    let (window, server_cpu, client_cpu, machine_cpu) = report;
    let ok = tally.ok.get();
    if ok == 0 {
        return Err("no request completed in the window".into());
    }
    let mut lat = tally.latencies_us.take();
    lat.sort_unstable();
    let per = |secs: f64| secs / ok as f64 * 1e6;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "P4 loadgen: {} connections, {:.1} s window after {:.1} s warm-up, {} cores, loadavg {}",
        opts.connections,
        window,
        opts.warmup,
        std::thread::available_parallelism().map_or(0, usize::from),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  v3 executes: {ok} ok, 0 errors, {} bodies checked -> {:.0}/s",
        tally.checked.get(),
        ok as f64 / window
    );
    println!(
        "  latency: p50 {} µs, p99 {} µs, max {} µs",
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0)
    );
    match server_cpu {
        Some(s) => println!(
            "  server CPU: {:.2} s = {:.1} µs/request ({:.2} cores)",
            s,
            per(s),
            s / window
        ),
        None => println!("  server CPU: unknown (give --pid)"),
    }
    println!(
        "  client CPU: {:.2} s = {:.1} µs/request ({:.2} cores)",
        client_cpu,
        per(client_cpu),
        client_cpu / window
    );
    let other = machine_cpu - client_cpu - server_cpu.unwrap_or(0.0);
    println!(
        "  rest of the machine: {:.2} cores busy during the window",
        (other / window).max(0.0)
    );
    Ok(())
}
