//! Transform documents: save, get, list, validate, delete; running them is not supported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn transform_documents_round_trip() {
    let h = start().await;
    let b = format!("{}/api/v4/transforms", h.base_url());
    let doc = json!({"transform_type": "JSONtransforms_v1.0.1", "target_api_version": "v3",
                     "input_body_transform": "{\"request_data\": {\"inputs\": $}}",
                     "output_body_transform": "$.response_data.outputs"})
    .to_string();
    let (status, saved) = post(&format!("{b}/tf/cyl"), json!({"transform_content": doc})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["outputs"],
        json!({"name": "cyl", "transform_uri": "tf/cyl"})
    );
    let (status, got) = get(&format!("{b}/tf/cyl")).await;
    assert_eq!(status, 200);
    assert_eq!(got["outputs"]["transform_document"], doc.as_str());
    let (_, listed) = post(
        &format!("{b}/list/tf"),
        json!({"page": 1, "pageSize": 10,
        "search": [{"field": "transform_type", "value": "JSONtransforms_v1.0.1"}]}),
    )
    .await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["result"][0]["name"], "cyl");
    let (_, valid) = post(
        &format!("{b}/validation"),
        json!({"transform_content": doc}),
    )
    .await;
    assert_eq!(valid["outputs"]["isValid"], true);
    let (_, invalid) = post(
        &format!("{b}/validation"),
        json!({"transform_content": "{\"transform_type\": \"Cobol\"}"}),
    )
    .await;
    assert_eq!(invalid["outputs"]["isValid"], false);
    assert!(
        invalid["outputs"]["error"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Cobol")
    );
    let (status, body) = post(
        &format!("{b}/tf/cyl/for/demo/volume-cylinder"),
        json!({"Radius": 1}),
    )
    .await;
    assert_eq!(status, 501);
    assert_eq!(body["code"], "TRANSFORM_NOT_SUPPORTED");
    let res = client()
        .delete(format!("{b}/tf/cyl"))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (status, _) = get(&format!("{b}/tf/cyl")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn proxy_answers_501_and_wasm_is_served() {
    let h = start().await;
    // The WASM bundle (zip) is served, whatever the case of the fixed segment.
    let res = client()
        .get(format!(
            "{}/api/v3/nodegen/getnodegenzipbyId/folders/demo/services/volume-cylinder",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    // A proxy names no service: no bundle to build.
    let (status, body) = get(&format!(
        "{}/api/v3/nodegen/getnodegenzipbyid/proxy/my/endpoint",
        h.base_url()
    ))
    .await;
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["error"]["message"], "NOT_SUPPORTED_BY_EMULATOR");
    let (status, _) = post(
        &format!("{}/api/v3/proxy/my/endpoint", h.base_url()),
        json!({}),
    )
    .await;
    assert_eq!(status, 501);
}
