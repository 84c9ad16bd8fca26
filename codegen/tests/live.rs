//! `fetch` and `diff --live` through the binary, against the emulator on a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
