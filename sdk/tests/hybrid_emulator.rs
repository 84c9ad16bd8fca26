//! The WASM bundle download and the hybrid runner, SDK → in-process emulator over real HTTP:
//! one emulator plays Spark (bundles come from it), another plays the runner (bundles are
//! uploaded to it and run there). The blocking twins run in `blocking_twins` (feature
//! `blocking`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::f64::consts::PI;
use std::io::Read;

use cspark::services::ValidationType;
use cspark::{ApiErrorKind, Auth, Client, SparkError, hybrid};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{Value, json};

const CYLINDER: &str = "demo/volume-cylinder";

async fn spark() -> EmulatorHandle {
    Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("test-key"),
    )
    .await
    .expect("emulator starts")
}

/// An emulator with no services: the runner the bundles are uploaded to.
async fn empty_runner() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_tenant("runner-tenant"))
        .await
        .expect("runner starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::api_key("test-key"))
        .max_retries(0)
        .build()
        .expect("client builds")
}

/// A runner client that also carries a token: the emulator serves the runner's execute paths
/// with its Spark routes, which keep their credential check.
fn executing_runner(emu: &EmulatorHandle) -> hybrid::Client {
    hybrid::Client::from_client(
        Client::builder()
            .env_lookup(|_| None)
            .base_url(emu.base_url())
            .auth(Auth::bearer("any-token"))
            .max_retries(0)
            .build()
            .expect("client builds"),
    )
}

/// (service id, version id) of the demo cylinder.
fn cylinder_ids(emu: &EmulatorHandle) -> (String, String) {
    let versions = emu
        .state()
        .store()
        .versions("demo", "volume-cylinder")
        .expect("demo service");
    let info = &versions[0].info;
    (info.service_id.clone(), info.id.clone())
}

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn entry_json(entries: &[(String, Vec<u8>)], name: &str) -> Value {
    let (_, bytes) = entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the bundle"));
    serde_json::from_slice(bytes).unwrap()
}

fn names(values: &Value, key: &str) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {values}"))
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

fn assert_volume(outputs: &Value, radius: f64, height: f64) {
    let volume = outputs["Volume"]
        .as_f64()
        .unwrap_or_else(|| panic!("{outputs}"));
    let expected = PI * radius * radius * height;
    assert!((volume - expected).abs() < 1e-6, "{volume} != {expected}");
}

