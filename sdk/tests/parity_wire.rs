//! Wire parity with the Python SDK's captured requests (python-sdk.md Appendix A): a
//! recording server checks method, path, query, standard headers, auth and body.
//! Deliberate differences (python-sdk.md §11 bugs, or Spark's current API) are commented.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Hit, Reply, Server, TENANT, builder};
use cspark::folders::{FindFolders, FolderFields};
use cspark::history::LogDownload;
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use cspark::services::VersionUpdate;
use cspark::services::{CreateOptions, RecompileOptions};
use cspark::services::{DownloadOptions, SearchOptions, ValidationType};
use cspark::transforms::{TransformDoc, TransformsApi};
use cspark::types::ImpexJobStatus;
use cspark::{Auth, Client, PollOptions, ServiceUri};
use serde_json::{Value, json};

/// Canned answers by path, good enough for every call here.
fn reply(hit: &Hit, origin: &str) -> Reply {
    let p = hit.path.as_str();
    let ok = |v: Value| Reply::json(200, v);
    if p.ends_with("/upload") && p.contains("/services/") {
        return ok(json!({"status": "Success", "response_data": {
            "nodegen_compilation_jobid": "job1", "original_file_documentid": "ofd", "engine_file_documentid": "efd"}}));
    }
    if p.contains("getcompilationprogess") {
        return ok(
            json!({"status": "Success", "response_data": {"status": "Success", "progress": 100}}),
        );
    }
    if p.ends_with("/publish") {
        return ok(json!({"status": "Success", "response_data": {"version_id": "v9"}}));
    }
    if p.ends_with("/product/create") {
        return ok(
            json!({"status": "Success", "data": {"folderId": "fid", "get_product_url": format!("{origin}/api/v1/product/GetProduct/fid")}}),
        );
    }
    if p.contains("/download/xml/") || p.contains("/download/cid") {
        return ok(
            json!({"status": null, "response_data": {"download_url": format!("{origin}/files/x.xlsx")}}),
        );
    }
    if p.ends_with("/log/downloadcsv") {
        return ok(json!({"response_data": {"job_id": "lj"}}));
    }
    if p.contains("/log/downloadcsv/status/") {
        return ok(
            json!({"response_data": {"progress": 100, "download_url": format!("{origin}/files/logs.zip")}}),
        );
    }
    if p.ends_with("/api/v4/export") || p.ends_with("/api/v4/import") {
        return ok(json!({"id": "xj", "object": "export", "status_url": "unused"}));
    }
    if p.ends_with("/xj/status") {
        return ok(json!({"id": "xj", "status": "closed", "errors": null,
            "outputs": {"files": [{"file": format!("{origin}/files/package.zip")}], "services": []}}));
    }
    if p.starts_with("/files/") {
        return Reply {
            body: "PK-bytes".into(),
            ..Reply::text(200, "")
        };
    }
    if p.ends_with("/services/search") {
        return ok(
            json!({"status": "Success", "response_data": [], "response_meta": {"count": 0}}),
        );
    }
    if p.ends_with("/exists") {
        return ok(json!({"status": "Success", "response_data": {"is_exists": true}}));
    }
    if p.contains("isproductexists") {
        return ok(json!({"status": "Success", "data": true}));
    }
    if p.contains("getexecutionhistorybycallid") {
        return ok(json!({"status": "Success", "response_data": "{\"EngineCallId\":\"callid\"}"}));
    }
    if p.contains("/download/") && p.contains("/engines/") || p.contains("getnodegenzipbyId") {
        return Reply::text(200, "PK")
            .with_header("content-disposition", "attachment; filename=\"s.xlsx\"");
    }
    if p.ends_with("/lookup/savecategory") {
        return ok(
            json!({"status": "Success", "data": {"Metadata.ProductCategories": [{"Key": "k", "Value": "Cat", "Icon": "other.svg"}]}}),
        );
    }
    if p.contains("GetSparkConfiguration") {
        return ok(json!({"status": "Success", "data": {"EngineType": "Neuron"}}));
    }
    ok(
        json!({"status": "Success", "response_data": {"outputs": {}}, "response_meta": {}, "data": null}),
    )
}

async fn server() -> Server {
    // The handler needs the origin, known only once bound: read it from the Host header.
    Server::start(|hit, _| {
        let host = hit.header("host").unwrap_or_default();
        reply(hit, &format!("http://{host}"))
    })
    .await
}

