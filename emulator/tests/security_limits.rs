//! Request bodies and records have limits (issue 15): a body over the limit, as sent, sent
//! in chunks or once inflated from gzip, is a 413 and never runs; more records in one call
//! than the limit is a 400 naming it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;

use common::*;
use cspark_emulator::{EmulatorConfig, EmulatorHandle, Limits};
use serde_json::{Value, json};

const BODY_LIMIT: usize = 64 * 1024;
const RECORDS: usize = 10;

async fn limited() -> EmulatorHandle {
    start_with(EmulatorConfig {
        limits: Limits {
            json_body_bytes: BODY_LIMIT,
            records_per_call: RECORDS,
            ..Limits::default()
        },
        ..EmulatorConfig::default()
    })
    .await
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A valid execute body of about `size` bytes (the padding is an unknown meta field).
fn execute_body(size: usize) -> Vec<u8> {
    let body = json!({
        "request_data": {"inputs": {"Radius": 1, "Height": 2}},
        "request_meta": {"call_purpose": "x".repeat(size)},
    });
    serde_json::to_vec(&body).unwrap()
}

async fn send(h: &EmulatorHandle, body: reqwest::Body, gzipped: bool) -> (u16, Value) {
    let mut req = client()
        .post(execute_url(h, "demo", "volume-cylinder"))
        .header("x-synthetic-key", KEY)
        .header("content-type", "application/json")
        .body(body);
    if gzipped {
        req = req.header("content-encoding", "gzip");
    }
    decode(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_gzip_body_over_the_limit_once_inflated_is_a_413_not_a_truncated_call() {
    let h = limited().await;
    // Under the limit, compressed: runs.
    let small = gzip(&execute_body(BODY_LIMIT / 2));
    let (status, body) = send(&h, small.into(), true).await;
    assert_eq!(status, 200, "{body}");
    // 1 MB of JSON in a body of a few KB.
    let bomb = gzip(&execute_body(1024 * 1024));
    assert!(
        bomb.len() < BODY_LIMIT / 4,
        "{} bytes compressed",
        bomb.len()
    );
    let (status, body) = send(&h, bomb.into(), true).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["message"], "EXCEEDED_FILE_SIZE", "{body}");
    // Exactly at the limit once inflated still runs (the limit is inclusive).
    let exact = execute_body(0);
    let pad = BODY_LIMIT - exact.len();
    let exact = execute_body(pad);
    assert_eq!(exact.len(), BODY_LIMIT);
    let (status, body) = send(&h, gzip(&exact).into(), true).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_plain_body_over_the_limit_is_a_413_declared_or_chunked() {
    let h = limited().await;
    let big = execute_body(BODY_LIMIT * 2);
    let (status, body) = send(&h, big.clone().into(), false).await;
    assert_eq!(status, 413, "declared length: {body}");
    // No content-length: the body streams in chunks.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let (status, body) = send(&h, stream, false).await;
    assert_eq!(status, 413, "chunked: {body}");
    // The v4 family answers in its own shape.
    let res = client()
        .post(format!("{}/api/v4/execute", h.base_url()))
        .header("x-synthetic-key", KEY)
        .header("content-type", "application/json")
        .body(execute_body(BODY_LIMIT * 2))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "EXCEEDED_FILE_SIZE", "{body}");
}

#[tokio::test]
async fn more_records_than_the_limit_in_one_call_is_a_400_naming_it() {
    let h = limited().await;
    let url = format!("{}/api/v4/execute", h.base_url());
    let records = |n: usize| vec![json!({"Radius": 1, "Height": 2}); n];
    let (status, body) = post(
        &url,
        json!({"service": "demo/volume-cylinder", "inputs": records(RECORDS)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &url,
        json!({"service": "demo/volume-cylinder", "inputs": records(RECORDS + 1)}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "TOO_MANY_RECORDS", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&RECORDS.to_string()),
        "{body}"
    );
    // A batch push counts the records of all its chunks.
    let (status, batch) = post(
        &format!("{}/api/v4/batch", h.base_url()),
        json!({"service": "demo/volume-cylinder"}),
    )
    .await;
    assert_eq!(status, 200, "{batch}");
    let id = batch["id"].as_str().unwrap();
    let chunk = |n: usize| json!({"id": uuid(n), "data": {"inputs": records(n)}});
    let (status, body) = post(
        &format!("{}/api/v4/batch/{id}/chunks", h.base_url()),
        json!({"chunks": [chunk(6), chunk(5)]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "TOO_MANY_RECORDS", "{body}");
    let (status, body) = post(
        &format!("{}/api/v4/batch/{id}/chunks", h.base_url()),
        json!({"chunks": [chunk(5), chunk(5)]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

fn uuid(n: usize) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

#[tokio::test]
async fn drafts_expire_and_only_the_newest_are_kept() {
    let h = start_with(EmulatorConfig {
        limits: Limits {
            draft_lifetime: std::time::Duration::from_millis(600),
            max_drafts: 2,
            ..Limits::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let base = format!("{}/api/v3/folders/f/services/s", h.base_url());
    let cylinder = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    let mut jobs = Vec::new();
    for _ in 0..3 {
        let form = reqwest::multipart::Form::new().part(
            "serviceFile",
            reqwest::multipart::Part::bytes(cylinder.bytes.to_vec()).file_name("s.xlsx"),
        );
        let res = client()
            .post(format!("{base}/upload"))
            .header("x-synthetic-key", KEY)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, body) = decode(res).await;
        assert_eq!(status, 200, "{body}");
        let job = body["response_data"]["nodegen_compilation_jobid"]
            .as_str()
            .unwrap();
        jobs.push(job.to_string());
    }
    let progress = |job: &str| get_status(format!("{base}/getcompilationprogess/{job}"));
    // Two drafts at most: the oldest went when the third arrived.
    assert_eq!(progress(&jobs[0]).await, 404);
    assert_eq!(progress(&jobs[1]).await, 200);
    assert_eq!(progress(&jobs[2]).await, 200);
    // And none outlives its lifetime.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(progress(&jobs[2]).await, 404);
}

async fn get_status(url: String) -> u16 {
    get(&url).await.0
}
