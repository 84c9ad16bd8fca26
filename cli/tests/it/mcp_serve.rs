//! `cspark mcp serve` driven by an rmcp client over both transports: a spawned child on
//! stdio, and streamable HTTP. The `spark/` directory is what `cspark codegen fetch` writes
//! from the emulator's demo services, so the schemas are checked against the documents the
//! workbooks produce, and calls run on the emulator's engine.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode, JsonObject, Tool};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

use crate::common::{Env, ok};

/// Every MCP exchange and process start is bounded: a hang fails the test.
const LIMIT: Duration = Duration::from_secs(60);

type Client = RunningService<RoleClient, ()>;

async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {LIMIT:?}"))
}

/// An emulator with the three demo services fetched into `spark/`, and `demo/loan-calc`
/// deleted afterwards (its tool then meets a Spark error).
fn prepared() -> Env {
    let env = Env::start();
    ok(&env.run(&[
        "codegen",
        "fetch",
        "--service",
        "demo/volume-cylinder",
        "--service",
        "demo/insurance-quote",
        "--service",
        "demo/loan-calc",
        "--out",
        "spark",
    ]));
    ok(&env.run(&["services", "delete", "demo/loan-calc"]));
    env
}

/// `cspark --base-url … --api-key k mcp serve ARGS` as a tokio child (killed on drop).
fn serve_command(env: &Env, args: &[&str]) -> tokio::process::Command {
    let mut cmd = env.bare();
    cmd.args([
        "--base-url",
        env.handle.base_url().as_str(),
        "--api-key",
        "k",
    ])
    .args(["mcp", "serve"])
    .args(args);
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    cmd
}

async fn stdio_client(env: &Env) -> (Client, tokio::process::Child) {
    let mut child = serve_command(env, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stdin = child.stdin.take().unwrap();
    let client = bounded("stdio initialize", ().serve((stdout, stdin)))
        .await
        .unwrap();
    (client, child)
}

/// Starts `mcp serve --http 127.0.0.1:0` (with `CSPARK_MCP_TOKEN` = `token` if given) and
/// returns the URL it prints.
async fn http_server(env: &Env, token: Option<&str>) -> (String, tokio::process::Child) {
    let mut cmd = serve_command(env, &["--http", "127.0.0.1:0"]);
    if let Some(token) = token {
        cmd.env("CSPARK_MCP_TOKEN", token);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let url = bounded("the listening line", async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("cspark: MCP server listening on ") {
                return url.to_string();
            }
        }
        panic!("the server ended without listening");
    })
    .await;
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    (url, child)
}

async fn http_client(env: &Env) -> (Client, tokio::process::Child) {
    let (url, child) = http_server(env, None).await;
    let transport = StreamableHttpClientTransport::from_uri(url);
    let client = bounded("HTTP initialize", ().serve(transport))
        .await
        .unwrap();
    (client, child)
}

/// A raw MCP `initialize` POST, as a browser page or another host could send it.
async fn raw_initialize(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    bounded("raw initialize", request.send()).await.unwrap()
}

fn args(value: Value) -> JsonObject {
    value.as_object().cloned().unwrap()
}

async fn call(
    client: &Client,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let params = CallToolRequestParams::new(tool.to_string()).with_arguments(args(arguments));
    bounded(tool, client.call_tool(params)).await
}

/// The JSON-RPC error of a refused call.
async fn refused(client: &Client, tool: &str, arguments: Value) -> rmcp::model::ErrorData {
    match call(client, tool, arguments.clone()).await {
        Err(ServiceError::McpError(e)) => e,
        other => panic!("{tool} {arguments}: expected an MCP error, got {other:?}"),
    }
}

