#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Canary secrets must never appear in Debug/Display output, errors or TRACE logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Reply, Server, builder, execute_ok, token_reply};
use cspark::{Auth, Secret};
use serde_json::json;

const KEY: &str = "CANARY-key-5e1d";
const TOKEN: &str = "CANARY-tok-9a7b";
const SECRET: &str = "CANARY-s3cr3t-7f1c";
const ACCESS: &str = "CANARY-access-31c4";
const HEADER_VALUE: &str = "CANARY-hdr-0d2e";
const CANARIES: [&str; 5] = [KEY, TOKEN, SECRET, ACCESS, HEADER_VALUE];

fn assert_clean(what: &str, text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{what} leaks {canary}: {text}");
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn debug_and_display_are_redacted() {
    let s = Secret::new(KEY);
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "***");
    for auth in [
        Auth::api_key(KEY),
        Auth::bearer(TOKEN),
        Auth::oauth("client-1", SECRET),
    ] {
        assert_clean("Auth Debug", &format!("{auth:?}"));
        let builder = cspark::Client::builder()
            .env_lookup(common::no_env)
            .base_url("http://127.0.0.1:1/t")
            .header("x-extra", HEADER_VALUE)
            .auth(auth);
        assert_clean("ClientBuilder Debug", &format!("{builder:?}"));
        let client = builder.build().unwrap();
        assert_clean("Client Debug", &format!("{client:?}"));
        assert_clean("Config Debug", &format!("{:?}", client.config()));
        assert_clean("Config Display", &format!("{}", client.config()));
        assert_clean("Transport Debug", &format!("{:?}", client.transport()));
    }
    assert!(format!("{:?}", Auth::oauth("client-1", SECRET)).contains("client-1"));
}

#[test]
fn config_errors_do_not_echo_secrets() {
    let err = cspark::Client::builder()
        .env_lookup(|name| match name {
            "CSPARK_CLIENT_ID" => Some("id".into()),
            "CSPARK_API_KEY" => Some(KEY.into()),
            _ => None,
        })
        .base_url("http://127.0.0.1:1/t")
        .build()
        .unwrap_err();
    assert_clean("config error", &format!("{err} {err:?}"));
    let err = cspark::Client::builder()
        .env_lookup(common::no_env)
        .base_url("http://127.0.0.1:1/t")
        .header("x-bad", "line\nbreak CANARY-hdr-0d2e")
        .auth(Auth::Open)
        .build()
        .unwrap_err();
    assert_clean("header error", &format!("{err} {err:?}"));
}

