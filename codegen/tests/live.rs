//! `fetch` and `diff --live` through the binary, against the emulator on a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use cspark_emulator::{Emulator, EmulatorConfig};

fn codegen(args: &[&str], base_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cspark-codegen"))
        .args(args)
        .args(["--base-url", base_url])
        .env("CSPARK_API_KEY", "live-test-key")
        .env_remove("CSPARK_BEARER_TOKEN")
        .env_remove("CSPARK_CLIENT_ID")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn fetch_then_diff_live_detects_drift() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("live-test-key"),
    )
    .await
    .unwrap();
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("spark");
    let out_str = out.to_str().unwrap();

    let fetched = codegen(
        &[
            "fetch",
            "--service",
            "demo/volume-cylinder",
            "--service",
            "demo/loan-calc[0.1]",
            "--out",
            out_str,
        ],
        &base,
    );
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    for f in [
        "volume-cylinder.swagger.json",
        "volume-cylinder.schema.json",
        "loan-calc.swagger.json",
    ] {
        assert!(out.join("demo").join(f).is_file(), "{f} written");
    }
    let lock = std::fs::read_to_string(out.join("cspark.lock")).unwrap();
    assert!(lock.contains("\"version\": \"0.1.0\""), "{lock}");

    // Nothing changed on the tenant: no drift, exit 0.
    let same = codegen(&["diff", out_str, "--live"], &base);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );

    // Pretend the committed documents came from a version whose input was called
    // `RadiusOld`: the live service no longer has it.
    for doc in [
        "volume-cylinder.swagger.json",
        "volume-cylinder.schema.json",
    ] {
        let path = out.join("demo").join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replace("\"Radius\"", "\"RadiusOld\"");
        assert_ne!(text, edited, "{doc} names the input");
        std::fs::write(&path, edited).unwrap();
    }
    let relock = Command::new(env!("CARGO_BIN_EXE_cspark-codegen"))
        .args(["lock", out_str])
        .output()
        .unwrap();
    assert!(relock.status.success());
    let drift = codegen(&["diff", out_str, "--live"], &base);
    let report = String::from_utf8_lossy(&drift.stdout);
    assert_eq!(drift.status.code(), Some(1), "{report}");
    assert!(report.contains("volume-cylinder"), "{report}");

    // A version the tenant does not have is a clear error (exit 2) naming it.
    let missing = codegen(
        &[
            "fetch",
            "--service",
            "demo/volume-cylinder[9]",
            "--out",
            out_str,
        ],
        &base,
    );
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("\"9\"") && err.contains("0.1.0"), "{err}");

    // A wrong key: exit 2 with a 401 and without the key in the message.
    let denied = Command::new(env!("CARGO_BIN_EXE_cspark-codegen"))
        .args([
            "fetch",
            "--service",
            "demo/volume-cylinder",
            "--out",
            out_str,
            "--base-url",
            &base,
        ])
        .env("CSPARK_API_KEY", "not-the-key")
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(2));
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(err.contains("401") && !err.contains("not-the-key"), "{err}");
    emu.shutdown().await;
}

