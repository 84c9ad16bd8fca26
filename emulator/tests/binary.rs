//! The `cspark-emulator` binary: prints `listening on …`, serves real results, exits on signal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary from the temporary directory, so nothing it serves can come from a path
/// relative to the checkout.
fn spawn(args: &[&str]) -> (Child, String, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cspark-emulator"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {line:?}"))
        .to_string();
    (Child(child), url, stderr)
}

#[tokio::test]
async fn binary_serves_workbooks_and_restricts_keys() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/workbooks");
    let (_child, url, _) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--workbooks",
        dir,
        "--api-key",
        "k1",
        "--tenant",
        "acme",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let client = reqwest::Client::new();
    let exec = format!("{url}/acme/api/v3/folders/demo/services/volume-cylinder/execute");
    let body = json!({"request_data": {"inputs": {"Radius": 2, "Height": 7}}});
    let res = client
        .post(&exec)
        .header("x-synthetic-key", "k1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let out: serde_json::Value = res.json().await.unwrap();
    let v = out["response_data"]["outputs"]["Volume"].as_f64().unwrap();
    assert!((v - std::f64::consts::PI * 4.0 * 7.0).abs() < 1e-9);
    let res = client
        .post(&exec)
        .header("x-synthetic-key", "other")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

#[cfg(unix)]
#[tokio::test]
async fn binary_reports_bad_workbooks_and_exits_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-bin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("f")).unwrap();
    std::fs::write(dir.join("f/broken.xlsx"), b"not a workbook").unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/workbooks/demo/volume-cylinder.xlsx"
        ),
        dir.join("f/vol.xlsx"),
    )
    .unwrap();
    let (mut child, url, mut stderr) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--workbooks",
        dir.to_str().unwrap(),
    ]);
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("broken.xlsx"), "{line}");
    let res = reqwest::Client::new()
        .post(format!(
            "{url}/my-tenant/api/v3/folders/f/services/vol/execute"
        ))
        .header("x-synthetic-key", "anything")
        .json(&json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let pid = child.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let exit = child.0.wait().unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn binary_applies_fault_file_and_oauth_clients() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("faults.json");
    std::fs::write(
        &plan,
        r#"{"seed": 1, "rules": [{"route": "*/execute", "script": [503]}]}"#,
    )
    .unwrap();
    // The demo workbooks come from the binary itself, not from a folder.
    let (_child, url, _) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--demo-workbooks",
        "--oauth-client",
        "app:secret",
        "--faults",
        plan.to_str().unwrap(),
    ]);
    let client = reqwest::Client::new();
    let res = client
        .post(format!(
            "{url}/auth/realms/my-tenant/protocol/openid-connect/token"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=app&client_secret=secret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let token: serde_json::Value = res.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let exec = format!("{url}/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute");
    let body = json!({"request_data": {"inputs": {"Radius": 1, "Height": 3}}});
    let first = client
        .post(&exec)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status().as_u16(), 503, "scripted fault first");
    let second = client
        .post(&exec)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status().as_u16(), 200);
    let out: serde_json::Value = second.json().await.unwrap();
    let v = out["response_data"]["outputs"]["Volume"].as_f64().unwrap();
    assert!((v - std::f64::consts::PI * 3.0).abs() < 1e-9);
    let keyed = client
        .post(&exec)
        .header("x-synthetic-key", "k")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        keyed.status().as_u16(),
        401,
        "API keys refused when only OAuth clients are set"
    );
    let counters: serde_json::Value = client
        .get(format!("{url}/_emulator/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["token_requests"], 1);
    assert_eq!(counters["faults_injected"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}
