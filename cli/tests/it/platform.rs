//! `cspark folders|logs|impex|codegen …`

use serde_json::Value;

use crate::common::{Env, code, json, ok};

#[test]
fn folders_create_list_delete() {
    let env = Env::start();
    let created = json(&env.run_bearer(&["folders", "create", "cli-folder", "--json"]));
    let listed = json(&env.run_bearer(&["folders", "list", "--json"]));
    let folder = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "cli-folder")
        .unwrap_or_else(|| panic!("{listed} / {created}"))
        .clone();
    let id = folder["id"].as_str().unwrap();
    ok(&env.run_bearer(&["folders", "delete", id, "--json"]));
    let listed = json(&env.run_bearer(&["folders", "list", "--json"]));
    assert!(!listed.to_string().contains("cli-folder"));
}

#[test]
fn logs_get_and_download() {
    let env = Env::start();
    let all = json(&env.run(&[
        "services",
        "execute",
        "demo/volume-cylinder",
        "--show-all",
        "--json",
        "-i",
        r#"{"Radius":1,"Height":1}"#,
    ]));
    let call_id = all["response_meta"]["call_id"].as_str().unwrap();
    let log = json(&env.run_bearer(&["logs", "get", call_id, "--json"]));
    assert!(log.to_string().contains(call_id), "{log}");
    let saved = json(&env.run_bearer(&[
        "logs",
        "download",
        "demo/volume-cylinder",
        "-o",
        "logs.json",
        "--json",
    ]));
    assert!(saved["bytes"].as_u64().unwrap() > 0, "{saved}");
    let saved = json(&env.run_bearer(&[
        "logs",
        "download",
        "demo/volume-cylinder",
        "--csv",
        "-o",
        "logs.csv",
        "--json",
    ]));
    assert!(saved["bytes"].as_u64().unwrap() > 0, "{saved}");
}

#[test]
fn impex_export_then_import() {
    let env = Env::start();
    let files = json(&env.run_bearer(&[
        "impex",
        "export",
        "--service",
        "demo/volume-cylinder",
        "--out-dir",
        "exported",
        "--json",
    ]));
    let file = files["file"].as_str().unwrap().to_string();
    let out = env.run_bearer(&[
        "impex",
        "import",
        &file,
        "--map",
        "demo/volume-cylinder=demo/imported-cylinder",
        "--json",
    ]);
    ok(&out);
    let exec = json(&env.run(&[
        "services",
        "execute",
        "demo/imported-cylinder",
        "--json",
        "-i",
        r#"{"Radius":1,"Height":1}"#,
    ]));
    assert!(exec["Volume"].is_number(), "{exec}");
}

#[test]
fn codegen_fetch_services_check_diff() {
    let env = Env::start();
    let entries = json(&env.run(&[
        "codegen",
        "fetch",
        "--service",
        "demo/volume-cylinder",
        "--out",
        "svc",
        "--json",
    ]));
    assert!(
        matches!(entries, Value::Array(ref a) if a.len() == 1),
        "{entries}"
    );
    let out = json(&env.run(&[
        "codegen",
        "services",
        "svc",
        "--out",
        "bindings.rs",
        "--json",
    ]));
    assert!(out["wrote"].is_string(), "{out}");
    assert!(
        std::fs::read_to_string(env.path("bindings.rs"))
            .unwrap()
            .contains("cspark")
    );
    ok(&env.run(&[
        "codegen",
        "services",
        "svc",
        "--out",
        "bindings.rs",
        "--check",
    ]));
    std::fs::write(env.path("bindings.rs"), "// stale\n").unwrap();
    assert_eq!(
        code(&env.run(&[
            "codegen",
            "services",
            "svc",
            "--out",
            "bindings.rs",
            "--check"
        ])),
        1
    );
    ok(&env.run(&["codegen", "diff", "svc", "--live"]));
    // `cspark-codegen`'s `--base-url` after the subcommand works too (and wins).
    let base = env.handle.base_url();
    ok(&env
        .bare()
        .args(["--api-key", "k", "codegen", "diff", "svc", "--live"])
        .args(["--base-url", base.as_str()])
        .output()
        .unwrap());
    ok(&env.run(&["codegen", "lock", "svc"]));
    // A malformed service is a usage error.
    assert_eq!(
        code(&env.run(&["codegen", "fetch", "--service", "nope", "--out", "svc"])),
        2
    );
}

#[test]
fn codegen_platform_generate_then_check() {
    let env = Env::start();
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/spark.yaml");
    let spec = spec.to_str().unwrap();
    ok(&env.run(&["codegen", "platform", spec, "platform.rs"]));
    assert!(env.path("platform.rs").exists());
    ok(&env.run(&["codegen", "platform", spec, "platform.rs", "--check"]));
    std::fs::write(env.path("platform.rs"), "// stale\n").unwrap();
    assert_eq!(
        code(&env.run(&["codegen", "platform", spec, "platform.rs", "--check"])),
        1
    );
}
