//! The commands added for parity with the Python CLI 0.2.0: services search | exists |
//! versions --latest | recompile | create flags, folders update | exists, health ok,
//! `--format`, inputs from standard input.

use std::io::Write;
use std::process::Stdio;

use crate::common::{Env, code, json, ok};
use crate::hostile::{http_response, raw_server};

const CYL: &str = "demo/volume-cylinder";

#[test]
fn services_search_exists_and_latest_version() {
    let env = Env::start();
    let found = json(&env.run(&["services", "search", "--term", "foldername=demo", "--json"]));
    let names: Vec<&str> = found
        .as_array()
        .unwrap_or_else(|| panic!("{found}"))
        .iter()
        .filter_map(|s| s["fileName"].as_str())
        .collect();
    assert!(names.contains(&"volume-cylinder"), "{found}");
    let table = ok(&env.run(&[
        "services",
        "search",
        "--term",
        "foldername=demo",
        "--format",
        "table",
    ]));
    let header = table.lines().next().unwrap_or_default();
    assert!(header.contains("fileName"), "{table}");
    assert!(table.contains("volume-cylinder"), "{table}");
    let all = json(&env.run(&["services", "search", "--show-all", "--json"]));
    assert!(all["response_data"].is_array(), "{all}");

    assert_eq!(ok(&env.run(&["services", "exists", CYL])), "true\n");
    assert_eq!(
        ok(&env.run(&["services", "exists", "demo/no-such"])),
        "false\n"
    );
    let answer = json(&env.run(&["services", "exists", CYL, "--format", "json"]));
    assert_eq!(answer, serde_json::json!({"service": CYL, "exists": true}));

    let all = json(&env.run(&["services", "versions", CYL, "--json"]));
    let latest = json(&env.run(&["services", "version", CYL, "--latest", "--json"]));
    assert!(latest.is_object(), "{latest}");
    assert_eq!(latest["id"], all[0]["id"], "{latest} / {all}");
    let table = ok(&env.run(&["services", "version", CYL, "--latest"]));
    assert!(table.starts_with("KEY"), "{table}");
    assert!(table.contains(all[0]["id"].as_str().unwrap()), "{table}");
}

#[test]
fn services_create_with_release_fields_then_recompile() {
    let env = Env::start();
    ok(&env.run(&["services", "download", CYL, "-o", "cyl.xlsx"]));
    let created = json(&env.run(&[
        "services",
        "create",
        "demo/cyl-released",
        "--file",
        "cyl.xlsx",
        "--versioning",
        "minor",
        "--label",
        "first cut",
        "--release-notes",
        "from the CLI",
        "--tag",
        "alpha",
        "--tag",
        "beta",
        "--start-date",
        "2026-01-01",
        "--end-date",
        "2027-01-01",
        "--json",
    ]));
    let version_id = created["version_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let latest = json(&env.run(&[
        "services",
        "versions",
        "demo/cyl-released",
        "--latest",
        "--json",
    ]));
    assert_eq!(latest["id"], version_id.as_str(), "{latest}");
    assert_eq!(latest["versionLabel"], "first cut", "{latest}");
    assert_eq!(latest["releaseNote"], "from the CLI", "{latest}");
    assert!(latest["tags"].to_string().contains("alpha"), "{latest}");
    assert!(latest["tags"].to_string().contains("beta"), "{latest}");

    let started = json(&env.run(&[
        "services",
        "recompile",
        "demo/cyl-released",
        "--upgrade",
        "major",
        "--label",
        "again",
        "--wait",
        "--json",
    ]));
    assert!(
        started["recompile"]["response_data"]["jobId"].is_string(),
        "{started}"
    );
    assert_eq!(
        started["recompile"]["response_data"]["revision"], "1.0.0",
        "{started}"
    );
    assert_eq!(
        started["compilation"]["response_data"]["progress"], 100,
        "{started}"
    );
    let versions = json(&env.run(&["services", "versions", "demo/cyl-released", "--json"]));
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");

    // A bad bump is a usage error naming the choices.
    let out = env.run(&[
        "services",
        "recompile",
        "demo/cyl-released",
        "--upgrade",
        "huge",
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("major"));
}