fn client(server: &Server) -> Client {
    builder(server)
        .auth(Auth::api_key("k"))
        .max_retries(0)
        .build()
        .unwrap()
}

fn fast() -> PollOptions {
    PollOptions::new(3, Duration::from_millis(1))
}

/// Method, path, query and the standard headers of one hit.
fn check(hit: &Hit, method: &str, path: &str, query: Option<&str>) {
    assert_eq!(hit.method.as_str(), method, "{hit:?}");
    assert_eq!(hit.path, path, "{hit:?}");
    assert_eq!(hit.query.as_deref(), query, "{hit:?}");
    assert_eq!(hit.header("x-tenant-name").as_deref(), Some(TENANT));
    assert_eq!(hit.header("x-synthetic-key").as_deref(), Some("k"));
    assert!(hit.header("x-request-id").is_some() && hit.header("x-spark-ua").is_some());
}

fn t(path: &str) -> String {
    format!("/{TENANT}{path}")
}

/// The text of multipart field `name` and the raw part headers.
fn part(hit: &Hit, name: &str) -> (String, String) {
    let text = String::from_utf8_lossy(&hit.body).into_owned();
    let start = text
        .find(&format!("name=\"{name}\""))
        .expect("part present");
    let rest = &text[start..];
    let (head, body) = rest.split_once("\r\n\r\n").unwrap();
    let end = body.find("\r\n--").unwrap();
    (head.to_owned(), body[..end].to_owned())
}

#[tokio::test]
async fn services_exists_metadata_search_delete() {
    let s = server().await;
    let c = client(&s);
    assert!(c.services().exists("f/s").await.unwrap());
    c.services()
        .get_metadata(ServiceUri::service_id("sid").unwrap().public())
        .await
        .unwrap();
    c.services()
        .search(&SearchOptions::default())
        .await
        .unwrap();
    c.services().delete("f/s").await.unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "GET",
        &t("/api/v3/folders/f/services/s/exists"),
        None,
    );
    check(
        &h[1],
        "GET",
        &t("/api/v3/public/service/sid/metadata"),
        None,
    );
    check(&h[2], "POST", &t("/api/v3/services/search"), None);
    assert_eq!(
        h[2].json(),
        json!({"request_data": {"page": 1, "page_size": -1, "sort": "name1_co", "search": [], "fields": ["id", "foldername", "filename", "version", "modifiedDate"]}})
    );
    check(&h[3], "DELETE", "/api/v1/product/f/engines/delete/s", None);
}

#[tokio::test]
async fn services_download_both_forms() {
    let s = server().await;
    let c = client(&s);
    let f = c
        .services()
        .download("f/s", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(f.file_name, "s.xlsx");
    let opts = DownloadOptions::default()
        .version_id("vid")
        .file_name("x.xlsx")
        .configured();
    c.services().download("f/s", &opts).await.unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "GET",
        "/api/v1/product/f/engines/s/download/",
        Some("filename=&type="),
    );
    check(
        &h[1],
        "GET",
        "/api/v1/product/f/engines/s/download/vid",
        Some("filename=x.xlsx&type=withmetadata"),
    );
}

#[tokio::test]
async fn services_recompile() {
    let s = server().await;
    let c = client(&s);
    let mut o = RecompileOptions::default();
    o.version_id = Some("vid".into());
    o.compiler = Some("Neuron_v1.13.0".into());
    o.release_notes = Some("rn".into());
    o.label = Some("lbl".into());
    o.start_date = Some("2024-01-01T00:00:00".into());
    o.upgrade = Some("minor".into());
    o.tags = vec!["a".into(), "b".into()];
    c.services().recompile("f/s", &o).await.unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "POST",
        &t("/api/v3/folders/f/services/s/recompileNodgen"),
        None,
    );
    // Python's default end is 2034-01-02 (start + 10 years + start.day days, §11.26).
    assert_eq!(
        h[0].json(),
        json!({"request_data": {"versionId": "vid", "upgradeType": "minor", "neuronCompilerVersion": "Neuron_v1.13.0",
            "releaseNotes": "rn", "versionLabel": "lbl", "effectiveStartDate": "2024-01-01T00:00:00",
            "effectiveEndDate": "2034-01-01T00:00:00", "tags": "a,b"}})
    );
}

