//! The v4 body on the wire (python-sdk.md §5.3), checked by a local server that records it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::{Json, Router, routing::post};
use cspark::services::ExecuteOptions;
use cspark::{Auth, Client};
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
        .active_since("2024-01-01")
        .subservices(["a", "b"])
        .selected_outputs(["o1", "o2"])
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

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct XIn {
    x: i64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct YOut {
    y: i64,
}

struct XToY;

impl cspark::TypedService for XToY {
    type Inputs = XIn;
    type Outputs = YOut;
    const FOLDER: &'static str = "f";
    const SERVICE: &'static str = "s";
    const VERSION: &'static str = "";
    const VERSION_ID: Option<&'static str> = None;
}

impl cspark::ServiceInputs for XIn {
    type Service = XToY;
}

/// The Python SDK's execute options on a v4 call (python-sdk.md §5.3, §5.4): the shared ones
/// under their v4 names, the v3-only ones (`tables_as_array`, `outputs_filter`,
/// `compiler_type`, `debug_solve`, `downloadable`, `echo_inputs`) left out.
#[tokio::test]
async fn v4_sends_the_shared_options_under_v4_names_and_drops_the_v3_only_ones() {
    let (base, seen) = recorder().await;
    let client = Client::builder()
        .base_url(&base)
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let options = ExecuteOptions::default()
        .active_since("2024-01-01T00:00:00Z")
        .call_purpose("nightly")
        .source_system("tests")
        .correlation_id("corr-4")
        .subservices(["a", "b"])
        .selected_outputs(["y"])
        .tables_as_array(["t"])
        .outputs_filter("^y")
        .compiler_type(cspark::services::CompilerType::Type3)
        .debug_solve(true)
        .downloadable(true)
        .echo_inputs(true);
    client
        .services()
        .execute_many("f/s", &[json!({"x": 1})], &options)
        .await
        .unwrap();
    let typed = client
        .execute_typed_many_with(&[XIn { x: 1 }, XIn { x: 2 }], options.clone())
        .await
        .unwrap();
    assert_eq!(typed.outputs().map(|o| o.y).collect::<Vec<_>>(), [1, 1]);
    let expected = |inputs: Value| {
        json!({"inputs": inputs, "service": "f/s",
               "version_by_timestamp": "2024-01-01T00:00:00Z", "subservice": "a,b",
               "output": "y", "call_purpose": "nightly", "source_system": "tests",
               "correlation_id": "corr-4"})
    };
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], expected(json!([{"x": 1}])));
    assert_eq!(seen[1], expected(json!([{"x": 1}, {"x": 2}])));
}
