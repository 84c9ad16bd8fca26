//! `cspark::mcp` (feature `mcp`) over real streamable HTTP against the in-process emulator's
//! `/{tenant}/mcp`: each of the twelve tools with computed values checked by hand, bad
//! input as typed errors (never a panic or a hang), the API key refused before anything
//! is sent, and no token in errors or `Debug`.
#![cfg(feature = "mcp")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::f64::consts::PI;
use std::time::{Duration, Instant};

use cspark::Auth;
use cspark::mcp::{
    CompareServiceVersionsArgs, CompareTestbedResultsArgs, DownloadApiHistoryArgs,
    DownloadTestbedResultArgs, DownloadTestbedTemplateArgs, ExecuteV3Args, GenerateSnippetArgs,
    ListTestbedResultsArgs, ListTestbedsArgs, McpClient, McpError, RunStatusTestbedArgs,
    RunTestbedArgs, ServiceInfoArgs, ToolOutput, names,
};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{Map, Value, json};

const CLIENT_ID: &str = "mcp-client";
const CLIENT_SECRET: &str = "mcp-client-secret-value";

/// An emulator that accepts only tokens it issued to `CLIENT_ID`.
async fn restricted_emulator() -> EmulatorHandle {
    Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_oauth_client(CLIENT_ID, CLIENT_SECRET),
    )
    .await
    .expect("emulator starts")
}

async fn connect(emu: &EmulatorHandle) -> McpClient {
    McpClient::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .oauth(CLIENT_ID, CLIENT_SECRET)
        .timeout(Duration::from_secs(20))
        .connect()
        .await
        .expect("MCP session starts")
}

fn json(out: ToolOutput) -> Value {
    match out {
        ToolOutput::Json(v) => v,
        other => panic!("expected JSON, got {other:?}"),
    }
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

fn names_of(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| {
            x.as_str()
                .or_else(|| x["name"].as_str())
                .expect("a name")
                .to_owned()
        })
        .collect()
}

