#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Retries, back-off, server delay hints and timeouts, counted at the server.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Reply, Server, builder, execute_ok};
use cspark::clock::ManualClock;
use cspark::{ApiErrorKind, Auth, SparkError, TransportKind};
use serde_json::json;

fn client_with_clock(server: &Server, max_retries: u32) -> (cspark::Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = builder(server)
        .auth(Auth::api_key("k"))
        .max_retries(max_retries)
        .clock(clock.clone())
        .build()
        .unwrap();
    (client, clock)
}

#[tokio::test]
async fn retry_after_429_then_200() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(429, json!({})).with_header("Retry-After", "2")
        } else {
            execute_ok(json!({"y": 1}))
        }
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    let out = client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(out.outputs()["y"], json!(1));
    assert_eq!(server.hits().len(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
    let ids: Vec<_> = server
        .hits()
        .iter()
        .map(|h| h.header("x-request-id"))
        .collect();
    assert_eq!(ids[0], ids[1], "retries reuse the request id");
}

#[tokio::test]
async fn fractional_x_retry_after() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(429, json!({})).with_header("x-retry-after", ".1")
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
}

#[tokio::test]
async fn x_retry_after_really_waits_with_the_system_clock() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(429, json!({})).with_header("x-retry-after", ".1")
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    let started = std::time::Instant::now();
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(server.hits().len(), 2);
}

