//! `cspark config add|use|list|remove` in a temporary CSPARK_CONFIG_DIR.

use crate::common::{Env, code, json, ok};

const SECRET: &str = "sk-very-secret-123";

#[test]
fn profiles_round_trip_and_secrets_stay_hidden() {
    let env = Env::start();
    let base = env.handle.base_url();
    ok(&env
        .bare()
        .args([
            "config",
            "add",
            "local",
            "--url",
            base.as_str(),
            "--key",
            SECRET,
        ])
        .output()
        .unwrap());
    ok(&env
        .bare()
        .args([
            "config",
            "add",
            "other",
            "--url",
            "http://127.0.0.1:1/t",
            "--bearer",
            SECRET,
        ])
        .output()
        .unwrap());

    // The first profile is active; health works through it alone.
    let text = ok(&env.bare().args(["health"]).output().unwrap());
    assert!(text.contains("UP"));

    for args in [&["config", "list"][..], &["config", "list", "--json"][..]] {
        let text = ok(&env.bare().args(args).output().unwrap());
        assert!(!text.contains(SECRET), "secret printed: {text}");
        assert!(text.contains("***"), "{text}");
        assert!(text.contains("local") && text.contains("other"));
    }
    let listed = json(
        &env.bare()
            .args(["config", "list", "--json"])
            .output()
            .unwrap(),
    );
    let active: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["active"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["local"]);
    // `-a` (the Python CLI's "every profile") is what `list` always shows.
    let all = json(
        &env.bare()
            .args(["config", "list", "-a", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(all, listed);

    // The secret lives only in the 0600 file.
    let creds = env.config.path().join("credentials.json");
    assert!(std::fs::read_to_string(&creds).unwrap().contains(SECRET));
    let profiles = std::fs::read_to_string(env.config.path().join("profiles.json")).unwrap();
    assert!(!profiles.contains(SECRET));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }

    // `use` switches; the other profile points nowhere, so health fails with 1;
    // a --base-url flag overrides the profile.
    ok(&env
        .bare()
        .args(["config", "use", "other"])
        .output()
        .unwrap());
    assert_eq!(code(&env.bare().args(["health"]).output().unwrap()), 1);
    ok(&env
        .bare()
        .args(["health", "--base-url", base.as_str()])
        .output()
        .unwrap());
    // CSPARK_BASE_URL overrides the profile too; --profile picks another one.
    ok(&env
        .bare()
        .env("CSPARK_BASE_URL", base.as_str())
        .args(["health"])
        .output()
        .unwrap());
    ok(&env
        .bare()
        .args(["health", "--profile", "local"])
        .output()
        .unwrap());

    ok(&env
        .bare()
        .args(["config", "remove", "other"])
        .output()
        .unwrap());
    let text = ok(&env.bare().args(["config", "list"]).output().unwrap());
    assert!(!text.contains("other"));
    assert!(
        !std::fs::read_to_string(&creds)
            .unwrap()
            .contains("127.0.0.1:1")
    );
    assert_eq!(
        code(&env.bare().args(["config", "use", "gone"]).output().unwrap()),
        2
    );
}

#[test]
fn oauth_profile_executes_and_hides_its_secret() {
    let env = Env::start();
    let base = env.handle.base_url();
    ok(&env
        .bare()
        .args(["config", "add", "oauth", "--url", base.as_str()])
        .args(["--client-id", "my-client", "--client-secret", SECRET])
        .output()
        .unwrap());
    let text = ok(&env.bare().args(["config", "list"]).output().unwrap());
    assert!(
        text.contains("my-client:***") && !text.contains(SECRET),
        "{text}"
    );
    let out = json(
        &env.bare()
            .args(["services", "execute", "demo/volume-cylinder", "--json"])
            .args(["-i", r#"{"Radius":1,"Height":1}"#])
            .output()
            .unwrap(),
    );
    assert!(out["Volume"].is_number(), "{out}");
    // A client id alone is a bad argument.
    let out = env
        .bare()
        .args([
            "config",
            "add",
            "half",
            "--url",
            base.as_str(),
            "--client-id",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
}
