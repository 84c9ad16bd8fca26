//! Hybrid runner client against a small recording server (python-sdk.md §10.4, Appendix A).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Reply, Server, TENANT, execute_ok};
use cspark::hybrid;
use cspark::services::ValidationType;
use serde_json::json;

async fn runner() -> Server {
    Server::start(|hit, _| match hit.path.as_str() {
        "/version" => Reply::json(
            200,
            json!({"lastPullDate": null, "filehash": "h", "version": "1.31.2"}),
        ),
        "/healthcheck" => Reply::json(200, json!({"msg": "ok"})),
        "/status" => Reply::json(200, json!({"models": [], "memory_usage_mb": 1})),
        "/api/v3/upload" => Reply::json(
            200,
            json!({"response_data": [{"tenant": "my-tenant", "services": [{"VersionId": "vid",
                "EngineInformation": {"ProductName": "f", "ServiceName": "s"}}]}]}),
        ),
        "/my-tenant/api/v4/execute" => Reply::json(
            200,
            json!({"outputs": [{"volume": 1}, {"volume": 2}], "process_time": [1, 1], "warnings": [null, null],
                "errors": [null, null], "service_id": "sid", "version_id": "vid", "version": "1.0.0",
                "call_id": "c", "compiler_version": "1", "correlation_id": null, "request_timestamp": "t"}),
        ),
        p if p.ends_with("/execute") => execute_ok(json!({"volume": 1})),
        _ => Reply::json(200, json!({"status": "Success", "response_data": {}})),
    })
    .await
}

#[tokio::test]
async fn runner_endpoints_and_bodies() {
    let s = runner().await;
    let r = hybrid::Client::connect(&format!("{}/", s.origin()), TENANT).unwrap();
    let version = r.version().await.unwrap();
    assert_eq!(version.version.as_deref(), Some("1.31.2"));
    assert_eq!(version.filehash.as_deref(), Some("h"));
    assert_eq!(version.last_pull_date, None);
    assert_eq!(r.health_check().await.unwrap().msg.as_deref(), Some("ok"));
    let status = r.status().await.unwrap();
    assert_eq!(status.models.as_deref(), Some(&[][..]));
    assert_eq!(status.memory_usage_mb, Some(1.0));
    let uploaded = r.upload(b"zip".to_vec(), None).await.unwrap();
    let services = uploaded.response_data.unwrap().remove(0).services.unwrap();
    assert_eq!(services[0].version_id.as_deref(), Some("vid"));
    let out = r.execute("f/s[1.0]", &json!({"x": 1})).await.unwrap();
    assert_eq!(out.outputs()["volume"], 1);
    let rules = r
        .validate("version/vid", &json!({"x": 1}), ValidationType::Dynamic)
        .await
        .unwrap();
    assert_eq!(rules.status.as_deref(), Some("Success"));
    let metadata = r.get_metadata("version/vid").await.unwrap();
    assert_eq!(metadata.status.as_deref(), Some("Success"));
    let many = r
        .execute_many("f/s", &[json!({"x": 1}), json!({"x": 2})])
        .await;

    let h = s.hits();
    let paths: Vec<(&str, &str)> = h
        .iter()
        .map(|h| (h.method.as_str(), h.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("GET", "/version"),
            ("GET", "/healthcheck"),
            ("GET", "/status"),
            ("POST", "/api/v3/upload"),
            ("POST", "/my-tenant/api/v3/folders/f/services/s/execute"),
            ("POST", "/my-tenant/api/v3/validation"),
            ("POST", "/my-tenant/api/v3/metadata"),
            ("POST", "/my-tenant/api/v4/execute"),
        ]
    );
    for hit in &h {
        assert_eq!(hit.header("x-tenant-name").as_deref(), Some(TENANT));
        assert!(hit.header("authorization").is_none() && hit.header("x-synthetic-key").is_none());
    }
    let upload = String::from_utf8_lossy(&h[3].body).into_owned();
    assert!(
        upload.contains("name=\"file\"; filename=\"package.zip\""),
        "{upload}"
    );
    assert!(upload.contains("Content-Type: application/zip"));
    assert_eq!(h[4].json()["request_meta"]["version"], "1.0");
    // Python also sends `"m": 1` from its metadata argument; there is no such argument here.
    assert_eq!(
        h[5].json(),
        json!({"request_data": {"inputs": {"x": 1}}, "request_meta": {"service_id": null, "version_id": "vid", "version": null, "validation_type": "dynamic"}})
    );
    assert!(many.is_ok(), "{many:?}");
    assert_eq!(h[7].json()["inputs"], json!([{"x": 1}, {"x": 2}]));
    assert_eq!(
        h[6].json(),
        json!({"request_data": {"inputs": null}, "request_meta": {"service_id": null, "version_id": "vid"}})
    );
}
