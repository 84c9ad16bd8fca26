//! Error fidelity of calls made through the generated platform client: over real HTTP to the
//! in-process emulator with injected faults, a failed generated call reports what the
//! transport saw (attempts, method, path, status, request id), like a handwritten call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cspark::{ApiErrorKind, Auth, Client, SparkError, TransportKind};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultPlan, FaultRule};

async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .expect("emulator starts")
}

fn client(emu: &EmulatorHandle, max_retries: u32) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::bearer("any-token"))
        .max_retries(max_retries)
        .retry_interval(Duration::from_millis(1))
        .build()
        .expect("client builds")
}

fn script(route: &str, method: &str, faults: Vec<Fault>) -> FaultPlan {
    FaultPlan::single(
        7,
        FaultRule {
            route: route.into(),
            method: Some(method.into()),
            script: faults,
            ..FaultRule::default()
        },
    )
}

const VERSIONS: &str = "/api/v1/product/demo/engines/getversions/volume-cylinder";

#[tokio::test]
async fn exhausted_503_reports_attempts_method_and_path() {
    let emu = emulator().await;
    emu.set_faults(script(
        "*/getversions/*",
        "GET",
        vec![Fault::Status(503); 3],
    ));
    let err = client(&emu, 2)
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap_err();
    let SparkError::Api(api) = err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status, 503);
    assert_eq!(api.kind, ApiErrorKind::ServiceUnavailable);
    assert_eq!(api.attempts, 3);
    assert_eq!(api.method, "GET");
    assert_eq!(api.path, VERSIONS);
    assert!(!api.request_id.is_empty());
}

#[tokio::test]
async fn recovered_call_after_retries_succeeds() {
    let emu = emulator().await;
    emu.set_faults(script(
        "*/getversions/*",
        "GET",
        vec![Fault::Status(503), Fault::Status(503)],
    ));
    let versions = client(&emu, 2)
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap();
    assert!(!versions.is_empty());
}

#[tokio::test]
async fn dropped_connections_report_a_transport_error_with_attempts() {
    let emu = emulator().await;
    emu.set_faults(script("*/getversions/*", "GET", vec![Fault::Drop; 2]));
    let err = client(&emu, 1)
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap_err();
    match err {
        SparkError::Transport {
            kind,
            method,
            path,
            attempts,
            ..
        } => {
            assert_eq!(kind, TransportKind::Connection);
            assert_eq!(
                (method.as_str(), path.as_str(), attempts),
                ("GET", VERSIONS, 2)
            );
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn public_platform_client_errors_convert_with_the_details() {
    let emu = emulator().await;
    emu.set_faults(script(
        "*/getversions/*",
        "GET",
        vec![Fault::Status(503); 2],
    ));
    let client = client(&emu, 1);
    let platform = client.platform();
    let failed = platform
        .get_service_versions("demo", "volume-cylinder")
        .await
        .unwrap_err();
    // What `?` does in a function returning `cspark::Result`.
    let err = SparkError::from(failed);
    let SparkError::Api(api) = err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!((api.status, api.attempts), (503, 2));
    assert_eq!((api.method.as_str(), api.path.as_str()), ("GET", VERSIONS));
    assert!(!api.request_id.is_empty());
    // The same shared client then succeeds; the answer says what it took.
    let answer = platform
        .get_service_versions("demo", "volume-cylinder")
        .await
        .unwrap();
    assert_eq!(answer.headers()[cspark::hooks::ATTEMPTS_HEADER], "1");
    assert!(!answer.into_inner().data.unwrap_or_default().is_empty());
}
