//! The v4 body on the wire (python-sdk.md §5.3), checked by a local server that records it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::{Json, Router, routing::post};
use cspark::{Auth, Client, ExecuteOptions};
use serde_json::{Value, json};

async fn recorder() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = Router::new().route(
        "/t/api/v4/execute",
        post(move |Json(body): Json<Value>| {
            let store = store.clone();
            async move {
                let n = body["inputs"].as_array().map_or(0, Vec::len);
                store.lock().unwrap().push(body);
                Json(json!({
                    "outputs": vec![json!({"y": 1}); n],
                    "process_time": vec![1; n],
                    "warnings": vec![Value::Null; n],
                    "errors": vec![Value::Null; n],
                    "call_id": "c1", "version": "1.2.3"
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/t"), seen)
}

#[tokio::test]
async fn v4_body_matches_the_reference_capture() {
    let (base, seen) = recorder().await;
    let client = Client::builder()
        .base_url(&base)
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let options = ExecuteOptions::default()
        .version("1.2.3")
        .transaction_date("2024-01-01")
        .subservices(["a", "b"])
        .requested_output(["o1", "o2"])
        .source_system("src")
        .correlation_id("cid")
        .extra("zz", json!(1));
    client
        .services()
        .execute_many("f/s", &[json!({"x": 1}), json!({"x": 2})], &options)
        .await
        .unwrap();
    client
        .services()
        .execute_many(
            "version/vid",
            &[json!({"x": 1})],
            &ExecuteOptions::default(),
        )
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0],
        json!({"inputs": [{"x": 1}, {"x": 2}], "service": "f/s[1.2.3]",
               "version_by_timestamp": "2024-01-01", "subservice": "a,b", "output": "o1,o2",
               "call_purpose": "Sync Batch Execution", "source_system": "src",
               "correlation_id": "cid", "zz": 1})
    );
    assert_eq!(
        seen[1],
        json!({"inputs": [{"x": 1}], "version_id": "vid",
               "call_purpose": "Sync Batch Execution", "source_system": "Spark Rust SDK"})
    );
}
