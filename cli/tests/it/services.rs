//! `cspark services …`

use crate::common::{Env, json, ok, write};

const CYL: &str = "demo/volume-cylinder";

#[test]
fn inspect_and_execute() {
    let env = Env::start();
    let list = json(&env.run(&["services", "list", "demo", "--json"]));
    assert!(list.to_string().contains("volume-cylinder"), "{list}");
    let versions = json(&env.run(&["services", "versions", CYL, "--json"]));
    assert!(!versions.as_array().unwrap().is_empty());
    ok(&env.run(&["services", "schema", CYL, "--json"]));
    ok(&env.run(&["services", "swagger", CYL, "--json"]));
    ok(&env.run(&["services", "metadata", CYL, "--json"]));

    let out = json(&env.run(&[
        "services",
        "execute",
        CYL,
        "--json",
        "--inputs",
        r#"{"Radius": 2, "Height": 3}"#,
    ]));
    let v = out["Volume"].as_f64().unwrap();
    assert!((v - std::f64::consts::PI * 12.0).abs() < 1e-6, "{out}");

    write(&env.path("in.json"), r#"{"Radius": 1, "Height": 1}"#);
    let out = json(&env.run(&["services", "execute", CYL, "--json", "--inputs", "@in.json"]));
    assert!((out["Volume"].as_f64().unwrap() - std::f64::consts::PI).abs() < 1e-6);

    // The human table has the output names.
    let table = ok(&env.run(&["services", "exec", CYL, "-i", r#"{"Radius":1,"Height":1}"#]));
    assert!(table.contains("Volume"), "{table}");

    ok(&env.run(&["services", "validate", CYL, "--json", "--inputs", "{}"]));
}

#[test]
fn download_create_delete() {
    let env = Env::start();
    let saved = json(&env.run(&["services", "download", CYL, "-o", "cyl.xlsx", "--json"]));
    assert!(saved["bytes"].as_u64().unwrap() > 0);
    assert!(env.path("cyl.xlsx").exists());

    let created = json(&env.run(&[
        "services",
        "create",
        "demo/cyl-copy",
        "--file",
        "cyl.xlsx",
        "--json",
    ]));
    assert!(created["version_id"].is_string(), "{created}");
    let out = json(&env.run(&[
        "services",
        "execute",
        "demo/cyl-copy",
        "--json",
        "-i",
        r#"{"Radius":1,"Height":2}"#,
    ]));
    assert!(out["Volume"].is_number());

    let text = ok(&env.run_bearer(&["services", "delete", "demo/cyl-copy"]));
    assert!(text.contains("service deleted"), "{text}");
}