fn cylinder_volume(radius: f64, height: f64) -> f64 {
    PI * radius * radius * height
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[tokio::test]
async fn every_tool_runs_over_streamable_http_with_computed_values() {
    let emu = restricted_emulator().await;
    let mcp = connect(&emu).await;
    assert_eq!(mcp.endpoint(), format!("{}/mcp", emu.base_url()));

    // tools/list: the twelve tools of Coherent's server, with argument schemas.
    let tools = mcp.list_tools().await.unwrap();
    for name in names::ALL {
        let tool = tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(tool.input_schema["type"], "object", "{name}");
    }
    let execute_schema = &tools
        .iter()
        .find(|t| t.name == names::EXECUTE_V3)
        .unwrap()
        .input_schema;
    assert_eq!(names_of(&execute_schema["required"]), ["folder", "service"]);

    // spark_execute_v3: volume = pi r^2 h.
    let (radius, height) = (2.5, 3.0);
    let mut args = ExecuteV3Args::new("demo", "volume-cylinder");
    args.request_payload = Some(json!({"Radius": radius, "Height": height}));
    args.call_purpose = Some("mcp-test".into());
    let executed = mcp.execute_v3(&args).await.unwrap();
    let volume = executed.outputs()["Volume"].as_f64().unwrap();
    assert!(close(volume, cylinder_volume(radius, height)), "{volume}");
    let call_id = executed.response_meta.call_id.clone().expect("call id");
    // The full v3 body works too.
    args.request_payload =
        Some(json!({"request_data": {"inputs": {"Radius": 1.0, "Height": 10.0}}}));
    let second = mcp.execute_v3(&args).await.unwrap();
    assert!(close(
        second.outputs()["Volume"].as_f64().unwrap(),
        cylinder_volume(1.0, 10.0)
    ));

    // spark_service_info: from the workbook.
    let info = json(
        mcp.service_info(&ServiceInfoArgs::new("demo", "volume-cylinder"))
            .await
            .unwrap(),
    );
    let mut inputs = names_of(&info["inputs"]);
    inputs.sort();
    assert_eq!(inputs, ["Height", "Radius"]);
    assert!(names_of(&info["outputs"]).contains(&"Volume".to_owned()));
    assert_eq!(info["inputs"][0]["type"], "number");
    assert_eq!(
        info["version_id"],
        executed.response_meta.version_id.clone().unwrap()
    );

    // spark_generate_snippet: Rust with the generated bindings; Python minimal.
    let snippet = json(
        mcp.generate_snippet(&GenerateSnippetArgs::new("demo", "volume-cylinder"))
            .await
            .unwrap(),
    );
    let code = snippet["snippet"].as_str().unwrap();
    assert!(
        code.contains("use spark::demo_volume_cylinder::Inputs;"),
        "{code}"
    );
    assert!(code.contains("client.execute_typed(&inputs)"), "{code}");
    assert!(
        code.contains("radius: 7.0") && code.contains("height: 4.0"),
        "{code}"
    );
    let mut python = GenerateSnippetArgs::new("demo", "volume-cylinder");
    python.language_code = Some("python".into());
    let python = json(mcp.generate_snippet(&python).await.unwrap());
    assert!(
        python["snippet"]
            .as_str()
            .unwrap()
            .contains("services.execute('demo/volume-cylinder'")
    );

    // spark_download_api_history: the two calls above, with their inputs and outputs.
    let mut history = DownloadApiHistoryArgs::new("demo", "volume-cylinder");
    history.call_purpose = Some("mcp-test".into());
    let history = json(mcp.download_api_history(&history).await.unwrap());
    assert_eq!(history["count"], 2, "{history}");
    let first = history["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["call_id"] == call_id.as_str())
        .expect("the first call is in the history");
    assert!(close(first["outputs"]["Volume"].as_f64().unwrap(), volume));
    assert_eq!(first["inputs"]["Radius"], radius);
    let csv = history["csv"].as_str().unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // The same download again by job id.
    let mut again = DownloadApiHistoryArgs::new("demo", "volume-cylinder");
    again.job_id = history["job_id"].as_str().map(str::to_owned);
    assert_eq!(
        json(mcp.download_api_history(&again).await.unwrap())["count"],
        2
    );

    // Testbeds on a service of its own: lab/cylinder, first the cylinder workbook.
    let cylinder = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    let v1 = emu
        .publish_workbook(
            "lab",
            "cylinder",
            cylinder.file_name,
            cylinder.bytes.to_vec(),
            "major",
        )
        .unwrap();

    let template = json(
        mcp.download_testbed_template(&DownloadTestbedTemplateArgs::new("lab", "cylinder"))
            .await
            .unwrap(),
    );
    let columns = names_of(&template["columns"]);
    for column in ["inputs.Radius", "inputs.Height", "expected.Volume"] {
        assert!(columns.contains(&column.to_owned()), "{columns:?}");
    }

    let cases = [(1.0, 1.0), (2.0, 5.0), (0.5, 8.0)];
    let mut rows: Vec<Value> = cases
        .iter()
        .map(|(r, h)| json!({"inputs": {"Radius": r, "Height": h}, "expected": {"Volume": cylinder_volume(*r, *h)}}))
        .collect();
    rows[2]["expected"]["Volume"] = json!(1.0); // a case that must fail
    let mut upload = Map::new();
    upload.insert("folder".into(), json!("lab"));
    upload.insert("service".into(), json!("cylinder"));
    upload.insert("testbed".into(), json!("volumes"));
    upload.insert("cases".into(), Value::Array(rows));
    mcp.call_tool("emulator_upload_testbed", upload)
        .await
        .unwrap();

    let listed = json(
        mcp.list_testbeds(&ListTestbedsArgs::new("lab", "cylinder"))
            .await
            .unwrap(),
    );
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["testbeds"][0]["name"], "volumes");
    assert_eq!(listed["testbeds"][0]["cases"], 3);

    let mut run = RunTestbedArgs::new("lab", "cylinder", "volumes");
    run.version_id = Some(v1.clone());
    run.testbed_result = Some("on-v1".into());
    let run_1 = json(mcp.run_testbed(&run).await.unwrap());
    assert_eq!(
        run_1["summary"],
        json!({"cases": 3, "passed": 2, "failed": 1})
    );
    let run_id = run_1["run_id"].as_str().unwrap().to_owned();

    let mut status = RunStatusTestbedArgs::new(run_id.clone(), "volumes");
    status.wait_for_complete = Some(true);
    let status = json(mcp.run_status_testbed(&status).await.unwrap());
    assert_eq!(status["status"], "Completed");
    assert_eq!(status["testbed_result"], "on-v1");

    let result = json(
        mcp.download_testbed_result(&DownloadTestbedResultArgs::new(
            "lab", "cylinder", "volumes", "on-v1",
        ))
        .await
        .unwrap(),
    );
    let case_1 = &result["cases"][1];
    assert!(close(
        case_1["actual"]["Volume"].as_f64().unwrap(),
        cylinder_volume(2.0, 5.0)
    ));
    assert_eq!(case_1["passed"], true);
    assert_eq!(result["cases"][2]["mismatches"][0]["output"], "Volume");
    assert_eq!(result["csv"].as_str().unwrap().lines().count(), 4);

    // A second version with other fields (the loan workbook): compare versions and runs.
    let loan = cspark_emulator::demo::workbook("demo", "loan-calc").unwrap();
    emu.publish_workbook(
        "lab",
        "cylinder",
        loan.file_name,
        loan.bytes.to_vec(),
        "major",
    )
    .unwrap();
    let diff = json(
        mcp.compare_service_versions(&CompareServiceVersionsArgs::new("lab", "cylinder"))
            .await
            .unwrap(),
    );
    assert_eq!(diff["version_1"]["version_id"], v1.as_str());
    let removed = names_of(&diff["inputs"]["removed"]);
    assert!(removed.contains(&"Radius".to_owned()) && removed.contains(&"Height".to_owned()));
    assert!(names_of(&diff["outputs"]["removed"]).contains(&"Volume".to_owned()));
    let loan_info = json(
        mcp.service_info(&ServiceInfoArgs::new("demo", "loan-calc"))
            .await
            .unwrap(),
    );
    let mut added = names_of(&diff["inputs"]["added"]);
    let mut loan_inputs = names_of(&loan_info["inputs"]);
    added.retain(|n| !n.contains('.'));
    loan_inputs.retain(|n| n != "Radius" && n != "Height");
    added.sort();
    loan_inputs.sort();
    assert_eq!(added, loan_inputs);
    assert_eq!(diff["breaking"], true);

    let mut run_latest = RunTestbedArgs::new("lab", "cylinder", "volumes");
    run_latest.testbed_result = Some("on-latest".into());
    json(mcp.run_testbed(&run_latest).await.unwrap());
    let results = json(
        mcp.list_testbed_results(&ListTestbedResultsArgs::new("lab", "cylinder", "volumes"))
            .await
            .unwrap(),
    );
    assert_eq!(results["count"], 2);
    let compared = json(
        mcp.compare_testbed_results(&CompareTestbedResultsArgs::new(
            "lab",
            "cylinder",
            "volumes",
            "on-v1",
            "on-latest",
        ))
        .await
        .unwrap(),
    );
    assert_eq!(compared["cases_compared"], 3);
    assert_eq!(
        compared["cases_changed"], 3,
        "the loan workbook has no Volume"
    );
    let change = &compared["changes"][0]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["output"] == "Volume")
        .cloned()
        .expect("Volume differs");
    assert!(close(
        change["result_1"].as_f64().unwrap(),
        cylinder_volume(1.0, 1.0)
    ));
    assert_eq!(change["result_2"], Value::Null);

    mcp.close().await;
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_a_typed_error_never_a_panic_or_a_hang() {
    let emu = restricted_emulator().await;
    let mcp = connect(&emu).await;
    let started = Instant::now();

    let unknown = mcp.call_tool("spark_no_such_tool", Map::new()).await;
    assert!(
        matches!(&unknown, Err(McpError::Rpc { code: -32602, message, .. }) if message.contains("spark_no_such_tool")),
        "{unknown:?}"
    );

    let wrong_type = mcp
        .call_tool(
            "spark_service_info",
            object(json!({"folder": 7, "service": "volume-cylinder"})),
        )
        .await;
    assert!(
        matches!(&wrong_type, Err(McpError::Rpc { code: -32602, message, .. })
            if message.contains("\"folder\"") && message.contains("string")),
        "{wrong_type:?}"
    );

    let missing = mcp
        .call_tool(
            "spark_run_testbed",
            object(json!({"folder": "demo", "service": "volume-cylinder"})),
        )
        .await;
    assert!(
        matches!(&missing, Err(McpError::Rpc { message, .. }) if message.contains("\"testbed\"")),
        "{missing:?}"
    );

    let unknown_argument = mcp
        .call_tool(
            "spark_service_info",
            object(json!({"folder": "demo", "service": "volume-cylinder", "versoin": "1"})),
        )
        .await;
    assert!(
        matches!(&unknown_argument, Err(McpError::Rpc { message, .. }) if message.contains("versoin"))
    );

    let no_service = mcp
        .service_info(&ServiceInfoArgs::new("demo", "no-such-service"))
        .await;
    assert!(
        matches!(&no_service, Err(McpError::Tool { tool, message, .. })
            if tool == "spark_service_info" && message.contains("demo/no-such-service")),
        "{no_service:?}"
    );

    let not_an_object = mcp.call_tool_with("spark_service_info", &[1, 2]).await;
    assert!(matches!(
        not_an_object,
        Err(McpError::InvalidArguments { .. })
    ));

    // The session still works after all of that.
    let info = mcp
        .service_info(&ServiceInfoArgs::new("demo", "volume-cylinder"))
        .await;
    assert!(info.is_ok(), "{info:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_api_key_is_refused_before_anything_is_sent_and_cspark_api_key_is_not_read() {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    emu.reset_counters();
    let refused = McpClient::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::api_key("my-api-key"))
        .connect()
        .await;
    assert!(
        matches!(refused, Err(McpError::ApiKeyNotSupported)),
        "{refused:?}"
    );
    let message = McpError::ApiKeyNotSupported.to_string();
    assert!(
        message.contains("bearer token") && message.contains("OAuth2"),
        "{message}"
    );
    assert_eq!(emu.counters().total_requests, 0, "nothing was sent");

    // CSPARK_API_KEY alone: no credentials (it is not read).
    let only_key = McpClient::builder()
        .env_lookup(|name| (name == "CSPARK_API_KEY").then(|| "key-from-env".to_owned()))
        .base_url(emu.base_url())
        .connect()
        .await;
    assert!(
        matches!(&only_key, Err(McpError::Spark(e)) if e.to_string().contains("credentials")),
        "{only_key:?}"
    );

    // CSPARK_API_KEY next to CSPARK_BEARER_TOKEN: the bearer token is used.
    let mcp = McpClient::builder()
        .env_lookup(|name| match name {
            "CSPARK_API_KEY" => Some("key-from-env".to_owned()),
            "CSPARK_BEARER_TOKEN" => Some("token-from-env".to_owned()),
            _ => None,
        })
        .base_url(emu.base_url())
        .connect()
        .await
        .expect("the bearer token from the environment is used");
    assert!(mcp.list_tools().await.unwrap().len() >= 12);

    // The emulator's endpoint itself refuses API keys, as Coherent's (403).
    let raw = reqwest::Client::new()
        .post(format!("{}/mcp", emu.base_url()))
        .header("x-synthetic-key", "my-api-key")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 403);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_rejected_token_never_shows_in_errors_or_debug() {
    let emu = restricted_emulator().await;
    let token = "not-issued-token-5f1e2d";
    let rejected = McpClient::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .bearer(token)
        .timeout(Duration::from_secs(10))
        .connect()
        .await;
    let err = rejected.expect_err("an unknown token is rejected");
    assert!(matches!(err, McpError::Connect { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(token), "{shown}");

    // A bad OAuth secret: a typed auth error naming the client, not the secret.
    let bad_secret = McpClient::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .oauth(CLIENT_ID, "wrong-secret-4c3b")
        .connect()
        .await
        .expect_err("bad secret");
    let shown = format!("{bad_secret} {bad_secret:?}");
    assert!(matches!(bad_secret, McpError::Spark(_)), "{shown}");
    assert!(
        shown.contains(CLIENT_ID) && !shown.contains("wrong-secret-4c3b"),
        "{shown}"
    );

    let mcp = connect(&emu).await;
    assert!(
        !format!("{mcp:?}").contains("eyJ"),
        "no access token in Debug"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let result = McpClient::builder()
        .env_lookup(|_| None)
        .base_url(format!("http://{addr}/my-tenant"))
        .bearer("token")
        .timeout(Duration::from_millis(400))
        .connect()
        .await;
    assert!(
        matches!(result, Err(McpError::Timeout { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    server.abort();
}

/// The blocking twin, with the emulator served by its own runtime's worker thread.
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_twin_runs_tools_and_reports_typed_errors() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = runtime
        .block_on(Emulator::start(
            EmulatorConfig::default().with_demo_workbooks(),
        ))
        .unwrap();
    let mcp = cspark::blocking::McpClient::connect(
        McpClient::builder()
            .env_lookup(|_| None)
            .base_url(emu.base_url())
            .bearer("any-token")
            .timeout(Duration::from_secs(20)),
    )
    .unwrap();
    assert!(mcp.list_tools().unwrap().len() >= 12);
    let mut args = ExecuteV3Args::new("demo", "volume-cylinder");
    args.request_payload = Some(json!({"Radius": 3.0, "Height": 2.0}));
    let out = mcp.execute_v3(&args).unwrap();
    assert!(close(
        out.outputs()["Volume"].as_f64().unwrap(),
        cylinder_volume(3.0, 2.0)
    ));
    let info = mcp
        .service_info(&ServiceInfoArgs::new("demo", "volume-cylinder"))
        .unwrap();
    assert!(info.json().is_some());
    let unknown = mcp.call_tool("nope", Map::new());
    assert!(
        matches!(unknown, Err(McpError::Rpc { code: -32602, .. })),
        "{unknown:?}"
    );
    mcp.close().unwrap();

    let refused = cspark::blocking::McpClient::connect(
        McpClient::builder()
            .env_lookup(|_| None)
            .base_url(emu.base_url())
            .auth(Auth::api_key("k")),
    );
    assert!(matches!(refused, Err(McpError::ApiKeyNotSupported)));
    drop(emu);
}

/// Every async method of `cspark::mcp::McpClient` has a blocking twin.
#[cfg(feature = "blocking")]
#[test]
fn every_async_mcp_method_has_a_blocking_twin() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let blocking = std::fs::read_to_string(src.join("blocking/mcp.rs")).unwrap();
    let mut checked = 0;
    for file in ["mcp/mod.rs", "mcp/tools.rs"] {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("pub async fn ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name == "connect_with" || name == "connect" {
                continue; // `blocking::McpClient::connect` takes the builder
            }
            let twin = [
                format!("pub fn {name}("),
                format!("pub fn {name}<"),
                format!("{name}(asynch::"),
            ]
            .iter()
            .any(|needle| blocking.contains(needle.as_str()));
            assert!(twin, "no blocking twin for McpClient::{name}");
            checked += 1;
        }
    }
    assert!(checked >= 15, "parsed too few methods: {checked}");
}

#[tokio::test]
async fn the_session_start_is_retried_after_a_503_and_gives_up_when_told() {
    use cspark_emulator::FaultPlan;
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let plan = |script: &str| {
        FaultPlan::from_json(&format!(
            r#"{{"rules": [{{"route": "*/mcp", "method": "POST", "script": {script}}}]}}"#
        ))
        .unwrap()
    };
    let builder = || {
        McpClient::builder()
            .env_lookup(|_| None)
            .base_url(emu.base_url())
            .bearer("any-token")
            .retry_interval(Duration::from_millis(10))
    };

    emu.set_faults(plan("[503]"));
    emu.reset_counters();
    let mcp = builder()
        .connect()
        .await
        .expect("the second attempt succeeds");
    assert!(mcp.list_tools().await.unwrap().len() >= 12);
    assert_eq!(emu.counters().faults_injected, 1);

    emu.set_faults(plan("[503, 503, 503]"));
    let failed = builder().max_retries(1).connect().await;
    assert!(
        matches!(&failed, Err(McpError::Connect { reason, .. }) if reason.contains("503") && reason.contains("2 attempt(s)")),
        "{failed:?}"
    );

    // A refusal is final at once: a 401 is not retried.
    emu.set_faults(plan("[401, 401, 401]"));
    emu.reset_counters();
    let refused = builder().max_retries(2).connect().await;
    assert!(
        matches!(refused, Err(McpError::Connect { .. })),
        "{refused:?}"
    );
    assert_eq!(emu.counters().faults_injected, 1);
    emu.shutdown().await;
}
