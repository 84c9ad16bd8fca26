//! The last parity gaps (docs/parity.md) on the wire, against a recording server: transform
//! list filters, schema by version id (`GetEngineDetailByVersionId`), public by-id metadata,
//! hybrid `validate` metadata, `files().download` (credentials only for the client's own
//! origin) and `migrate` importing every exported zip. Also pins that calls made through the
//! generated platform client carry exactly the headers of handwritten ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Hit, Reply, Server, TENANT, builder};
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions, migrate};
use cspark::services::{DownloadOptions, ValidationType};
use cspark::transforms::{TransformList, TransformsApi};
use cspark::{Auth, Client, PollOptions, ServiceUri, hybrid};
use serde_json::{Map, Value, json};

fn reply(hit: &Hit, origin: &str) -> Reply {
    let p = hit.path.as_str();
    let ok = |v: Value| Reply::json(200, v);
    if p.ends_with("/api/v4/export") || p.ends_with("/api/v4/import") {
        return ok(json!({"id": "xj", "object": "job", "status_url": "unused"}));
    }
    if p.ends_with("/export/xj/status") {
        return ok(
            json!({"id": "xj", "status": "closed", "errors": null, "outputs": {"files": [
            {"file": format!("{origin}/files/a.zip")}, {"file": format!("{origin}/files/b.zip")}]}}),
        );
    }
    if p.ends_with("/import/xj/status") {
        return ok(
            json!({"id": "xj", "status": "closed", "errors": null, "outputs": {"services": []}}),
        );
    }
    if let Some(name) = p.strip_prefix("/files/") {
        return Reply {
            body: format!("PK-{name}"),
            ..Reply::text(200, "")
        };
    }
    if p.contains("/engines/") && p.contains("/download/") {
        return Reply::text(200, "PK");
    }
    ok(json!({"status": "Success", "response_data": {"outputs": {}}, "response_meta": {}}))
}

async fn server() -> Server {
    Server::start(|hit, _| {
        let host = hit.header("host").unwrap_or_default();
        reply(hit, &format!("http://{host}"))
    })
    .await
}

fn client(server: &Server) -> Client {
    builder(server)
        .auth(Auth::api_key("k"))
        .header("x-custom-secret", "extra-header-value")
        .max_retries(0)
        .build()
        .unwrap()
}

fn fast() -> PollOptions {
    PollOptions::new(3, Duration::from_millis(1))
}

fn t(path: &str) -> String {
    format!("/{TENANT}{path}")
}

fn route(hit: &Hit) -> (String, String, Option<String>) {
    (hit.method.to_string(), hit.path.clone(), hit.query.clone())
}

fn header_names(hit: &Hit) -> BTreeSet<String> {
    hit.headers.keys().map(|k| k.as_str().to_owned()).collect()
}

#[tokio::test]
async fn transforms_list_with_filters_and_sort() {
    let s = server().await;
    let c = client(&s);
    let options = TransformList::default()
        .page(2, 10)
        .sort("name")
        .filter("transform_type", "Nodejs22_v1.0.0");
    c.transforms()
        .list_with("my folder", &options)
        .await
        .unwrap();
    c.transforms()
        .api(TransformsApi::Legacy)
        .list_with("my folder", &options)
        .await
        .unwrap();
    let h = s.api_hits();
    let search = json!([{"field": "transform_type", "value": "Nodejs22_v1.0.0"}]);
    assert_eq!(
        route(&h[0]),
        (
            "POST".into(),
            t("/api/v4/transforms/list/my%20folder"),
            None
        )
    );
    assert_eq!(
        h[0].json(),
        json!({"page": 2, "pageSize": 10, "sort": "name", "search": search})
    );
    assert_eq!(
        route(&h[1]),
        ("POST".into(), t("/api/v4/transform/list/my%20folder"), None)
    );
    assert_eq!(
        h[1].json(),
        json!({"request_data": {"page": 2, "pageSize": 10, "sort": "name", "search": search}})
    );
}

#[tokio::test]
async fn schema_by_version_id_and_public_metadata_by_id() {
    let s = server().await;
    let c = client(&s);
    c.services().get_schema("version/vid").await.unwrap();
    c.services().get_engine_detail("v 2").await.unwrap();
    c.services()
        .get_metadata(ServiceUri::service_id("sid").unwrap().public())
        .await
        .unwrap();
    c.services()
        .validate(
            ServiceUri::version_id("vid").unwrap().public(),
            &json!({"x": 1}),
            ValidationType::Static,
        )
        .await
        .unwrap();
    let h = s.api_hits();
    // python-sdk.md Appendix A: POST, no body.
    assert_eq!(
        route(&h[0]),
        (
            "POST".into(),
            t("/api/v3/GetEngineDetailByVersionId/versionid/vid"),
            None
        )
    );
    assert!(h[0].body.is_empty());
    assert_eq!(h[0].header("content-type"), None);
    assert_eq!(
        h[1].path,
        t("/api/v3/GetEngineDetailByVersionId/versionid/v%202")
    );
    assert_eq!(
        route(&h[2]),
        ("GET".into(), t("/api/v3/public/service/sid/metadata"), None)
    );
    assert_eq!(
        route(&h[3]),
        (
            "POST".into(),
            t("/api/v3/public/version/vid/validation"),
            None
        )
    );
    assert_eq!(
        h[3].json()["request_meta"]["validation_type"],
        "default_values"
    );
    assert!(
        c.services().get_engine_detail(" ").await.is_err(),
        "an empty version id is refused before sending"
    );
    assert_eq!(s.api_hits().len(), 4);
}

