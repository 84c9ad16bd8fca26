//! End to end against the real emulator (in-process, real HTTP): the generated platform
//! client, the service-inspection calls and execute, all through the SDK's transport.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cspark::services::SwaggerOptions;
use cspark::{ApiErrorKind, Auth, Client};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::json;

async fn emulator() -> EmulatorHandle {
    Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("test-key"),
    )
    .await
    .expect("emulator starts")
}

fn client(emu: &EmulatorHandle, key: &str) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key(key))
        .max_retries(0)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn versions_come_through_the_generated_client() {
    let emu = emulator().await;
    let client = client(&emu, "test-key");
    let versions = client
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].revision.as_deref(), Some("0.1.0"));
    assert!(versions[0].id.as_deref().is_some_and(|id| id.len() == 36));
    // The generated call went through the SDK transport: one request on the versions route.
    let counters = emu.counters();
    let hits: u64 = counters
        .routes
        .iter()
        .filter(|(route, _)| route.contains("getversions"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(hits, 1, "one request on the versions route: {counters:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn generated_client_errors_become_spark_errors() {
    let emu = emulator().await;
    let client = client(&emu, "test-key");
    let err = client
        .services()
        .get_versions("demo/no-such-service")
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.kind, ApiErrorKind::NotFound, "{err}");
    assert_eq!(err.status(), Some(404));

    let wrong_key = client_with_wrong_key(&emu);
    let err = wrong_key
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(!err.to_string().contains("wrong-key"), "{err}");
    emu.shutdown().await;
}

fn client_with_wrong_key(emu: &EmulatorHandle) -> Client {
    client(emu, "wrong-key")
}

#[tokio::test]
async fn schema_and_swagger_describe_the_workbook() {
    let emu = emulator().await;
    let client = client(&emu, "test-key");
    let schema = client
        .services()
        .get_schema("demo/volume-cylinder")
        .await
        .unwrap();
    let inputs: Vec<&str> = schema
        .xl_inputs
        .as_deref()
        .unwrap()
        .iter()
        .filter_map(|cell| cell.name.as_deref())
        .collect();
    assert!(
        inputs.contains(&"Radius") && inputs.contains(&"Height"),
        "{inputs:?}"
    );

    let swagger = client
        .services()
        .get_swagger("demo/volume-cylinder", &SwaggerOptions::default())
        .await
        .unwrap();
    assert_eq!(swagger.swagger.as_deref(), Some("2.0"));
    let text = serde_json::to_string(&swagger.paths).unwrap();
    assert!(text.contains("Radius") && text.contains("Volume"));

    let err = client
        .services()
        .get_schema("service/0000")
        .await
        .unwrap_err();
    assert!(
        matches!(err, cspark::SparkError::InvalidInput { .. }),
        "{err}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn execute_computes_the_volume() {
    let emu = emulator().await;
    let client = client(&emu, "test-key");
    let (radius, height) = (1.5_f64, 4.0_f64);
    let out = client
        .services()
        .execute(
            "demo/volume-cylinder",
            &json!({"Radius": radius, "Height": height}),
        )
        .await
        .unwrap();
    let volume = out.outputs()["Volume"].as_f64().unwrap();
    let expected = std::f64::consts::PI * radius * radius * height;
    assert!((volume - expected).abs() < 1e-9, "{volume} vs {expected}");
    assert!(client.health().await.unwrap().is_up());
    emu.shutdown().await;
}

#[tokio::test]
async fn execute_many_runs_every_record_through_v4() {
    let emu = emulator().await;
    let client = client(&emu, "test-key");
    let records: Vec<_> = (1..=25)
        .map(|i| json!({"Radius": f64::from(i) / 2.0, "Height": f64::from(i)}))
        .collect();
    let options = cspark::services::ExecuteOptions::default().correlation_id("corr-7");
    let out = client
        .services()
        .execute_many("demo/volume-cylinder", &records, &options)
        .await
        .unwrap();
    assert_eq!(out.outputs.len(), 25);
    for (i, record) in out.outputs.iter().enumerate() {
        let r = (i as f64 + 1.0) / 2.0;
        let h = i as f64 + 1.0;
        let volume = record["Volume"].as_f64().unwrap();
        assert!(
            (volume - std::f64::consts::PI * r * r * h).abs() < 1e-9,
            "#{i}: {volume}"
        );
    }
    assert!(out.call_id.is_some());
    assert_eq!(out.correlation_id.as_deref(), Some("corr-7"));
    assert_eq!(out.version.as_deref(), Some("0.1.0"));

    // A record that is not an object is refused before anything is sent.
    let err = client
        .services()
        .execute_many(
            "demo/volume-cylinder",
            &[json!({"Radius": 1}), json!(5)],
            &options,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("#1"), "{err}");
    emu.shutdown().await;
}