#[tokio::test]
async fn service_unavailable_twice_then_200_with_exponential_backoff() {
    let server = Server::start(|_, i| {
        if i < 2 {
            Reply::json(503, json!({}))
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.hits().len(), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    // retry_interval 10 ms: first step in [5, 10] ms, second in [10, 20] ms.
    assert!(
        sleeps[0] >= Duration::from_millis(5) && sleeps[0] <= Duration::from_millis(10),
        "{sleeps:?}"
    );
    assert!(
        sleeps[1] >= Duration::from_millis(10) && sleeps[1] <= Duration::from_millis(20),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    for max in [0u32, 1, 3] {
        let server = Server::start(|_, _| Reply::json(429, json!({}))).await;
        let (client, clock) = client_with_clock(&server, max);
        let err = client
            .services()
            .execute("f/s", &json!({}))
            .await
            .unwrap_err();
        assert_eq!(server.hits().len() as u32, max + 1);
        assert_eq!(clock.sleeps().len() as u32, max);
        let api = err.api().expect("api error");
        assert_eq!(api.kind, ApiErrorKind::RateLimit);
        assert_eq!(api.attempts, max + 1);
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn each_retryable_status_is_retried_and_others_are_not() {
    for (status, expected_hits) in [
        (408, 2),
        (429, 2),
        (502, 2),
        (503, 2),
        (504, 2),
        (500, 1),
        (400, 1),
        (404, 1),
        (409, 1),
    ] {
        let server = Server::start(move |_, i| {
            if i == 0 {
                Reply::json(status, json!({}))
            } else {
                execute_ok(json!({}))
            }
        })
        .await;
        let (client, _) = client_with_clock(&server, 2);
        let _ = client.services().execute("f/s", &json!({})).await;
        assert_eq!(server.hits().len(), expected_hits, "status {status}");
    }
}

#[tokio::test]
async fn internal_error_is_retried_for_a_get_only() {
    // 500: the server may have done part of the work, so only a replay-safe request (here
    // the health GET) is sent again; the execute POST of the table above is not.
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(500, json!({}))
        } else {
            Reply::json(200, json!({"status": "UP"}))
        }
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    assert!(client.health().await.unwrap().is_up());
    assert_eq!(server.hits().len(), 2);
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_counts_from_the_response_date() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::json(503, json!({}))
                .with_header("date", "Mon, 07 Dec 2026 10:00:00 GMT")
                .with_header("retry-after", "Mon, 07 Dec 2026 10:00:03 GMT")
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.hits().len(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
}

#[tokio::test]
async fn retry_after_as_a_far_http_date_fails_at_once() {
    let server = Server::start(|_, _| {
        Reply::json(503, json!({}))
            .with_header("date", "Mon, 07 Dec 2026 10:00:00 GMT")
            .with_header("retry-after", "Mon, 07 Dec 2026 11:00:00 GMT")
    })
    .await;
    let (client, clock) = client_with_clock(&server, 2);
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(server.hits().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(3600))
    );
}

#[tokio::test]
async fn retry_after_above_cap_fails_at_once() {
    let server =
        Server::start(|_, _| Reply::json(503, json!({})).with_header("Retry-After", "3600")).await;
    let (client, clock) = client_with_clock(&server, 2);
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(server.hits().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(3600))
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let clock = Arc::new(ManualClock::new());
    let client = cspark::Client::builder()
        .env_lookup(common::no_env)
        .base_url(format!("http://127.0.0.1:{port}/t"))
        .auth(Auth::Open)
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    match &err {
        SparkError::Transport {
            kind,
            attempts,
            path,
            ..
        } => {
            assert_eq!(*kind, TransportKind::Connect);
            assert_eq!(*attempts, 3);
            assert_eq!(path, "/t/api/v3/folders/f/services/s/execute");
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    assert_eq!(clock.sleeps().len(), 2);
    assert!(err.request_id().is_some());
    let line = err.to_string();
    assert!(line.starts_with("could not connect: POST /t/api/v3/folders/f/services/s/execute failed after 3 attempt(s)"), "{line}");
    assert!(
        line.to_lowercase().contains("refused"),
        "the cause chain is shown: {line}"
    );
}

#[tokio::test]
async fn hanging_server_times_out_and_post_is_not_replayed() {
    let server = Server::start(|_, _| execute_ok(json!({})).delayed(Duration::from_secs(30))).await;
    let client = builder(&server)
        .auth(Auth::Open)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SparkError::Timeout { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        server.hits().len(),
        1,
        "a POST that may have run is not sent again"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn hanging_get_is_retried_on_timeout() {
    let server = Server::start(|_, _| {
        Reply::json(200, json!({"status": "UP"})).delayed(Duration::from_secs(30))
    })
    .await;
    let client = builder(&server)
        .auth(Auth::Open)
        .timeout(Duration::from_millis(150))
        .max_retries(1)
        .build()
        .unwrap();
    let err = client.health().await.unwrap_err();
    assert!(
        matches!(err, SparkError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(server.hits().len(), 2);
}

/// Runs one execute against a server that answers 503 with `retry-after: 50` (five retries
/// allowed, a paused clock), with the client's `deadline` and the call's own (`call`).
/// Returns the attempts the server saw, the sleeps, and the attempts the error reports.
async fn against_retry_after_50(
    deadline: Option<Duration>,
    call: Option<Duration>,
) -> (usize, Vec<Duration>, usize) {
    let server =
        Server::start(|_, _| Reply::json(503, json!({})).with_header("retry-after", "50")).await;
    let clock = Arc::new(ManualClock::new());
    let mut b = builder(&server)
        .auth(Auth::api_key("k"))
        .max_retries(5)
        .clock(clock.clone());
    if let Some(d) = deadline {
        b = b.deadline(d);
    }
    let client = b.build().unwrap();
    let mut options = cspark::services::ExecuteOptions::default();
    if let Some(d) = call {
        options = options.deadline(d);
    }
    let err = client
        .services()
        .execute_with("f/s", &json!({}), &options)
        .await
        .unwrap_err();
    let reported = err.api().unwrap().attempts as usize;
    (server.hits().len(), clock.sleeps(), reported)
}

#[tokio::test]
async fn no_retry_starts_past_the_operation_deadline() {
    // Each answer asks for 50 s. With a 120 s deadline the third attempt (at 100 s) is the
    // last: a fourth would start at 150 s. The default deadline (180 s) lets a fourth run at
    // 150 s, not a fifth at 200 s.
    for (deadline, expected) in [(Some(Duration::from_secs(120)), 3usize), (None, 4)] {
        let (hits, sleeps, reported) = against_retry_after_50(deadline, None).await;
        assert_eq!(hits, expected, "deadline {deadline:?}");
        assert_eq!(sleeps, vec![Duration::from_secs(50); expected - 1]);
        assert_eq!(reported, expected);
    }
}

#[test]
fn a_zero_deadline_is_refused() {
    let err = cspark::Client::builder()
        .base_url("http://127.0.0.1:9/t")
        .auth(Auth::api_key("k"))
        .deadline(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("deadline"), "{err}");
}

/// A server that answers after 30 s, and a client with a 60 s attempt timeout and the
/// given operation deadline (the default when `None`).
async fn hung_server(deadline: Option<Duration>) -> (Server, cspark::Client) {
    let server = Server::start(|_, _| execute_ok(json!({})).delayed(Duration::from_secs(30))).await;
    let mut b = builder(&server)
        .auth(Auth::Open)
        .timeout(Duration::from_secs(60));
    if let Some(d) = deadline {
        b = b.deadline(d);
    }
    (server, b.build().unwrap())
}

/// Runs one execute with `options` against the hung server and checks it ends in a timeout
/// after 350 ms to 5 s (a 400 ms deadline, not the minute of the attempt timeout).
async fn execute_is_cut(client: &cspark::Client, options: &cspark::services::ExecuteOptions) {
    let started = std::time::Instant::now();
    let err = client
        .services()
        .execute_with("f/s", &json!({}), options)
        .await
        .unwrap_err();
    assert!(matches!(err, SparkError::Timeout { .. }), "{err:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn an_attempt_is_cut_at_the_operation_deadline() {
    // A 60 s attempt timeout, but only 400 ms of deadline: the hung call ends with the
    // deadline, not a minute later.
    let (_server, client) = hung_server(Some(Duration::from_millis(400))).await;
    execute_is_cut(&client, &Default::default()).await;
}

#[tokio::test]
async fn a_call_can_carry_its_own_deadline() {
    // The client's deadline is 120 s (3 attempts); a call that asks for 180 s gets a fourth
    // attempt, one that asks for 60 s only a second.
    let client_deadline = Some(Duration::from_secs(120));
    for (own, expected) in [(None, 3usize), (Some(180), 4), (Some(60), 2)] {
        let call = own.map(Duration::from_secs);
        let (hits, _, reported) = against_retry_after_50(client_deadline, call).await;
        assert_eq!(
            (hits, reported),
            (expected, expected),
            "own deadline {own:?}"
        );
    }
}

#[tokio::test]
async fn a_call_deadline_cuts_a_hung_attempt_and_zero_is_refused() {
    use cspark::services::ExecuteOptions;
    use cspark::transport::RequestSpec;
    let (server, client) = hung_server(None).await;
    let options = ExecuteOptions::default().deadline(Duration::from_millis(400));
    execute_is_cut(&client, &options).await;
    // A raw request takes one too.
    let url = format!("{}/anything", server.origin());
    let started = std::time::Instant::now();
    let spec = RequestSpec::get(&url)
        .unwrap()
        .deadline(Duration::from_millis(300));
    let err = client.transport().send(spec).await.unwrap_err();
    assert!(matches!(err, SparkError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let hits = server.hits().len();
    let err = client
        .services()
        .execute_with(
            "f/s",
            &json!({}),
            &ExecuteOptions::default().deadline(Duration::ZERO),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            SparkError::InvalidInput {
                what: "deadline",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.hits().len(), hits, "nothing may be sent");
}
