//! Health, auth modes, error envelopes, path normalisation, counters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::EmulatorConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn health_is_up_without_auth() {
    let h = start().await;
    let res = client()
        .get(format!("{}/health", h.url()))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "UP"}));
}

#[tokio::test]
async fn v3_execute_computes_volume_with_api_key() {
    let h = start().await;
    let (status, body) = post(
        &execute_url(&h, "demo", "volume-cylinder"),
        json!({"request_data": {"inputs": {"Radius": 2.5, "Height": 4}},
               "request_meta": {"correlation_id": "corr-1", "call_purpose": "test"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "Success");
    assert_eq!(body["error"], Value::Null);
    let v = body["response_data"]["outputs"]["Volume"].as_f64().unwrap();
    assert!(close(v, volume(2.5, 4.0)), "{v}");
    let meta = &body["response_meta"];
    assert_eq!(meta["correlation_id"], "corr-1");
    assert_eq!(meta["version"], "0.1.0");
    assert_eq!(meta["system"], "SPARK");
    assert_eq!(meta["compiler_type"], "Neuron");
    assert!(meta["process_time"].is_u64());
    assert_eq!(meta["call_id"].as_str().unwrap().len(), 36);
    let ts = meta["request_timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");
}

#[tokio::test]
async fn missing_credentials_are_401_in_v3_and_v4_shapes() {
    let h = start().await;
    let res = client()
        .post(execute_url(&h, "demo", "volume-cylinder"))
        .json(&json!({"request_data": {"inputs": {}}}))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"status": "Error", "response_data": null, "response_meta": null,
               "error": {"error_category": "access_error", "error_type": "error.UNAUTHORIZED",
                         "message": "INVALID_TOKEN"}})
    );
    let res = client()
        .post(format!("{}/api/v4/execute", h.base_url()))
        .json(&json!({"service": "demo/volume-cylinder", "inputs": []}))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"errorCode": "INVALID_TOKEN", "status": "Error"})
    );
}

#[tokio::test]
async fn restricted_api_keys_reject_others() {
    let h = start_with(EmulatorConfig::default().with_api_key("good")).await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let body = json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}});
    for (key, expected) in [("good", 200), ("bad", 401), (KEY, 401)] {
        let res = client()
            .post(&url)
            .header("x-synthetic-key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected, "key {key}");
    }
    // A bearer token not issued by the emulator is refused in restricted mode.
    let res = client()
        .post(&url)
        .bearer_auth("forged")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

async fn token(h: &cspark_emulator::EmulatorHandle, id: &str, secret: &str) -> (u16, Value) {
    let res = client()
        .post(format!(
            "{}/auth/realms/my-tenant/protocol/openid-connect/token",
            h.url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}"
        ))
        .send()
        .await
        .unwrap();
    decode(res).await
}