#[tokio::test]
async fn hybrid_validate_spreads_metadata_under_the_sdk_keys() {
    let s = server().await;
    let r = hybrid::Client::connect(&s.origin(), TENANT).unwrap();
    let mut metadata = Map::new();
    metadata.insert("m".into(), json!(1));
    metadata.insert("validation_type".into(), json!("overridden"));
    r.validate_with(
        "version/vid",
        &json!({"x": 1}),
        ValidationType::Dynamic,
        &metadata,
    )
    .await
    .unwrap();
    let h = s.hits();
    assert_eq!(route(&h[0]), ("POST".into(), t("/api/v3/validation"), None));
    // python-sdk.md Appendix A, byte for byte in content.
    assert_eq!(
        h[0].json(),
        json!({"request_data": {"inputs": {"x": 1}}, "request_meta": {"m": 1, "service_id": null,
            "version_id": "vid", "version": null, "validation_type": "dynamic"}})
    );
}

#[tokio::test]
async fn files_download_sends_credentials_only_to_the_own_origin() {
    let own = server().await;
    let foreign = server().await;
    let c = client(&own);
    let mine = c
        .files()
        .download(&format!("{}/files/own%20report.zip", own.origin()))
        .await
        .unwrap();
    assert_eq!(mine.file_name, "own report.zip");
    assert_eq!(&mine.bytes[..], b"PK-own%20report.zip");
    let theirs = c
        .files()
        .download(&format!("{}/files/x.zip?sig=abc", foreign.origin()))
        .await
        .unwrap();
    assert_eq!(&theirs.bytes[..], b"PK-x.zip");

    let h = own.hits();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].header("x-synthetic-key").as_deref(), Some("k"));
    assert_eq!(h[0].header("x-tenant-name").as_deref(), Some(TENANT));
    let f = foreign.hits();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].query.as_deref(), Some("sig=abc"));
    for secret in [
        "x-synthetic-key",
        "authorization",
        "x-custom-secret",
        "x-tenant-name",
    ] {
        assert_eq!(f[0].header(secret), None, "{secret} sent to a foreign host");
    }
    assert!(f[0].header("user-agent").is_some());

    let err = c.files().download("ftp://example.com/x").await.unwrap_err();
    assert!(err.to_string().contains("ftp"), "{err}");
}

#[tokio::test]
async fn migrate_imports_every_exported_zip() {
    let from_server = server().await;
    let to_server = server().await;
    let (from, to) = (client(&from_server), client(&to_server));
    let mut export = ExportRequest::default().services(["f/s"]);
    export.poll = fast();
    let mut options = ImportOptions::default();
    options.poll = fast();
    let done = migrate(&from, &to, &export, &[ImportMapping::same("f/s")], &options)
        .await
        .unwrap();
    assert_eq!(done.exports.len(), 2);
    assert_eq!(done.imports.len(), 2);
    let imports: Vec<Hit> = to_server
        .api_hits()
        .into_iter()
        .filter(|h| h.path == t("/api/v4/import"))
        .collect();
    assert_eq!(imports.len(), 2);
    let text = |h: &Hit| String::from_utf8_lossy(&h.body).into_owned();
    assert!(text(&imports[0]).contains("PK-a.zip"));
    assert!(text(&imports[1]).contains("PK-b.zip"));
}

#[tokio::test]
async fn generated_and_handwritten_calls_send_the_same_headers() {
    let s = server().await;
    let c = client(&s);
    // GET without body: handwritten (binary download) vs generated (exists).
    c.services()
        .download("f/s", &DownloadOptions::default())
        .await
        .unwrap();
    c.services().exists("f/s").await.unwrap();
    // POST with a JSON body: handwritten (legacy transforms path) vs generated.
    c.transforms()
        .api(TransformsApi::Legacy)
        .list("f", 1, 1)
        .await
        .unwrap();
    c.transforms().list("f", 1, 1).await.unwrap();
    let h = s.api_hits();
    assert_eq!(header_names(&h[0]), header_names(&h[1]));
    assert_eq!(header_names(&h[2]), header_names(&h[3]));
    for hit in &h {
        assert_eq!(hit.header("api-version"), None);
        assert_eq!(
            hit.header("x-custom-secret").as_deref(),
            Some("extra-header-value")
        );
    }
    assert_eq!(h[1].header("accept"), h[0].header("accept"));
    assert_eq!(h[3].header("content-type"), h[2].header("content-type"));
}

#[tokio::test]
async fn generated_paths_encode_like_the_sdk() {
    let s = server().await;
    let c = client(&s);
    // `\` would become a path separator and `^ |` stay raw with progenitor's encoder.
    c.services().exists("a\\b x^|/s%2F").await.unwrap();
    assert_eq!(
        s.api_hits()[0].path,
        t("/api/v3/folders/a%5Cb%20x%5E%7C/services/s%252F/exists")
    );
}
