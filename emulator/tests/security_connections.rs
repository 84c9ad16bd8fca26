//! Connections are bounded in time (issue 15): one that sends nothing, trickles its headers
//! or idles after a request is closed after the header timeout; one that trickles its body
//! gets a 408 (or a 400 from a reader that cannot tell) and is closed after the body timeout; shutdown lets requests in
//! flight finish for the grace period, then cuts them, and returns within a few seconds even
//! when a call would run far longer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use cspark_emulator::{EmulatorConfig, EmulatorHandle, Limits};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(400);
const BODY_TIMEOUT: Duration = Duration::from_millis(600);

async fn emulator() -> EmulatorHandle {
    start_with(EmulatorConfig {
        limits: Limits {
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            shutdown_grace: Duration::from_millis(500),
            ..Limits::default()
        },
        ..EmulatorConfig::default()
    })
    .await
}

/// Read until the server closes the connection; how long that took (bounded by 10 s).
async fn closed_after(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the connection was still open after 10 s"),
        }
    }
}

#[tokio::test]
async fn silent_trickling_and_idle_connections_are_closed() {
    let h = emulator().await;
    // Nothing sent at all.
    let mut silent = TcpStream::connect(h.addr()).await.unwrap();
    let waited = closed_after(&mut silent).await;
    assert!(waited < Duration::from_secs(3), "silent: {waited:?}");
    // Half a request line, then nothing.
    let mut trickling = TcpStream::connect(h.addr()).await.unwrap();
    trickling
        .write_all(b"GET /health HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let waited = closed_after(&mut trickling).await;
    assert!(waited < Duration::from_secs(3), "trickling: {waited:?}");
    // A complete request answered, then the connection idles.
    let mut idle = TcpStream::connect(h.addr()).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 12];
    idle.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let waited = closed_after(&mut idle).await;
    assert!(waited < Duration::from_secs(3), "idle: {waited:?}");
    // The server still serves new connections.
    let (status, _) = get(&format!("{}/health", h.url())).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn shutdown_cuts_a_long_call_after_the_grace_period() {
    let h = emulator().await;
    // A call modelled to take 30 s.
    h.set_engine_time(Some(Duration::from_secs(30)));
    let url = execute_url(&h, "demo", "volume-cylinder");
    let call = tokio::spawn(async move {
        client()
            .post(url)
            .header("x-synthetic-key", KEY)
            .json(&json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addr = h.addr();
    let started = Instant::now();
    h.shutdown().await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
    // The call was cut, not answered, and the port no longer accepts connections.
    let outcome = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .expect("the call ends with the server")
        .unwrap();
    assert!(outcome.is_err(), "{outcome:?}");
    assert!(TcpStream::connect(addr).await.is_err());
}

/// What the server sent before closing, and how long until it closed.
async fn answer_and_close(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (
                    String::from_utf8_lossy(&seen).into_owned(),
                    started.elapsed(),
                );
            }
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the connection was still open after 10 s"),
        }
    }
}

#[tokio::test]
async fn a_trickled_body_is_cut_after_the_body_timeout() {
    let h = emulator().await;
    let path = format!(
        "/{}/api/v3/folders/demo/services/volume-cylinder/execute",
        h.base_url().rsplit('/').next().unwrap()
    );
    // Chunked: one byte of JSON every 100 ms, for ever (bounded by the test: 60 bytes).
    let mut chunked = TcpStream::connect(h.addr()).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nx-synthetic-key: {KEY}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    chunked.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        for _ in 0..60 {
            if chunked.write_all(b"1\r\n \r\n").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        chunked
    });
    let mut chunked = writer.await.unwrap();
    let (answer, _) = answer_and_close(&mut chunked).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("600 ms"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Declared length: ten of a hundred bytes, then silence.
    let mut declared = TcpStream::connect(h.addr()).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nx-synthetic-key: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"request_d"
    );
    declared.write_all(head.as_bytes()).await.unwrap();
    let (answer, waited) = answer_and_close(&mut declared).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(waited < Duration::from_secs(3), "declared: {waited:?}");

    // A body sent at once is unaffected, and the server still serves.
    let (status, body) = post(
        &execute_url(&h, "demo", "volume-cylinder"),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