#[tokio::test]
async fn trace_logs_and_errors_never_contain_secrets() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = Server::start(|h, i| {
        if h.is_token() {
            token_reply(ACCESS, 360)
        } else if i % 2 == 1 {
            Reply::json(
                401,
                json!({"error": {"error_category": "access_error", "message": "INVALID_TOKEN"}}),
            )
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let mut errors = Vec::new();
    for auth in [
        Auth::api_key(KEY),
        Auth::bearer(TOKEN),
        Auth::oauth("client-1", SECRET),
    ] {
        let client = builder(&server)
            .auth(auth)
            .header("x-extra", HEADER_VALUE)
            .build()
            .unwrap();
        for _ in 0..3 {
            if let Err(e) = client.services().execute("f/s", &json!({"x": 1})).await {
                errors.push(e);
            }
        }
    }
    // A token endpoint that refuses the credentials.
    let refusing =
        Server::start(|_, _| Reply::json(401, json!({"error": "unauthorized_client"}))).await;
    let client = builder(&refusing)
        .auth(Auth::oauth("client-1", SECRET))
        .build()
        .unwrap();
    errors.push(
        client
            .services()
            .execute("f/s", &json!({}))
            .await
            .unwrap_err(),
    );

    assert!(!errors.is_empty());
    for e in &errors {
        assert_clean("error Display", &e.to_string());
        assert_clean("error Debug", &format!("{e:?}"));
    }
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("spark.http"), "spans are emitted: {logs}");
    assert!(logs.contains("request_id="), "request ids are logged");
    assert!(
        logs.contains("method=POST path=/my-tenant/api/v3/folders/f/services/s/execute"),
        "{logs}"
    );
    assert!(
        logs.contains("status=200") && logs.contains("status=401"),
        "statuses are logged"
    );
    assert!(logs.contains("attempts=1"), "attempts are logged");
    assert_clean("TRACE logs", &logs);
    // The canaries did reach the server, so the assertion above is meaningful.
    let seen: Vec<_> = server
        .hits()
        .iter()
        .flat_map(|h| {
            h.headers
                .values()
                .map(|v| v.to_str().unwrap_or("").to_owned())
        })
        .collect();
    assert!(seen.iter().any(|v| v == KEY));
    assert!(seen.iter().any(|v| v.ends_with(TOKEN)));
    assert!(seen.iter().any(|v| v.ends_with(ACCESS)));
    assert!(seen.iter().any(|v| v == HEADER_VALUE));
}

/// Token responses that fail to decode, or error answers of the token endpoint, hold the
/// access token (or other secrets) in every shape a broken or hostile server could send:
/// no error, `Debug` or log line may quote them.
#[tokio::test]
async fn malformed_token_responses_never_leak_into_errors_or_logs() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let bodies: Vec<(u16, String)> = vec![
        (200, format!(r#"{{"access_token": "{ACCESS}""#)),
        (
            200,
            format!(r#"{{"access_token": ["{ACCESS}"], "expires_in": 60}}"#),
        ),
        (
            200,
            format!(r#"{{"access_token": {{"value": "{ACCESS}"}}}}"#),
        ),
        (
            200,
            format!(r#"{{"access_token": "{ACCESS}", "expires_in": 1e999}}"#),
        ),
        (200, format!(r#"["{ACCESS}"]"#)),
        (200, format!("<html><body>token={ACCESS}</body></html>")),
        (200, format!(r#"{{"token": "{ACCESS}"}}"#)),
        (
            400,
            format!(
                r#"{{"error": "invalid_client", "error_description": "secret {SECRET}, token {ACCESS}"}}"#
            ),
        ),
        (401, format!("<html>{SECRET} {ACCESS}</html>")),
        (
            503,
            format!(r#"{{"error": {{"message": "{ACCESS}", "error_category": "{SECRET}"}}}}"#),
        ),
    ];
    let mut errors = Vec::new();
    for (status, body) in &bodies {
        let (status, body) = (*status, body.clone());
        let server = Server::start(move |h, _| {
            if h.is_token() {
                Reply::text(status, &body)
            } else {
                execute_ok(json!({}))
            }
        })
        .await;
        let client = builder(&server)
            .auth(Auth::oauth("client-1", SECRET))
            .max_retries(0)
            .build()
            .unwrap();
        let err = client
            .services()
            .execute("f/s", &json!({}))
            .await
            .expect_err("a malformed token response must fail the call");
        assert!(
            server.api_hits().is_empty(),
            "no API call without a token (body {status})"
        );
        assert_eq!(server.token_hits().len(), 1);
        errors.push(err);
    }
    for e in &errors {
        let mut text = format!("{e} {e:?}");
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(&format!(" | {s} {s:?}"));
            source = s.source();
        }
        assert_clean("token error", &text);
    }
    // The errors still say what went wrong.
    let first = errors[0].to_string();
    assert!(first.contains("not a usable token response"), "{first}");
    assert!(
        errors[1].to_string().contains("access_token is an array"),
        "{}",
        errors[1]
    );
    assert!(
        format!("{:?}", errors[7]).contains("invalid_client"),
        "the OAuth error code is kept: {:?}",
        errors[7]
    );
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert_clean("TRACE logs", &logs);
}