#[tokio::test]
async fn oauth_client_credentials_flow() {
    let h = start_with(EmulatorConfig::default().with_oauth_client("app", "s3cret")).await;
    let (status, body) = token(&h, "app", "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) = token(&h, "app", "s3cret").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.split('.').count(), 3);
    // The payload is a readable JWT with iss and realm.
    use base64::Engine as _;
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["realm"], "my-tenant");
    assert!(
        claims["iss"]
            .as_str()
            .unwrap()
            .ends_with("/auth/realms/my-tenant")
    );

    let url = execute_url(&h, "demo", "volume-cylinder");
    let body = json!({"request_data": {"inputs": {"Radius": 3, "Height": 2}}});
    let res = client()
        .post(&url)
        .bearer_auth(&access)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, out) = decode(res).await;
    assert_eq!(status, 200);
    let v = out["response_data"]["outputs"]["Volume"].as_f64().unwrap();
    assert!(close(v, volume(3.0, 2.0)));
    // API keys are not accepted when only OAuth clients are configured.
    let res = client()
        .post(&url)
        .header("x-synthetic-key", "k")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // Revoked tokens → 401 (clients refresh and retry).
    h.revoke_tokens();
    let res = client()
        .post(&url)
        .bearer_auth(&access)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(h.counters().token_requests, 2);
    // Unknown realm.
    let res = client()
        .post(format!(
            "{}/auth/realms/other/protocol/openid-connect/token",
            h.url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=app&client_secret=s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn tenant_mismatch_is_400() {
    let h = start().await;
    let res = client()
        .post(execute_url(&h, "demo", "volume-cylinder"))
        .header("x-synthetic-key", KEY)
        .header("x-tenant-name", "someone-else")
        .json(&json!({"request_data": {"inputs": {}}}))
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], "Error");
    assert_eq!(body["error"]["message"], "TENANT_MISMATCH");
    let (status, body) = post(
        &format!(
            "{}/other-tenant/api/v3/folders/demo/services/volume-cylinder/execute",
            h.url()
        ),
        json!({}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn malformed_bodies_are_spark_400s() {
    let h = start().await;
    for raw in ["{not json", "[1,2,3]", "\"text\""] {
        let res = client()
            .post(execute_url(&h, "demo", "volume-cylinder"))
            .header("x-synthetic-key", KEY)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let (status, body) = decode(res).await;
        assert_eq!(status, 400, "{raw}");
        assert_eq!(body["status"], "Error");
        assert_eq!(body["error"]["error_category"], "application_error");
        assert_eq!(body["response_data"], Value::Null);
    }
    let res = client()
        .post(format!("{}/api/v4/execute", h.base_url()))
        .header("x-synthetic-key", KEY)
        .body("{oops")
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "invalid_input");
    assert_eq!(body["code"], "INVALID_REQUEST");
}

#[tokio::test]
async fn unknown_services_and_versions_are_404() {
    let h = start().await;
    let (status, body) = post(&execute_url(&h, "demo", "nope"), json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], "SERVICE_NOT_FOUND");
    let (status, _) = post(&execute_url(&h, "nofolder", "volume-cylinder"), json!({})).await;
    assert_eq!(status, 404);
    let (status, body) = post(
        &execute_url(&h, "demo", "volume-cylinder"),
        json!({"request_meta": {"version": "9.9.9"}}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], "VERSION_NOT_FOUND");
    let (status, _) = post(
        &format!("{}/api/v3/version/{}", h.base_url(), uuid_like()),
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = post(
        &format!("{}/api/v4/execute", h.base_url()),
        json!({"service": "demo/nope", "inputs": [{}]}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"type": "invalid_input", "code": "SERVICE_NOT_FOUND",
               "message": "service could not be found"})
    );
    let (status, _) = get(&format!("{}/api/v3/what/ever", h.base_url())).await;
    assert_eq!(status, 404);
}

fn uuid_like() -> &'static str {
    "00000000-0000-4000-8000-000000000000"
}

