//! The last Python CLI 0.2.0 flags: `services list` / `folders list` with `--name-only` and
//! `-d JSON`, `services delete -f FOLDER NAME…`, `services download --file-name`,
//! `services swagger --downloadable`.

use crate::common::{Env, code, json, ok};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn services_list_name_only_and_data() {
    let env = Env::start();
    let names = ok(&env.run(&["services", "list", "demo", "--name-only"]));
    assert_eq!(names, "insurance-quote\nloan-calc\nvolume-cylinder\n");
    let names = json(&env.run(&["services", "list", "demo", "--name-only", "--json"]));
    assert_eq!(
        names,
        serde_json::json!(["insurance-quote", "loan-calc", "volume-cylinder"])
    );
    // Without --name-only the rows stay whole.
    let rows = json(&env.run(&["services", "list", "demo", "--json"]));
    assert_eq!(rows[0]["fileName"], "insurance-quote", "{rows}");
    assert!(rows[0]["id"].is_string(), "{rows}");

    // -d: a page of one, and a search term added to the folder's.
    let page = ok(&env.run(&[
        "services",
        "list",
        "demo",
        "--name-only",
        "-d",
        r#"{"page": 2, "pageSize": 1}"#,
    ]));
    assert_eq!(page, "loan-calc\n");
    let found = ok(&env.run(&[
        "services",
        "list",
        "demo",
        "--name-only",
        "--data",
        r#"{"search": [{"field": "filename", "value": "volume-cylinder"}]}"#,
    ]));
    assert_eq!(found, "volume-cylinder\n");

    // Bad -d: usage errors naming the key, before any request.
    for (data, needle) in [
        (r#"{"pageSiz": 1}"#, "unknown key \"pageSiz\""),
        (r#"{"page": "2"}"#, "key \"page\" must be an integer"),
        (r#"{"page": 0}"#, "key \"page\" must be at least 1"),
        (
            r#"{"pageSize": 0}"#,
            "key \"pageSize\" must be -1 or at least 1",
        ),
        (
            r#"{"search": {"field": "x"}}"#,
            "key \"search\" must be an array",
        ),
        (r#"{"search": [{"value": 1}]}"#, "each item of \"search\""),
        ("[1]", "must be a JSON object, got an array"),
        ("{", "invalid JSON"),
    ] {
        let out = env.run(&["services", "list", "demo", "-d", data]);
        assert_eq!(code(&out), 2, "{data}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{data}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{data}");
    }
}

#[test]
fn folders_list_name_only_and_data() {
    let env = Env::start();
    ok(&env.run_bearer(&["folders", "create", "zeta-folder"]));
    let names = ok(&env.run_bearer(&["folders", "list", "--name-only"]));
    let mut lines: Vec<&str> = names.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["demo", "zeta-folder"], "{names}");
    let named = json(&env.run_bearer(&[
        "folders",
        "list",
        "--name-only",
        "--json",
        "-d",
        r#"{"name": "zeta-folder"}"#,
    ]));
    assert_eq!(named, serde_json::json!(["zeta-folder"]));
    let one = ok(&env.run_bearer(&[
        "folders",
        "list",
        "--name-only",
        "-d",
        r#"{"page": 1, "size": 1}"#,
    ]));
    assert_eq!(one.lines().count(), 1, "{one}");
    for (data, needle) in [
        (r#"{"pag": 1}"#, "unknown key \"pag\""),
        (
            r#"{"favorite": "yes"}"#,
            "key \"favorite\" must be a boolean",
        ),
        (r#"{"size": 99999999999}"#, "key \"size\" is too large"),
        ("null", "must be a JSON object, got null"),
    ] {
        let out = env.run_bearer(&["folders", "list", "-d", data]);
        assert_eq!(code(&out), 2, "{data}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{data}: {}", stderr(&out));
    }
}

#[test]
fn services_delete_several_names_in_a_folder() {
    let env = Env::start();
    let out = ok(&env.run(&[
        "services",
        "delete",
        "-f",
        "demo",
        "loan-calc",
        "insurance-quote",
    ]));
    assert_eq!(
        out,
        "service deleted: demo/loan-calc\nservice deleted: demo/insurance-quote\n"
    );
    assert_eq!(
        ok(&env.run(&["services", "list", "demo", "--name-only"])),
        "volume-cylinder\n"
    );
    // With -f, a URI is refused (it would name another folder) and nothing is deleted.
    let out = env.run(&[
        "services",
        "delete",
        "--folder",
        "demo",
        "volume-cylinder",
        "x/y",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("\"x/y\""), "{}", stderr(&out));
    assert_eq!(
        ok(&env.run(&["services", "exists", "demo/volume-cylinder"])),
        "true\n"
    );
    // No name at all is a usage error.
    assert_eq!(code(&env.run(&["services", "delete", "-f", "demo"])), 2);
    // The URI form still works, with --json giving each response.
    let deleted = json(&env.run(&["services", "delete", "demo/volume-cylinder", "--json"]));
    assert_eq!(deleted[0]["service"], "demo/volume-cylinder", "{deleted}");
    assert_eq!(deleted[0]["response"]["status"], "Success", "{deleted}");
    assert_eq!(
        ok(&env.run(&["services", "exists", "demo/volume-cylinder"])),
        "false\n"
    );
    // A missing service fails the command.
    assert_ne!(
        code(&env.run(&["services", "delete", "-f", "demo", "gone"])),
        0
    );
}

#[test]
fn services_download_file_name() {
    let env = Env::start();
    let saved = json(&env.run(&[
        "services",
        "download",
        "demo/volume-cylinder",
        "--file-name",
        "cyl-copy.xlsx",
        "--json",
    ]));
    assert_eq!(saved["file"], "cyl-copy.xlsx", "{saved}");
    let bytes = std::fs::read(env.path("cyl-copy.xlsx")).unwrap();
    assert_eq!(saved["bytes"], bytes.len(), "{saved}");
    assert!(bytes.starts_with(b"PK"), "not a workbook");
    // Kept unless --force.
    let again = env.run(&[
        "services",
        "download",
        "demo/volume-cylinder",
        "--file-name",
        "cyl-copy.xlsx",
    ]);
    assert_ne!(code(&again), 0);
    ok(&env.run(&[
        "services",
        "download",
        "demo/volume-cylinder",
        "--file-name",
        "cyl-copy.xlsx",
        "--force",
    ]));
    // A path is reduced to its plain name in the current directory.
    let saved = json(&env.run(&[
        "services",
        "download",
        "demo/volume-cylinder",
        "--file-name",
        "../up.xlsx",
        "--json",
    ]));
    assert_eq!(saved["file"], "up.xlsx", "{saved}");
    assert!(env.path("up.xlsx").is_file());
    assert!(!env.work.path().join("../up.xlsx").exists());
    // -o wins over --file-name.
    let saved = json(&env.run(&[
        "services",
        "download",
        "demo/volume-cylinder",
        "--file-name",
        "ignored.xlsx",
        "-o",
        "chosen.xlsx",
        "--json",
    ]));
    assert_eq!(saved["file"], "chosen.xlsx", "{saved}");
    assert!(!env.path("ignored.xlsx").exists());
}

#[test]
fn services_swagger_downloadable_saves_the_file() {
    let env = Env::start();
    let printed = json(&env.run(&["services", "swagger", "demo/volume-cylinder", "--json"]));
    // Saved under the server's name (Content-Disposition), the same document as printed.
    let saved = json(&env.run(&[
        "services",
        "swagger",
        "demo/volume-cylinder",
        "--downloadable",
        "--json",
    ]));
    assert_eq!(saved["file"], "volume-cylinder_swagger.json", "{saved}");
    let text = std::fs::read_to_string(env.path("volume-cylinder_swagger.json")).unwrap();
    assert_eq!(saved["bytes"], text.len(), "{saved}");
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document, printed);
    // Kept unless --force; -o names the file; --subservice narrows the document.
    let again = env.run(&[
        "services",
        "swagger",
        "demo/volume-cylinder",
        "--downloadable",
    ]);
    assert_ne!(code(&again), 0);
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    ok(&env.run(&[
        "services",
        "swagger",
        "demo/volume-cylinder",
        "--downloadable",
        "--force",
    ]));
    let saved = json(&env.run(&[
        "services",
        "swagger",
        "demo/volume-cylinder",
        "--downloadable",
        "--subservice",
        "no-such-subservice",
        "-o",
        "narrow.json",
        "--json",
    ]));
    assert_eq!(saved["file"], "narrow.json", "{saved}");
    let narrow: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("narrow.json")).unwrap()).unwrap();
    assert_ne!(narrow, printed);
    // An unknown service fails, and writes nothing.
    let out = env.run(&[
        "services",
        "swagger",
        "demo/no-such",
        "--downloadable",
        "-o",
        "x.json",
    ]);
    assert_ne!(code(&out), 0);
    assert!(!env.path("x.json").exists());
}

#[test]
fn services_delete_stops_at_the_first_failure_and_reports_the_deleted() {
    let env = Env::start();
    let out = env.run(&[
        "services",
        "delete",
        "-f",
        "demo",
        "loan-calc",
        "gone",
        "insurance-quote",
        "--json",
    ]);
    assert_ne!(code(&out), 0);
    let deleted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(deleted.as_array().map(Vec::len), Some(1), "{deleted}");
    assert_eq!(deleted[0]["service"], "demo/loan-calc", "{deleted}");
    assert!(stderr(&out).contains("gone"), "{}", stderr(&out));
    // Stopped there: the one after the failure is untouched.
    assert_eq!(
        ok(&env.run(&["services", "exists", "demo/insurance-quote"])),
        "true\n"
    );
    // Text form: the line of each deleted service, then the error.
    let out = env.run(&[
        "services",
        "delete",
        "-f",
        "demo",
        "insurance-quote",
        "gone",
    ]);
    assert_ne!(code(&out), 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "service deleted: demo/insurance-quote\n"
    );
}