/// Not in the Python SDK: Coherent's OpenAPI description (spark-openapi,
/// `putFoldersServicesUpdateversion`, `deleteFoldersServicesVersion`) gives path, method and
/// body; every `request_data` field is sent, `null` where unchanged.
#[tokio::test]
async fn services_update_and_delete_version() {
    let s = server().await;
    let c = client(&s);
    let edit = VersionUpdate::default()
        .release_note("rn")
        .label("lbl")
        .tags(&["a", "b"])
        .effective("2026-01-19T16:05:23.517Z", "2126-01-19")
        .book_property("PublicAPI", "True");
    c.services()
        .update_version("f/s", "vid 1", &edit)
        .await
        .unwrap();
    c.services()
        .update_version("f/s", "vid", &VersionUpdate::default())
        .await
        .unwrap();
    c.services().delete_version("f/s", "vid").await.unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "PUT",
        &t("/api/v3/folders/f/services/s/updateversion/vid%201"),
        None,
    );
    assert_eq!(
        h[0].json(),
        json!({"request_data": {"description": null, "release_note": "rn", "version_label": "lbl",
            "tags": "a,b", "effective_start_date": "2026-01-19T16:05:23.517Z",
            "effective_end_date": "2126-01-19",
            "book_properties": [{"name": "PublicAPI", "value": "True"}]}})
    );
    assert_eq!(
        h[1].json(),
        json!({"request_data": {"description": null, "release_note": null, "version_label": null,
            "tags": null, "effective_start_date": null, "effective_end_date": null,
            "book_properties": null}})
    );
    check(
        &h[2],
        "DELETE",
        &t("/api/v3/folders/f/services/s/version/vid"),
        None,
    );
    assert!(h[2].body.is_empty(), "{:?}", h[2].body);
}

