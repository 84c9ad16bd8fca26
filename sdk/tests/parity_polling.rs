//! Job polling is bounded, sleeps the configured interval on the client's clock, and stops
//! at once on a failed job (python-sdk.md §4.11; unlike Python, a failed compile is not
//! reported as a timeout, and export polling checks `max_attempts` times, not once less).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Reply, Server, builder};
use cspark::clock::ManualClock;
use cspark::impex::ExportRequest;
use cspark::{Auth, PollOptions};
use serde_json::json;

#[tokio::test]
async fn compilation_polls_max_attempts_then_fails() {
    let s = Server::start(|hit, _| {
        if hit.path.ends_with("/upload") {
            Reply::json(
                200,
                json!({"response_data": {"nodegen_compilation_jobid": "j"}}),
            )
        } else {
            Reply::json(
                200,
                json!({"response_data": {"progress": 50, "status": "InProgress"}}),
            )
        }
    })
    .await;
    let clock = Arc::new(ManualClock::new());
    let c = builder(&s)
        .auth(Auth::api_key("k"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let options = cspark::services::CreateOptions::default()
        .poll(PollOptions::new(4, Duration::from_secs(2)));
    let err = c
        .services()
        .compile("f/s", b"x".to_vec(), &options)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not finished after 4 status checks"),
        "{err}"
    );
    assert_eq!(s.api_hits().len(), 5, "1 upload + 4 status checks");
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2); 3]);
}

#[tokio::test]
async fn failed_jobs_stop_at_once() {
    let s = Server::start(|hit, _| {
        if hit.path.ends_with("/upload") {
            Reply::json(200, json!({"response_data": {"nodegen_compilation_jobid": "j"}}))
        } else if hit.path.ends_with("/api/v4/export") {
            Reply::json(200, json!({"id": "x"}))
        } else if hit.path.contains("/export/") {
            Reply::json(200, json!({"status": "failed", "errors": ["boom"]}))
        } else {
            Reply::json(200, json!({"response_data": {"progress": 100, "status": "Fail", "last_error_message": "bad"}}))
        }
    })
    .await;
    let clock = Arc::new(ManualClock::new());
    let c = builder(&s)
        .auth(Auth::api_key("k"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = c
        .services()
        .compile("f/s", b"x".to_vec(), &Default::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("finished with status"), "{err}");
    let err = c
        .impex()
        .export(&ExportRequest::default().folders(["f"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("failed"), "{err}");
    assert_eq!(s.api_hits().len(), 4);
    assert!(clock.sleeps().is_empty());
}

/// A retried upload resends the very same multipart bytes (the TS SDK hangs here, ts-sdk.md §11.1).
#[tokio::test]
async fn retried_multipart_is_identical() {
    let s = Server::start(|hit, i| {
        if i == 0 {
            Reply::json(429, json!({"message": "slow down"}))
        } else if hit.path.ends_with("/api/v4/import") {
            Reply::json(200, json!({"id": "x"}))
        } else {
            Reply::json(200, json!({"status": "closed", "errors": null}))
        }
    })
    .await;
    let c = builder(&s)
        .auth(Auth::api_key("k"))
        .max_retries(2)
        .build()
        .unwrap();
    c.impex()
        .import(
            &[cspark::impex::ImportMapping::same("f/s")],
            vec![0u8, 1, 2, 255],
            &Default::default(),
        )
        .await
        .unwrap();
    let h = s.api_hits();
    assert_eq!(h[0].path, h[1].path);
    assert_eq!(h[0].body, h[1].body);
    assert_eq!(h[0].header("content-type"), h[1].header("content-type"));
}
