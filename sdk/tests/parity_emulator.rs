//! Parity resources end to end against the in-process emulator (real HTTP, real xlsx).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cspark::folders::{FindFolders, FolderFields};
use cspark::history::LogDownload;
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use cspark::services::CreateOptions;
use cspark::services::VersionUpdate;
use cspark::services::{DownloadOptions, SearchOptions, ValidationType};
use cspark::transforms::TransformDoc;
use cspark::types::ImpexJobStatus;
use cspark::{ApiErrorKind, Auth, Client, PollOptions, SparkError};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::json;

async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::bearer("any-token"))
        .max_retries(0)
        .build()
        .expect("client builds")
}

fn workbook() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/workbooks/demo/volume-cylinder.xlsx"
    );
    std::fs::read(path).expect("demo workbook")
}

fn fast() -> PollOptions {
    PollOptions::new(20, Duration::from_millis(20))
}

#[tokio::test]
async fn create_execute_publish_download_delete() {
    let emu = emulator().await;
    let client = client(&emu);
    let services = client.services();
    let uri = "parity/cylinder";
    assert!(!services.exists(uri).await.unwrap());

    let created = services
        .create(uri, workbook(), &CreateOptions::default().poll(fast()))
        .await
        .unwrap();
    let v1 = created.version_id().expect("version id").to_owned();
    assert_eq!(
        created.compilation.response_data.as_ref().unwrap().progress,
        Some(100)
    );
    assert!(services.exists(uri).await.unwrap());

    let out = services
        .execute(uri, &json!({"radius": 1.0, "height": 2.0}))
        .await
        .unwrap();
    assert!(!out.outputs().is_empty());

    let second = services
        .create(
            uri,
            workbook(),
            &CreateOptions::default()
                .version_difference("major")
                .effective("2024-01-01T00:00:00", "2030-01-01T00:00:00")
                .release("v2", "second", &["a", "b"])
                .poll(fast()),
        )
        .await
        .unwrap();
    assert_ne!(second.version_id(), Some(v1.as_str()));
    let versions = services.get_versions(uri).await.unwrap();
    assert_eq!(versions.len(), 2);

    let file = services
        .download(uri, &DownloadOptions::default().version_id(&v1))
        .await
        .unwrap();
    assert!(file.bytes.starts_with(b"PK"), "an xlsx is a zip");
    assert!(file.file_name.ends_with(".xlsx"), "{}", file.file_name);

    let rules = services
        .validate(uri, &json!({"radius": 1.0}), ValidationType::Static)
        .await
        .unwrap();
    let rules = rules.response_data.and_then(|d| d.outputs);
    assert!(rules.is_some(), "{rules:?}");
    let meta = services.get_metadata(uri).await.unwrap();
    assert_eq!(meta.status.as_deref(), Some("Success"), "{meta:?}");
    let found = services
        .search(&SearchOptions::default().page(1, 100))
        .await
        .unwrap();
    let items = found.response_data.unwrap_or_default();
    assert!(
        serde_json::to_string(&items).unwrap().contains("cylinder"),
        "{items:?}"
    );

    services.delete(uri).await.unwrap();
    assert!(!services.exists(uri).await.unwrap());
    emu.shutdown().await;
}

