//! Where the public TypeScript SDK's scenarios found the emulator differing from Spark
//! (issue 14): output regex, rehydrated workbooks, closing a drained batch, the configured
//! download, upload statistics and version, URLs behind TLS, services without inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Cursor, Read};

use common::*;
use cspark_emulator::workbook::Workbook;
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn requested_output_regex_filters_outputs() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let (status, out) = post(
        &url,
        json!({"request_data": {"inputs": {"Radius": 2, "Height": 3}},
               "request_meta": {"requested_output_regex": "^(Volume|BaseArea)$"}}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let outputs = &out["response_data"]["outputs"];
    assert_eq!(keys(outputs), ["BaseArea", "Volume"]);
    assert!(close(outputs["Volume"].as_f64().unwrap(), volume(2.0, 3.0)));
    // A pattern that matches nothing answers no outputs; an invalid one is a 400 naming it.
    let (_, none) = post(
        &url,
        json!({"request_meta": {"requested_output_regex": "^Nothing$"}}),
    )
    .await;
    assert_eq!(
        keys(&none["response_data"]["outputs"]),
        Vec::<String>::new()
    );
    let (status, err) = post(
        &url,
        json!({"request_meta": {"requested_output_regex": "(oops"}}),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(err.to_string().contains("(oops"), "{err}");
}

async fn rehydrated(
    h: &cspark_emulator::EmulatorHandle,
    call_id: &str,
    query: &str,
) -> (u16, Value) {
    post(
        &format!(
            "{}/api/v3/folders/demo/services/volume-cylinder/download/xml/{call_id}{query}",
            h.base_url()
        ),
        json!({}),
    )
    .await
}

/// Download links (`/_emulator/files/…`) need the caller's credentials, as the SDKs send them.
async fn fetch_bytes(url: &str) -> Vec<u8> {
    let res = client()
        .get(url)
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", "my-tenant")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.bytes().await.unwrap().to_vec()
}

fn default_of(book: &Workbook, name: &str) -> f64 {
    book.inputs()
        .iter()
        .chain(book.outputs())
        .find(|f| f.name == name)
        .unwrap()
        .default
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn rehydrate_holds_the_call_inputs() {
    let h = start().await;
    let (_, out) = post(
        &execute_url(&h, "demo", "volume-cylinder"),
        json!({"request_data": {"inputs": {"Radius": 2.5, "Height": 4}}}),
    )
    .await;
    let call_id = out["response_meta"]["call_id"].as_str().unwrap();
    let (status, rh) = rehydrated(&h, call_id, "").await;
    assert_eq!(status, 200, "{rh}");
    let file = fetch_bytes(rh["response_data"]["download_url"].as_str().unwrap()).await;
    let book = Workbook::from_xlsx(&file, "rehydrated.xlsx").unwrap();
    assert_eq!(default_of(&book, "Radius"), 2.5);
    assert_eq!(default_of(&book, "Height"), 4.0);
    assert!(close(default_of(&book, "Volume"), volume(2.5, 4.0)));

    // The Python SDK fetches the file on the connection that asked for it (httpx does not
    // retry a request on a connection the server closed): it must stay usable.
    let path =
        format!("/my-tenant/api/v3/folders/demo/services/volume-cylinder/download/xml/{call_id}");
    let mut conn = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    let first = exchange(
        &mut conn,
        &format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nx-synthetic-key: {KEY}\r\n\
             content-type: application/json\r\ncontent-length: 2\r\n\r\n{{}}"
        ),
    )
    .await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let second = exchange(&mut conn, "GET /health HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(
        second.starts_with("HTTP/1.1 200"),
        "second request on the connection: {second:?}"
    );

    // A v3 call has one record: index 0 is it, index 1 is out of range.
    let (status, _) = rehydrated(&h, call_id, "?index=0").await;
    assert_eq!(status, 200);
    let (status, err) = rehydrated(&h, call_id, "?index=1").await;
    assert_eq!(status, 400, "{err}");
    let (status, _) = rehydrated(&h, call_id, "?index=-1").await;
    assert_eq!(status, 400);

    // A v4 call: the index picks the record.
    let (status, v4) = post(
        &format!("{}/api/v4/execute", h.base_url()),
        json!({"service": "demo/volume-cylinder",
               "inputs": [{"Radius": 1, "Height": 1}, {"Radius": 3, "Height": 5}]}),
    )
    .await;
    assert_eq!(status, 200, "{v4}");
    let call_id = v4["call_id"].as_str().unwrap();
    let (status, rh) = rehydrated(&h, call_id, "?index=1").await;
    assert_eq!(status, 200, "{rh}");
    let file = fetch_bytes(rh["response_data"]["download_url"].as_str().unwrap()).await;
    let book = Workbook::from_xlsx(&file, "rehydrated.xlsx").unwrap();
    assert_eq!(default_of(&book, "Radius"), 3.0);
    assert!(close(default_of(&book, "Volume"), volume(3.0, 5.0)));
    let (status, _) = rehydrated(&h, call_id, "?index=2").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn closing_a_drained_batch_answers_closed() {
    let h = start().await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (_, created) = post(&b, json!({"service": "demo/volume-cylinder"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (status, pushed) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "c1", "size": 1, "data": {"inputs": [{"Radius": 1, "Height": 2}]}}]}),
    )
    .await;
    assert_eq!(status, 200, "{pushed}");
    // Pull until the one chunk is out (bounded).
    let mut pulled = 0;
    for _ in 0..200 {
        let (_, got) = get(&format!("{b}/{id}/chunkresults?max=10")).await;
        pulled += got["data"].as_array().map_or(0, Vec::len);
        if pulled >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(pulled, 1);
    let res = client()
        .patch(format!("{b}/{id}"))
        .header("x-synthetic-key", KEY)
        .json(&json!({"batch_status": "closed"}))
        .send()
        .await
        .unwrap();
    let (status, closed) = decode(res).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["data"]["batch_status"], "closed", "{closed}");
    // Nothing is left to pull, so later reads show it settled.
    let (_, st) = get(&format!("{b}/{id}/status")).await;
    assert_eq!(st["batch_status"], "completed", "{st}");
}

fn zip_part(file: &[u8], name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(file)).unwrap();
    let mut part = archive.by_name(name).ok()?;
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    Some(text)
}

