//! `cspark auth login|logout|status` and `cspark init` without a terminal.

use std::process::Stdio;

use cspark_emulator::{Emulator, EmulatorConfig};

use crate::common::{Env, code, json, ok};

#[test]
fn login_caches_a_private_token_that_later_commands_use() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut config = EmulatorConfig::default()
        .with_demo_workbooks()
        .with_oauth_client("cli-id", "cli-secret");
    config.addr = "127.0.0.1:0".parse().unwrap();
    let handle = rt.block_on(Emulator::start(config)).unwrap();
    let env = Env::start();
    let base = handle.base_url();
    let cspark = |args: &[&str]| env.bare().args(args).output().unwrap();

    ok(&cspark(&[
        "config",
        "add",
        "ccg",
        "--url",
        &base,
        "--client-id",
        "cli-id",
        "--client-secret",
        "cli-secret",
    ]));
    ok(&cspark(&[
        "config",
        "add",
        "wrong",
        "--url",
        &base,
        "--client-id",
        "cli-id",
        "--client-secret",
        "nope",
    ]));
    ok(&cspark(&[
        "config", "add", "keyed", "--url", &base, "--key", "k",
    ]));

    let status = json(&cspark(&["auth", "status", "--json"]));
    assert_eq!(
        status,
        serde_json::json!({"profile": "ccg", "method": "oauth", "logged_in": false, "expires_in": null})
    );

    let before = handle.counters().token_requests;
    let out = cspark(&["auth", "login"]);
    let text = ok(&out);
    assert!(text.starts_with("logged in: profile ccg"), "{text}");
    assert_eq!(handle.counters().token_requests, before + 1);
    let cache = env.config.path().join("oauth-tokens.json");
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let token = cached["ccg"]["access_token"].as_str().unwrap().to_owned();
    assert!(!text.contains(&token) && !String::from_utf8_lossy(&out.stderr).contains(&token));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let status = json(&cspark(&["auth", "status", "--format", "json"]));
    assert_eq!(status["logged_in"], true, "{status}");
    assert!(status["expires_in"].as_u64().unwrap() > 60, "{status}");
    let table = ok(&cspark(&["auth", "status"]));
    assert!(table.starts_with("KEY"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("logged_in"))
        .unwrap_or_default();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["logged_in", "true"],
        "{table}"
    );

    // Later commands send the cached token: no new token request.
    let list = json(&cspark(&["services", "list", "demo", "--json"]));
    assert!(list.to_string().contains("volume-cylinder"), "{list}");
    assert_eq!(handle.counters().token_requests, before + 1);

    // Bad credentials: exit 1, nothing cached, the secret not echoed.
    let out = cspark(&["--profile", "wrong", "auth", "login"]);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused") && err.contains("401") && !err.contains("nope"),
        "{err}"
    );
    // No client credentials: a usage error.
    assert_eq!(code(&cspark(&["--profile", "keyed", "auth", "login"])), 2);
    let status = json(&cspark(&["--profile", "keyed", "auth", "status", "--json"]));
    assert_eq!(status["method"], "api_key");

    // New credentials drop the cached token of the old ones.
    ok(&cspark(&["config", "set", "client_secret=cli-secret"]));
    let status = json(&cspark(&["auth", "status", "--json"]));
    assert_eq!(status["logged_in"], false, "{status}");
    ok(&cspark(&["auth", "login"]));

    let out = json(&cspark(&["auth", "logout", "--json"]));
    assert_eq!(out, serde_json::json!({"profile": "ccg", "removed": true}));
    let status = json(&cspark(&["auth", "status", "--json"]));
    assert_eq!(status["logged_in"], false);
    assert_eq!(
        ok(&cspark(&["auth", "logout"])),
        "profile ccg had no cached token\n"
    );
    drop(rt);
}

#[test]
fn init_without_a_terminal_says_what_to_do() {
    let env = Env::start();
    let out = env
        .bare()
        .arg("init")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a terminal") && err.contains("cspark config add"),
        "{err}"
    );
    assert!(!env.config.path().join("profiles.json").exists());
}

#[test]
fn status_of_every_profile_and_verbose_details() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut config = EmulatorConfig::default().with_oauth_client("cli-id", "cli-secret");
    config.addr = "127.0.0.1:0".parse().unwrap();
    let handle = rt.block_on(Emulator::start(config)).unwrap();
    let env = Env::start();
    let base = handle.base_url();
    let cspark = |args: &[&str]| env.bare().args(args).output().unwrap();

    // No profile at all: --all lists nothing (the plain form needs a profile).
    assert_eq!(
        json(&cspark(&["auth", "status", "--all", "--json"])),
        serde_json::json!([])
    );
    assert_eq!(code(&cspark(&["auth", "status"])), 2);

    ok(&cspark(&[
        "config",
        "add",
        "ccg",
        "--url",
        &base,
        "--client-id",
        "cli-id",
        "--client-secret",
        "cli-secret",
    ]));
    ok(&cspark(&[
        "config", "add", "keyed", "--url", &base, "--key", "k",
    ]));
    ok(&cspark(&["auth", "login"]));
    let cached: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.config.path().join("oauth-tokens.json")).unwrap(),
    )
    .unwrap();
    let token = cached["ccg"]["access_token"].as_str().unwrap().to_owned();
    let expires_at = cached["ccg"]["expires_at"].as_u64().unwrap();

    let all = json(&cspark(&["auth", "status", "-a", "--json"]));
    let rows = all.as_array().unwrap_or_else(|| panic!("{all}"));
    assert_eq!(rows.len(), 2, "{all}");
    assert_eq!(rows[0]["profile"], "ccg");
    assert_eq!(rows[0]["method"], "oauth");
    assert_eq!(rows[0]["logged_in"], true);
    assert_eq!(rows[1]["profile"], "keyed");
    assert_eq!(rows[1]["method"], "api_key");
    assert_eq!(rows[1]["logged_in"], false);
    assert!(
        rows[0].get("base_url").is_none(),
        "details without -v: {all}"
    );

    // -v (the global verbose flag) adds where the profile points and the token's expiry.
    let out = cspark(&["auth", "status", "-v", "--json"]);
    let one = json(&out);
    assert_eq!(one["profile"], "ccg");
    assert_eq!(one["active"], true);
    assert_eq!(one["base_url"], base.as_str());
    assert!(one["tenant"].is_null(), "{one}");
    assert_eq!(one["token_cached"], true);
    assert_eq!(one["expires_at"], expires_at);
    let text = ok(&cspark(&["auth", "status", "--all", "--verbose"]));
    assert!(text.contains("keyed") && text.contains("ccg"), "{text}");
    for printed in [
        one.to_string(),
        text,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ] {
        assert!(!printed.contains(&token), "token printed");
        assert!(!printed.contains("cli-secret"), "secret printed");
    }
    drop(rt);
}
