//! `cspark-codegen platform --standalone` on an OpenAPI 3.1 description: the client compiles
//! outside the SDK (against `cspark`'s public API only) and calls the emulator through the
//! SDK's transport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use cspark_codegen::platform::{PlatformOptions, render};
use cspark_emulator::{Emulator, EmulatorConfig};

/// The committed output of the generator for `tests/fixtures/platform/spark-3.1.yaml`.
#[allow(
    missing_docs,
    unused_imports,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rust_2018_idioms
)]
#[rustfmt::skip]
#[path = "golden/standalone_platform.rs"]
mod generated;

const SPEC: &str = "tests/fixtures/platform/spark-3.1.yaml";
const GOLDEN: &str = "tests/golden/standalone_platform.rs";

fn options() -> PlatformOptions {
    PlatformOptions {
        spec_label: SPEC.to_string(),
        ..PlatformOptions::standalone()
    }
}

#[test]
fn the_compiled_client_is_what_the_generator_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(SPEC)).unwrap();
    let generated = render(&text, &options()).unwrap();
    let golden = root.join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&golden).unwrap();
    assert!(
        committed == generated,
        "{GOLDEN} is stale; regenerate with UPDATE_GOLDEN=1 cargo test -p cspark-codegen --test standalone"
    );
    // The multipart operation is reported as not generated, never as handwritten.
    assert!(
        generated.contains("// NOT GENERATED: progenitor 0.15 cannot build these request bodies")
    );
    assert!(generated.contains(
        "//   POST /api/v1/product/create (createFolder): multipart/form-data request body"
    ));
    assert!(!generated.contains("Handwritten in the SDK"));
    assert!(!generated.contains("crate::hooks") && !generated.contains("crate::uri"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standalone_client_calls_the_emulator_through_the_sdk_transport() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("standalone-key"),
    )
    .await
    .unwrap();
    let spark = cspark::Client::builder()
        .base_url(emu.base_url())
        .api_key("standalone-key")
        .build()
        .unwrap();
    let client = generated::Client::from_cspark(&spark);
    let body = generated::types::ExecuteRequest {
        request_data: generated::types::ExecuteRequestRequestData {
            inputs: serde_json::from_value(serde_json::json!({"Radius": 1.0, "Height": 2.0}))
                .unwrap(),
        },
        request_meta: Some(generated::types::ExecuteRequestRequestMeta {
            call_purpose: Some("standalone test".into()),
            compiler_type: None,
            transaction_date: None,
            version_id: None,
        }),
    };
    // The operation had no operationId; its name is derived from method and path.
    let response = client
        .post_by_tenant_api_v3_folders_by_folder_services_by_service_execute(
            emu.tenant(),
            "demo",
            "volume-cylinder",
            &body,
        )
        .await
        .unwrap()
        .into_inner();
    let outputs = response.response_data.unwrap().outputs;
    let volume = outputs["Volume"].as_f64().unwrap();
    assert!(
        (volume - std::f64::consts::PI * 2.0).abs() < 1e-6,
        "{volume}"
    );
    assert!(response.response_meta.unwrap().version_id.is_some());

    // A failure converts into the SDK's own error: status, attempts and path are real.
    let missing = client
        .post_by_tenant_api_v3_folders_by_folder_services_by_service_execute(
            emu.tenant(),
            "demo",
            "no-such-service",
            &body,
        )
        .await
        .unwrap_err();
    let error = cspark::SparkError::from(missing);
    assert_eq!(error.status(), Some(404), "{error}");
    let api = error.api().unwrap();
    assert_eq!(api.attempts, 1);
    assert_eq!(api.method, "POST");
    assert!(
        api.path
            .ends_with("/folders/demo/services/no-such-service/execute"),
        "{}",
        api.path
    );
}