#[tokio::test]
async fn services_create_upload_poll_publish() {
    let s = server().await;
    let c = client(&s);
    let mut o = CreateOptions::default()
        .version_difference("major")
        .effective("2024-01-01T10:00:00", "2025-01-01T00:00:00")
        .draft_name("dn")
        .release("l", "rn", &["t1", "t2"])
        .poll(fast());
    o.track_user = true;
    o.extras.insert("e".into(), json!(1));
    let created = c
        .services()
        .create("f/s", b"xlsx-bytes".to_vec(), &o)
        .await
        .unwrap();
    assert_eq!(created.version_id(), Some("v9"));
    let h = s.api_hits();
    check(
        &h[0],
        "POST",
        &t("/api/v3/folders/f/services/s/upload"),
        None,
    );
    assert!(
        h[0].header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let (_, entity) = part(&h[0], "engineUploadRequestEntity");
    assert_eq!(
        serde_json::from_str::<Value>(&entity).unwrap(),
        json!({"request_data": {"effective_start_date": "2024-01-01T10:00:00", "effective_end_date": "2025-01-01T00:00:00", "version_difference": "major", "e": 1}})
    );
    let (head, file) = part(&h[0], "serviceFile");
    assert!(head.contains("filename=\"s.xlsx\""), "{head}");
    assert!(head.contains("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert_eq!(file, "xlsx-bytes");
    check(
        &h[1],
        "GET",
        &t("/api/v3/folders/f/services/s/getcompilationprogess/job1"),
        None,
    );
    check(
        &h[2],
        "POST",
        &t("/api/v3/folders/f/services/s/publish"),
        None,
    );
    assert_eq!(
        h[2].json(),
        json!({"request_data": {"draft_service_name": "dn", "effective_start_date": "2024-01-01T10:00:00",
            "effective_end_date": "2025-01-01T00:00:00", "original_file_documentid": "ofd", "engine_file_documentid": "efd",
            "version_difference": "major", "should_trck_user_action": true, "version_label": "l", "release_note": "rn",
            "tags": "t1,t2", "e": 1}})
    );
}

#[tokio::test]
async fn services_validate() {
    let s = server().await;
    let c = client(&s);
    c.services()
        .validate("f/s", &json!({"x": 1}), ValidationType::Dynamic)
        .await
        .unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "POST",
        &t("/api/v3/folders/f/services/s/validation"),
        None,
    );
    // Same keys as Python; the source system names this SDK.
    assert_eq!(
        h[0].json(),
        json!({"request_data": {"inputs": {"x": 1}}, "request_meta": {"call_purpose": "Single Execution",
            "source_system": "Spark Rust SDK", "compiler_type": "Neuron", "excel_file": false,
            "response_data_inputs": false, "validation_type": "dynamic"}})
    );
}

#[tokio::test]
async fn folders_exists_find_create_update_categories() {
    let s = server().await;
    let c = client(&s);
    assert!(c.folders().exists("my folder").await.unwrap());
    let find = FindFolders::default()
        .filter("category", "x")
        .name("fname")
        .favorite(true)
        .page(2, 10);
    let mut find = find;
    find.sort = "name".into();
    c.folders().find(&find).await.unwrap();
    let mut fields = FolderFields::default()
        .description("d")
        .category("c")
        .cover(b"png".to_vec());
    fields.start_date = Some("2024-01-01T10:00:00".into());
    fields.launch_date = Some("2025-01-01T00:00:00".into());
    fields.status = Some("Active".into());
    c.folders().create("fname", &fields).await.unwrap();
    let mut upd = FolderFields::default()
        .description("d")
        .category("c")
        .cover(b"png".to_vec());
    upd.start_date = Some("2024-01-01T00:00:00".into());
    upd.launch_date = Some("2024-01-01T00:00:00".into());
    c.folders().update("fid", &upd).await.unwrap();
    let cats = c.folders().save_category("Cat", None, None).await.unwrap();
    assert_eq!(
        serde_json::to_value(&cats).unwrap(),
        json!([{"key": "k", "value": "Cat", "icon": "other.svg"}])
    );

    let h = s.api_hits();
    check(
        &h[0],
        "POST",
        "/api/v1/product/isproductexists/my%20folder",
        None,
    );
    check(&h[1], "POST", "/api/v1/product/list", None);
    assert_eq!(
        h[1].json(),
        json!({"search": [{"field": "category", "value": "x"}, {"field": "name", "value": "fname"}, {"field": "isstarred", "value": true}],
            "page": 2, "pageSize": 10, "sort": "name", "shouldFetchActiveServicesCount": true})
    );
    // Multipart like the TS SDK and Spark's docs (Python sends the same fields URL-encoded).
    check(&h[2], "POST", "/api/v1/product/create", None);
    for (name, value) in [
        ("Name", "fname"),
        ("Description", "d"),
        ("Category", "c"),
        ("StartDate", "2024-01-01T10:00:00"),
        ("LaunchDate", "2025-01-01T00:00:00"),
        ("Status", "Active"),
    ] {
        assert_eq!(part(&h[2], name).1, value);
    }
    check(&h[3], "POST", "/api/v1/product/uploadcoverimage", None);
    assert_eq!(part(&h[3], "id").1, "fid");
    let (head, _) = part(&h[3], "coverImage");
    assert!(
        head.contains("filename=\"upload\"") && head.contains("application/octet-stream"),
        "{head}"
    );
    check(&h[4], "GET", "/api/v1/product/GetProduct/fid", None);
    check(&h[5], "POST", "/api/v1/product/uploadcoverimage", None);
    check(&h[6], "POST", "/api/v1/product/update/fid", None);
    assert_eq!(
        h[6].json(),
        json!({"shouldTrackUserAction": true, "description": "d", "category": "c", "startDate": "2024-01-01T00:00:00", "launchDate": "2024-01-01T00:00:00"})
    );
    check(&h[7], "POST", "/api/v1/lookup/savecategory", None);
    let body = h[7].json();
    assert_eq!(body["value"], "Cat");
    assert_eq!(body["icon"], "other.svg");
    assert_eq!(body["key"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn history_get_rehydrate_download() {
    let s = server().await;
    let c = client(&s);
    assert_eq!(
        c.history()
            .get("callid")
            .await
            .unwrap()
            .engine_call_id
            .as_deref(),
        Some("callid")
    );
    c.history()
        .rehydrate("f/s", "cid", None, false)
        .await
        .unwrap();
    c.history()
        .rehydrate("f/s", "cid", Some(0), true)
        .await
        .unwrap();
    let mut o = LogDownload::default().csv().call_ids(["c1"]);
    o.version_id = Some("vid".into());
    o.start_date = Some("2024-01-01T00:00:00".into());
    o.end_date = Some("2024-02-01T00:00:00".into());
    o.timezone_offset = Some("+08:00".into());
    o.poll = fast();
    let zip = c.history().download("f/s", &o).await.unwrap();
    assert_eq!(&zip.bytes[..], b"PK-bytes");

    let h = s.api_hits();
    check(
        &h[0],
        "GET",
        &t("/api/v3/log/getexecutionhistorybycallid/callid"),
        None,
    );
    check(
        &h[1],
        "POST",
        &t("/api/v3/folders/f/services/s/download/xml/cid"),
        None,
    );
    assert_eq!(h[1].json(), json!({}));
    check(&h[2], "GET", "/files/x.xlsx", None);
    check(
        &h[3],
        "POST",
        &t("/api/v3/folders/f/services/s/download/cid"),
        Some("index=0"),
    );
    assert_eq!(h[3].json(), json!({}));
    check(
        &h[5],
        "POST",
        &t("/api/v3/folders/f/services/s/log/downloadcsv"),
        None,
    );
    assert_eq!(
        h[5].json(),
        json!({"request_data": {"call_ids": ["c1"], "timezone_offset": "+08:00", "start_date": "2024-01-01T00:00:00", "end_date": "2024-02-01T00:00:00"},
            "request_meta": {"version_id": "vid"}})
    );
    check(
        &h[6],
        "GET",
        &t("/api/v3/folders/f/services/s/log/downloadcsv/status/lj"),
        None,
    );
    check(&h[7], "GET", "/files/logs.zip", None);
}

#[tokio::test]
async fn impex_export_cancel_import() {
    let s = server().await;
    let c = client(&s);
    let mut req = ExportRequest::default()
        .services(["f/s"])
        .version_ids(["v1"]);
    req.poll = fast();
    let files = c.impex().export(&req).await.unwrap();
    assert_eq!(files[0].file_name, "export-0.zip");
    c.impex().cancel_export("jid").await.unwrap();
    let mut o = ImportOptions::default();
    o.poll = fast();
    c.impex()
        .import(&[ImportMapping::same("f/s")], b"zip".to_vec(), &o)
        .await
        .unwrap();

    let h = s.api_hits();
    check(&h[0], "POST", &t("/api/v4/export"), None);
    assert_eq!(
        h[0].json(),
        json!({"inputs": {"services": ["f/s"], "version_ids": ["v1"]}, "file_filter": "migrate", "version_filter": "latest",
            "source_system": "Spark Rust SDK", "correlation_id": null})
    );
    check(&h[1], "GET", &t("/api/v4/export/xj/status"), None);
    check(&h[2], "GET", "/files/package.zip", None);
    check(&h[3], "PATCH", &t("/api/v4/export/jid"), None);
    assert_eq!(h[3].json(), json!({"export_status": "cancelled"}));
    check(&h[4], "POST", &t("/api/v4/import"), None);
    let (_, entity) = part(&h[4], "importRequestEntity");
    assert_eq!(
        serde_json::from_str::<Value>(&entity).unwrap(),
        json!({"inputs": {"services_modify": [{"service_uri_source": "f/s", "service_uri_destination": "f/s", "update_version_type": "minor"}]},
            "services_existing": "add_version", "source_system": "Spark Rust SDK", "correlation_id": null})
    );
    let (head, file) = part(&h[4], "file");
    assert!(
        head.contains("filename=\"package.zip\"") && head.contains("application/zip"),
        "{head}"
    );
    assert_eq!(file, "zip");
    check(&h[5], "GET", &t("/api/v4/import/xj/status"), None);
}

#[tokio::test]
async fn wasm_transforms_config() {
    let s = server().await;
    let c = client(&s);
    c.services().download_wasm("f/s[1.0]").await.unwrap();
    c.services()
        .download_wasm(ServiceUri::service_id("sid").unwrap().public())
        .await
        .unwrap();
    c.transforms()
        .api(TransformsApi::Legacy)
        .list("my folder", 1, 100)
        .await
        .unwrap();
    c.transforms().list("my folder", 1, 100).await.unwrap();
    let doc = TransformDoc::Jsonata {
        target_api_version: "v4".into(),
        input: Some("my-jsonata".into()),
        output: None,
    };
    c.transforms()
        .api(TransformsApi::Legacy)
        .validate(&doc)
        .await
        .unwrap();
    assert_eq!(
        c.spark_config().await.unwrap().engine_type.as_deref(),
        Some("Neuron")
    );

    let h = s.api_hits();
    check(
        &h[0],
        "GET",
        &t("/api/v3/nodegen/getnodegenzipbyId/folders/f/services/s[1.0]"),
        None,
    );
    check(
        &h[1],
        "GET",
        &t("/api/v3/nodegen/public/getnodegenzipbyId/service/sid"),
        None,
    );
    check(
        &h[2],
        "POST",
        &t("/api/v4/transform/list/my%20folder"),
        None,
    );
    assert_eq!(
        h[2].json(),
        json!({"request_data": {"page": 1, "pageSize": 100, "sort": "-updatedAt", "search": []}})
    );
    // Spark's current path (plural, flat body), as the TS SDK and the emulator use it.
    check(
        &h[3],
        "POST",
        &t("/api/v4/transforms/list/my%20folder"),
        None,
    );
    assert_eq!(
        h[3].json(),
        json!({"page": 1, "pageSize": 100, "sort": "-updatedAt", "search": []})
    );
    check(&h[4], "POST", &t("/api/v4/transform/validation"), None);
    let content: Value =
        serde_json::from_str(h[4].json()["transform_content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content,
        json!({"transform_type": "JSONtransforms_v1.0.1", "target_api_version": "v4", "input_body_transform": "my-jsonata", "output_body_transform": null})
    );
    check(&h[5], "GET", "/api/v1/config/GetSparkConfiguration", None);
}

#[tokio::test]
async fn services_transform_legacy_and_document() {
    use cspark::services::ExecuteOptions;
    use cspark::transforms::TransformRef;
    let s = server().await;
    let c = client(&s);
    let legacy = TransformRef::Legacy("my-transform".into());
    c.services()
        .transform_raw(
            "f/s",
            &json!({"x": 1}),
            Some(&legacy),
            false,
            &ExecuteOptions::default(),
        )
        .await
        .unwrap();
    let doc = TransformRef::Document {
        folder: "tf".into(),
        name: "tn".into(),
    };
    let mut o = ExecuteOptions::default();
    o.call_purpose = Some("cp".into());
    c.services()
        .transform_raw("f/s", &json!({"x": 1}), Some(&doc), true, &o)
        .await
        .unwrap();
    let h = s.api_hits();
    check(
        &h[0],
        "POST",
        &t("/api/v4/transforms/my-transform/for/folders/f/services/s"),
        None,
    );
    assert_eq!(
        h[0].header("x-request-meta").as_deref(),
        Some(
            "'{\"call_purpose\":\"Single Execution\",\"source_system\":\"Spark Rust SDK\",\"compiler_type\":\"Neuron\",\"excel_file\":false,\"response_data_inputs\":false}'"
        )
    );
    assert_eq!(h[0].json(), json!({"x": 1}));
    check(&h[1], "POST", &t("/api/v4/transforms/tf/tn/for/f/s"), None);
    assert_eq!(
        h[1].header("x-meta").as_deref(),
        Some(
            "'{\"service\":\"f/s\",\"call_purpose\":\"cp\",\"source_system\":\"Spark Rust SDK\"}'"
        )
    );

    // The typed call decodes the transform's output into the caller's type.
    #[derive(serde::Deserialize)]
    struct Mapped {
        status: String,
        response_data: Value,
    }
    let mapped: Mapped = c
        .services()
        .transform("f/s", &json!({"x": 1}), Some(&doc), true, &o)
        .await
        .unwrap();
    assert_eq!(mapped.status, "Success");
    assert_eq!(mapped.response_data, json!({"outputs": {}}));
    let wrong: cspark::Result<Vec<u8>> = c
        .services()
        .transform("f/s", &json!({"x": 1}), Some(&doc), true, &o)
        .await;
    assert!(
        matches!(wrong, Err(cspark::SparkError::Decode { .. })),
        "{wrong:?}"
    );
}

#[tokio::test]
async fn impex_wait_by_status_url() {
    let s = server().await;
    let c = client(&s);
    let url = format!("{}/{TENANT}/api/v4/import/xj/status", s.origin());
    let done = c.impex().wait_url(&url, fast()).await.unwrap();
    assert_eq!(done.status, Some(ImpexJobStatus::Closed));
    check(
        &s.api_hits()[0],
        "GET",
        &t("/api/v4/import/xj/status"),
        None,
    );
}
