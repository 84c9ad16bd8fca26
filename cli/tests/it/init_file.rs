//! `cspark init -f FILE` (JSON or YAML) and `cspark init --config JSON`.

use crate::common::{Env, code, json, ok, write};

const SECRET: &str = "sk-init-secret-42";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn active(env: &Env) -> serde_json::Value {
    let listed = json(
        &env.bare()
            .args(["config", "list", "--json"])
            .output()
            .unwrap(),
    );
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["active"] == true)
        .cloned()
        .unwrap_or_else(|| panic!("no active profile: {listed}"))
}

#[test]
fn init_from_json_yaml_and_config_then_commands_use_the_profile() {
    let env = Env::start();
    let base = env.handle.base_url();
    // JSON file: the profile is saved, made active, and works on its own.
    write(
        &env.path("p.json"),
        &format!(
            r#"{{"name": "from-json", "base_url": "{base}", "api_key": "{SECRET}", "timeout": 30}}"#
        ),
    );
    let out = env.bare().args(["init", "-f", "p.json"]).output().unwrap();
    let text = ok(&out);
    assert!(text.contains("from-json"), "{text}");
    assert!(stderr(&out).contains("\"timeout\""), "{}", stderr(&out));
    assert!(!text.contains(SECRET) && !stderr(&out).contains(SECRET));
    let profile = active(&env);
    assert_eq!(profile["name"], "from-json", "{profile}");
    assert_eq!(profile["base_url"], base.as_str(), "{profile}");
    assert_eq!(profile["api_key"], "***", "{profile}");
    let exists = ok(&env
        .bare()
        .args(["services", "exists", "demo/volume-cylinder"])
        .output()
        .unwrap());
    assert_eq!(exists, "true\n");

    // YAML file (by extension), with a bearer token: replaces the active profile.
    write(
        &env.path("p.yaml"),
        &format!("name: from-yaml\nbase_url: {base}\ntoken: {SECRET}\n"),
    );
    ok(&env
        .bare()
        .args(["init", "--file", "p.yaml"])
        .output()
        .unwrap());
    let profile = active(&env);
    assert_eq!(profile["name"], "from-yaml", "{profile}");
    assert_eq!(profile["token"], "***", "{profile}");
    assert!(profile["api_key"].is_null(), "{profile}");
    let folders = ok(&env
        .bare()
        .args(["folders", "list", "--name-only"])
        .output()
        .unwrap());
    assert!(folders.lines().any(|l| l == "demo"), "{folders}");

    // --config JSON, replacing an existing profile of the same name.
    let config =
        format!(r#"{{"name": "from-json", "base_url": "{base}", "tenant": "t2", "token": "x"}}"#);
    ok(&env
        .bare()
        .args(["init", "--config", &config])
        .output()
        .unwrap());
    let profile = active(&env);
    assert_eq!(profile["name"], "from-json", "{profile}");
    assert_eq!(profile["tenant"], "t2", "{profile}");
    assert!(profile["api_key"].is_null(), "old key kept: {profile}");
    let listed = json(
        &env.bare()
            .args(["config", "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
}

#[test]
fn init_refuses_bad_documents_without_echoing_secrets() {
    let env = Env::start();
    write(&env.path("bad.yml"), "name: [unclosed\n");
    write(&env.path("list.json"), "[1, 2]");
    write(&env.path("big.json"), &" ".repeat(2 << 20));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["init", "--config", "{"], "--config: invalid JSON"),
        (vec!["init", "--config", "[]"], "must be an object"),
        (
            vec![
                "init",
                "--config",
                r#"{"name": "a", "base_url": "http://x", "apikey": "sk-init-secret-42"}"#,
            ],
            "unknown key \"apikey\"",
        ),
        (
            vec![
                "init",
                "--config",
                r#"{"name": "a", "base_url": "http://x", "api_key": 42}"#,
            ],
            "key \"api_key\" must be a string",
        ),
        (
            vec!["init", "--config", r#"{"base_url": "http://x"}"#],
            "needs a \"name\"",
        ),
        (
            vec!["init", "--config", r#"{"name": "a"}"#],
            "needs a \"base_url\"",
        ),
        (
            vec![
                "init",
                "--config",
                r#"{"name": "a", "base_url": "http://x", "client_id": "c"}"#,
            ],
            "client_id and client_secret go together",
        ),
        (vec!["init", "-f", "missing.json"], "missing.json"),
        (vec!["init", "-f", "bad.yml"], "invalid YAML"),
        (vec!["init", "-f", "list.json"], "must be an object"),
        (vec!["init", "-f", "."], "not a regular file"),
        (vec!["init", "-f", "big.json"], "larger than"),
    ];
    for (args, needle) in cases {
        let out = env.bare().args(&args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains(SECRET), "{args:?}: secret echoed");
    }
    // -f and --config together are a usage error; nothing was saved by any of the above.
    let out = env
        .bare()
        .args(["init", "-f", "list.json", "--config", "{}"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let listed = json(
        &env.bare()
            .args(["config", "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed, serde_json::json!([]), "{listed}");
}
