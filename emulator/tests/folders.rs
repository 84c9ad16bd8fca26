//! Folder (v1 "product") API: bearer only, create → get_product_url → list/update/delete.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

async fn bearer_post(url: &str, body: Value) -> (u16, Value) {
    decode(
        client()
            .post(url)
            .bearer_auth("t")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn folder_lifecycle() {
    let h = start().await;
    let u = h.url();
    // Folders implied by published services are listed.
    let (status, list) = bearer_post(
        &format!("{u}/api/v1/product/list"),
        json!({"page": 1, "pageSize": 100}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["count"], 1);
    assert_eq!(list["data"][0]["name"], "demo");
    assert_eq!(list["data"][0]["totalServiceCount"], 3);

    let form = || {
        reqwest::multipart::Form::new()
            .text("Name", "pricing")
            .text("Category", "Term")
            .text("Description", "Created by tests")
            .text("StartDate", "2024-01-01T00:00:00.000Z")
            .text("LaunchDate", "2024-06-01T00:00:00.000Z")
            .text("Status", "Design")
    };
    let res = client()
        .post(format!("{u}/api/v1/product/create"))
        .bearer_auth("t")
        .multipart(form())
        .send()
        .await
        .unwrap();
    let (status, created) = decode(res).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["status"], "Success");
    let id = created["data"]["folderId"].as_str().unwrap().to_string();
    let url = created["data"]["get_product_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with("http://"), "{url}");
    let res = client()
        .post(format!("{u}/api/v1/product/create"))
        .bearer_auth("t")
        .multipart(form())
        .send()
        .await
        .unwrap();
    let (status, dup) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(dup["errorCode"], "PRODUCT_ALREADY_EXISTS");

    let (status, got) = decode(client().get(&url).bearer_auth("t").send().await.unwrap()).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["data"]["name"], "pricing");
    assert_eq!(got["data"]["category"], "Term");
    assert_eq!(got["data"]["calculationEngines"]["next"], "False");
    assert_eq!(got["data"]["startDate"], "2024-01-01T00:00:00.000Z");

    let (status, _) = bearer_post(
        &format!("{u}/api/v1/product/update/{id}"),
        json!({"description": "changed", "category": "Other", "shouldTrackUserAction": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, found) = bearer_post(
        &format!("{u}/api/v1/product/list"),
        json!({"search": [{"field": "name", "value": "pric"}]}),
    )
    .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["data"][0]["description"], "changed");
    let (_, e) = bearer_post(
        &format!("{u}/api/v1/product/isproductexists/pricing"),
        json!({}),
    )
    .await;
    assert_eq!(e["data"], true);

    // Services published in it, then the folder deleted with them.
    publish(&h, "pricing", "cyl", cylinder_xlsx(1.0), json!({})).await;
    let (_, engines) = bearer_post(
        &format!("{u}/api/v1/product/pricing/engines"),
        json!({"page": 1}),
    )
    .await;
    assert_eq!(engines["data"][0]["serviceName"], "cyl");
    let res = client()
        .delete(format!("{u}/api/v1/product/delete/{id}"))
        .bearer_auth("t")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "Success", "message": null, "errorCode": null, "data": null})
    );
    let (status, _) = post(&execute_url(&h, "pricing", "cyl"), json!({})).await;
    assert_eq!(status, 404);
    let (_, e) = bearer_post(
        &format!("{u}/api/v1/product/isproductexists/pricing"),
        json!({}),
    )
    .await;
    assert_eq!(e["data"], false);

    // API keys are refused on folder APIs; categories are listed.
    let (status, _) = post(&format!("{u}/api/v1/product/list"), json!({})).await;
    assert_eq!(status, 401);
    let (_, cats) = decode(
        client()
            .get(format!("{u}/api/v1/lookup/getcategories"))
            .bearer_auth("t")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        cats["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "Other" && c["icon"] == "other.svg")
    );
}