#[tokio::test]
async fn configured_download_carries_the_service_properties() {
    let h = start().await;
    let base = format!(
        "{}/api/v1/product/demo/engines/volume-cylinder/download/",
        h.url()
    );
    let download = |query: &'static str| {
        let url = format!("{base}?filename=&type={query}");
        async move {
            let res = client()
                .get(url)
                .header("x-synthetic-key", KEY)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let original = download("").await;
    let configured = download("withmetadata").await;
    assert_ne!(original, configured);
    assert!(zip_part(&original, "customXml/cspark-service-properties.xml").is_none());
    let props = zip_part(&configured, "customXml/cspark-service-properties.xml").unwrap();
    assert!(
        props.contains(r#"<Property name="ServiceName">volume-cylinder</Property>"#),
        "{props}"
    );
    assert!(
        props.contains(r#"<Property name="Revision">0.1.0</Property>"#),
        "{props}"
    );
    let rels = zip_part(&configured, "xl/_rels/workbook.xml.rels").unwrap();
    assert!(rels.contains("cspark-service-properties.xml"), "{rels}");
    // Every other part is the original's, and the file is still the same service.
    assert_eq!(
        zip_part(&original, "xl/workbook.xml"),
        zip_part(&configured, "xl/workbook.xml")
    );
    let book = Workbook::from_xlsx(&configured, "configured.xlsx").unwrap();
    assert_eq!(book.inputs().len(), 2);
}

/// Two sheets, three formulas, eight cells with data.
fn two_sheet_book() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let a = book.add_worksheet();
    a.set_name("In").unwrap();
    a.write_string(0, 0, "x").unwrap();
    a.write_number(0, 1, 2.0).unwrap();
    a.write_string(1, 0, "y").unwrap();
    a.write_number(1, 1, 3.0).unwrap();
    let b = book.add_worksheet();
    b.set_name("Out").unwrap();
    b.write_formula(0, 0, "=In!B1*In!B2").unwrap();
    b.write_formula(1, 0, "=A1+1").unwrap();
    b.write_formula(2, 0, "=A2*2").unwrap();
    b.write_string(3, 0, "note").unwrap();
    book.define_name("Xinput_x", "=In!$B$1").unwrap();
    book.define_name("Xinput_y", "=In!$B$2").unwrap();
    book.define_name("Xoutput_z", "=Out!$A$3").unwrap();
    book.save_to_buffer().unwrap()
}

async fn upload(
    h: &cspark_emulator::EmulatorHandle,
    service: &str,
    file: Vec<u8>,
    request_data: Value,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text(
            "engineUploadRequestEntity",
            json!({"request_data": request_data}).to_string(),
        )
        .part(
            "serviceFile",
            reqwest::multipart::Part::bytes(file).file_name(format!("{service}.xlsx")),
        );
    let res = client()
        .post(format!(
            "{}/api/v3/folders/demo/services/{service}/upload",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    decode(res).await
}

#[tokio::test]
async fn upload_statistics_come_from_the_workbook() {
    let h = start().await;
    let (status, up) = upload(&h, "stats", two_sheet_book(), json!({})).await;
    assert_eq!(status, 200, "{up}");
    let rd = &up["response_data"];
    assert_eq!(rd["no_of_sheets"], 2, "{rd}");
    assert_eq!(rd["no_of_formulas"], 3, "{rd}");
    assert_eq!(rd["no_of_cellswithdata"], 8, "{rd}");
    assert_eq!(rd["no_of_inputs"], 2);
    assert_eq!(rd["no_of_outputs"], 1);
}

#[tokio::test]
async fn upload_reports_the_version_a_publish_creates() {
    let h = start().await;
    // New service: 0.1.0. Demo volume-cylinder is at 0.1.0: minor → 0.2.0, major → 1.0.0.
    let (_, up) = upload(&h, "fresh", cylinder_xlsx(1.0), json!({})).await;
    assert_eq!(up["response_meta"]["version"], "0.1.0");
    let (_, up) = upload(&h, "volume-cylinder", cylinder_xlsx(1.0), json!({})).await;
    assert_eq!(up["response_meta"]["version"], "0.2.0");
    let (_, up) = upload(
        &h,
        "volume-cylinder",
        cylinder_xlsx(1.0),
        json!({"version_difference": "major"}),
    )
    .await;
    assert_eq!(up["response_meta"]["version"], "1.0.0");
    let vid = publish(
        &h,
        "demo",
        "volume-cylinder",
        cylinder_xlsx(2.0),
        json!({"version_difference": "major"}),
    )
    .await;
    let (_, versions) = get(&format!(
        "{}/api/v1/product/demo/engines/getversions/volume-cylinder",
        h.url()
    ))
    .await;
    assert_eq!(versions["data"][0]["id"], vid.as_str());
    assert_eq!(versions["data"][0]["revision"], "1.0.0");
}

#[tokio::test]
async fn absolute_urls_follow_the_forwarded_scheme() {
    let h = start().await;
    let (_, out) = post(&execute_url(&h, "demo", "volume-cylinder"), json!({})).await;
    let call_id = out["response_meta"]["call_id"].as_str().unwrap();
    let url = format!(
        "{}/api/v3/folders/demo/services/volume-cylinder/download/xml/{call_id}",
        h.base_url()
    );
    let send = |name: &'static str, value: &'static str| {
        client()
            .post(&url)
            .header("x-synthetic-key", KEY)
            .header("host", "spark.example:8443")
            .header(name, value)
            .json(&json!({}))
            .send()
    };
    let (_, rh) = decode(send("x-forwarded-proto", "https").await.unwrap()).await;
    let link = rh["response_data"]["download_url"].as_str().unwrap();
    assert!(link.starts_with("https://spark.example:8443/"), "{link}");
    let (_, rh) = decode(
        send("forwarded", "for=10.0.0.1;proto=https;host=excel.example")
            .await
            .unwrap(),
    )
    .await;
    let link = rh["response_data"]["download_url"].as_str().unwrap();
    assert!(link.starts_with("https://excel.example/"), "{link}");
    // Plain requests keep http.
    let (_, rh) = post(&url, json!({})).await;
    let link = rh["response_data"]["download_url"].as_str().unwrap();
    assert!(link.starts_with("http://127.0.0.1:"), "{link}");
}

#[tokio::test]
async fn a_workbook_without_inputs_is_a_service() {
    let h = start().await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 0, 0.21).unwrap();
    sheet.write_formula(1, 0, "=A1*100").unwrap();
    book.define_name("Xoutput_TaxPercent", "=Sheet1!$A$2")
        .unwrap();
    let file = book.save_to_buffer().unwrap();
    let (status, up) = upload(&h, "tax", file.clone(), json!({})).await;
    assert_eq!(status, 200, "{up}");
    assert_eq!(up["response_data"]["no_of_inputs"], 0);
    publish(&h, "demo", "tax", file, json!({})).await;
    let (status, out) = post(&execute_url(&h, "demo", "tax"), json!({})).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["response_data"]["outputs"]["TaxPercent"], 21);
}
