//! Secrets end to end (issue 7, target 7): against the real emulator (in-process router on a
//! real socket, demo workbooks, restricted credentials), with a TRACE subscriber capturing
//! every log line of the process (SDK, reqwest, hyper and the emulator), run successful and
//! failing calls (401, 404, OAuth refresh after a 401, rejected client, timeout, dropped
//! connection) with an API key, a bearer token and OAuth client credentials. The API key,
//! the bearer token, the client secret and every access token the emulator issued must
//! never appear in any `Debug` / `Display`, error (with its whole source chain) or log line.
//!
//! The issued access tokens are not known in advance: a middleware in front of the emulator
//! records every token response, and also every request header value, which proves that the
//! canaries did travel on the wire (so their absence from the output means something).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use cspark::{Auth, Client, SparkError};
use cspark_emulator::{AppState, Emulator, EmulatorConfig, FaultPlan, FaultRule};
use serde_json::json;

const KEY: &str = "CANARY-e2e-apikey-4b1f9c";
const WRONG_KEY: &str = "CANARY-e2e-wrongkey-0e37";
const BOGUS_TOKEN: &str = "CANARY-e2e-bogus-token-8d21";
const CLIENT_ID: &str = "e2e-client";
const SECRET: &str = "CANARY-e2e-client-secret-77aa";
const WRONG_SECRET: &str = "CANARY-e2e-wrong-secret-51c0";

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

/// What crossed the wire: request header values and issued access tokens.
#[derive(Clone, Default)]
struct Wire {
    header_values: Arc<Mutex<Vec<String>>>,
    issued: Arc<Mutex<Vec<String>>>,
}

