//! An answer whose `NUMBER` outputs hold Excel errors (`"#VALUE!"`) still gives typed
//! outputs through the typed calls: the bad fields read as `None` and are listed in
//! `mismatches`, the others decode. Served by a local HTTP server on 127.0.0.1 (a workbook
//! error cannot be provoked in the emulator's demo services).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cspark::{Auth, Client};
use cspark_examples::spark::demo_volume_cylinder as volume;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers every request with the v3 body, or the v4 body for `/api/v4/execute`.
async fn server(v3: serde_json::Value, v4: serde_json::Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (v3, v4) = (v3.clone(), v4.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then as much body as Content-Length says (bounded).
                loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length || buf.len() > 1 << 20 {
                            let body =
                                if text.starts_with("POST") && text.contains("/api/v4/execute") {
                                    v4.to_string()
                                } else {
                                    v3.to_string()
                                };
                            let response = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = socket.write_all(response.as_bytes()).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}/tenant")
}

#[tokio::test]
async fn excel_errors_cost_only_their_own_fields() {
    let v3 = json!({
        "status": "Success",
        "response_data": {
            "outputs": {"Volume": "#VALUE!", "BaseArea": 153.93804002589985, "SurfaceArea": "#NUM!"},
            "warnings": null, "errors": null, "service_chain": null
        },
        "response_meta": {"version": "0.1.0", "call_id": "c-1", "process_time": 1}
    });
    let v4 = json!({
        "outputs": [
            {"Volume": 615.7521601035994, "BaseArea": 153.93804002589985, "SurfaceArea": 483.80526865282815},
            {"Volume": "#DIV/0!", "BaseArea": 3.5, "SurfaceArea": 12.5}
        ],
        "process_time": [1, 1], "warnings": [null, null], "errors": [null, null],
        "call_id": "c-2", "version": "0.1.0"
    });
    let base = server(v3, v4).await;
    let client = Client::builder()
        .base_url(&base)
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let inputs = volume::Inputs::workbook_defaults();

    let run = client.execute_typed(&inputs).await.unwrap();
    assert_eq!(run.outputs.volume, None);
    assert_eq!(run.outputs.base_area, Some(153.93804002589985));
    let mut bad: Vec<(&str, Option<&str>)> = run
        .mismatches
        .iter()
        .map(|m| (m.field.as_str(), m.excel_error()))
        .collect();
    bad.sort();
    assert_eq!(
        bad,
        [("SurfaceArea", Some("#NUM!")), ("Volume", Some("#VALUE!"))]
    );
    let reason = &run.mismatches[0].reason;
    assert!(reason.contains("invalid type: string"), "{reason}");

    let many = client
        .execute_typed_many(&[inputs.clone(), inputs])
        .await
        .unwrap();
    assert!(many.records[0].mismatches.is_empty());
    assert_eq!(many.records[0].outputs.volume, Some(615.7521601035994));
    assert_eq!(many.records[1].outputs.volume, None);
    assert_eq!(many.records[1].outputs.base_area, Some(3.5));
    assert_eq!(many.records[1].mismatches[0].field, "Volume");
}
