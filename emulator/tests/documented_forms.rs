//! Every documented form of a request is served (issue 14, item 2): the three schema-by-version
//! paths, folder categories, the Python SDK's singular `transform` paths, both spellings of a
//! services-search term and of the recompile label.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

async fn bearer(req: reqwest::RequestBuilder) -> (u16, Value) {
    decode(req.bearer_auth("t").send().await.unwrap()).await
}

async fn latest_version_id(h: &cspark_emulator::EmulatorHandle, service: &str) -> String {
    let (status, versions) = get(&format!(
        "{}/api/v1/product/demo/engines/getversions/{service}",
        h.url()
    ))
    .await;
    assert_eq!(status, 200, "{versions}");
    versions["data"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn schema_of_a_version_in_all_three_forms() {
    let h = start().await;
    let vid = latest_version_id(&h, "volume-cylinder").await;

    // Coherent's OpenAPI form: the schema wrapped in the v1 envelope's `data`.
    let (status, wrapped) = get(&format!(
        "{}/api/v1/product/demo/engines/get/volume-cylinder/{vid}",
        h.url()
    ))
    .await;
    assert_eq!(status, 200, "{wrapped}");
    assert_eq!(wrapped["status"], "Success");
    assert_eq!(wrapped["data"]["bookSummary"]["versionId"], vid.as_str());
    assert_eq!(
        wrapped["data"]["bookSummary"]["bookServiceName"],
        "volume-cylinder"
    );

    // The SDKs' form: POST with no body, the schema unwrapped.
    let res = client()
        .post(format!(
            "{}/api/v3/GetEngineDetailByVersionId/versionid/{vid}",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", "my-tenant")
        .send()
        .await
        .unwrap();
    let (status, sdk) = decode(res).await;
    assert_eq!(status, 200, "{sdk}");
    assert_eq!(sdk["bookSummary"]["versionId"], vid.as_str());

    // Postman's form.
    let (status, postman) = get(&format!(
        "{}/api/v1/product/demo/engines/getbyversionid/volume-cylinder/{vid}",
        h.url()
    ))
    .await;
    assert_eq!(status, 200, "{postman}");
    assert_eq!(postman["xlInputs"], sdk["xlInputs"]);
    assert_eq!(wrapped["data"]["xlInputs"], sdk["xlInputs"]);

    // A version of another service is not this service's.
    let (status, _) = get(&format!(
        "{}/api/v1/product/demo/engines/get/loan-calc/{vid}",
        h.url()
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn categories_save_list_delete() {
    let h = start().await;
    let u = h.url();
    let (status, saved) = bearer(
        client()
            .post(format!("{u}/api/v1/lookup/savecategory"))
            .json(&json!({"value": "Pet Insurance", "key": "pet-1", "icon": "pet.svg"})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let items = saved["data"]["Metadata.ProductCategories"]
        .as_array()
        .unwrap();
    assert!(
        items.iter().any(|c| c["Key"] == "pet-1"
            && c["Value"] == "Pet Insurance"
            && c["Icon"] == "pet.svg"),
        "{saved}"
    );

    let (status, listed) = bearer(client().get(format!("{u}/api/v1/lookup/getcategories"))).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["key"].as_str())
        .collect();
    assert!(keys.contains(&"pet-1"), "{listed}");
    assert!(keys.contains(&"Other"), "{listed}");

    let (status, deleted) =
        bearer(client().delete(format!("{u}/api/v1/lookup/deletecategory/pet-1"))).await;
    assert_eq!(status, 200, "{deleted}");
    let items = deleted["data"]["Metadata.ProductCategories"]
        .as_array()
        .unwrap();
    assert!(items.iter().all(|c| c["Key"] != "pet-1"), "{deleted}");

    let (status, _) =
        bearer(client().delete(format!("{u}/api/v1/lookup/deletecategory/pet-1"))).await;
    assert_eq!(status, 404);
    // A category needs a name.
    let (status, _) = bearer(
        client()
            .post(format!("{u}/api/v1/lookup/savecategory"))
            .json(&json!({"key": "k"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn singular_transform_paths() {
    let h = start().await;
    let base = format!("{}/api/v4/transform", h.base_url());
    let doc = json!({
        "transform_type": "JSONtransforms_v1.0.1",
        "target_api_version": "v3",
        "input_body_transform": "{\"inputs\": $}",
        "output_body_transform": "$.response_data.outputs",
    })
    .to_string();
    let (status, v) = post(
        &format!("{base}/validation"),
        json!({"transform_content": doc}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, saved) = post(
        &format!("{base}/demo/doubler"),
        json!({"transform_content": doc}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (status, got) = get(&format!("{base}/demo/doubler")).await;
    assert_eq!(status, 200, "{got}");
    // The plural path sees the same document.
    let (status, plural) = get(&format!("{}/api/v4/transforms/demo/doubler", h.base_url())).await;
    assert_eq!(status, 200, "{plural}");
    assert_eq!(got["id"], plural["id"]);
    let (status, list) = post(
        &format!("{base}/list/demo"),
        json!({"request_data": {"page": 1, "pageSize": 100, "sort": "-updatedAt", "search": []}}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert!(list.to_string().contains("doubler"), "{list}");
    let res = client()
        .delete(format!("{base}/demo/doubler"))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (status, _) = get(&format!("{base}/demo/doubler")).await;
    assert_eq!(status, 404);
}

async fn search(h: &cspark_emulator::EmulatorHandle, terms: Value) -> (u16, Value) {
    post(
        &format!("{}/api/v3/services/search", h.base_url()),
        json!({"request_data": {"page": 1, "page_size": -1, "sort": "name1_co", "search": terms}}),
    )
    .await
}

fn names(found: &Value) -> Vec<String> {
    found["response_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fileName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_terms_in_both_spellings_and_unknown_fields_refused() {
    let h = start().await;
    let (status, sdk) = search(&h, json!([{"field": "filename", "value": "loan"}])).await;
    assert_eq!(status, 200, "{sdk}");
    assert_eq!(names(&sdk), ["loan-calc"]);

    let (status, postman) =
        search(&h, json!([{"fieldName": "filename", "fieldValue": "loan"}])).await;
    assert_eq!(status, 200, "{postman}");
    assert_eq!(names(&postman), ["loan-calc"]);

    // A documented filter that matches nothing answers nothing, not every service.
    let (status, none) = search(
        &h,
        json!([{"fieldName": "filename", "fieldValue": "no-such-service"}]),
    )
    .await;
    assert_eq!(status, 200, "{none}");
    assert!(names(&none).is_empty(), "{none}");
    assert_eq!(none["response_meta"]["count"], 0);

    // A filter the emulator cannot apply is refused, naming the field.
    let (status, err) = search(&h, json!([{"field": "colour", "value": "blue"}])).await;
    assert_eq!(status, 400, "{err}");
    assert!(err.to_string().contains("colour"), "{err}");
    let (status, err) = search(&h, json!([{"name": "x"}])).await;
    assert_eq!(status, 400, "{err}");
}

#[tokio::test]
async fn recompile_label_in_both_spellings() {
    let h = start().await;
    let url = format!(
        "{}/api/v3/folders/demo/services/volume-cylinder/recompileNodgen",
        h.base_url()
    );
    for (key, label) in [("label", "py-label"), ("versionLabel", "ts-label")] {
        let mut request_data = json!({"upgradeType": "patch"});
        request_data[key] = json!(label);
        let (status, res) = post(&url, json!({"request_data": request_data})).await;
        assert_eq!(status, 200, "{res}");
        let (_, versions) = get(&format!(
            "{}/api/v1/product/demo/engines/getversions/volume-cylinder",
            h.url()
        ))
        .await;
        assert_eq!(versions["data"][0]["versionLabel"], label, "{versions}");
    }
}

#[tokio::test]
async fn folder_create_as_multipart_or_url_encoded_form() {
    let h = start().await;
    let u = h.url();
    // The Python SDK posts the fields url-encoded; the TypeScript SDK as multipart.
    let res = client()
        .post(format!("{u}/api/v1/product/create"))
        .bearer_auth("t")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Name=py-folder&Description=by+python&Category=Term&Status=Design")
        .send()
        .await
        .unwrap();
    let (status, created) = decode(res).await;
    assert_eq!(status, 200, "{created}");
    let url = created["data"]["get_product_url"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, folder) = bearer(client().get(url)).await;
    assert_eq!(status, 200, "{folder}");
    assert_eq!(folder["data"]["name"], "py-folder");
    assert_eq!(folder["data"]["category"], "Term");
    assert_eq!(folder["data"]["description"], "by python");

    let form = reqwest::multipart::Form::new()
        .text("Name", "ts-folder")
        .text("Category", "Other");
    let res = client()
        .post(format!("{u}/api/v1/product/create"))
        .bearer_auth("t")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, created) = decode(res).await;
    assert_eq!(status, 200, "{created}");
}

#[tokio::test]
async fn every_multipart_upload_refuses_a_broken_body_alike() {
    let h = start().await;
    let (u, b) = (h.url(), h.base_url());
    for url in [
        format!("{b}/api/v3/folders/demo/services/x/upload"),
        format!("{u}/api/v1/product/create"),
        format!("{b}/api/v4/import"),
        format!("{b}/api/v4/transforms/demo"),
        format!("{u}/api/v3/upload"),
    ] {
        let res = client()
            .post(&url)
            .bearer_auth("t")
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body("--XYZ\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\nunterminated")
            .send()
            .await
            .unwrap();
        let (status, body) = decode(res).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert!(
            body.to_string().contains("invalid multipart body"),
            "{url}: {body}"
        );
    }
}

#[tokio::test]
async fn folder_and_transform_lists_apply_or_refuse_every_filter() {
    let h = start().await;
    let u = h.url();
    let list = |body: Value| {
        bearer(
            client()
                .post(format!("{u}/api/v1/product/list"))
                .json(&body),
        )
    };
    let (status, found) =
        list(json!({"search": [{"fieldName": "name", "fieldValue": "dem"}]})).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["count"], 1, "{found}");
    let (_, none) = list(json!({"search": [{"field": "name", "value": "nothing-like-it"}]})).await;
    assert_eq!(none["count"], 0, "{none}");
    let (status, err) = list(json!({"search": [{"field": "colour", "value": "red"}]})).await;
    assert_eq!(status, 400, "{err}");
    assert!(err.to_string().contains("colour"), "{err}");

    let base = format!("{}/api/v4/transforms", h.base_url());
    let doc = json!({
        "transform_type": "JSONtransforms_v1.0.1", "target_api_version": "v3",
        "input_body_transform": "$", "output_body_transform": "$",
    })
    .to_string();
    for name in ["alpha", "beta"] {
        let (status, _) = post(
            &format!("{base}/demo/{name}"),
            json!({"transform_content": doc}),
        )
        .await;
        assert_eq!(status, 200);
    }
    // Python wraps the parameters in request_data; TypeScript sends them flat.
    let (status, py) = post(
        &format!("{base}/list/demo"),
        json!({"request_data": {"page": 1, "pageSize": 100, "search": [{"field": "name", "value": "alp"}]}}),
    )
    .await;
    assert_eq!(status, 200, "{py}");
    assert_eq!(py["count"], 1, "{py}");
    assert_eq!(py["result"][0]["name"], "alpha");
    let (_, ts) = post(
        &format!("{base}/list/demo"),
        json!({"page": 1, "pageSize": 1, "search": [{"field": "transform_type", "value": "JSONtransforms_v1.0.1"}]}),
    )
    .await;
    assert_eq!(ts["count"], 2, "{ts}");
    assert_eq!(ts["result"].as_array().unwrap().len(), 1, "{ts}");
    let (status, err) = post(
        &format!("{base}/list/demo"),
        json!({"search": [{"field": "owner", "value": "me"}]}),
    )
    .await;
    assert_eq!(status, 400, "{err}");
}

/// A request whose body the handler has no use for still leaves the keep-alive connection
/// usable (hyper closes it when a body is left unread, and httpx sends the body after the
/// headers, so the Python SDK's next request on it failed).
#[tokio::test]
async fn bodies_a_handler_ignores_keep_the_connection() {
    let h = start().await;
    let (status, export) = post(
        &format!("{}/api/v4/export", h.base_url()),
        json!({"inputs": {"services": ["demo/volume-cylinder"]}}),
    )
    .await;
    assert_eq!(status, 200, "{export}");
    let job = export["id"].as_str().unwrap();
    let json_body = |method: &str, path: &str, body: &str| {
        format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let cover = "--B\r\ncontent-disposition: form-data; name=\"id\"\r\n\r\nx\r\n--B--\r\n";
    let requests = [
        json_body(
            "PATCH",
            &format!("/my-tenant/api/v4/export/{job}"),
            r#"{"export_status":"cancelled"}"#,
        ),
        json_body(
            "POST",
            "/my-tenant/api/v4/transforms/demo/t/for/demo/volume-cylinder",
            r#"{"Radius":1}"#,
        ),
        json_body("POST", "/api/v1/product/demo/engines", r#"{"page":1}"#),
        format!(
            "POST /api/v1/product/uploadcoverimage HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer t\r\ncontent-type: multipart/form-data; boundary=B\r\n\
             content-length: {}\r\n\r\n{cover}",
            cover.len()
        ),
    ];
    for request in requests {
        let mut conn = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
        let first = exchange(&mut conn, &request).await;
        assert!(!first.is_empty(), "no answer to {request}");
        let second = exchange(&mut conn, "GET /health HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert!(
            second.starts_with("HTTP/1.1 200"),
            "after {request}: second request answered {second:?}"
        );
    }
}