/// Coherent's two version calls (spark-openapi `putFoldersServicesUpdateversion`,
/// `deleteFoldersServicesVersion`): edit a version in place and read the edit back through
/// `getversions`; delete an intermediate version, never the first or the latest.
#[tokio::test]
async fn edit_a_version_then_delete_an_intermediate_one() {
    let emu = emulator().await;
    let client = client(&emu);
    let services = client.services();
    let uri = "versions/cylinder";
    let ids: Vec<String> = (0..3)
        .map(|_| {
            emu.publish_workbook("versions", "cylinder", "cylinder.xlsx", workbook(), "minor")
                .unwrap()
        })
        .collect();
    let (first, middle, latest) = (&ids[0], &ids[1], &ids[2]);
    let version = |all: &[cspark::services::VersionInfo], id: &str| {
        all.iter()
            .find(|v| v.id.as_deref() == Some(id))
            .cloned()
            .unwrap_or_else(|| panic!("version {id} listed: {all:?}"))
    };
    let before = version(&services.get_versions(uri).await.unwrap(), middle);

    let edit = VersionUpdate::default()
        .description("the middle one")
        .release_note("Reviewed by pricing")
        .label("2026-Q1")
        .tags(&["reviewed", "q1"])
        .effective("2026-01-01T00:00:00Z", "2027-06-30");
    let done = services.update_version(uri, middle, &edit).await.unwrap();
    assert_eq!(done.status.as_deref(), Some("Success"));
    let data = done.response_data.expect("response_data");
    assert_eq!(data.version_id.as_deref(), Some(middle.as_str()));
    assert_eq!(data.revision, before.revision, "an edit publishes nothing");

    let listed = services.get_versions(uri).await.unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let edited = version(&listed, middle);
    assert_eq!(edited.release_note.as_deref(), Some("Reviewed by pricing"));
    assert_eq!(edited.version_label.as_deref(), Some("2026-Q1"));
    assert_eq!(edited.tags, Some(json!("reviewed,q1")));
    let start = edited.effective_start_date.clone().unwrap_or_default();
    let end = edited.effective_end_date.clone().unwrap_or_default();
    assert!(start.starts_with("2026-01-01T00:00:00"), "{start}");
    assert!(end.starts_with("2027-06-30T00:00:00"), "{end}");
    // The other versions are untouched.
    assert_eq!(version(&listed, first).release_note, before.release_note);

    // Fields left out are sent as null and stay as they are.
    services
        .update_version(uri, middle, &VersionUpdate::default().label("2026-Q2"))
        .await
        .unwrap();
    let again = version(&services.get_versions(uri).await.unwrap(), middle);
    assert_eq!(again.version_label.as_deref(), Some("2026-Q2"));
    assert_eq!(again.release_note.as_deref(), Some("Reviewed by pricing"));
    assert_eq!(again.effective_start_date, edited.effective_start_date);

    // A window that ends before it starts is refused.
    let err = services
        .update_version(
            uri,
            middle,
            &VersionUpdate::default().effective("2030-01-01", "2029-01-01"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");

    // The first and the latest version cannot be deleted.
    for kept in [first, latest] {
        let err = services.delete_version(uri, kept).await.unwrap_err();
        match &err {
            SparkError::Api(api) => assert_eq!(api.kind, ApiErrorKind::BadRequest, "{api:?}"),
            other => panic!("expected a 400 for {kept}, got {other:?}"),
        }
    }
    let deleted = services.delete_version(uri, middle).await.unwrap();
    assert_eq!(deleted.status.as_deref(), Some("Success"));
    let left: Vec<String> = services
        .get_versions(uri)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|v| v.id)
        .collect();
    assert_eq!(left, vec![latest.clone(), first.clone()], "newest first");
    // Its id is gone: editing or deleting it again is a 404.
    let err = services.delete_version(uri, middle).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
    let err = services
        .update_version(uri, middle, &VersionUpdate::default().label("x"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");

    // An empty version id is refused before anything is sent.
    let err = services.delete_version(uri, " ").await.unwrap_err();
    assert!(matches!(err, SparkError::InvalidInput { .. }), "{err:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn folders_crud_and_duplicate_conflict() {
    let emu = emulator().await;
    let client = client(&emu);
    let folders = client.folders();
    assert!(!folders.exists("parity-folder").await.unwrap());
    let created = folders
        .create(
            "parity-folder",
            &FolderFields::default()
                .description("d")
                .cover(b"\x89PNG\r\n".to_vec()),
        )
        .await
        .unwrap();
    let info = created.data.expect("folder");
    let id = info.id.clone().expect("folder id");
    assert_eq!(info.name.as_deref(), Some("parity-folder"));
    assert!(folders.exists("parity-folder").await.unwrap());

    let err = folders
        .create("parity-folder", &FolderFields::default())
        .await
        .unwrap_err();
    match &err {
        SparkError::Api(api) => {
            assert_eq!(api.kind, ApiErrorKind::Conflict);
            assert_eq!(api.code(), Some("PRODUCT_ALREADY_EXISTS"));
            assert_eq!(api.status, 409);
            assert_eq!(api.path, "/api/v1/product/create");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }

    folders
        .update(&id, &FolderFields::default().description("changed"))
        .await
        .unwrap();
    let page = folders
        .find(&FindFolders::default().name("parity-folder"))
        .await
        .unwrap();
    let found = page.data.unwrap_or_default();
    assert_eq!(
        found[0].description.as_deref(),
        Some("changed"),
        "{found:?}"
    );
    let categories = folders.categories().await.unwrap();
    assert!(
        categories
            .iter()
            .any(|c| c.value.as_deref() == Some("Other")),
        "{categories:?}"
    );
    folders.delete(&id).await.unwrap();
    assert!(!folders.exists("parity-folder").await.unwrap());
    emu.shutdown().await;
}

#[tokio::test]
async fn history_after_an_execute() {
    let emu = emulator().await;
    let client = client(&emu);
    let out = client
        .services()
        .execute(
            "demo/volume-cylinder",
            &json!({"radius": 2.0, "height": 3.0}),
        )
        .await
        .unwrap();
    let call_id = out.response_meta.call_id.clone().expect("call id");
    let log = client.history().get(&call_id).await.unwrap();
    assert_eq!(
        log.engine_call_id.as_deref(),
        Some(call_id.as_str()),
        "{log:?}"
    );
    let page = client
        .history()
        .search("demo/volume-cylinder", &Default::default())
        .await
        .unwrap();
    let calls = page.data.unwrap_or_default();
    assert!(
        calls
            .iter()
            .any(|c| c.call_guid.as_deref() == Some(call_id.as_str())),
        "{calls:?}"
    );

    let zip = client
        .history()
        .download(
            "demo/volume-cylinder",
            &LogDownload::default().csv().call_ids([call_id.clone()]),
        )
        .await
        .unwrap();
    assert!(zip.bytes.starts_with(b"PK"));
    let file = client
        .history()
        .rehydrate("demo/volume-cylinder", &call_id, None, false)
        .await
        .unwrap();
    assert!(file.bytes.starts_with(b"PK"));
    emu.shutdown().await;
}

#[tokio::test]
async fn export_then_import_roundtrip() {
    let emu = emulator().await;
    let client = client(&emu);
    let impex = client.impex();
    let mut request = ExportRequest::default().services(["demo/volume-cylinder"]);
    request.poll = fast();
    let zips = impex.export(&request).await.unwrap();
    assert_eq!(zips.len(), 1);
    assert!(zips[0].bytes.starts_with(b"PK"));

    let mut options = ImportOptions::default();
    options.poll = fast();
    let done = impex
        .import(
            &[ImportMapping::to("demo/volume-cylinder", "copies/cylinder")],
            zips[0].bytes.clone(),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(done.status, Some(ImpexJobStatus::Closed), "{done:?}");
    assert!(done.outputs.and_then(|o| o.services).is_some());
    assert!(client.services().exists("copies/cylinder").await.unwrap());
    let described = impex.describe_exports().await.unwrap();
    assert!(described.recent_exports.is_some(), "{described:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn transforms_and_platform_config() {
    let emu = emulator().await;
    let client = client(&emu);
    let t = client.transforms();
    let doc = TransformDoc::Jsonata {
        target_api_version: "v3".into(),
        input: Some("{\"inputs\": $}".into()),
        output: Some("$".into()),
    };
    let valid = t.validate(&doc).await.unwrap();
    assert_eq!(valid.outputs.and_then(|o| o.is_valid), Some(true));
    t.save("tf", "one", &doc).await.unwrap();
    let got = t.get("tf", "one").await.unwrap();
    let text = got.outputs.and_then(|o| o.transform_document).unwrap();
    assert!(text.contains("JSONtransforms"), "{text}");
    let list = t.list("tf", 1, 10).await.unwrap();
    let names: Vec<_> = list
        .result
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.name)
        .collect();
    assert_eq!(names, ["one"]);
    t.delete("tf", "one").await.unwrap();

    let config = client.spark_config().await.unwrap();
    assert!(config.engine_type.is_some(), "{config:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn parity_gaps_against_the_emulator() {
    use cspark::impex::migrate;
    use cspark::transforms::TransformList;
    let (source, target) = (emulator().await, emulator().await);
    let (from, to) = (client(&source), client(&target));

    // Every exported zip is imported (the emulator exports one per request).
    let mut export = ExportRequest::default().services(["demo/volume-cylinder"]);
    export.poll = fast();
    let mut options = ImportOptions::default();
    options.poll = fast();
    let mapping = [ImportMapping::to("demo/volume-cylinder", "moved/cylinder")];
    let done = migrate(&from, &to, &export, &mapping, &options)
        .await
        .unwrap();
    assert!(!done.exports.is_empty());
    assert_eq!(done.imports.len(), done.exports.len());
    assert!(to.services().exists("moved/cylinder").await.unwrap());

    // A link Spark hands out, fetched with `files().download` (own origin: authenticated).
    let job = from.impex().start_export(&export).await.unwrap();
    let status = from
        .impex()
        .wait_export(job.id.as_deref().unwrap(), fast())
        .await
        .unwrap();
    // One status request of a finished job gives the state `wait_export` ended on; the same
    // for the import jobs `migrate` waited on (each on its own tenant's emulator).
    let id = job.id.as_deref().unwrap();
    let once = from.impex().export_status(id).await.unwrap();
    assert_eq!(once.id.as_deref(), Some(id));
    assert_eq!(once.status, status.status);
    for import in &done.imports {
        let import_id = import.id.as_deref().unwrap();
        let now = to.impex().import_status(import_id).await.unwrap();
        assert_eq!(
            (now.id.as_deref(), &now.status),
            (Some(import_id), &import.status)
        );
    }
    // Spark answers an unknown job id with a 500 `INVALID_JOB_ID` (spark-platform.md §ImpEx).
    let missing = from.impex().export_status("no-such-job").await.unwrap_err();
    let api = missing.api().unwrap();
    assert_eq!(
        (api.status, api.code()),
        (500, Some("INVALID_JOB_ID")),
        "{missing:?}"
    );
    let files = status.outputs.and_then(|o| o.files).unwrap();
    let link = files[0].file.as_deref().unwrap();
    let file = from.files().download(link).await.unwrap();
    assert!(file.bytes.starts_with(b"PK"));

    // Schema by version id alone (GetEngineDetailByVersionId) = by folder/service + id.
    let versions = from
        .services()
        .get_versions("demo/volume-cylinder")
        .await
        .unwrap();
    let vid = versions[0].id.clone().unwrap();
    let by_id = from
        .services()
        .get_schema(format!("version/{vid}"))
        .await
        .unwrap();
    let by_folder = from
        .services()
        .get_schema_by_version_id("demo/volume-cylinder", &vid)
        .await
        .unwrap();
    assert!(by_id.xl_inputs.is_some(), "{by_id:?}");
    assert_eq!(by_id.xl_inputs, by_folder.xl_inputs);

    // Transform list filters.
    let t = from.transforms();
    let jsonata = TransformDoc::Jsonata {
        target_api_version: "v3".into(),
        input: Some("$".into()),
        output: Some("$".into()),
    };
    let node = TransformDoc::Node {
        code: "async function handler(e) { return e; }".into(),
    };
    t.save("tf", "j", &jsonata).await.unwrap();
    t.save("tf", "n", &node).await.unwrap();
    let only_node = TransformList::default().filter("transform_type", "Nodejs22_v1.0.0");
    let list = t.list_with("tf", &only_node).await.unwrap();
    let names: Vec<&str> = list
        .result
        .as_deref()
        .unwrap()
        .iter()
        .filter_map(|r| r.name.as_deref())
        .collect();
    assert_eq!(names, ["n"], "{list:?}");
    source.shutdown().await;
    target.shutdown().await;
}