async fn record(
    axum::extract::State(wire): axum::extract::State<Wire>,
    req: Request,
    next: Next,
) -> Response {
    let is_token = req.uri().path().ends_with("/openid-connect/token");
    wire.header_values.lock().unwrap().extend(
        req.headers()
            .values()
            .map(|v| v.to_str().unwrap_or("").to_owned()),
    );
    let res = next.run(req).await;
    if !is_token {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(t) = v["access_token"].as_str()
    {
        wire.issued.lock().unwrap().push(t.to_owned());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The emulator router behind the recorder, on 127.0.0.1:0. Returns the base URL
/// (`http://127.0.0.1:PORT/my-tenant`) and the state (fault plan switch).
async fn serve(wire: Wire) -> (String, AppState) {
    let config = EmulatorConfig::default()
        .with_demo_workbooks()
        .with_api_key(KEY)
        .with_oauth_client(CLIENT_ID, SECRET);
    let (state, problems) = Emulator::prepare(&config);
    assert!(problems.is_empty(), "{problems:?}");
    let app = cspark_emulator::app(state.clone())
        .layer(axum::middleware::from_fn_with_state(wire, record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/{}", config.tenant), state)
}

fn client(base: &str, auth: Auth) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(base)
        .auth(auth)
        .max_retries(1)
        .retry_interval(Duration::from_millis(5))
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap()
}

/// `Display` and `Debug` of an error and of every error in its source chain.
fn error_texts(e: &SparkError) -> Vec<String> {
    let mut out = vec![e.to_string(), format!("{e:?}"), format!("{e:#?}")];
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        out.push(s.to_string());
        out.push(format!("{s:?}"));
        next = s.source();
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_output_end_to_end() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let wire = Wire::default();
    let (base, state) = serve(wire.clone()).await;
    // A hung route (timeouts) and a route whose connections drop.
    state.set_faults(Some(FaultPlan {
        seed: 1,
        rules: vec![
            FaultRule {
                route: "*/loan-calc/execute".into(),
                latency_ms: 2_000,
                ..FaultRule::default()
            },
            FaultRule {
                route: "*/insurance-quote/execute".into(),
                rate_drop: 1.0,
                ..FaultRule::default()
            },
        ],
    }));

    // A genuine bearer token, issued by the emulator to the client.
    let origin = base.trim_end_matches("/my-tenant");
    let issued: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{origin}/auth/realms/my-tenant/protocol/openid-connect/token"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = issued["access_token"].as_str().unwrap().to_owned();

    let mut texts: Vec<String> = Vec::new();
    let mut errors = 0usize;
    let mut successes = 0usize;
    let cases = [
        ("api key", Auth::api_key(KEY), true),
        ("wrong api key", Auth::api_key(WRONG_KEY), false),
        ("bearer", Auth::bearer(bearer.clone()), true),
        ("bogus bearer", Auth::bearer(BOGUS_TOKEN), false),
        ("oauth", Auth::oauth(CLIENT_ID, SECRET), true),
        (
            "oauth wrong secret",
            Auth::oauth(CLIENT_ID, WRONG_SECRET),
            false,
        ),
    ];
    for (name, auth, valid) in cases {
        texts.push(format!("{auth:?}"));
        let c = client(&base, auth);
        texts.push(format!("{c:?}"));
        texts.push(format!("{:?} {}", c.config(), c.config()));
        texts.push(format!("{:?}", c.transport()));
        let inputs = json!({"Radius": 2, "Height": 3});
        let mut outcomes = vec![
            c.services().execute("demo/volume-cylinder", &inputs).await,
            c.services().execute("demo/no-such-service", &inputs).await,
            c.services().execute("demo/loan-calc", &inputs).await,
            c.services().execute("demo/insurance-quote", &inputs).await,
        ];
        if name == "oauth" {
            // One injected 401: the SDK drops the token, fetches a new one and replays.
            state.set_faults(Some(FaultPlan::single(
                2,
                FaultRule {
                    route: "*/volume-cylinder/execute".into(),
                    script: vec![cspark_emulator::Fault::Status(401)],
                    ..FaultRule::default()
                },
            )));
            outcomes.push(c.services().execute("demo/volume-cylinder", &inputs).await);
            state.set_faults(None);
        }
        let versions = c.services().get_versions("demo/volume-cylinder").await;
        match &versions {
            Ok(v) => texts.push(format!("{v:?}")),
            Err(e) => texts.extend(error_texts(e)),
        }
        for (i, o) in outcomes.iter().enumerate() {
            match o {
                Ok(r) => {
                    successes += 1;
                    texts.push(format!("{r:?}"));
                }
                Err(e) => {
                    errors += 1;
                    texts.extend(error_texts(e));
                    if !valid && i == 0 {
                        assert!(
                            matches!(e, SparkError::Auth { .. }) || e.status() == Some(401),
                            "{name} #{i}: {e}"
                        );
                    }
                }
            }
        }
        if valid {
            assert!(outcomes[0].is_ok(), "{name}: {:?}", outcomes[0]);
            assert_eq!(
                outcomes[1].as_ref().unwrap_err().status(),
                Some(404),
                "{name}"
            );
            assert!(
                matches!(outcomes[2], Err(SparkError::Timeout { .. })),
                "{name}: {:?}",
                outcomes[2]
            );
            assert!(
                matches!(outcomes[3], Err(SparkError::Transport { .. })),
                "{name}: {:?}",
                outcomes[3]
            );
            assert!(versions.is_ok(), "{name}: {versions:?}");
        }
        if name == "oauth" {
            assert!(outcomes[4].is_ok(), "refresh after 401: {:?}", outcomes[4]);
        }
    }
    // Let the hung handlers' connections settle before reading the logs.
    tokio::time::sleep(Duration::from_millis(50)).await;

    let issued_tokens = wire.issued.lock().unwrap().clone();
    assert!(
        issued_tokens.len() >= 3,
        "raw fetch + OAuth client + refresh: {}",
        issued_tokens.len()
    );
    let mut canaries: Vec<String> = [KEY, WRONG_KEY, BOGUS_TOKEN, SECRET, WRONG_SECRET]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for t in &issued_tokens {
        canaries.push(t.clone());
        // The signature segment is unique per token (header and payload shapes are shared).
        canaries.push(t.rsplit('.').next().unwrap().to_owned());
    }

    // The canaries did travel: keys and tokens in headers, secrets in token-request bodies.
    let headers = wire.header_values.lock().unwrap().clone();
    for needle in [KEY, WRONG_KEY, BOGUS_TOKEN, bearer.as_str()] {
        assert!(
            headers.iter().any(|h| h.contains(needle)),
            "{needle} never sent"
        );
    }
    for t in &issued_tokens {
        assert!(
            headers.iter().any(|h| h.contains(t.as_str())),
            "issued token never used"
        );
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 100, "TRACE output captured");
    assert!(logs.contains("spark.http"), "SDK spans captured");
    assert!(
        errors >= 12 && successes >= 4,
        "{errors} errors, {successes} successes"
    );
    for canary in &canaries {
        for (i, line) in logs.lines().enumerate() {
            assert!(
                !line.contains(canary.as_str()),
                "log line {i} leaks a secret: {line}"
            );
        }
        for t in &texts {
            assert!(!t.contains(canary.as_str()), "output leaks a secret: {t}");
        }
    }
    eprintln!(
        "secrets e2e: {} log lines, {} texts, {errors} errors, {successes} successes, {} issued tokens checked",
        logs.lines().count(),
        texts.len(),
        issued_tokens.len()
    );
}
