//! `cspark impex migrate` between two in-process emulators.

use cspark_emulator::{Emulator, EmulatorConfig};

use crate::common::{Env, code, json, ok};

const CYL: &str = "demo/volume-cylinder";
const INPUTS: &str = r#"{"Radius": 1.5, "Height": 2}"#;

#[test]
fn migrate_moves_a_service_that_then_executes_the_same() {
    let source = Env::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The target tenant starts empty and takes OAuth clients only.
    let mut config = EmulatorConfig::default().with_oauth_client("prod-id", "prod-secret");
    config.addr = "127.0.0.1:0".parse().unwrap();
    let target = rt.block_on(Emulator::start(config)).unwrap();
    let cspark = |args: &[&str]| source.bare().args(args).output().unwrap();
    let (src_url, dst_url) = (source.handle.base_url(), target.base_url());
    ok(&cspark(&[
        "config", "add", "dev", "--url", &src_url, "--bearer", "t",
    ]));
    ok(&cspark(&[
        "config",
        "add",
        "prod",
        "--url",
        &dst_url,
        "--client-id",
        "prod-id",
        "--client-secret",
        "prod-secret",
    ]));

    let moved = json(&cspark(&[
        "impex",
        "migrate",
        "--from",
        "dev",
        "--to",
        "prod",
        "--service",
        &format!("{CYL}=promoted/cylinder"),
        "--json",
    ]));
    let rows = moved.as_array().unwrap_or_else(|| panic!("{moved}"));
    assert_eq!(rows.len(), 1, "{moved}");
    assert_eq!(rows[0]["source"], "demo/volume-cylinder[0.1.0]", "{moved}");
    assert_eq!(
        rows[0]["destination"], "promoted/cylinder[0.1.0]",
        "{moved}"
    );
    assert_eq!(rows[0]["status"], "added", "{moved}");
    assert!(rows[0]["version_id"].is_string(), "{moved}");

    let before = json(&cspark(&[
        "--profile",
        "dev",
        "services",
        "execute",
        CYL,
        "-i",
        INPUTS,
        "--json",
    ]));
    let after = json(&cspark(&[
        "--profile",
        "prod",
        "services",
        "execute",
        "promoted/cylinder",
        "-i",
        INPUTS,
        "--json",
    ]));
    assert_eq!(before, after);
    assert!(before["Volume"].as_f64().unwrap() > 14.0, "{before}");

    // Again, as a new version, shown as a table.
    let table = ok(&cspark(&[
        "impex",
        "migrate",
        "--from",
        "dev",
        "--to",
        "prod",
        "--service",
        &format!("{CYL}=promoted/cylinder"),
        "--if-present",
        "add_version",
    ]));
    let header: Vec<&str> = table
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["source", "destination", "version", "version_id", "status"],
        "{table}"
    );
    assert!(table.contains("promoted/cylinder[0.2.0]"), "{table}");
    // With abort, an existing target stops the import: exit 1, and nothing listed.
    let out = cspark(&[
        "impex",
        "migrate",
        "--from",
        "dev",
        "--to",
        "prod",
        "--service",
        &format!("{CYL}=promoted/cylinder"),
        "--if-present",
        "abort",
    ]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    // The same profile on both sides is a usage error.
    assert_eq!(
        code(&cspark(&[
            "impex",
            "migrate",
            "--from",
            "dev",
            "--to",
            "dev",
            "--service",
            CYL
        ])),
        2
    );
    drop(rt);
}

#[test]
fn migrate_exits_1_when_the_import_moved_nothing() {
    let source = Env::start();
    // A target that accepts the import and reports it closed with no service versions
    // (the same answer serves the job start and its status poll).
    let (target_url, seen) = crate::hostile::raw_server(crate::hostile::http_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        br#"{"id":"job-1","object":"import","status":"closed","outputs":{"services":[],"service_versions":[]}}"#,
    ));
    let cspark = |args: &[&str]| source.bare().args(args).output().unwrap();
    ok(&cspark(&[
        "config",
        "add",
        "dev",
        "--url",
        &source.handle.base_url(),
        "--key",
        "k",
    ]));
    ok(&cspark(&[
        "config",
        "add",
        "prod",
        "--url",
        &target_url,
        "--key",
        "k2",
    ]));
    let out = cspark(&[
        "impex",
        "migrate",
        "--from",
        "dev",
        "--to",
        "prod",
        "--service",
        CYL,
    ]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing moved"), "{err}");
    // The package did reach the target's import endpoint.
    let requests = seen.lock().unwrap();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("POST /my-tenant/api/v4/import")),
        "{requests:?}"
    );
}
