//! The v3 execute fast path answers exactly like the router: the same requests, sent over
//! HTTP to an emulator served with the fast path and to one served by axum's routing alone,
//! get the same status, headers and body (call ids and timings aside), and leave the same
//! counters behind, including errors and injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;

use cspark_emulator::{
    AppState, Emulator, EmulatorConfig, Fault, FaultPlan, FaultRule, app, app_without_fast_path,
};
use serde_json::{Value, json};

const KEY: &str = "fast-key";

fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_demo_workbooks()
        .with_api_key(KEY)
        .with_public_service("demo/volume-cylinder")
}

/// Serve `router` over HTTP on a free port; returns its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// One request of the comparison.
struct Case {
    name: &'static str,
    method: reqwest::Method,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

fn case(name: &'static str, path: &str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        method: reqwest::Method::POST,
        path: path.to_string(),
        headers: vec![
            ("x-synthetic-key", KEY),
            ("content-type", "application/json"),
        ],
        body: body.into(),
    }
}

fn with(mut c: Case, headers: &[(&'static str, &'static str)]) -> Case {
    for (name, value) in headers {
        c.headers.retain(|(n, _)| n != name);
        if !value.is_empty() {
            c.headers.push((name, value));
        }
    }
    c
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

const EXEC: &str = "/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute";
const PUBLIC: &str = "/my-tenant/api/v3/public/folders/demo/services/volume-cylinder/execute";

fn cases() -> Vec<Case> {
    let ok = json!({"request_data": {"inputs": {"Radius": 2, "Height": 3}},
                    "request_meta": {"call_purpose": "fast", "correlation_id": "c-1"}});
    let ok = serde_json::to_vec(&ok).expect("json");
    let echo = json!({"request_data": {"inputs": {"Radius": 1.5, "Height": 2}},
                      "request_meta": {"response_data_inputs": true,
                                       "requested_output": "Volume"}});
    let echo = serde_json::to_vec(&echo).expect("json");
    vec![
        case("success", EXEC, ok.clone()),
        case("echo inputs, requested output", EXEC, echo),
        with(
            case("request id echoed", EXEC, ok.clone()),
            &[("x-request-id", "rid-7")],
        ),
        with(
            case("accepts gzip", EXEC, ok.clone()),
            &[("accept-encoding", "gzip")],
        ),
        case("query string", &format!("{EXEC}?a=1"), ok.clone()),
        case("bad json", EXEC, "{\"request_data\": "),
        case("not an object", EXEC, "[1, 2]"),
        case("empty body", EXEC, ""),
        case("request_meta not an object", EXEC, r#"{"request_meta": 3}"#),
        case(
            "bad inputs",
            EXEC,
            r#"{"request_data": {"inputs": "x"}, "request_meta": {}}"#,
        ),
        case(
            "invalid input value",
            EXEC,
            r#"{"request_data": {"inputs": {"Radius": "abc", "Height": 1}}}"#,
        ),
        case(
            "unknown version",
            EXEC,
            r#"{"request_data": {"inputs": {}}, "request_meta": {"version": "9.9.9"}}"#,
        ),
        case(
            "bad transaction date",
            EXEC,
            r#"{"request_meta": {"transaction_date": "yesterday"}}"#,
        ),
        case(
            "unknown service",
            "/my-tenant/api/v3/folders/demo/services/nope/execute",
            ok.clone(),
        ),
        case(
            "unknown folder",
            "/my-tenant/api/v3/folders/nope/services/volume-cylinder/execute",
            ok.clone(),
        ),
        case(
            "service name in another case",
            "/my-tenant/api/v3/folders/DEMO/services/Volume-Cylinder/execute",
            ok.clone(),
        ),
        case(
            "wrong tenant",
            "/other/api/v3/folders/demo/services/volume-cylinder/execute",
            ok.clone(),
        ),
        with(
            case("bad key", EXEC, ok.clone()),
            &[("x-synthetic-key", "wrong")],
        ),
        with(case("no key", EXEC, ok.clone()), &[("x-synthetic-key", "")]),
        with(
            case("bogus bearer", EXEC, ok.clone()),
            &[("x-synthetic-key", ""), ("authorization", "Bearer nope")],
        ),
        with(
            case("public, no key", PUBLIC, ok.clone()),
            &[("x-synthetic-key", ""), ("x-tenant-name", "my-tenant")],
        ),
        with(
            case("public, other tenant header", PUBLIC, ok.clone()),
            &[("x-synthetic-key", ""), ("x-tenant-name", "other")],
        ),
        // Forms the fast path leaves to the router: both servers must still agree.
        case(
            "keyword in upper case",
            "/my-tenant/API/v3/Folders/demo/services/volume-cylinder/EXECUTE",
            ok.clone(),
        ),
        case(
            "percent-encoded segment",
            "/my-tenant/api/v3/folders/demo/services/volume%2Dcylinder/execute",
            ok.clone(),
        ),
        with(
            case("gzip request body", EXEC, gzip(&ok)),
            &[("content-encoding", "gzip")],
        ),
        with(
            case("unknown content encoding", EXEC, ok.clone()),
            &[("content-encoding", "br")],
        ),
        Case {
            method: reqwest::Method::GET,
            ..case("wrong method", EXEC, "")
        },
    ]
}

/// What is compared of an answer: status, headers (but `date` and `content-length`, which
/// follow the call id and timing) and the body with its per-call values blanked.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

fn blank_per_call(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if ["call_id", "request_timestamp", "process_time"].contains(&key.as_str()) {
                    *v = Value::String("<per call>".into());
                } else {
                    blank_per_call(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank_per_call),
        _ => {}
    }
}

async fn send(client: &reqwest::Client, base: &str, c: &Case) -> Result<Answer, String> {
    let mut req = client.request(c.method.clone(), format!("{base}{}", c.path));
    for (name, value) in &c.headers {
        req = req.header(*name, *value);
    }
    if c.method == reqwest::Method::POST {
        req = req.body(c.body.clone());
    }
    let res = req.send().await.map_err(|e| format!("send: {e}"))?;
    let status = res.status().as_u16();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(n, _)| *n != "date" && *n != "content-length")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("<binary>").to_string()))
        .collect();
    headers.sort();
    let bytes = res.bytes().await.map_err(|e| format!("body: {e}"))?;
    let mut body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    blank_per_call(&mut body);
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// The emulator as `Emulator::start` serves it (fast path), the router alone, and `app()`
/// served by hand (fast path behind the outer router), all from the same configuration.
async fn three() -> (Vec<String>, Vec<AppState>, cspark_emulator::EmulatorHandle) {
    let handle = Emulator::start(config()).await.expect("start");
    let (routed, problems) = Emulator::prepare(&config());
    assert!(problems.is_empty(), "{problems:?}");
    let (via_app, _) = Emulator::prepare(&config());
    let bases = vec![
        handle.url(),
        serve(app_without_fast_path(routed.clone())).await,
        serve(app(via_app.clone())).await,
    ];
    let states = vec![handle.state().clone(), routed, via_app];
    (bases, states, handle)
}