/// Removes output `name` from the committed documents of `service` (schema cell and swagger
/// property), as if it had been added on the tenant since.
fn drop_output(dir: &std::path::Path, service: &str, name: &str) {
    let schema_path = dir.join(format!("{service}.schema.json"));
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let body = if schema.get("xOutput").is_some() {
        &mut schema
    } else {
        &mut schema["data"]
    };
    let cells = body["xOutput"].as_array_mut().unwrap();
    let before = cells.len();
    cells.retain(|c| c["name"] != name);
    assert_eq!(cells.len() + 1, before, "{name} in the schema");
    std::fs::write(&schema_path, serde_json::to_vec(&schema).unwrap()).unwrap();

    let swagger_path = dir.join(format!("{service}.swagger.json"));
    let text = std::fs::read_to_string(&swagger_path).unwrap();
    let mut swagger: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut removed = false;
    for path in swagger["paths"].as_object_mut().unwrap().values_mut() {
        let outputs = path
            .pointer_mut(
                "/post/responses/200/schema/properties/response_data/properties/outputs/properties",
            )
            .and_then(serde_json::Value::as_object_mut);
        if let Some(outputs) = outputs {
            removed |= outputs.remove(name).is_some();
        }
    }
    assert!(removed, "{name} in the swagger");
    std::fs::write(&swagger_path, serde_json::to_vec(&swagger).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_live_formats_classify_breaking_and_additive_changes() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("live-test-key"),
    )
    .await
    .unwrap();
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("spark");
    let out_str = out.to_str().unwrap();
    let fetched = codegen(
        &[
            "fetch",
            "--service",
            "demo/volume-cylinder",
            "--service",
            "demo/loan-calc",
            "--out",
            out_str,
        ],
        &base,
    );
    assert!(fetched.status.success());

    // No drift: exit 0 in every format, and the JSON says so.
    let same = codegen(&["diff", out_str, "--live", "--report", "json"], &base);
    assert_eq!(same.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(report["drift"], false, "{report}");
    assert_eq!(report["services"].as_array().unwrap().len(), 2);
    let same = codegen(&["diff", out_str, "--live", "--report", "markdown"], &base);
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("No drift"));

    // The committed volume-cylinder called its input `RadiusOld` (removed on the tenant:
    // breaking; the tenant's `Radius` has a workbook value: additive) and lacked the output
    // `SurfaceArea` (added on the tenant: additive). loan-calc is unchanged.
    let demo = out.join("demo");
    for doc in [
        "volume-cylinder.swagger.json",
        "volume-cylinder.schema.json",
    ] {
        let path = demo.join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"Radius\"", "\"RadiusOld\"")).unwrap();
    }
    drop_output(&demo, "volume-cylinder", "SurfaceArea");
    let relock = Command::new(env!("CARGO_BIN_EXE_cspark-codegen"))
        .args(["lock", out_str])
        .output()
        .unwrap();
    assert!(relock.status.success());

    let json_run = codegen(&["diff", out_str, "--live", "--report", "json"], &base);
    assert_eq!(json_run.status.code(), Some(1), "drift keeps exit status 1");
    let report: serde_json::Value = serde_json::from_slice(&json_run.stdout).unwrap();
    assert_eq!(report["drift"], true);
    assert_eq!(report["breaking"], 1, "{report}");
    assert_eq!(report["additive"], 2, "{report}");
    let services = report["services"].as_array().unwrap();
    let service = |name: &str| {
        services
            .iter()
            .find(|s| s["service"] == name)
            .unwrap_or_else(|| panic!("{name} in {report}"))
    };
    assert_eq!(service("demo/loan-calc")["status"], "unchanged");
    let cylinder = service("demo/volume-cylinder");
    assert_eq!(cylinder["severity"], "breaking");
    let changes = cylinder["changes"].as_array().unwrap();
    let change = |field: &str| {
        changes
            .iter()
            .find(|c| c["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {cylinder}"))
    };
    let removed = change("RadiusOld");
    assert_eq!(
        (&removed["side"], &removed["change"], &removed["severity"]),
        (&"input".into(), &"removed".into(), &"breaking".into())
    );
    let added = change("Radius");
    assert_eq!(
        (&added["change"], &added["severity"]),
        (&"added".into(), &"additive".into())
    );
    assert!(added["reason"].as_str().unwrap().contains("workbook value"));
    let output = change("SurfaceArea");
    assert_eq!(
        (&output["side"], &output["severity"]),
        (&"output".into(), &"additive".into())
    );

    let md_run = codegen(&["diff", out_str, "--live", "--report", "markdown"], &base);
    assert_eq!(md_run.status.code(), Some(1));
    let md = String::from_utf8_lossy(&md_run.stdout);
    assert!(md.starts_with("## Spark service drift"), "{md}");
    assert!(
        md.contains("**Breaking**: 1 breaking and 2 additive change(s) in 1 of 2 service(s)"),
        "{md}"
    );
    assert!(
        md.contains("### `demo/volume-cylinder`: **breaking**"),
        "{md}"
    );
    assert!(
        md.contains("| **breaking** | input | `RadiusOld` | removed |"),
        "{md}"
    );
    assert!(
        md.contains("| additive | input | `Radius` | added |"),
        "{md}"
    );
    assert!(
        md.contains("| additive | output | `SurfaceArea` | added |"),
        "{md}"
    );
    assert!(
        !md.contains("demo/loan-calc"),
        "unchanged services are not listed: {md}"
    );
    emu.shutdown().await;
}
