//! `cspark services …`

use crate::common::{Env, code, json, ok, write};

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

/// `services edit-version` and `services delete-version` (Coherent's OpenAPI description,
/// spark-openapi: `updateversion`, `DELETE …/version/{versionId}`) against the emulator.
#[test]
fn edit_version_then_delete_an_intermediate_one() {
    let env = Env::start();
    let cylinder = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    let ids: Vec<String> = (0..3)
        .map(|_| {
            env.handle
                .publish_workbook(
                    "edits",
                    "cyl",
                    cylinder.file_name,
                    cylinder.bytes.to_vec(),
                    "minor",
                )
                .unwrap()
        })
        .collect();
    let edited = json(&env.run(&[
        "services",
        "edit-version",
        "edits/cyl",
        &ids[1],
        "--label",
        "Q1",
        "--release-notes",
        "reviewed",
        "--tag",
        "a",
        "--tag",
        "b",
        "--start-date",
        "2026-01-01",
        "--json",
    ]));
    assert_eq!(
        edited["response_data"]["version_id"],
        ids[1].as_str(),
        "{edited}"
    );
    let versions = json(&env.run(&["services", "versions", "edits/cyl", "--json"]));
    let middle = versions
        .as_array()
        .and_then(|all| all.iter().find(|v| v["id"] == ids[1].as_str()))
        .unwrap_or_else(|| panic!("{versions}"));
    assert_eq!(middle["versionLabel"], "Q1", "{middle}");
    assert_eq!(middle["releaseNote"], "reviewed", "{middle}");
    assert_eq!(middle["tags"], "a,b", "{middle}");
    assert!(
        middle["effectiveStartDate"]
            .to_string()
            .contains("2026-01-01"),
        "{middle}"
    );

    // The latest version stays (an API error, exit code not 0); the middle one goes.
    let refused = env.run(&["services", "delete-version", "edits/cyl", &ids[2]]);
    assert_ne!(code(&refused), 0);
    let out = ok(&env.run(&["services", "delete-version", "edits/cyl", &ids[1]]));
    assert!(
        out.contains(&format!("version deleted: edits/cyl {}", ids[1])),
        "{out}"
    );
    let versions = json(&env.run(&["services", "versions", "edits/cyl", "--json"]));
    let left: Vec<&str> = versions
        .as_array()
        .map(|all| all.iter().filter_map(|v| v["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(left, vec![ids[2].as_str(), ids[0].as_str()], "{versions}");
}