#[test]
fn folders_create_update_exists() {
    let env = Env::start();
    let created = json(&env.run_bearer(&[
        "folders",
        "create",
        "cli-parity",
        "--description",
        "first",
        "--category",
        "Other",
        "--json",
    ]));
    assert_eq!(
        ok(&env.run_bearer(&["folders", "exists", "cli-parity"])),
        "true\n",
        "{created}"
    );
    assert_eq!(
        ok(&env.run_bearer(&["folders", "exists", "cli-nothing"])),
        "false\n"
    );
    let listed = json(&env.run_bearer(&["folders", "list", "--name", "cli-parity", "--json"]));
    let id = listed[0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{listed}"))
        .to_owned();
    let updated = json(&env.run_bearer(&[
        "folders",
        "update",
        &id,
        "--description",
        "second",
        "--json",
    ]));
    assert!(updated.is_object(), "{updated}");
    let out = env.run_bearer(&["folders", "update", &id]);
    assert_eq!(code(&out), 2, "an update with no field is refused");
    let answer = json(&env.run_bearer(&["folders", "exists", "cli-parity", "--json"]));
    assert_eq!(answer["exists"], true);
}

#[test]
fn health_check_and_ok() {
    let env = Env::start();
    let table = ok(&env.run(&["health"]));
    assert!(table.starts_with("KEY") && table.contains("UP"), "{table}");
    assert_eq!(
        json(&env.run(&["health", "check", "--format", "json"])),
        serde_json::json!({"status": "UP"})
    );
    assert_eq!(ok(&env.run(&["health", "ok"])), "true\n");
    assert_eq!(
        json(&env.run(&["health", "ok", "--json"])),
        serde_json::json!({"ok": true})
    );

    // A platform that answers DOWN: `health ok` prints false and exits 1.
    let (base, _) = raw_server(http_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        br#"{"status":"DOWN"}"#,
    ));
    let out = env
        .bare()
        .args(["--base-url", &base, "--api-key", "k", "health", "ok"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "false\n");
}

#[test]
fn inputs_from_standard_input_and_format_flag() {
    let env = Env::start();
    let base = env.handle.base_url();
    let mut child = env
        .bare()
        .args([
            "--base-url",
            base.as_str(),
            "--api-key",
            "k",
            "services",
            "execute",
            CYL,
            "-i",
            "-",
            "--format",
            "json",
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
        .write_all(br#"{"Radius": 1, "Height": 2}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let answer = json(&out);
    let v = answer["Volume"]
        .as_f64()
        .unwrap_or_else(|| panic!("{answer}"));
    assert!((v - 2.0 * std::f64::consts::PI).abs() < 1e-6, "{answer}");
    // --format table wins over --json.
    let table = ok(&env.run(&[
        "services",
        "execute",
        CYL,
        "-i",
        r#"{"Radius":1,"Height":1}"#,
        "--json",
        "--format",
        "table",
    ]));
    assert!(
        table.starts_with("KEY") && table.contains("Volume"),
        "{table}"
    );
}

#[test]
fn swagger_download_and_logs_filters() {
    let env = Env::start();
    let latest = json(&env.run(&["services", "versions", CYL, "--latest", "--json"]));
    let id = latest["id"].as_str().unwrap().to_owned();

    let printed = json(&env.run(&["services", "swagger", CYL, "--version-id", &id, "--json"]));
    let saved = json(&env.run(&[
        "services",
        "swagger",
        CYL,
        "--version-id",
        &id,
        "-o",
        "cyl.swagger.json",
        "--json",
    ]));
    assert_eq!(saved["file"], "cyl.swagger.json");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("cyl.swagger.json")).unwrap())
            .unwrap();
    assert_eq!(written, printed);
    assert_eq!(
        code(&env.run(&["services", "swagger", CYL, "-o", "cyl.swagger.json"])),
        1,
        "never replaced without --force"
    );
    ok(&env.run(&[
        "services",
        "swagger",
        CYL,
        "-o",
        "cyl.swagger.json",
        "--force",
    ]));

    let plain = json(&env.run(&[
        "services",
        "download",
        CYL,
        "--version-id",
        &id,
        "-o",
        "plain.xlsx",
        "--json",
    ]));
    let configured = json(&env.run(&[
        "services",
        "download",
        CYL,
        "--type",
        "configured",
        "-o",
        "conf.xlsx",
        "--json",
    ]));
    assert!(
        std::fs::read(env.path("conf.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    assert!(plain["bytes"].as_u64().unwrap() > 0 && configured["bytes"].as_u64().unwrap() > 0);

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
        "download",
        CYL,
        "--csv",
        "--call-id",
        &call_id,
        "--version-id",
        &id,
        "--start-date",
        "2020-01-01",
        "--end-date",
        "2100-01-01",
        "--timezone-offset",
        "+00:00",
        "-o",
        "calls.zip",
        "--json",
    ]));
    assert_eq!(saved["file"], "calls.zip");
    assert!(
        std::fs::read(env.path("calls.zip"))
            .unwrap()
            .starts_with(b"PK")
    );
}

#[test]
fn config_set_and_get() {
    let env = Env::start();
    let cspark = |args: &[&str]| env.bare().args(args).output().unwrap();
    ok(&cspark(&[
        "config",
        "add",
        "dev",
        "--url",
        "http://127.0.0.1:9/nowhere",
        "--key",
        "old",
    ]));
    let base = env.handle.base_url();
    let text = ok(&cspark(&[
        "config",
        "set",
        &format!("url={base}"),
        "key=k",
        "tenant=",
    ]));
    assert_eq!(text, "profile \"dev\" updated\n");
    assert_eq!(ok(&cspark(&["config", "get", "url"])), format!("{base}\n"));
    assert_eq!(
        ok(&cspark(&["config", "get", "key"])),
        "***\n",
        "secrets are masked"
    );
    let got = json(&cspark(&["config", "get", "url", "--json"]));
    assert_eq!(got, serde_json::json!({"profile": "dev", "value": base}));
    assert_eq!(
        code(&cspark(&["config", "get", "tenant"])),
        1,
        "no tenant set"
    );
    // The profile now reaches the emulator.
    assert_eq!(ok(&cspark(&["services", "exists", CYL])), "true\n");
    // Bad keys and half an OAuth pair are usage errors, and change nothing.
    assert_eq!(code(&cspark(&["config", "set", "colour=blue"])), 2);
    assert_eq!(code(&cspark(&["config", "set", "client_id=only"])), 2);
    assert_eq!(ok(&cspark(&["config", "get", "url"])), format!("{base}\n"));
    assert_eq!(
        code(&cspark(&["--profile", "nope", "config", "get", "url"])),
        2
    );
}

/// The log entries inside a downloaded logs zip (one JSON file).
fn logged_calls(zip_path: &std::path::Path) -> Vec<serde_json::Value> {
    let file = std::fs::File::open(zip_path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    assert_eq!(archive.len(), 1, "one logs file in the zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_index(0).unwrap(), &mut text).unwrap();
    serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap()
}

#[test]
fn logs_download_by_source_system_or_correlation_id() {
    let env = Env::start();
    // Three calls: two tagged by a pipeline, one untagged.
    let client = cspark::Client::builder()
        .env_lookup(|_| None)
        .base_url(env.handle.base_url())
        .auth(cspark::Auth::api_key("k"))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let inputs = serde_json::json!({"Radius": 1, "Height": 1});
    let call = |options: cspark::services::ExecuteOptions| {
        rt.block_on(client.services().execute_with(CYL, &inputs, &options))
            .unwrap()
            .response_meta
            .call_id
            .unwrap()
    };
    let by_pipeline = call(cspark::services::ExecuteOptions::default().source_system("nightly-ci"));
    let by_request =
        call(cspark::services::ExecuteOptions::default().correlation_id("ticket-4711"));
    let untagged = call(cspark::services::ExecuteOptions::default());

    let download = |flag: &str, value: &str, file: &str| {
        json(&env.run_bearer(&["logs", "download", CYL, flag, value, "-o", file, "--json"]));
        logged_calls(&env.path(file))
            .iter()
            .map(|log| log.to_string())
            .collect::<Vec<_>>()
    };
    let pipeline = download("--source-system", "nightly-ci", "pipeline.zip");
    assert_eq!(pipeline.len(), 1, "{pipeline:?}");
    assert!(pipeline[0].contains(&by_pipeline), "{pipeline:?}");
    let request = download("--correlation-id", "ticket-4711", "request.zip");
    assert_eq!(request.len(), 1, "{request:?}");
    assert!(request[0].contains(&by_request), "{request:?}");
    assert!(
        !pipeline
            .iter()
            .chain(&request)
            .any(|l| l.contains(&untagged)),
        "the untagged call is in neither download"
    );
}