#[tokio::test]
async fn fast_path_answers_like_the_router() {
    let (bases, states, _handle) = three().await;
    let client = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    for c in cases() {
        let answers = [
            send(&client, &bases[0], &c).await,
            send(&client, &bases[1], &c).await,
            send(&client, &bases[2], &c).await,
        ];
        assert_eq!(answers[0], answers[1], "{}: fast path vs router", c.name);
        assert_eq!(answers[2], answers[1], "{}: app() vs router", c.name);
        if c.name == "success" {
            let a = answers[0].as_ref().expect("answer");
            assert_eq!(a.status, 200);
            assert!(a.body["response_data"]["outputs"]["Volume"].is_number());
        }
    }
    let counters: Vec<_> = states.iter().map(AppState::counters).collect();
    assert_eq!(counters[0], counters[1], "counters: fast path vs router");
    assert_eq!(counters[2], counters[1], "counters: app() vs router");
    let route = "POST /{tenant}/api/v3/folders/{folder}/services/{service}/execute";
    assert!(counters[0].routes[route] >= 10, "{:?}", counters[0].routes);
}

#[tokio::test]
async fn injected_faults_are_the_same_on_both_paths() {
    let (bases, states, _handle) = three().await;
    let plan = FaultPlan::single(
        3,
        FaultRule {
            route: "*/execute".into(),
            method: Some("POST".into()),
            script: vec![
                Fault::Status(429),
                Fault::Status(503),
                Fault::Status(401),
                Fault::Drop,
                Fault::Pass,
            ],
            retry_after: Some(0.25),
            ..FaultRule::default()
        },
    );
    for state in &states {
        state.set_faults(Some(plan.clone()));
    }
    let body = r#"{"request_data": {"inputs": {"Radius": 1, "Height": 1}}}"#;
    for round in 0..5 {
        let c = with(case("faulted", EXEC, body), &[("x-request-id", "rid-f")]);
        let mut answers = Vec::new();
        for base in &bases {
            // A fresh connection each time: a dropped answer closes it.
            let client = reqwest::Client::builder()
                .no_gzip()
                .build()
                .expect("client");
            answers.push(send(&client, base, &c).await.map_err(|_| "transport error"));
        }
        assert_eq!(answers[0], answers[1], "round {round}: fast path vs router");
        assert_eq!(answers[2], answers[1], "round {round}: app() vs router");
        let expected = [Some(429), Some(503), Some(401), None, Some(200)][round];
        assert_eq!(
            answers[0].as_ref().ok().map(|a| a.status),
            expected,
            "round {round}"
        );
    }
    let counters: Vec<_> = states.iter().map(AppState::counters).collect();
    assert_eq!(counters[0], counters[1]);
    assert_eq!(counters[2], counters[1]);
    assert_eq!(counters[0].faults_injected, 4);
}
