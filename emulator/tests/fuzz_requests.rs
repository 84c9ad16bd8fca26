//! Seeded random requests against the execute routes (issue 7, fuzzing on stable): the
//! in-process router (`cspark_emulator::app` through `tower::ServiceExt::oneshot`) must never
//! panic nor answer 500 (or any 5xx), and every error must be a Spark-shaped JSON body.
//!
//! Inputs, per case (seeded, so a failure names a reproducible case number):
//! random bytes; a valid body with random JSON in place of the inputs or the metadata; a valid
//! body with byte-level mutations (flip, insert, delete, truncate); a random JSON tree; v4
//! bodies with random records, columnar inputs and service strings; gzip / deflate
//! `Content-Encoding` with garbage or valid compressed random JSON; random content types;
//! deeply nested arrays; random folder / service path segments.
//!
//! `CSPARK_FUZZ_CASES` (default 20,000) and `CSPARK_FUZZ_SEED` (default 7) change the run.
//! The cargo-fuzz target `fuzz/fuzz_targets/emulator_execute.rs` drives the same router from
//! libFuzzer on nightly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;

use axum::body::Body;
use axum::http::Request;
use cspark_emulator::{Emulator, EmulatorConfig};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tower::ServiceExt;

const KEY: &str = "fuzz-key";
const V3: &str = "/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute";
const V4: &str = "/my-tenant/api/v4/execute";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn random_string(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "",
        "a",
        "Radius",
        "Height",
        "Volume",
        "demo",
        "volume-cylinder",
        "0.1.0",
        "[",
        "]",
        "/",
        "%",
        "%2F",
        "..",
        "\\",
        "\"",
        "\u{0}",
        "é",
        "😀",
        " ",
        "\n",
        "null",
        "1e999",
        "-",
        "{",
        "0.1",
        "latest",
        "2024-01-01T00:00:00Z",
        "00000000-0000-4000-8000-000000000000",
    ];
    let n = rng.random_range(0..6);
    let mut s = String::new();
    for _ in 0..n {
        if rng.random_bool(0.7) {
            s.push_str(PIECES[rng.random_range(0..PIECES.len())]);
        } else {
            s.push(char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('x'));
        }
    }
    if rng.random_bool(0.02) {
        s = "x".repeat(rng.random_range(1_000..20_000));
    }
    s
}

fn random_number(rng: &mut StdRng) -> Value {
    match rng.random_range(0..8) {
        0 => json!(0),
        1 => json!(-0.0),
        2 => json!(f64::MAX),
        3 => json!(f64::MIN_POSITIVE),
        4 => json!(u64::MAX),
        5 => json!(i64::MIN),
        6 => json!(rng.random_range(-1e6..1e6)),
        _ => json!(rng.random::<i32>()),
    }
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    let pick = if depth == 0 {
        rng.random_range(0..4)
    } else {
        rng.random_range(0..6)
    };
    match pick {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => random_number(rng),
        3 => Value::String(random_string(rng)),
        4 => Value::Array(
            (0..rng.random_range(0..5))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..5))
                .map(|_| (random_string(rng), random_json(rng, depth - 1)))
                .collect(),
        ),
    }
}

fn valid_v3(rng: &mut StdRng) -> Value {
    json!({"request_data": {"inputs": {"Radius": rng.random_range(0.0..10.0), "Height": rng.random_range(0.0..10.0)}},
           "request_meta": {"version": "0.1.0", "call_purpose": "fuzz"}})
}

