//! Export a service to a zip, import it back under another name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn export_then_import_under_a_new_name() {
    let h = start().await;
    let b = h.base_url();
    let (status, started) = post(
        &format!("{b}/api/v4/export"),
        json!({"inputs": {"services": ["demo/volume-cylinder"]}, "file_filter": "migrate",
               "version_filter": "latest", "source_system": "tests"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["object"], "export");
    let status_url = started["status_url"].as_str().unwrap();
    let (_, result) = get(status_url).await;
    assert_eq!(result["status"], "closed");
    assert_eq!(
        result["outputs"]["service_versions"][0]["version_source"],
        "0.1.0"
    );
    assert_eq!(
        result["outputs"]["services"][0]["service_uri_source"],
        "demo/volume-cylinder"
    );
    let file = result["outputs"]["files"][0]["file"].as_str().unwrap();
    // Download links need the caller's credentials (both public SDKs send them).
    let zip = client()
        .get(file)
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(zip.starts_with(b"PK"));

    let entity = json!({"inputs": {"services_modify": [{"service_uri_source": "demo/volume-cylinder",
        "service_uri_destination": "moved/cylinder", "update_version_type": "major"}]},
        "services_existing": "abort", "source_system": "tests"});
    let (status, started) = import_package(&h, zip.clone(), entity.clone()).await;
    assert_eq!(status, 200, "{started}");
    let (_, result) = get(started["status_url"].as_str().unwrap()).await;
    assert_eq!(result["status"], "closed");
    let v = &result["outputs"]["service_versions"][0];
    assert_eq!(v["service_uri_destination"], "moved/cylinder[1.0.0]");
    assert_eq!(result["outputs"]["services"][0]["status"], "added");
    let (status, out) = post(
        &execute_url(&h, "moved", "cylinder"),
        json!({"request_data": {"inputs": {"Radius": 2, "Height": 5}}}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(close(
        out["response_data"]["outputs"]["Volume"].as_f64().unwrap(),
        volume(2.0, 5.0)
    ));

    // Again: abort refuses, add_version adds 2.0.0.
    let (status, body) = import_package(&h, zip.clone(), entity.clone()).await;
    assert_eq!(status, 409, "{body}");
    let mut again = entity.clone();
    again["services_existing"] = json!("add_version");
    let (status, started) = import_package(&h, zip.clone(), again).await;
    assert_eq!(status, 200);
    let (_, result) = get(started["status_url"].as_str().unwrap()).await;
    assert_eq!(
        result["outputs"]["service_versions"][0]["version_destination"],
        "2.0.0"
    );
    assert_eq!(result["outputs"]["services"][0]["status"], "updated");

    let (_, described) = get(&format!("{b}/api/v4/export/status")).await;
    assert_eq!(described["recent_exports"].as_array().unwrap().len(), 1);
    assert_eq!(
        described["tenant"]["configuration"]["export_api_job_limit"],
        1
    );
    let (status, body) = get(&format!("{b}/api/v4/export/nope/status")).await;
    assert_eq!(status, 500);
    assert_eq!(body["code"], "INVALID_JOB_ID");
    let (status, body) = import_package(&h, b"not a zip".to_vec(), json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(body["code"], "INVALID_IMPORT_ZIP");
}
