//! Schema, swagger, versions, metadata, validation, exists, search, download, delete,
//! upload/publish, version edit and delete, persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::EmulatorConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn schema_describes_fields_like_spark() {
    let h = start().await;
    let (status, s) = get(&format!(
        "{}/api/v1/product/demo/engines/get/volume-cylinder",
        h.url()
    ))
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["bookSummary"]["bookServiceName"], "volume-cylinder");
    assert_eq!(s["bookSummary"]["product"], "demo");
    assert_eq!(s["bookSummary"]["bookRevision"], "0.1.0");
    let inputs = s["xlInputs"].as_array().unwrap();
    let names: Vec<&str> = inputs.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"Radius") && names.contains(&"Height"),
        "{names:?}"
    );
    let radius = inputs.iter().find(|i| i["name"] == "Radius").unwrap();
    assert_eq!(radius["type"], "XInput");
    assert_eq!(radius["dataType"], "NUMBER");
    assert_eq!(radius["sheetName"], "Cylinder");
    assert_eq!(radius["address"], "B2");
    assert_eq!(radius["rowIndex"], 2);
    assert_eq!(radius["columnIndex"], 2);
    assert_eq!(s["xOutput"].as_array().unwrap().len(), 3);
    assert_eq!(s["xOutput"][0]["type"], "XOutput");
    let single = s["inputMetadata"]["single"].as_array().unwrap();
    assert_eq!(single.len(), 2);
    for key in ["solves", "reports", "images", "tables", "csv"] {
        assert!(s["inputMetadata"][key].is_array() && s["outputMetadata"][key].is_array());
    }
    assert_eq!(s["metadata"]["xInputTable"].as_array().unwrap().len(), 2);
    assert!(s["metadata"]["xInputTable"][0]["Input Name"].is_string());
    assert_eq!(s["engineType"], "Neuron");
    assert!(
        s["bookProperties"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["value"].is_string() || p["value"].is_null())
    );
    // Tables count as tables.
    let (_, q) = get(&format!(
        "{}/api/v1/product/demo/engines/get/insurance-quote",
        h.url()
    ))
    .await;
    assert_eq!(q["inputMetadata"]["tables"], json!(["Drivers"]));
    assert_eq!(q["totalInputTables"], 1);
    // By version id (both forms).
    let vid = s["bookSummary"]["versionId"].as_str().unwrap();
    let (status, by_id) = post(
        &format!(
            "{}/api/v3/GetEngineDetailByVersionId/versionid/{vid}",
            h.base_url()
        ),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(by_id["bookSummary"]["versionId"], vid);
    let (status, _) = get(&format!("{}/api/v1/product/demo/engines/get/nope", h.url())).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn swagger_is_typed_from_the_workbook_and_deterministic() {
    let h = start().await;
    let url = format!(
        "{}/api/v3/folders/demo/services/insurance-quote/downloadswagger/All/False/",
        h.base_url()
    );
    let (status, doc) = get(&url).await;
    assert_eq!(status, 200, "{doc}");
    let (_, again) = get(&url).await;
    assert_eq!(doc, again, "deterministic");
    assert_eq!(doc["swagger"], "2.0");
    assert_eq!(doc["info"]["title"], "insurance-quote");
    let op = &doc["paths"]["/{tenant}/api/v3/folders/{product}/services/{engine}/execute"]["post"];
    let params = op["parameters"].as_array().unwrap();
    let body = params.iter().find(|p| p["in"] == "body").unwrap();
    let inputs =
        &body["schema"]["properties"]["request_data"]["properties"]["inputs"]["properties"];
    assert_eq!(inputs["VehicleValue"]["type"], "number");
    assert_eq!(inputs["VehicleValue"]["minimum"], 1000.0);
    assert_eq!(inputs["VehicleValue"]["maximum"], 200000.0);
    assert_eq!(inputs["HasClaims"], json!({"type": "boolean"}));
    assert_eq!(
        inputs["PolicyStart"],
        json!({"type": "string", "format": "date"})
    );
    assert_eq!(inputs["CoverLevel"]["type"], "string");
    assert_eq!(
        inputs["CoverLevel"]["enum"],
        json!(["Basic", "Standard", "Premium"])
    );
    assert_eq!(inputs["Drivers"]["type"], "array");
    assert_eq!(inputs["Drivers"]["items"]["type"], "object");
    assert_eq!(
        inputs["Drivers"]["items"]["properties"]["Age"]["type"],
        "number"
    );
    assert_eq!(
        inputs["Drivers"]["items"]["properties"]["Name"]["type"],
        "string"
    );
    let outputs = &op["responses"]["200"]["schema"]["properties"]["response_data"]["properties"]["outputs"]
        ["properties"];
    assert_eq!(outputs["TotalPremium"]["type"], "number");
    assert_eq!(outputs["Eligible"]["type"], "boolean");
    assert_eq!(outputs["DriverPremiums"]["type"], "array");
    assert_eq!(
        op["responses"]["404"]["description"],
        "Service cannot be found"
    );
    // Category filter and an explicit version id.
    let vid = body["schema"]["example"]["request_meta"]["version_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, loan) = get(&format!(
        "{}/api/v3/folders/demo/services/loan-calc/downloadswagger/payment/false/",
        h.base_url()
    ))
    .await;
    let op = &loan["paths"]["/{tenant}/api/v3/folders/{product}/services/{engine}/execute"]["post"];
    let outs = op["responses"]["200"]["schema"]["properties"]["response_data"]["properties"]["outputs"]["properties"]
        .as_object().unwrap();
    assert_eq!(outs.keys().collect::<Vec<_>>(), vec!["MonthlyPayment"]);
    let (status, pinned) = get(&format!(
        "{}/api/v3/folders/demo/services/insurance-quote/downloadswagger/All/true/{vid}",
        h.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(pinned, doc);
}

#[tokio::test]
async fn versions_metadata_validation_exists_search() {
    let h = start().await;
    let (status, v) = get(&format!(
        "{}/api/v1/product/demo/engines/getversions/volume-cylinder",
        h.url()
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "Success");
    assert_eq!(v["errorCode"], Value::Null);
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["revision"], "0.1.0");
    assert_eq!(data[0]["engine"], "volume-cylinder");
    assert_eq!(data[0]["product"], "demo");
    assert_eq!(data[0]["originalFileName"], "volume-cylinder.xlsx");

    let (status, m) = get(&format!(
        "{}/api/v3/folders/demo/services/loan-calc/metadata",
        h.base_url()
    ))
    .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(
        m["response_data"]["outputs"],
        json!({"metadata.Author": "cspark-rs demo"})
    );

    let (status, val) = post(&format!("{}/api/v3/folders/demo/services/insurance-quote/validation", h.base_url()),
        json!({"request_data": {"inputs": {}}, "request_meta": {"validation_type": "default_values"}})).await;
    assert_eq!(status, 200, "{val}");
    let cover = &val["response_data"]["outputs"]["CoverLevel"];
    assert_eq!(cover["validation_allow"], "List");
    assert_eq!(cover["validation_type"], "static");
    assert_eq!(cover["options"], json!(["Basic", "Standard", "Premium"]));
    let (_, dynamic) = post(
        &format!(
            "{}/api/v3/folders/demo/services/insurance-quote/validation",
            h.base_url()
        ),
        json!({"request_meta": {"validation_type": "dynamic"}}),
    )
    .await;
    assert_eq!(dynamic["response_data"]["outputs"], json!({}));

    let (_, e) = get(&format!(
        "{}/api/v3/folders/demo/services/loan-calc/exists",
        h.base_url()
    ))
    .await;
    assert_eq!(e["response_data"]["is_exists"], true);
    let (_, e) = get(&format!(
        "{}/api/v3/folders/demo/services/nope/exists",
        h.base_url()
    ))
    .await;
    assert_eq!(e["response_data"]["is_exists"], false);

    let (status, s) = post(&format!("{}/api/v3/services/search", h.base_url()),
        json!({"request_data": {"page": 1, "page_size": -1, "search": [{"field": "filename", "value": "loan"}]}})).await;
    assert_eq!(status, 200);
    let rows = s["response_data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["fileName"], "loan-calc");
    assert_eq!(rows[0]["folderName"], "demo");
    assert_eq!(s["response_meta"]["count"], 1);
    let (_, all) = post(
        &format!("{}/api/v3/services/search", h.base_url()),
        json!({"request_data": {}}),
    )
    .await;
    assert_eq!(all["response_data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn upload_publish_download_delete() {
    let h = start().await;
    let file = cylinder_xlsx(5.0);
    let v1 = publish(
        &h,
        "mine",
        "Cyl",
        file.clone(),
        json!({"version_difference": "major"}),
    )
    .await;
    let v2 = publish(
        &h,
        "mine",
        "Cyl",
        cylinder_xlsx(6.0),
        json!({"version_difference": "minor"}),
    )
    .await;
    let (_, versions) = get(&format!(
        "{}/api/v1/product/mine/engines/getversions/cyl",
        h.url()
    ))
    .await;
    let revs: Vec<&str> = versions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["revision"].as_str().unwrap())
        .collect();
    assert_eq!(revs, vec!["1.1.0", "1.0.0"]);
    assert_eq!(versions["data"][0]["engine"], "Cyl", "name case kept");
    let (_, out) = post(
        &execute_url(&h, "mine", "cyl"),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}),
    )
    .await;
    assert!(close(
        out["response_data"]["outputs"]["Volume"].as_f64().unwrap(),
        6.0 * std::f64::consts::PI
    ));
    assert_eq!(out["response_meta"]["version_id"], v2.as_str());

    let res = client()
        .get(format!(
            "{}/api/v1/product/mine/engines/Cyl/download/{v1}?filename=&type=",
            h.url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        res.headers()["content-length"],
        file.len().to_string().as_str()
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), file.as_slice());
    let res = client()
        .get(format!(
            "{}/api/v1/product/mine/engines/Cyl/download/?filename=x.xlsx&type=",
            h.url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("x.xlsx")
    );

    // Not a workbook → 400, nothing published.
    let form = reqwest::multipart::Form::new()
        .text("engineUploadRequestEntity", "{\"request_data\":{}}")
        .part(
            "serviceFile",
            reqwest::multipart::Part::bytes(b"not a zip".to_vec()).file_name("bad.xlsx"),
        );
    let res = client()
        .post(format!(
            "{}/api/v3/folders/mine/services/bad/upload",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "INVALID_SERVICE_FILE");

    let res = client()
        .delete(format!(
            "{}/api/v1/product/mine/engines/delete/Cyl",
            h.url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "Success", "data": null, "message": null, "errorCode": null})
    );
    let (status, _) = post(&execute_url(&h, "mine", "cyl"), json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn data_dir_persists_versions_across_restarts() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::default()
    };
    let h = start_with(config()).await;
    let vid = publish(&h, "kept", "cyl", cylinder_xlsx(7.0), json!({})).await;
    h.shutdown().await;
    let h = start_with(config()).await;
    let (status, out) = post(
        &format!("{}/api/v3/version/{vid}", h.base_url()),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 2}}}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert!(close(
        out["response_data"]["outputs"]["Volume"].as_f64().unwrap(),
        14.0 * std::f64::consts::PI
    ));
    h.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn recompile_config_and_rehydrate() {
    let h = start().await;
    let b = h.base_url();
    let (status, r) = post(
        &format!("{b}/api/v3/folders/demo/services/volume-cylinder/recompileNodgen"),
        json!({"request_data": {"versionId": null, "upgradeType": "patch",
                                "releaseNotes": "again"}}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["response_data"]["revision"], "0.1.1");
    let job = r["response_data"]["jobId"].as_str().unwrap();
    let (_, p) = get(&format!(
        "{b}/api/v3/folders/demo/services/volume-cylinder/getcompilationprogess/{job}"
    ))
    .await;
    assert_eq!(p["response_data"]["progress"], 100);
    assert_eq!(p["response_data"]["last_error_message"], "null");
    let (_, out) = post(&execute_url(&h, "demo", "volume-cylinder"), json!({})).await;
    assert_eq!(out["response_meta"]["version"], "0.1.1");

    // Config is bearer-only.
    let url = format!("{}/api/v1/config/GetSparkConfiguration", h.url());
    assert_eq!(get(&url).await.0, 401);
    let res = client().get(&url).bearer_auth("t").send().await.unwrap();
    let (status, cfg) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(cfg["data"]["EnablePublicAPI"], "True");

    // Rehydrate links to a downloadable workbook.
    let call_id = out["response_meta"]["call_id"].as_str().unwrap();
    let (status, rh) = post(
        &format!("{b}/api/v3/folders/demo/services/volume-cylinder/download/xml/{call_id}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{rh}");
    assert_eq!(rh["status"], Value::Null);
    let link = rh["response_data"]["download_url"].as_str().unwrap();
    // The link needs the caller's credentials (both public SDKs send them).
    let res = client().get(link).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = client()
        .get(link)
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn swagger_properties_are_sorted_by_name() {
    let h = start().await;
    let (_, doc) = get(&format!(
        "{}/api/v3/folders/demo/services/insurance-quote/downloadswagger/All/false/",
        h.base_url()
    ))
    .await;
    let op = &doc["paths"]["/{tenant}/api/v3/folders/{product}/services/{engine}/execute"]["post"];
    let body = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["in"] == "body")
        .unwrap();
    let inputs = body["schema"]["properties"]["request_data"]["properties"]["inputs"]["properties"]
        .as_object()
        .unwrap();
    let keys: Vec<&String> = inputs.keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        keys,
        vec![
            "CoverLevel",
            "Drivers",
            "HasClaims",
            "PolicyStart",
            "Region",
            "VehicleValue"
        ]
    );
}

#[tokio::test]
async fn bundled_workbooks_get_stable_ids_and_identical_swagger_across_starts() {
    let mut docs = Vec::new();
    for _ in 0..2 {
        let h = start().await;
        let res = client()
            .get(format!(
                "{}/api/v3/folders/demo/services/volume-cylinder/downloadswagger/All/false/",
                h.base_url()
            ))
            .header("x-synthetic-key", KEY)
            .send()
            .await
            .unwrap();
        docs.push(res.bytes().await.unwrap());
        h.shutdown().await;
    }
    assert_eq!(docs[0], docs[1], "byte-identical swagger");
    let doc: Value = serde_json::from_slice(&docs[0]).unwrap();
    let op = &doc["paths"]["/{tenant}/api/v3/folders/{product}/services/{engine}/execute"]["post"];
    let vid = op["responses"]["200"]["schema"]["example"]["response_meta"]["version_id"]
        .as_str()
        .unwrap();
    assert_eq!(vid.len(), 36);
    assert_eq!(&vid[14..15], "4", "v4 layout");
}

#[tokio::test]
async fn publish_workbook_from_the_handle() {
    let h = start().await;
    let vid = h
        .publish_workbook("api", "cyl", "cyl.xlsx", cylinder_xlsx(4.0), "minor")
        .unwrap();
    let (status, out) = post(
        &format!("{}/api/v3/version/{vid}", h.base_url()),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(out["response_meta"]["version"], "0.1.0");
    assert!(close(
        out["response_data"]["outputs"]["Volume"].as_f64().unwrap(),
        4.0 * std::f64::consts::PI
    ));
    assert!(
        h.publish_workbook("api", "bad", "bad.xlsx", b"nope".to_vec(), "minor")
            .is_err()
    );
}

/// PUT or DELETE with an API key; returns (status, body).
async fn send(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client().request(method, url).header("x-synthetic-key", KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    decode(request.send().await.expect("request sent")).await
}

/// Coherent's OpenAPI description (spark-openapi): `PUT …/updateversion/{versionId}` edits a
/// version in place, `DELETE …/version/{versionId}` deletes an intermediate one; both survive a
/// restart from the data directory, and bad input is a 400 naming the field.
#[tokio::test]
async fn versions_are_edited_and_deleted_in_place() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-versions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::default()
    };
    let h = start_with(config()).await;
    let mut ids = Vec::new();
    for factor in [1.0, 2.0, 3.0] {
        ids.push(publish(&h, "edits", "cyl", cylinder_xlsx(factor), json!({})).await);
    }
    let services = format!("{}/api/v3/folders/edits/services/cyl", h.base_url());
    let versions = |h: &cspark_emulator::EmulatorHandle| {
        format!("{}/api/v1/product/edits/engines/getversions/cyl", h.url())
    };
    let listed = |body: &Value, id: &str| {
        body["data"]
            .as_array()
            .and_then(|all| all.iter().find(|v| v["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };

    // Path keywords match in any case, as Spark's do; tags may come as a list.
    let (status, body) = send(
        reqwest::Method::PUT,
        &format!("{services}/UpdateVersion/{}", ids[0]),
        Some(json!({"request_data": {
            "description": "first", "release_note": "notes", "version_label": "L1",
            "tags": ["a", "b"], "effective_start_date": "2025-02-01",
            "effective_end_date": "2125-02-01T12:00:00Z", "book_properties": null,
        }})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "Success");
    assert_eq!(body["response_data"]["version_id"], ids[0].as_str());
    assert_eq!(body["response_data"]["revision"], "0.1.0");
    assert_eq!(body["error"], Value::Null);
    let (_, all) = get(&versions(&h)).await;
    let first = listed(&all, &ids[0]);
    assert_eq!(first["releaseNote"], "notes", "{first}");
    assert_eq!(first["versionLabel"], "L1");
    assert_eq!(first["tags"], "a,b");
    assert!(
        first["effectiveStartDate"]
            .as_str()
            .unwrap()
            .starts_with("2025-02-01T00:00:00")
    );
    assert!(
        first["effectiveEndDate"]
            .as_str()
            .unwrap()
            .starts_with("2125-02-01T12:00:00")
    );

    // `null` leaves a field as it is, `""` clears it.
    let (status, _) = send(
        reqwest::Method::PUT,
        &format!("{services}/updateversion/{}", ids[0]),
        Some(json!({"request_data": {"release_note": null, "version_label": ""}})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, all) = get(&versions(&h)).await;
    let first = listed(&all, &ids[0]);
    assert_eq!(first["releaseNote"], "notes");
    assert_eq!(first["versionLabel"], "");

    let middle = format!("{services}/updateversion/{}", ids[1]);
    let edit = |body: Value| send(reqwest::Method::PUT, &middle, Some(body));
    for (bad, names) in [
        (json!([1]), "object"),
        (json!({"release_note": "x"}), "request_data"),
        (json!({"request_data": {"release_note": 5}}), "release_note"),
        (
            json!({"request_data": {"effective_start_date": "soon"}}),
            "effective_start_date",
        ),
        (
            json!({"request_data": {"effective_start_date": "2030-01-01", "effective_end_date": "2029-01-01"}}),
            "effective_end_date",
        ),
    ] {
        let (status, body) = edit(bad.clone()).await;
        assert_eq!(status, 400, "{bad} -> {body}");
        assert!(body.to_string().contains(names), "{bad} -> {body}");
    }
    let (status, _) = send(
        reqwest::Method::PUT,
        &format!("{services}/updateversion/00000000-0000-4000-8000-000000000000"),
        Some(json!({"request_data": {}})),
    )
    .await;
    assert_eq!(status, 404);

    // The first and the latest version stay; the intermediate one goes, with its file.
    for kept in [&ids[0], &ids[2]] {
        let (status, body) = send(
            reqwest::Method::DELETE,
            &format!("{services}/version/{kept}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{body}");
    }
    let (status, body) = send(
        reqwest::Method::DELETE,
        &format!("{services}/Version/{}", ids[1]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"status": "Success", "message": null, "errorCode": null, "data": null})
    );
    let (status, _) = send(
        reqwest::Method::DELETE,
        &format!("{services}/version/{}", ids[1]),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &format!("{}/api/v3/version/{}", h.base_url(), ids[1]),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}),
    )
    .await;
    assert_eq!(status, 404, "a deleted version no longer executes");
    assert!(!dir.join("files").join(format!("{}.xlsx", ids[1])).exists());
    h.shutdown().await;

    // Both changes were written to the data directory.
    let h = start_with(config()).await;
    let (_, all) = get(&versions(&h)).await;
    let left: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert_eq!(left, vec![ids[2].as_str(), ids[0].as_str()], "{all}");
    assert_eq!(listed(&all, &ids[0])["releaseNote"], "notes");
    h.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
