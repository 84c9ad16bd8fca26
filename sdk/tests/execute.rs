#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Health, v3 execute on the wire, compression and typed execution.

mod common;

use std::io::Read;

use common::{Reply, Server, builder, execute_ok};
use cspark::services::{CompilerType, ExecuteOptions};
use cspark::{Auth, Compression, SparkError, TypedService};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[tokio::test]
async fn health_is_get_origin_health_without_credentials() {
    let server = Server::start(|_, _| Reply::json(200, json!({"status": "UP"}))).await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let health = client.health().await.unwrap();
    assert!(health.is_up());
    assert_eq!(health.status.as_deref(), Some("UP"));
    let hit = server.hits().pop().unwrap();
    assert_eq!(hit.method, "GET");
    assert_eq!(hit.path, "/health");
    assert_eq!(hit.header("x-synthetic-key"), None);
    assert!(hit.header("x-request-id").is_some());
    let down = Server::start(|_, _| Reply::json(200, json!({"status": "DOWN"}))).await;
    assert!(
        !builder(&down)
            .auth(Auth::Open)
            .build()
            .unwrap()
            .health()
            .await
            .unwrap()
            .is_up()
    );
}

#[tokio::test]
async fn execute_sends_the_v3_body_and_parses_the_envelope() {
    let server =
        Server::start(|_, _| execute_ok(json!({"premium": 42.5, "table": [{"a": 1}]}))).await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let opts = ExecuteOptions::default()
        .version_id("vid-1")
        .active_since("2024-01-01T00:00:00Z")
        .call_purpose("quote")
        .source_system("tests")
        .correlation_id("corr")
        .selected_outputs(["premium"])
        .echo_inputs(true)
        .subservices(["#Default#"]);
    let out = client
        .services()
        .execute_with("my folder/calc", &json!({"age": 40}), &opts)
        .await
        .unwrap();
    let hit = server.hits().pop().unwrap();
    assert_eq!(hit.method, "POST");
    assert_eq!(
        hit.path,
        "/my-tenant/api/v3/folders/my%20folder/services/calc/execute"
    );
    assert_eq!(
        hit.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        hit.json(),
        json!({"request_data": {"inputs": {"age": 40}}, "request_meta": {
            "version_id": "vid-1", "transaction_date": "2024-01-01T00:00:00Z", "call_purpose": "quote",
            "source_system": "tests", "correlation_id": "corr", "compiler_type": "Neuron", "excel_file": false,
            "requested_output": "premium", "response_data_inputs": true, "service_category": "#Default#"}})
    );
    assert_eq!(out.status.as_deref(), Some("Success"));
    assert_eq!(out.outputs()["premium"], json!(42.5));
    assert_eq!(out.response_meta.call_id.as_deref(), Some("call-1"));
    assert_eq!(out.response_meta.version_id.as_deref(), Some("vid"));
    assert_eq!(out.response_meta.process_time, Some(3.0));
    assert_eq!(out.response_meta.correlation_id.as_deref(), Some("corr"));
    assert_eq!(out.response_meta.extra["engine_id"], json!("e1"));
    assert!(out.response_data.warnings.is_empty());
}

