//! `reliability.md` §7.2, "no request can hang": a server that stops sending, before the
//! headers or in the middle of the body, ends the attempt with `SparkError::Timeout` within
//! the timeout that applies + 1 s: the per-attempt timeout, or the read-idle timeout
//! (`ClientBuilder::read_timeout`) when that is shorter. A raw TCP server injects the stall;
//! no test needs an outer timeout to finish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cspark::transport::RequestSpec;
use cspark::{Auth, Client, SparkError};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SHORT: Duration = Duration::from_millis(250);
const LONG: Duration = Duration::from_secs(30);
const SLACK: Duration = Duration::from_secs(1);

/// Where the server goes silent.
#[derive(Clone, Copy)]
enum Stall {
    /// After reading the request, before any byte of the answer.
    BeforeHeaders,
    /// After the headers and the first bytes of a 1,000-byte body.
    MidBody,
}

/// A server that reads each request whole, then stalls (holding the connection) as told.
/// Returns its base URL (with a tenant) and the count of connections it accepted.
async fn stalling_server(stall: Stall) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                read_request(&mut socket).await;
                if let Stall::MidBody = stall {
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                content-length: 1000\r\n\r\n{\"status\":";
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.flush().await;
                }
                tokio::time::sleep(LONG * 2).await;
                drop(socket);
            });
        }
    });
    (format!("http://{addr}/tenant"), accepted)
}

/// Reads the request line, headers and a `content-length` body.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if data.len() >= end + 4 + length {
            return;
        }
    }
}

fn client(base: &str, timeout: Duration, read_timeout: Duration, retries: u32) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(base)
        .auth(Auth::api_key("k"))
        .timeout(timeout)
        .read_timeout(read_timeout)
        .max_retries(retries)
        .retry_interval(Duration::from_millis(10))
        .build()
        .unwrap()
}

/// Runs one execute (a POST: a timed-out one may have run, so it is never replayed) and
/// checks it ends in a timeout after one attempt, within `limit` + 1 s.
async fn execute_times_out(base: &str, client: &Client, limit: Duration) {
    let started = Instant::now();
    let err = client
        .services()
        .execute("f/s", &json!({"x": 1}))
        .await
        .unwrap_err();
    let took = started.elapsed();
    match &err {
        SparkError::Timeout { attempts, .. } => assert_eq!(*attempts, 1, "{err}"),
        other => panic!("{base}: expected a timeout, got {other:?}"),
    }
    assert!(took >= limit && took < limit + SLACK, "{took:?}");
}

#[tokio::test]
async fn a_stall_mid_body_ends_at_the_read_timeout() {
    let (base, accepted) = stalling_server(Stall::MidBody).await;
    let client = client(&base, LONG, SHORT, 2);
    execute_times_out(&base, &client, SHORT).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "a POST is not replayed");
}

#[tokio::test]
async fn a_stall_mid_body_ends_at_the_attempt_timeout() {
    let (base, _) = stalling_server(Stall::MidBody).await;
    let client = client(&base, SHORT, LONG, 0);
    execute_times_out(&base, &client, SHORT).await;
}

#[tokio::test]
async fn a_stall_before_the_headers_ends_at_the_read_timeout() {
    let (base, _) = stalling_server(Stall::BeforeHeaders).await;
    let client = client(&base, LONG, SHORT, 0);
    execute_times_out(&base, &client, SHORT).await;
}

/// A GET is replayable: each stalled attempt times out and is retried, and the call ends
/// after max_retries + 1 attempts.
#[tokio::test]
async fn a_stalled_get_is_retried_then_times_out() {
    let (base, accepted) = stalling_server(Stall::MidBody).await;
    let client = client(&base, LONG, SHORT, 2);
    let started = Instant::now();
    let spec = RequestSpec::get(&format!("{base}/api/v3/anything")).unwrap();
    let err = client.transport().send(spec).await.unwrap_err();
    let took = started.elapsed();
    match &err {
        SparkError::Timeout { attempts, .. } => assert_eq!(*attempts, 3, "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    assert!(took >= SHORT * 3 && took < SHORT * 3 + SLACK, "{took:?}");
}

#[test]
fn a_zero_read_timeout_is_refused() {
    let err = Client::builder()
        .base_url("http://127.0.0.1:9/t")
        .auth(Auth::api_key("k"))
        .read_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("read_timeout"), "{err}");
}
