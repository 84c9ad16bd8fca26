//! Connections are bounded in time (issue 15): one that sends nothing, trickles its headers
//! or idles after a request is closed after the header timeout; shutdown lets requests in
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

async fn emulator() -> EmulatorHandle {
    start_with(EmulatorConfig {
        limits: Limits {
            header_timeout: HEADER_TIMEOUT,
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
