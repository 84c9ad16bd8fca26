//! Helpers shared by the emulator's HTTP tests.
#![allow(dead_code)]

use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::Value;

pub const KEY: &str = "test-key";

pub async fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    let handle = Emulator::start(config.with_demo_workbooks())
        .await
        .expect("emulator starts");
    assert!(
        handle.load_problems().is_empty(),
        "demo workbooks load: {:?}",
        handle.load_problems()
    );
    handle
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// POST JSON with an API key; returns (status, body).
pub async fn post(url: &str, body: Value) -> (u16, Value) {
    let res = client()
        .post(url)
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", "my-tenant")
        .json(&body)
        .send()
        .await
        .expect("request sent");
    decode(res).await
}

/// GET with an API key; returns (status, body).
pub async fn get(url: &str) -> (u16, Value) {
    let res = client()
        .get(url)
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .expect("request sent");
    decode(res).await
}

pub async fn decode(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().await.expect("body read");
    assert!(
        ct.contains("application/json"),
        "content-type {ct:?} for {text}"
    );
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

pub fn volume(r: f64, h: f64) -> f64 {
    std::f64::consts::PI * r * r * h
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

pub fn execute_url(h: &EmulatorHandle, folder: &str, service: &str) -> String {
    format!(
        "{}/api/v3/folders/{folder}/services/{service}/execute",
        h.base_url()
    )
}