#[tokio::test]
async fn execute_by_ids_and_public() {
    let server = Server::start(|_, _| execute_ok(json!({}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    client
        .services()
        .execute("version/v-1", &json!({}))
        .await
        .unwrap();
    client
        .services()
        .execute("service/s-1[2.0]", &json!({}))
        .await
        .unwrap();
    client
        .services()
        .execute("public/f/s", &json!({}))
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(hits[0].path, "/my-tenant/api/v3/version/v-1");
    assert_eq!(hits[0].json()["request_meta"]["version_id"], "v-1");
    assert_eq!(hits[1].path, "/my-tenant/api/v3/service/s-1");
    assert_eq!(hits[1].json()["request_meta"]["service_id"], "s-1");
    assert_eq!(hits[1].json()["request_meta"]["version"], "2.0");
    assert_eq!(
        hits[2].path,
        "/my-tenant/api/v3/public/folders/f/services/s/execute"
    );
}

#[tokio::test]
async fn gzip_and_deflate_request_bodies() {
    for (compression, token) in [
        (Compression::Gzip, "gzip"),
        (Compression::Deflate, "deflate"),
    ] {
        let server = Server::start(|_, _| execute_ok(json!({"y": 1}))).await;
        let client = builder(&server)
            .auth(Auth::Open)
            .compression(compression)
            .build()
            .unwrap();
        client
            .services()
            .execute("f/s", &json!({"x": 1}))
            .await
            .unwrap();
        let hit = server.hits().pop().unwrap();
        assert_eq!(hit.header("content-encoding").as_deref(), Some(token));
        assert_eq!(hit.header("accept-encoding").as_deref(), Some(token));
        let mut text = String::new();
        match compression {
            Compression::Gzip => flate2::read::GzDecoder::new(&hit.body[..])
                .read_to_string(&mut text)
                .unwrap(),
            _ => flate2::read::ZlibDecoder::new(&hit.body[..])
                .read_to_string(&mut text)
                .unwrap(),
        };
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["request_data"]["inputs"], json!({"x": 1}));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LoanInputs {
    loan_amount: f64,
    years: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LoanOutputs {
    monthly_payment: f64,
}

struct LoanCalc;

impl TypedService for LoanCalc {
    type Inputs = LoanInputs;
    type Outputs = LoanOutputs;
    const FOLDER: &'static str = "loans";
    const SERVICE: &'static str = "loan calc";
    const VERSION: &'static str = "0.2.0";
    const VERSION_ID: Option<&'static str> = None;
}

impl cspark::ServiceInputs for LoanInputs {
    type Service = LoanCalc;
}

#[tokio::test]
async fn typed_execution_round_trip() {
    let server =
        Server::start(|_, _| execute_ok(json!({"monthly_payment": 88.85, "ignored": true}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    let result = client
        .execute_typed(&LoanInputs {
            loan_amount: 1000.0,
            years: 1,
        })
        .await
        .unwrap();
    assert_eq!(result.outputs.monthly_payment, 88.85);
    assert_eq!(result.meta.call_id.as_deref(), Some("call-1"));
    let hit = server.hits().pop().unwrap();
    assert_eq!(result.request_id, hit.header("x-request-id").unwrap());
    assert_eq!(
        hit.path,
        "/my-tenant/api/v3/folders/loans/services/loan%20calc/execute"
    );
    assert_eq!(
        hit.json()["request_data"]["inputs"],
        json!({"loan_amount": 1000.0, "years": 1})
    );
    assert_eq!(hit.json()["request_meta"]["version"], "0.2.0");
}

#[tokio::test]
async fn typed_outputs_that_do_not_match_are_a_decode_error() {
    let server = Server::start(|_, _| execute_ok(json!({"other": 1}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    let err = client
        .execute_typed(&LoanInputs {
            loan_amount: 1.0,
            years: 1,
        })
        .await
        .unwrap_err();
    match &err {
        SparkError::Decode {
            what,
            request_id,
            reason,
        } => {
            assert_eq!(*what, "typed outputs");
            assert_eq!(
                Some(request_id.as_str()),
                server.hits()[0].header("x-request-id").as_deref()
            );
            assert!(reason.contains("monthly_payment"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_health_and_execute() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(Server::start(|h, _| {
        if h.path == "/health" {
            Reply::json(200, json!({"status": "UP"}))
        } else {
            execute_ok(json!({"y": 7}))
        }
    }));
    let client = cspark::blocking::Client::new(builder(&server).auth(Auth::Open)).unwrap();
    assert!(client.health().unwrap().is_up());
    let out = client.execute("f/s", &json!({"x": 1})).unwrap();
    assert_eq!(out.outputs()["y"], json!(7));
    let typed = client.execute_typed(&LoanInputs {
        loan_amount: 1.0,
        years: 1,
    });
    assert!(matches!(typed, Err(SparkError::Decode { .. })));
    // Inside a runtime the blocking client refuses instead of panicking.
    let inside = rt.block_on(async { client.health() });
    assert!(
        matches!(
            inside,
            Err(SparkError::Config {
                field: "blocking",
                ..
            })
        ),
        "{inside:?}"
    );
}

/// Every option of the Python SDK's `services.execute` (python-sdk.md §5.4), set through its
/// typed setter: the v3 `request_meta` field each one becomes.
fn every_option() -> ExecuteOptions {
    ExecuteOptions::default()
        .active_since("2024-01-01T00:00:00Z")
        .call_purpose("quote")
        .source_system("tests")
        .correlation_id("corr-9")
        .subservices(["#Default#", "extra"])
        .selected_outputs(["premium", "table"])
        .tables_as_array(["table"])
        .outputs_filter("^prem")
        .compiler_type(CompilerType::Xconnector)
        .debug_solve(true)
        .downloadable(true)
        .echo_inputs(true)
}

fn every_option_meta(version: Option<&str>) -> serde_json::Value {
    let mut meta = json!({
        "transaction_date": "2024-01-01T00:00:00Z", "call_purpose": "quote",
        "source_system": "tests", "correlation_id": "corr-9",
        "service_category": "#Default#,extra", "requested_output": "premium,table",
        "array_outputs": "table", "requested_output_regex": "^prem",
        "compiler_type": "Xconnector", "debug_solve": true, "excel_file": true,
        "response_data_inputs": true});
    if let Some(v) = version {
        meta["version"] = json!(v);
    }
    meta
}

#[tokio::test]
async fn every_execute_option_reaches_the_v3_wire_under_its_field_name() {
    let server = Server::start(|_, _| execute_ok(json!({"monthly_payment": 1.0}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    client
        .services()
        .execute_with("f/s", &json!({"age": 40}), &every_option())
        .await
        .unwrap();
    client
        .execute_typed_with(
            &LoanInputs {
                loan_amount: 1.0,
                years: 2,
            },
            every_option(),
        )
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(
        hits[0].json(),
        json!({"request_data": {"inputs": {"age": 40}}, "request_meta": every_option_meta(None)})
    );
    // The typed call pins the bindings' version and otherwise sends the same fields.
    assert_eq!(
        hits[1].json()["request_meta"],
        every_option_meta(Some("0.2.0"))
    );
    // Unset, `debug_solve` is left out; `excel_file`, `response_data_inputs` and
    // `compiler_type` are always sent, as by the reference SDKs.
    client
        .services()
        .execute("f/s", &json!(null))
        .await
        .unwrap();
    let meta = server.hits().pop().unwrap().json()["request_meta"].clone();
    assert_eq!(
        meta,
        json!({"call_purpose": "Single Execution", "source_system": "Spark Rust SDK",
               "compiler_type": "Neuron", "excel_file": false, "response_data_inputs": false})
    );
}

#[test]
fn compiler_types_parse_case_insensitively_and_name_a_bad_value() {
    for (text, expected) in [
        ("neuron", CompilerType::Neuron),
        ("TYPE3", CompilerType::Type3),
        ("Type2", CompilerType::Type2),
        ("type1", CompilerType::Type1),
        ("XConnector", CompilerType::Xconnector),
    ] {
        let parsed: CompilerType = text.parse().unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(parsed.to_string().to_lowercase(), text.to_lowercase());
    }
    match "Excel".parse::<CompilerType>() {
        Err(SparkError::InvalidInput { what, value, .. }) => {
            assert_eq!((what, value.as_str()), ("compiler type", "Excel"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn metadata_and_wasm_refuse_proxy_locators_without_sending() {
    let server = Server::start(|_, _| execute_ok(json!({}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    let runner = cspark::hybrid::Client::from_client(client.clone());
    let refused = |err: SparkError, call: &str| match err {
        SparkError::InvalidInput {
            what,
            value,
            reason,
        } => {
            assert_eq!(what, "service URI");
            assert_eq!(value, "proxy/custom/ep");
            assert!(reason.contains(call), "{reason}");
        }
        other => panic!("{other:?}"),
    };
    refused(
        client
            .services()
            .get_metadata("proxy/custom/ep")
            .await
            .unwrap_err(),
        "get_metadata",
    );
    refused(
        client
            .services()
            .download_wasm("proxy/custom/ep")
            .await
            .unwrap_err(),
        "download_wasm",
    );
    refused(
        runner.get_metadata("proxy/custom/ep").await.unwrap_err(),
        "get_metadata",
    );
    assert!(server.hits().is_empty());
    // Other locators still reach the server.
    client.services().get_metadata("version/v-1").await.unwrap();
    client.services().download_wasm("f/s[1.0]").await.unwrap();
    let hits = server.hits();
    assert_eq!(
        (hits[0].method.as_str(), hits[0].path.as_str()),
        ("GET", "/my-tenant/api/v3/version/v-1/metadata")
    );
    assert_eq!(
        hits[1].path,
        "/my-tenant/api/v3/nodegen/getnodegenzipbyId/folders/f/services/s[1.0]"
    );
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_execute_with_sends_every_option() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(Server::start(|_, _| execute_ok(json!({"y": 7}))));
    let client = cspark::blocking::Client::new(builder(&server).auth(Auth::Open)).unwrap();
    client
        .execute_with("f/s", &json!({"x": 1}), &every_option())
        .unwrap();
    assert_eq!(
        server.hits().pop().unwrap().json()["request_meta"],
        every_option_meta(None)
    );
}
