//! The emulator's MCP endpoint at the wire level: the streamable-HTTP answers a client
//! relies on (JSON responses, 202 for notifications, 405 for the event stream), JSON-RPC
//! errors for malformed messages, and the endpoint's credential and tenant rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{Value, json};

async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap()
}

async fn post(emu: &EmulatorHandle, tenant: &str, body: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/{tenant}/mcp", emu.url()))
        .bearer_auth("any-token")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn speaks_stateless_streamable_http() {
    let emu = emulator().await;
    let t = emu.tenant().to_owned();

    let (status, init) = post(
        &emu,
        &t,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert!(init["result"]["capabilities"]["tools"].is_object());

    let (status, _) = post(
        &emu,
        &t,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    )
    .await;
    assert_eq!(status, 202);

    let (_, listed) = post(
        &emu,
        &t,
        r#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#,
    )
    .await;
    let tools = listed["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 13);
    assert!(tools.iter().all(|t| t["inputSchema"]["type"] == "object"));

    let (_, called) = post(
        &emu,
        &t,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "spark_execute_v3",
            "arguments": {"folder": "demo", "service": "volume-cylinder", "requestPayload": {"Radius": 2, "Height": 3}}}})
        .to_string(),
    )
    .await;
    let volume = called["result"]["structuredContent"]["response_data"]["outputs"]["Volume"]
        .as_f64()
        .unwrap();
    assert!((volume - std::f64::consts::PI * 12.0).abs() < 1e-9);
    assert_eq!(called["result"]["isError"], false);

    let stream = reqwest::Client::new()
        .get(format!("{}/mcp", emu.base_url()))
        .bearer_auth("any-token")
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 405);
    emu.shutdown().await;
}

#[tokio::test]
async fn malformed_messages_are_json_rpc_errors() {
    let emu = emulator().await;
    let t = emu.tenant().to_owned();
    let (status, parse) = post(&emu, &t, "{not json").await;
    assert_eq!(
        (status, parse["error"]["code"].clone()),
        (400, json!(-32700))
    );
    let (_, method) = post(
        &emu,
        &t,
        r#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#,
    )
    .await;
    assert_eq!(method["error"]["code"], -32601);
    let (_, args) = post(
        &emu,
        &t,
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"spark_list_testbeds","arguments":"demo"}}"#,
    )
    .await;
    assert_eq!(args["error"]["code"], -32602);
    emu.shutdown().await;
}

#[tokio::test]
async fn credentials_and_tenant_are_checked() {
    let emu = emulator().await;
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let none = reqwest::Client::new()
        .post(format!("{}/mcp", emu.base_url()))
        .header("content-type", "application/json")
        .body(list)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let (status, _) = post(&emu, "other-tenant", list).await;
    assert_eq!(status, 400);
    emu.shutdown().await;
}