fn mutate_bytes(rng: &mut StdRng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.random_range(1..8) {
        if bytes.is_empty() {
            bytes.push(rng.random());
            continue;
        }
        let at = rng.random_range(0..bytes.len());
        match rng.random_range(0..4) {
            0 => bytes[at] ^= 1 << rng.random_range(0..8),
            1 => bytes.insert(at, rng.random()),
            2 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// One generated request: path, headers, body.
struct Case {
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn generate(rng: &mut StdRng) -> Case {
    let mut path = if rng.random_bool(0.7) { V3 } else { V4 }.to_owned();
    let mut headers = vec![("content-type", "application/json".to_owned())];
    let body: Vec<u8> = match rng.random_range(0..10) {
        0 => (0..rng.random_range(0..512))
            .map(|_| rng.random())
            .collect(),
        1 => {
            let mut v = valid_v3(rng);
            v["request_data"]["inputs"] = random_json(rng, 3);
            v.to_string().into_bytes()
        }
        2 => {
            let mut v = valid_v3(rng);
            let key = ["Radius", "Height"][rng.random_range(0..2)];
            v["request_data"]["inputs"][key] = random_json(rng, 2);
            v.to_string().into_bytes()
        }
        3 => {
            let mut v = valid_v3(rng);
            v["request_meta"] = random_json(rng, 2);
            if rng.random_bool(0.5) {
                for k in [
                    "version",
                    "version_id",
                    "transaction_date",
                    "requested_output",
                    "service_category",
                    "service_id",
                ] {
                    if rng.random_bool(0.3) && v["request_meta"].is_object() {
                        v["request_meta"][k] = random_json(rng, 1);
                    }
                }
            }
            v.to_string().into_bytes()
        }
        4 => {
            let valid = valid_v3(rng).to_string().into_bytes();
            mutate_bytes(rng, valid)
        }
        5 => random_json(rng, 4).to_string().into_bytes(),
        6 => {
            path = V4.to_owned();
            let inputs = if rng.random_bool(0.5) {
                Value::Array(
                    (0..rng.random_range(0..6))
                        .map(|_| {
                            if rng.random_bool(0.5) {
                                json!({"Radius": random_json(rng, 1), "Height": rng.random_range(0..5)})
                            } else {
                                random_json(rng, 2)
                            }
                        })
                        .collect(),
                )
            } else {
                // Columnar: header row then rows.
                json!([
                    ["Radius", "Height"],
                    [random_json(rng, 1), random_json(rng, 1)],
                    random_json(rng, 1)
                ])
            };
            let service = if rng.random_bool(0.5) {
                Value::String("demo/volume-cylinder".into())
            } else {
                random_json(rng, 1)
            };
            json!({"service": service, "inputs": inputs, "output": random_json(rng, 1),
                   "version_id": random_json(rng, 0), "version_by_timestamp": random_json(rng, 0)})
            .to_string()
            .into_bytes()
        }
        7 => {
            let inner = if rng.random_bool(0.5) {
                random_json(rng, 3).to_string().into_bytes()
            } else {
                valid_v3(rng).to_string().into_bytes()
            };
            let (encoding, bytes) = match rng.random_range(0..4) {
                0 => ("gzip", gzip(&inner)),
                1 => {
                    let packed = gzip(&inner);
                    ("gzip", mutate_bytes(rng, packed))
                }
                2 => (
                    "deflate",
                    (0..rng.random_range(0..64)).map(|_| rng.random()).collect(),
                ),
                _ => ("br", inner),
            };
            headers.push(("content-encoding", encoding.to_owned()));
            bytes
        }
        8 => {
            let depth = rng.random_range(100..5_000);
            let mut s = "[".repeat(depth);
            s.push_str(&"]".repeat(rng.random_range(0..=depth)));
            if rng.random_bool(0.5) {
                s = format!("{{\"request_data\":{{\"inputs\":{s}}}}}");
            }
            s.into_bytes()
        }
        _ => {
            let seg = |rng: &mut StdRng| {
                let s = random_string(rng);
                percent_encode(&s)
            };
            path = format!(
                "/my-tenant/api/v3/folders/{}/services/{}/execute",
                seg(rng),
                seg(rng)
            );
            valid_v3(rng).to_string().into_bytes()
        }
    };
    if rng.random_bool(0.1) {
        headers[0].1 = random_string(rng);
    }
    Case {
        path,
        headers,
        body,
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~[]".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_routes_never_fail_on_arbitrary_requests() {
    let cases = env_u64("CSPARK_FUZZ_CASES", 20_000);
    let seed = env_u64("CSPARK_FUZZ_SEED", 7);
    let (state, problems) = Emulator::prepare(
        &EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key(KEY),
    );
    assert!(problems.is_empty(), "{problems:?}");
    let app = cspark_emulator::app(state);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut by_status = std::collections::BTreeMap::<u16, u64>::new();
    let mut skipped = 0u64;
    for i in 0..cases {
        let case = generate(&mut rng);
        let mut req = Request::post(case.path.as_str()).header("x-synthetic-key", KEY);
        for (k, v) in &case.headers {
            req = req.header(*k, v.as_str());
        }
        let Ok(req) = req.body(Body::from(case.body.clone())) else {
            skipped += 1; // not a valid HTTP request (e.g. a header value with a newline)
            continue;
        };
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        *by_status.entry(status).or_default() += 1;
        let body = axum::body::to_bytes(res.into_body(), 16 << 20)
            .await
            .unwrap();
        let shown = || {
            format!(
                "case {i} (seed {seed}): {} {} -> {status}: {}",
                case.path,
                String::from_utf8_lossy(&case.body[..case.body.len().min(300)]),
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )
        };
        assert!(status < 500, "server error: {}", shown());
        if status >= 400 {
            assert!(
                serde_json::from_slice::<Value>(&body).is_ok(),
                "error body is not JSON: {}",
                shown()
            );
        }
    }
    eprintln!(
        "fuzz_requests: {cases} cases (seed {seed}), {skipped} not buildable, statuses {by_status:?}"
    );
    assert!(
        by_status.get(&200).copied().unwrap_or(0) > cases / 20,
        "valid cases reach the workbook: {by_status:?}"
    );
}