#[tokio::test]
async fn wasm_download_serves_the_bundle_for_every_locator() {
    let emu = spark().await;
    let client = client(&emu);
    let (service_id, version_id) = cylinder_ids(&emu);
    let schema = client.services().get_schema_raw(CYLINDER).await.unwrap();
    let workbook = cspark_emulator::demo::workbook("demo", "volume-cylinder")
        .unwrap()
        .bytes;

    let uris = [
        CYLINDER.to_string(),
        format!("{CYLINDER}[0.1.0]"),
        format!("service/{service_id}"),
        format!("version/{version_id}"),
    ];
    for uri in &uris {
        let file = client.services().download_wasm(uri.as_str()).await.unwrap();
        assert_eq!(file.file_name, "volume-cylinder.zip", "{uri}");
        let entries = entries(&file.bytes);
        let listed: BTreeSet<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            listed,
            BTreeSet::from([
                "ModelMetaData.json",
                "volume-cylinderDefaultValidations.json",
                "volume-cylinder.xlsx",
            ]),
            "{uri}"
        );

        let meta = entry_json(&entries, "ModelMetaData.json");
        assert_eq!(meta["VersionId"], json!(version_id), "{uri}");
        let engine = &meta["EngineInformation"];
        assert_eq!(engine["ProductName"], "demo");
        assert_eq!(engine["ServiceName"], "volume-cylinder");
        assert_eq!(engine["Revision"], "0.1.0");
        assert_eq!(engine["ServiceGuid"], json!(service_id));
        assert_eq!(engine["ServiceVersionGuid"], json!(version_id));
        assert_eq!(engine["OriginalFileName"], "volume-cylinder.xlsx");
        assert_eq!(engine["Tenant"], "my-tenant");
        // The input and output tables name the schema's fields, with their cell addresses.
        assert_eq!(
            names(&meta["XInputTable"], "Input Name"),
            names(&schema["xlInputs"], "name")
        );
        assert_eq!(
            names(&meta["XOutputTable"], "Output Name"),
            names(&schema["xOutput"], "name")
        );
        for (row, cell) in meta["XInputTable"]
            .as_array()
            .unwrap()
            .iter()
            .zip(schema["xlInputs"].as_array().unwrap())
        {
            assert_eq!(row["Input Name"], cell["name"]);
            assert_eq!(row["Address"], cell["address"]);
        }

        // Default validations: one entry per input, carrying the workbook's default value.
        let rules = entry_json(&entries, "volume-cylinderDefaultValidations.json");
        let inputs = schema["xlInputs"].as_array().unwrap();
        assert_eq!(rules["outputs"].as_object().unwrap().len(), inputs.len());
        for cell in inputs {
            let name = cell["name"].as_str().unwrap();
            assert_eq!(
                rules["outputs"][name]["default_value"], cell["value"],
                "{name}"
            );
        }
        assert_eq!(rules["errors"], Value::Null);

        let (_, xlsx) = entries
            .iter()
            .find(|(n, _)| n == "volume-cylinder.xlsx")
            .unwrap();
        assert_eq!(xlsx, &workbook, "the bundle carries the original workbook");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn wasm_download_of_an_unknown_service_is_a_404() {
    let emu = spark().await;
    let client = client(&emu);
    for uri in [
        "version/00000000-0000-0000-0000-000000000000",
        "service/00000000-0000-0000-0000-000000000000",
        "demo/no-such-service",
        "demo/volume-cylinder[9.9.9]",
    ] {
        let err = client.services().download_wasm(uri).await.unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{uri}: {err}"));
        assert_eq!(api.status, 404, "{uri}: {err}");
        assert_eq!(api.kind, ApiErrorKind::NotFound, "{uri}");
        assert!(
            api.message().is_some_and(|m| m.contains("NOT_FOUND")),
            "{uri}: {err}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn runner_loads_an_uploaded_bundle_and_runs_it() {
    let spark = spark().await;
    let bundle = client(&spark)
        .services()
        .download_wasm(CYLINDER)
        .await
        .unwrap();
    let (_, spark_version_id) = cylinder_ids(&spark);

    let emu = empty_runner().await;
    // `connect` sends no credentials: the runner's own endpoints need none.
    let runner = hybrid::Client::connect(&emu.url(), emu.tenant()).unwrap();
    let health = runner.health_check().await.unwrap();
    assert_eq!(health.msg.as_deref(), Some("ok"), "{health:?}");
    assert!(health.extra.is_empty(), "{health:?}");
    let version = runner.version().await.unwrap();
    assert!(
        version
            .version
            .as_deref()
            .is_some_and(|v| v.starts_with("1.")),
        "{version:?}"
    );
    assert_eq!(version.last_pull_date, None, "nothing pulled yet");
    assert_eq!(version.filehash, None, "nothing pulled yet");
    let status = runner.status().await.unwrap();
    assert_eq!(status.models.as_deref(), Some(&[][..]), "{status:?}");
    // Fields the schema does not name (the emulator's uptime) stay in `extra`.
    assert!(status.extra["uptime_ms"].is_number(), "{status:?}");
    // The raw twin is the same answer as sent.
    assert_eq!(
        runner.version_raw().await.unwrap()["lastPullDate"],
        Value::Null
    );

    let uploaded = runner.upload(bundle.bytes.clone(), None).await.unwrap();
    let loaded = &uploaded.response_data.as_ref().unwrap()[0];
    assert_eq!(loaded.tenant.as_deref(), Some("runner-tenant"));
    let service = &loaded.services.as_ref().unwrap()[0];
    let engine = service.engine_information.as_ref().unwrap();
    assert_eq!(engine.product_name.as_deref(), Some("demo"));
    assert_eq!(engine.service_name.as_deref(), Some("volume-cylinder"));
    assert_eq!(engine.revision.as_deref(), Some("0.1.0"));
    // Fields the schema does not name stay in `extra`.
    assert_eq!(engine.extra["DefaultEngineType"], "Neuron", "{engine:?}");
    let inputs: BTreeSet<String> = service
        .x_input_table
        .iter()
        .flatten()
        .filter_map(|row| row.input_name.clone())
        .collect();
    assert_eq!(
        inputs,
        BTreeSet::from(["Height".to_string(), "Radius".to_string()])
    );
    let outputs = service.x_output_table.as_deref().unwrap_or_default();
    assert!(
        outputs
            .iter()
            .all(|row| row.output_name.is_some() && row.address.is_some()),
        "{outputs:?}"
    );
    // Another emulator's version id is unknown here: the bundle gets a version of its own.
    let version_id = service.version_id.clone().unwrap();
    assert_ne!(version_id, spark_version_id);
    assert_eq!(engine.service_version_guid.as_ref(), Some(&version_id));

    let status = runner.status().await.unwrap();
    let model = &status.models.as_ref().unwrap()[0];
    assert_eq!(model.tenant.as_deref(), Some("runner-tenant"), "{status:?}");
    assert_eq!(model.total_model, Some(1));
    let stats = &model.model_stats.as_ref().unwrap()[0];
    assert_eq!(stats.id.as_ref(), Some(&version_id));
    assert_eq!(stats.extra["folder_name"], "demo", "{stats:?}");
    assert_eq!(stats.busy, Some(false));
    assert_eq!(stats.thread_stats.as_ref().unwrap().threads, Some(1));
    assert!(stats.size.is_some_and(|n| n > 0), "{stats:?}");
    let version = runner.version().await.unwrap();
    assert!(version.last_pull_date.is_some(), "{version:?}");
    assert!(version.filehash.is_some(), "{version:?}");

    // The uploaded model runs through the runner's execute paths (v3 and v4).
    let runner = executing_runner(&emu);
    let out = runner
        .execute(
            format!("version/{version_id}").as_str(),
            &json!({"Radius": 2, "Height": 5}),
        )
        .await
        .unwrap();
    assert_volume(&Value::Object(out.outputs().clone()), 2.0, 5.0);
    let many = runner
        .execute_many(
            CYLINDER,
            &[
                json!({"Radius": 1, "Height": 1}),
                json!({"Radius": 3, "Height": 0.5}),
            ],
        )
        .await
        .unwrap();
    assert_volume(&many.outputs[0], 1.0, 1.0);
    assert_volume(&many.outputs[1], 3.0, 0.5);

    // Validation and metadata take the locator in `request_meta` on a runner.
    let uri = format!("version/{version_id}");
    let rules = runner
        .validate(uri.as_str(), &json!({}), ValidationType::Static)
        .await
        .unwrap();
    assert_eq!(rules.status.as_deref(), Some("Success"), "{rules:?}");
    let meta = rules.response_meta.as_ref().unwrap();
    assert_eq!(meta.version_id.as_ref(), Some(&version_id), "{rules:?}");
    let per_input = rules
        .response_data
        .as_ref()
        .unwrap()
        .outputs
        .as_ref()
        .unwrap();
    assert_eq!(
        per_input.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from(["Height".to_string(), "Radius".to_string()]),
        "{rules:?}"
    );
    let raw = runner
        .validate_raw(uri.as_str(), &json!({}), ValidationType::Static)
        .await
        .unwrap();
    assert_eq!(
        raw["response_meta"]["version_id"],
        json!(version_id),
        "{raw}"
    );
    let metadata = runner.get_metadata(uri.as_str()).await.unwrap();
    let meta = metadata.response_meta.as_ref().unwrap();
    assert_eq!(meta.version_id.as_ref(), Some(&version_id), "{metadata:?}");
    let raw = runner.get_metadata_raw(uri.as_str()).await.unwrap();
    assert_eq!(
        raw["response_meta"]["version_id"],
        json!(version_id),
        "{raw}"
    );
    let err = runner
        .get_metadata("version/00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    spark.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test]
async fn a_bundle_of_a_known_version_is_not_published_again() {
    let emu = spark().await;
    let bundle = client(&emu)
        .services()
        .download_wasm(CYLINDER)
        .await
        .unwrap();
    let (_, version_id) = cylinder_ids(&emu);
    // The runner endpoints need no credentials even where Spark's do.
    let runner = hybrid::Client::connect(&emu.url(), emu.tenant()).unwrap();
    for _ in 0..2 {
        let uploaded = runner
            .upload(bundle.bytes.clone(), Some("cyl.zip"))
            .await
            .unwrap();
        let services = uploaded.response_data.unwrap().remove(0).services.unwrap();
        assert_eq!(services[0].version_id.as_ref(), Some(&version_id));
    }
    let versions = emu
        .state()
        .store()
        .versions("demo", "volume-cylinder")
        .unwrap();
    assert_eq!(
        versions.len(),
        1,
        "the known version is loaded, not republished"
    );
    let status = runner.status().await.unwrap();
    let models = status.models.as_deref().unwrap_or_default();
    assert_eq!(models.len(), 1, "{status:?}");
    assert_eq!(models[0].total_model, Some(1), "{status:?}");
    emu.shutdown().await;
}

/// A 400 in the v3 envelope whose `additional_details` mention `needle`.
fn assert_bad_upload(err: &SparkError, needle: &str) {
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(api.status, 400, "{err}");
    assert_eq!(api.kind, ApiErrorKind::BadRequest, "{err}");
    let cspark::ApiErrorBody::V3 {
        additional_details: Some(details),
        ..
    } = &api.body
    else {
        panic!("not a v3 error with details: {:?}", api.body);
    };
    assert!(details.to_string().contains(needle), "{details}");
}

#[tokio::test]
async fn uploads_that_are_not_bundles_are_400() {
    let emu = empty_runner().await;
    let runner = hybrid::Client::connect(&emu.url(), emu.tenant()).unwrap();

    let err = runner
        .upload(&b"definitely not a zip"[..], None)
        .await
        .unwrap_err();
    assert_bad_upload(&err, "not a zip");

    // A zip, but without the bundle's metadata.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let err = runner.upload(bytes, None).await.unwrap_err();
    assert_bad_upload(&err, "ModelMetaData.json");

    let status = runner.status().await.unwrap();
    assert_eq!(status.models.as_deref(), Some(&[][..]), "{status:?}");
    emu.shutdown().await;
}

#[cfg(feature = "blocking")]
mod blocking_twins {
    use super::*;
    use cspark::blocking;

    #[test]
    fn blocking_runner_uploads_and_runs_a_bundle() {
        // Each emulator is served by the worker thread of its own runtime.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (spark, emu) = runtime.block_on(async { (spark().await, empty_runner().await) });
        let bundle = blocking::Client::new(
            Client::builder()
                .env_lookup(|_| None)
                .base_url(spark.base_url())
                .auth(Auth::api_key("test-key"))
                .max_retries(0),
        )
        .unwrap()
        .services()
        .download_wasm(CYLINDER)
        .unwrap();
        assert!(bundle.bytes.starts_with(b"PK"));

        let runner = blocking::hybrid::Client::connect(&emu.url(), emu.tenant()).unwrap();
        assert_eq!(runner.health_check().unwrap().msg.as_deref(), Some("ok"));
        assert_eq!(runner.health_check_raw().unwrap(), json!({"msg": "ok"}));
        assert!(runner.version().unwrap().version.is_some());
        assert_eq!(runner.status().unwrap().models.as_deref(), Some(&[][..]));
        let uploaded = runner.upload(bundle.bytes, None).unwrap();
        let services = uploaded.response_data.unwrap().remove(0).services.unwrap();
        let version_id = services[0].version_id.clone().unwrap();
        let status = runner.status().unwrap();
        let model = &status.models.as_ref().unwrap()[0];
        assert_eq!(
            model.model_stats.as_ref().unwrap()[0].id.as_ref(),
            Some(&version_id)
        );
        assert_eq!(runner.status_raw().unwrap()["models"][0]["total_model"], 1);
        let runner = blocking::hybrid::Client::from_async(executing_runner(&emu)).unwrap();
        let out = runner
            .execute(
                format!("version/{version_id}").as_str(),
                &json!({"Radius": 4, "Height": 2}),
            )
            .unwrap();
        assert_volume(&Value::Object(out.outputs().clone()), 4.0, 2.0);
        drop((spark, emu));
    }
}