#[tokio::test]
async fn fixed_segments_match_case_insensitively_and_names_are_decoded() {
    let h = start().await;
    let url = format!(
        "{}/api/V3/Folders/Demo/Services/VOLUME-cylinder/Execute",
        h.base_url()
    );
    let (status, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 2}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v = body["response_data"]["outputs"]["Volume"].as_f64().unwrap();
    assert!(close(v, volume(1.0, 2.0)));
    let url = format!(
        "{}/api/v3/folders/%64emo/services/volume%2Dcylinder/execute",
        h.base_url()
    );
    let (status, _) = post(&url, json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn counters_count_routes_and_are_served_over_http() {
    let h = start().await;
    for _ in 0..3 {
        post(&execute_url(&h, "demo", "volume-cylinder"), json!({})).await;
    }
    get(&format!("{}/health", h.url())).await;
    let c = h.counters();
    assert_eq!(
        c.routes["POST /{tenant}/api/v3/folders/{folder}/services/{service}/execute"],
        3
    );
    assert_eq!(c.routes["GET /health"], 1);
    let (status, body) = get(&format!("{}/_emulator/counters", h.url())).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["routes"]["POST /{tenant}/api/v3/folders/{folder}/services/{service}/execute"],
        3
    );
    assert_eq!(body["token_requests"], 0);
    h.reset_counters();
    assert!(h.counters().routes.is_empty());
}

#[tokio::test]
async fn request_id_is_echoed() {
    let h = start().await;
    let res = client()
        .get(format!("{}/health", h.url()))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn compressed_request_bodies_are_decoded() {
    use std::io::Write;
    let h = start().await;
    let body = serde_json::to_vec(&json!({"request_data": {"inputs": {"Radius": 2, "Height": 9}}}))
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body).unwrap();
    let mut zl = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zl.write_all(&body).unwrap();
    for (encoding, bytes) in [
        ("gzip", gz.finish().unwrap()),
        ("deflate", zl.finish().unwrap()),
    ] {
        let res = client()
            .post(execute_url(&h, "demo", "volume-cylinder"))
            .header("x-synthetic-key", KEY)
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let (status, out) = decode(res).await;
        assert_eq!(status, 200, "{encoding}: {out}");
        let v = out["response_data"]["outputs"]["Volume"].as_f64().unwrap();
        assert!(close(v, volume(2.0, 9.0)));
    }
    let res = client()
        .post(execute_url(&h, "demo", "volume-cylinder"))
        .header("x-synthetic-key", KEY)
        .header("content-encoding", "gzip")
        .body("definitely not gzip")
        .send()
        .await
        .unwrap();
    let (status, out) = decode(res).await;
    assert_eq!(status, 400);
    assert_eq!(out["status"], "Error");
}

#[tokio::test]
async fn extractor_rejections_are_spark_shaped() {
    let h = start().await;
    // Bad percent-encoding in a path segment.
    let (status, body) = post(
        &format!("{}/api/v3/folders/%FF%FE/services/x/execute", h.base_url()),
        json!({}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "Error");
    // Wrong method on a known path.
    let (status, body) = get(&execute_url(&h, "demo", "volume-cylinder")).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["error"]["message"], "METHOD_NOT_ALLOWED");
    // Upload without multipart.
    let (status, body) = post(
        &format!("{}/api/v3/folders/demo/services/x/upload", h.base_url()),
        json!({}),
    )
    .await;
    assert!(status == 400 || status == 415, "{status}");
    assert_eq!(body["status"], "Error");
    // v4 family keeps the v4 shape.
    let res = client()
        .get(format!(
            "{}/api/v4/batch/x/chunkresults?max=abc",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "invalid_input");
}

/// Raw HTTP/1.1 GET (reqwest would decompress transparently); returns (head, body).
async fn raw_get(addr: std::net::SocketAddr, path: &str, extra: &str) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nx-synthetic-key: {KEY}\r\nconnection: close\r\n{extra}\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).await.unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..split]).to_ascii_lowercase();
    (head, all[split + 4..].to_vec())
}

#[tokio::test]
async fn large_json_responses_are_gzipped_when_accepted() {
    let h = start().await;
    let path = "/api/v1/product/demo/engines/get/insurance-quote";
    let (head, body) = raw_get(h.addr(), path, "accept-encoding: gzip\r\n").await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    // The body may be chunked; find the gzip stream by its magic bytes.
    let start = body.windows(2).position(|w| w == [0x1f, 0x8b]).unwrap();
    let mut text = String::new();
    let _ =
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[start..]), &mut text);
    assert!(
        text.contains("\"bookServiceName\":\"insurance-quote\""),
        "{text}"
    );
    // Without Accept-Encoding, or for small bodies, nothing is compressed.
    let (head, _) = raw_get(h.addr(), path, "").await;
    assert!(!head.contains("content-encoding"), "{head}");
    let (head, _) = raw_get(h.addr(), "/health", "accept-encoding: gzip\r\n").await;
    assert!(!head.contains("content-encoding"), "{head}");
}

#[tokio::test]
async fn absurd_paging_values_do_not_break_anything() {
    let h = start().await;
    let (status, body) = post(
        &format!("{}/api/v3/services/search", h.base_url()),
        json!({"request_data": {"page": i64::MAX, "page_size": i64::MAX}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response_data"], json!([]));
    let res = client()
        .post(format!("{}/api/v1/product/list", h.url()))
        .bearer_auth("t")
        .json(&json!({"page": u64::MAX, "pageSize": u64::MAX}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (status, _) = post(
        &format!(
            "{}/api/v1/product/demo/engines/volume-cylinder/logs",
            h.url()
        ),
        json!({"page": u64::MAX, "pageSize": u64::MAX}),
    )
    .await;
    assert_eq!(status, 200);
}
