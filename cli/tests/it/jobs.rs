//! The parity commands that move files and documents: transforms, logs rehydrate, export
//! and import jobs, wasm download, files download.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::common::{Env, code, json, ok};

const CYL: &str = "demo/volume-cylinder";

const DOC: &str = r#"{"transform_type": "JSONtransforms_v1.0.1", "target_api_version": "v3",
    "input_body_transform": "{\"inputs\": $}", "output_body_transform": "$"}"#;

#[test]
fn transforms_save_list_get_validate_delete() {
    let env = Env::start();
    let base = env.handle.base_url();
    // The document comes from standard input.
    let mut child = env
        .bare()
        .args([
            "--base-url",
            base.as_str(),
            "--token",
            "t",
            "transforms",
            "save",
            "-f",
            "demo",
            "-n",
            "wrap",
            "--file",
            "-",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(DOC.as_bytes())
        .unwrap();
    let saved = json(&child.wait_with_output().unwrap());
    assert!(saved.is_object(), "{saved}");

    let listed = json(&env.run_bearer(&["transforms", "list", "demo", "--json"]));
    assert!(listed.to_string().contains("wrap"), "{listed}");
    let got = json(&env.run_bearer(&["transforms", "get", "demo/wrap", "--json"]));
    assert!(got.to_string().contains("JSONtransforms_v1.0.1"), "{got}");
    let table = ok(&env.run_bearer(&["transforms", "get", "demo/wrap", "--format", "table"]));
    assert!(table.contains("JSONtransforms_v1.0.1"), "{table}");

    let valid = json(&env.run_bearer(&["transforms", "validate", "-d", DOC, "--json"]));
    assert!(valid.to_string().contains(r#""isValid":true"#), "{valid}");
    let invalid = json(&env.run_bearer(&[
        "transforms",
        "validate",
        "-d",
        r#"{"transform_type":"nope"}"#,
        "--json",
    ]));
    assert!(
        invalid.to_string().contains(r#""isValid":false"#),
        "{invalid}"
    );
    let out = env.run_bearer(&["transforms", "validate", "-d", "[1]"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON object"));
    let out = env.run_bearer(&["transforms", "get", "no-slash"]);
    assert_eq!(code(&out), 2);

    ok(&env.run_bearer(&["transforms", "delete", "demo/wrap", "--json"]));
    let out = env.run_bearer(&["transforms", "get", "demo/wrap", "--json"]);
    assert_eq!(
        code(&out),
        1,
        "deleted: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn logs_rehydrate_writes_the_workbook_once() {
    let env = Env::start();
    let all = json(&env.run(&[
        "services",
        "execute",
        CYL,
        "--show-all",
        "--json",
        "-i",
        r#"{"Radius":1,"Height":1}"#,
    ]));
    let call_id = all["response_meta"]["call_id"].as_str().unwrap().to_owned();
    let saved = json(&env.run_bearer(&[
        "logs",
        "rehydrate",
        CYL,
        "--call-id",
        &call_id,
        "-o",
        "call.xlsx",
        "--json",
    ]));
    assert_eq!(saved["file"], "call.xlsx");
    let bytes = std::fs::read(env.path("call.xlsx")).unwrap();
    assert_eq!(saved["bytes"].as_u64(), Some(bytes.len() as u64));
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    // Never replaced without --force.
    let out = env.run_bearer(&[
        "logs",
        "rehydrate",
        CYL,
        "--call-id",
        &call_id,
        "-o",
        "call.xlsx",
    ]);
    assert_eq!(code(&out), 1);
    ok(&env.run_bearer(&[
        "logs",
        "rehydrate",
        CYL,
        "--call-id",
        &call_id,
        "-o",
        "call.xlsx",
        "--force",
    ]));
}

#[test]
fn export_then_import_and_job_commands() {
    let env = Env::start();
    let saved = json(&env.run_bearer(&[
        "export",
        "run",
        "--service",
        CYL,
        "--file-filter",
        "migrate",
        "--version-filter",
        "latest",
        "--source-system",
        "cli-test",
        "--correlation-id",
        "corr-1",
        "-o",
        "pkg.zip",
        "--json",
    ]));
    assert_eq!(saved[0]["file"], "pkg.zip", "{saved}");
    assert!(
        std::fs::read(env.path("pkg.zip"))
            .unwrap()
            .starts_with(b"PK")
    );
    // Refuses to replace the package.
    let out = env.run_bearer(&["export", "run", "--service", CYL, "-o", "pkg.zip"]);
    assert_eq!(code(&out), 1);
    assert_eq!(code(&env.run_bearer(&["export", "run"])), 2);

    let described = json(&env.run_bearer(&["export", "describe", "--json"]));
    let text = described.to_string();
    let job = find_job(&described).unwrap_or_else(|| panic!("{text}"));
    let status = json(&env.run_bearer(&["export", "status", &job, "--json"]));
    // `closed`: the package was downloaded.
    assert_eq!(status["status"], "closed", "{status}");
    assert_eq!(status["id"], job.as_str(), "{status}");
    assert!(
        status["outputs"]["files"][0]["file"].is_string(),
        "{status}"
    );
    let table = ok(&env.run_bearer(&["export", "status", &job, "--format", "table"]));
    assert!(
        table.contains("closed") && table.contains("outputs"),
        "{table}"
    );
    // The job has finished: Spark reports it unchanged.
    let cancelled = json(&env.run_bearer(&["export", "cancel", &job, "--json"]));
    assert_eq!(cancelled["id"], job.as_str(), "{cancelled}");
    assert_eq!(cancelled["status"], "closed", "{cancelled}");
    let out = env.run_bearer(&["export", "cancel", "no-such-job"]);
    assert_eq!(code(&out), 1);

    let done = json(&env.run_bearer(&[
        "import",
        "run",
        "pkg.zip",
        "-d",
        &format!("{CYL}=demo/imported"),
        "--if-present",
        "add_version",
        "--json",
    ]));
    assert_eq!(done["status"], "closed", "{done}");
    assert_eq!(
        done["outputs"]["services"][0]["service_uri_destination"], "demo/imported",
        "{done}"
    );
    assert_eq!(done["outputs"]["services"][0]["status"], "added", "{done}");
    let out = json(&env.run(&[
        "services",
        "execute",
        "demo/imported",
        "--json",
        "-i",
        r#"{"Radius":1,"Height":1}"#,
    ]));
    assert!(
        (out["Volume"].as_f64().unwrap() - std::f64::consts::PI).abs() < 1e-6,
        "{out}"
    );

    let described = json(&env.run_bearer(&["import", "describe", "--json"]));
    let job = find_job(&described).unwrap_or_else(|| panic!("{described}"));
    let status = json(&env.run_bearer(&["import", "status", &job, "--json"]));
    assert_eq!(status["status"], "closed", "{status}");
    assert_eq!(status["id"], job.as_str(), "{status}");
}

/// The first job id of a describe answer.
fn find_job(described: &Value) -> Option<String> {
    let recent = ["recent_exports", "recent_imports"];
    let jobs = recent.iter().find_map(|k| described[*k].as_array())?;
    jobs.iter()
        .find_map(|j| j["id"].as_str().map(str::to_owned))
}

#[test]
fn wasm_and_files_download() {
    let env = Env::start();
    let saved = json(&env.run(&["wasm", "download", CYL, "-o", "cyl-wasm.zip", "--json"]));
    assert_eq!(saved["file"], "cyl-wasm.zip");
    let bytes = std::fs::read(env.path("cyl-wasm.zip")).unwrap();
    assert!(bytes.starts_with(b"PK"));
    assert_eq!(saved["bytes"].as_u64(), Some(bytes.len() as u64));
    let out = env.run(&["wasm", "download", CYL, "-o", "cyl-wasm.zip"]);
    assert_eq!(code(&out), 1, "never replaced without --force");
    let public = json(&env.run(&[
        "wasm",
        "download",
        CYL,
        "--public",
        "-o",
        "public.zip",
        "--json",
    ]));
    assert!(public["bytes"].as_u64().unwrap() > 0, "{public}");

    let latest = json(&env.run(&["services", "versions", CYL, "--latest", "--json"]));
    let id = latest["id"].as_str().unwrap();
    let origin = env.handle.base_url();
    let origin = origin
        .rsplit_once('/')
        .map_or(origin.as_str(), |(o, _)| o)
        .to_owned();
    let url = format!("{origin}/_emulator/files/{id}");
    let saved = json(&env.run(&["files", "download", &url, "-o", "wb.xlsx", "--json"]));
    assert_eq!(saved["file"], "wb.xlsx");
    assert!(
        std::fs::read(env.path("wb.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    // Default name: the server's, as a plain name in the current directory.
    let table = ok(&env.run(&["files", "download", &url]));
    assert!(
        table.starts_with("KEY") && table.contains("bytes"),
        "{table}"
    );
}