/// The schema document `codegen fetch` wrote for `service`.
fn schema_document(dir: &Path, service: &str) -> Value {
    let text =
        std::fs::read_to_string(dir.join("demo").join(format!("{service}.schema.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn types(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
        other => panic!("no type in {schema}: {other}"),
    }
}

/// The JSON type an Excel data type becomes for an input.
fn assert_excel_type(name: &str, data_type: &str, schema: &Value) {
    let t = types(schema);
    match data_type {
        "NUMBER" => assert!(t == ["number"] || t == ["integer"], "{name}: {schema}"),
        "BOOLEAN" => assert_eq!(t, ["boolean"], "{name}"),
        "DATE" => {
            assert_eq!(t, ["string"], "{name}");
            assert_eq!(schema["format"], "date", "{name}");
        }
        "TEXT" => assert_eq!(t, ["string"], "{name}"),
        other => panic!("{name}: unexpected data type {other}"),
    }
}

/// Each tool's schemas against the workbook's declarations in its schema document: one
/// property per input cell of the right type, List validations as `enum`, number rules as
/// bounds (`integer` for whole numbers), tables as arrays of row objects, `required` = the
/// inputs without a workbook value; one output property per output cell.
fn check_against_workbook(tool: &Tool, document: &Value) {
    let input = Value::Object((*tool.input_schema).clone());
    let props = &input["properties"];
    let tables: Vec<&str> = document["inputMetadata"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let cells = document["xlInputs"].as_array().unwrap();
    assert_eq!(
        props.as_object().unwrap().len(),
        cells.len(),
        "{}",
        tool.name
    );
    let mut required = Vec::new();
    for cell in cells {
        let name = cell["name"].as_str().unwrap();
        let schema = &props[name];
        let data_type = cell["dataType"].as_str().unwrap();
        if cell["value"].is_null() {
            required.push(name);
        }
        if tables.contains(&name) {
            assert_eq!(types(schema), ["array"], "{name}");
            let row = &schema["items"];
            assert_eq!(row["additionalProperties"], false, "{name}");
            for header in cell["headerSpecs"].as_array().unwrap() {
                let column = header["name"].as_str().unwrap();
                assert_excel_type(
                    column,
                    header["dataType"].as_str().unwrap(),
                    &row["properties"][column],
                );
            }
            continue;
        }
        assert_excel_type(name, data_type, schema);
        let rule = &cell["validation"];
        match rule["validation_allow"].as_str() {
            Some("List") => assert_eq!(schema["enum"], rule["options"], "{name}"),
            Some(allow @ ("Decimal" | "WholeNumber")) => {
                let whole = allow == "WholeNumber";
                assert_eq!(types(schema), [if whole { "integer" } else { "number" }]);
                for (bound, key) in [("min", "minimum"), ("max", "maximum")] {
                    match rule[bound].as_f64() {
                        Some(b) => assert_eq!(schema[key].as_f64(), Some(b), "{name} {key}"),
                        None => assert!(schema.get(key).is_none(), "{name} {key}"),
                    }
                }
            }
            None => assert!(schema.get("enum").is_none(), "{name}"),
            Some(other) => panic!("{name}: unexpected validation {other}"),
        }
        if !cell["value"].is_null() {
            assert_eq!(schema["default"], cell["value"], "{name}");
        }
    }
    assert_eq!(input["required"], json!(required), "{}", tool.name);
    assert_eq!(input["additionalProperties"], false);

    let output = Value::Object((*tool.output_schema.clone().unwrap()).clone());
    assert_eq!(output["required"], json!(["outputs", "call_id"]));
    let outputs = &output["properties"]["outputs"]["properties"];
    let cells = document["xOutput"].as_array().unwrap();
    assert_eq!(outputs.as_object().unwrap().len(), cells.len());
    for cell in cells {
        let name = cell["name"].as_str().unwrap();
        assert!(
            types(&outputs[name]).contains(&"null".to_string()),
            "{name}"
        );
    }
}

/// The whole conversation, the same on both transports.
async fn exercise(client: &Client, spark: &Path) {
    let tools = bounded("tools/list", client.list_all_tools())
        .await
        .unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "demo_insurance_quote",
            "demo_loan_calc",
            "demo_volume_cylinder"
        ]
    );
    for tool in &tools {
        let service = tool
            .title
            .as_deref()
            .unwrap()
            .strip_prefix("demo/")
            .unwrap();
        check_against_workbook(tool, &schema_document(spark, service));
    }
    // What the demo workbooks declare, spelled out: the checks above compared with them.
    let quote = Value::Object((*tools[0].input_schema).clone());
    assert_eq!(
        quote["properties"]["CoverLevel"]["enum"],
        json!(["Basic", "Standard", "Premium"])
    );
    assert_eq!(quote["properties"]["VehicleValue"]["type"], "integer");
    assert_eq!(quote["properties"]["VehicleValue"]["minimum"], 1000.0);
    assert_eq!(quote["properties"]["VehicleValue"]["maximum"], 200000.0);
    assert_eq!(quote["properties"]["PolicyStart"]["format"], "date");
    assert_eq!(
        quote["properties"]["Drivers"]["items"]["required"],
        json!(["Age", "Name", "Years Licensed"])
    );
    let cylinder = Value::Object((*tools[2].input_schema).clone());
    assert_eq!(cylinder["properties"]["Radius"]["minimum"], 0.0);

    // A cylinder of radius 2 and height 3: volume 12π, base area 4π.
    let result = call(
        client,
        "demo_volume_cylinder",
        json!({"Radius": 2, "Height": 3}),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let structured = result.structured_content.clone().unwrap();
    let pi = std::f64::consts::PI;
    let volume = structured["outputs"]["Volume"].as_f64().unwrap();
    assert!((volume - 12.0 * pi).abs() < 1e-9, "{structured}");
    let base = structured["outputs"]["BaseArea"].as_f64().unwrap();
    assert!((base - 4.0 * pi).abs() < 1e-9, "{structured}");
    assert!(!structured["call_id"].as_str().unwrap().is_empty());
    assert_eq!(structured["version"], "0.1.0");
    let text = result.content[0].as_text().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text.text).unwrap(),
        structured
    );

    // Omitted inputs keep the workbook's values: the quote's own answer.
    let result = call(client, "demo_insurance_quote", json!({}))
        .await
        .unwrap();
    let outputs = &result.structured_content.unwrap()["outputs"];
    assert_eq!(outputs["TotalPremium"], 1437.5, "{outputs}");
    assert_eq!(outputs["DriverPremiums"][1]["Driver"], "Bob", "{outputs}");

    // Refusals: -32602 naming the tool or the field, the session stays usable.
    let e = refused(client, "demo_nope", json!({})).await;
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    assert!(e.message.contains("\"demo_nope\""), "{}", e.message);
    assert!(e.message.contains("demo_volume_cylinder"), "{}", e.message);

    let e = refused(client, "demo_volume_cylinder", json!({"Radius": "two"})).await;
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    assert!(
        e.message
            .contains("/Radius: expected number, got string \"two\""),
        "{}",
        e.message
    );
    assert_eq!(e.data.as_ref().unwrap()["violations"][0]["field"], "Radius");

    let e = refused(
        client,
        "demo_volume_cylinder",
        json!({"Radius": -1, "Colour": "red"}),
    )
    .await;
    let mut fields: Vec<&str> = e.data.as_ref().unwrap()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["Colour", "Radius"], "{}", e.message);
    assert!(
        e.message.contains("less than the minimum 0"),
        "{}",
        e.message
    );

    let e = refused(
        client,
        "demo_insurance_quote",
        json!({
            "CoverLevel": "Gold",
            "VehicleValue": 999.5,
            "PolicyStart": "2026-02-30",
            "Drivers": [{"Name": "Ann", "Age": "old", "Years Licensed": 1}],
        }),
    )
    .await;
    let mut pointers: Vec<&str> = e.data.as_ref().unwrap()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["pointer"].as_str().unwrap())
        .collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        [
            "/CoverLevel",
            "/Drivers/0/Age",
            "/PolicyStart",
            "/VehicleValue"
        ],
        "{}",
        e.message
    );

    // Arguments that are not an object: not a `tools/call` rmcp can parse, still -32602.
    let malformed = rmcp::model::ClientRequest::CustomRequest(rmcp::model::CustomRequest::new(
        "tools/call",
        Some(json!({"name": "demo_volume_cylinder", "arguments": "Radius=2"})),
    ));
    match bounded("malformed call", client.send_request(malformed)).await {
        Err(ServiceError::McpError(e)) => {
            assert_eq!(e.code, ErrorCode::INVALID_PARAMS, "{e:?}");
            assert!(e.message.contains("arguments"), "{}", e.message);
        }
        other => panic!("expected -32602, got {other:?}"),
    }

    // A service gone from the tenant: a tool result marked as an error, with Spark's reason.
    let result = call(client, "demo_loan_calc", json!({"Years": 10}))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true), "{result:?}");
    // No structured content: it would not follow the output schema.
    assert_eq!(result.structured_content, None);
    let text = &result.content[0].as_text().unwrap().text;
    let error = serde_json::from_str::<Value>(text).unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.starts_with("demo/loan-calc failed: "), "{error}");

    // Still serving after all that.
    let again = call(
        client,
        "demo_volume_cylinder",
        json!({"Radius": 1, "Height": 1}),
    )
    .await
    .unwrap();
    let volume = again.structured_content.unwrap()["outputs"]["Volume"]
        .as_f64()
        .unwrap();
    assert!((volume - pi).abs() < 1e-9);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn mcp_serve_over_stdio() {
    let env = prepared();
    let spark = env.path("spark");
    runtime().block_on(async {
        let (client, mut child) = stdio_client(&env).await;
        exercise(&client, &spark).await;
        // Closing the session closes the child's stdin: the server exits by itself, cleanly.
        bounded("close", client.cancel()).await.unwrap();
        let status = bounded("exit", child.wait()).await.unwrap();
        assert!(status.success(), "{status:?}");
    });
}

