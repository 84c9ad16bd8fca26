//! Helpers shared by the emulator's HTTP tests.
#![allow(dead_code)]

use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::Value;

pub const KEY: &str = "test-key";

pub async fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    let handle = Emulator::start(config.with_demo_workbooks())
        .await
        .expect("emulator starts");
    assert!(
        handle.load_problems().is_empty(),
        "demo workbooks load: {:?}",
        handle.load_problems()
    );
    handle
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// POST JSON with an API key; returns (status, body).
pub async fn post(url: &str, body: Value) -> (u16, Value) {
    let res = client()
        .post(url)
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", "my-tenant")
        .json(&body)
        .send()
        .await
        .expect("request sent");
    decode(res).await
}

/// GET with an API key; returns (status, body).
pub async fn get(url: &str) -> (u16, Value) {
    let res = client()
        .get(url)
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .expect("request sent");
    decode(res).await
}

pub async fn decode(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().await.expect("body read");
    assert!(
        ct.contains("application/json"),
        "content-type {ct:?} for {text}"
    );
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

pub fn volume(r: f64, h: f64) -> f64 {
    std::f64::consts::PI * r * r * h
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

pub fn execute_url(h: &EmulatorHandle, folder: &str, service: &str) -> String {
    format!(
        "{}/api/v3/folders/{folder}/services/{service}/execute",
        h.base_url()
    )
}

/// A cylinder workbook whose Volume is `factor`·π·r²·h (to tell versions apart).
pub fn cylinder_xlsx(factor: f64) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Cylinder").unwrap();
    sheet.write_string(1, 0, "Radius").unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    sheet.write_string(2, 0, "Height").unwrap();
    sheet.write_number(2, 1, 1.0).unwrap();
    sheet.write_string(4, 0, "Volume").unwrap();
    sheet
        .write_formula(4, 1, format!("={factor}*PI()*B2^2*B3").as_str())
        .unwrap();
    book.define_name("Xinput_Radius", "=Cylinder!$B$2").unwrap();
    book.define_name("Xinput_Height", "=Cylinder!$B$3").unwrap();
    book.define_name("Xoutput_Volume", "=Cylinder!$B$5")
        .unwrap();
    book.save_to_buffer().unwrap()
}

/// Upload + poll + publish a workbook; returns the new version id.
pub async fn publish(
    h: &EmulatorHandle,
    folder: &str,
    service: &str,
    file: Vec<u8>,
    request_data: Value,
) -> String {
    let base = format!(
        "{}/api/v3/folders/{folder}/services/{service}",
        h.base_url()
    );
    let entity = serde_json::json!({"request_data": request_data}).to_string();
    let form = reqwest::multipart::Form::new()
        .text("engineUploadRequestEntity", entity)
        .part(
            "serviceFile",
            reqwest::multipart::Part::bytes(file).file_name(format!("{service}.xlsx")),
        );
    let res = client()
        .post(format!("{base}/upload"))
        .header("x-synthetic-key", KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, upload) = decode(res).await;
    assert_eq!(status, 200, "{upload}");
    let rd = &upload["response_data"];
    let job = rd["nodegen_compilation_jobid"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, progress) = get(&format!("{base}/getcompilationprogess/{job}")).await;
    assert_eq!(status, 200);
    assert_eq!(progress["response_data"]["progress"], 100);
    assert_eq!(progress["response_data"]["status"], "Success");
    let mut publish = request_data.clone();
    publish["original_file_documentid"] = rd["original_file_documentid"].clone();
    publish["engine_file_documentid"] = rd["engine_file_documentid"].clone();
    publish["draft_service_name"] = Value::String(service.to_string());
    let (status, published) = post(
        &format!("{base}/publish"),
        serde_json::json!({"request_data": publish}),
    )
    .await;
    assert_eq!(status, 200, "{published}");
    published["response_data"]["version_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Write one raw HTTP/1.1 request and read its whole answer (headers + content-length body);
/// empty when the server closed the connection instead.
pub async fn exchange(conn: &mut tokio::net::TcpStream, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Headers and body in separate writes, as httpx sends them: the server may answer before
    // the body arrives, and must still read it to keep the connection.
    let (head, body) = request.split_at(request.find("\r\n\r\n").unwrap() + 4);
    if conn.write_all(head.as_bytes()).await.is_err() {
        return String::new();
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    if conn.write_all(body.as_bytes()).await.is_err() {
        return String::new();
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..1000 {
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return text;
            }
        }
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), conn.read(&mut buf))
            .await
            .map_or(0, |r| r.unwrap_or(0));
        if n == 0 {
            return String::from_utf8_lossy(&got).to_string();
        }
        got.extend_from_slice(&buf[..n]);
    }
    panic!("no complete answer")
}

/// A copy of a WASM bundle whose `ModelMetaData.json` names a version no emulator has: an
/// upload of it publishes a new version instead of loading a known one.
pub fn with_unknown_version(bundle: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bundle)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("an entry");
        let name = file.name().expect("a name").into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("readable");
        if name == "ModelMetaData.json" {
            let mut meta: Value = serde_json::from_slice(&bytes).expect("json");
            meta["VersionId"] = Value::String("00000000-0000-0000-0000-00000000abcd".into());
            bytes = serde_json::to_vec(&meta).expect("json");
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        out.write_all(&bytes).expect("written");
    }
    out.finish().expect("zip").into_inner()
}

/// POST an ImpEx package (`/api/v4/import`, multipart: `importRequestEntity` + `file`) with
/// an API key; returns (status, body).
pub async fn import_package(h: &EmulatorHandle, zip: Vec<u8>, entity: Value) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("importRequestEntity", entity.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(zip).file_name("package.zip"),
        );
    let res = client()
        .post(format!("{}/api/v4/import", h.base_url()))
        .header("x-synthetic-key", KEY)
        .multipart(form)
        .send()
        .await
        .expect("request sent");
    decode(res).await
}