#[test]
fn mcp_serve_over_streamable_http() {
    let env = prepared();
    let spark = env.path("spark");
    runtime().block_on(async {
        let (client, _child) = http_client(&env).await;
        exercise(&client, &spark).await;
        bounded("close", client.cancel()).await.unwrap();
    });
}

/// Configuration problems end the command before it serves (exit 2, nothing on stdout),
/// rather than leaving an assistant with a server that fails every call.
#[test]
fn mcp_serve_refuses_bad_configuration_before_serving() {
    let env = prepared();
    let out = env.run(&["mcp", "serve", "--dir", "nowhere"]);
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nowhere"), "{stderr}");
    assert!(out.stdout.is_empty());

    // No base URL (no flag, variable or profile).
    let out = env
        .bare()
        .args(["mcp", "serve", "--dir", "spark"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no base URL"), "{stderr}");
    assert!(out.stdout.is_empty());

    // A document changed since `cspark.lock` recorded it (calls are pinned to that version).
    let path = env.path("spark/demo/insurance-quote.swagger.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n")).unwrap();
    let out = env.run(&["mcp", "serve", "--dir", "spark"]);
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("demo/insurance-quote: the swagger document has sha256"),
        "{stderr}"
    );
    std::fs::write(&path, text).unwrap();

    // A document that is not a Spark document names the file.
    std::fs::write(env.path("spark/demo/volume-cylinder.schema.json"), "[1, 2]").unwrap();
    std::fs::remove_file(env.path("spark/demo/volume-cylinder.swagger.json")).unwrap();
    let out = env.run(&["mcp", "serve", "--dir", "spark"]);
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("demo/volume-cylinder.schema.json: no `xlInputs`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// Without a token the HTTP endpoint is for this machine only: a non-loopback address is
/// refused before serving, and a request from a foreign browser origin is refused.
#[test]
fn mcp_serve_over_http_stays_local_without_a_token() {
    let env = prepared();
    let out = env.run(&["mcp", "serve", "--dir", "spark", "--http", "0.0.0.0:0"]);
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0.0.0.0:0") && stderr.contains("CSPARK_MCP_TOKEN"),
        "{stderr}"
    );
    runtime().block_on(async {
        let (url, _child) = http_server(&env, None).await;
        let foreign = raw_initialize(&url, &[("origin", "https://evil.example")]).await;
        assert_eq!(foreign.status().as_u16(), 403);
        let local = raw_initialize(&url, &[("origin", "http://localhost:6274")]).await;
        assert_eq!(local.status().as_u16(), 200);
    });
}

/// With `CSPARK_MCP_TOKEN`, every request must carry it; a short token is refused without
/// being echoed.
#[test]
fn mcp_serve_over_http_with_a_token() {
    let env = prepared();
    let short = "short-secret-1";
    let out = env
        .bare()
        .args([
            "--base-url",
            env.handle.base_url().as_str(),
            "--api-key",
            "k",
        ])
        .args(["mcp", "serve", "--dir", "spark", "--http", "127.0.0.1:0"])
        .env("CSPARK_MCP_TOKEN", short)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(crate::common::code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("16 or more"), "{stderr}");
    assert!(!stderr.contains(short), "{stderr}");

    let token = "a-token-of-thirty-two-characters";
    runtime().block_on(async {
        let (url, _child) = http_server(&env, Some(token)).await;
        let none = raw_initialize(&url, &[]).await;
        assert_eq!(none.status().as_u16(), 401);
        assert_eq!(none.headers()["www-authenticate"], "Bearer");
        let wrong = raw_initialize(
            &url,
            &[("authorization", "Bearer a-token-of-thirty-two-characterz")],
        )
        .await;
        assert_eq!(wrong.status().as_u16(), 401);
        // With the token, any origin may call (the token is the guard).
        let auth = format!("Bearer {token}");
        let right = raw_initialize(
            &url,
            &[("authorization", &auth), ("origin", "https://app.example")],
        )
        .await;
        assert_eq!(right.status().as_u16(), 200);

        let config =
            rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                url,
            )
            .auth_header(token);
        let transport = StreamableHttpClientTransport::from_config(config);
        let client = bounded("HTTP initialize", ().serve(transport))
            .await
            .unwrap();
        let tools = bounded("list tools", client.list_all_tools())
            .await
            .unwrap();
        assert_eq!(tools.len(), 3, "{tools:?}");
        let out = call(
            &client,
            "demo_volume_cylinder",
            json!({"Radius": 1, "Height": 1}),
        )
        .await
        .unwrap();
        assert_ne!(out.is_error, Some(true), "{out:?}");
        bounded("close", client.cancel()).await.unwrap();
    });
}
