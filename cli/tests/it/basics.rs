//! Help, completions, exit codes, the emulator command.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{Env, code, ok};

#[test]
fn help_lists_every_command() {
    let env = Env::start();
    let text = ok(&env.bare().arg("--help").output().unwrap());
    for cmd in [
        "health",
        "config",
        "services",
        "batch",
        "folders",
        "logs",
        "impex",
        "emulator",
        "mcp",
        "codegen",
        "completions",
    ] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
    for sub in [
        "services", "batch", "config", "folders", "logs", "impex", "codegen", "mcp",
    ] {
        ok(&env.bare().args([sub, "--help"]).output().unwrap());
    }
    ok(&env
        .bare()
        .args(["batch", "run", "--help"])
        .output()
        .unwrap());
}

#[test]
fn completions_for_bash() {
    let env = Env::start();
    let text = ok(&env.bare().args(["completions", "bash"]).output().unwrap());
    assert!(text.contains("cspark"));
}

#[test]
fn exit_codes() {
    let env = Env::start();
    // 2: bad arguments (clap), bad inputs, missing configuration.
    assert_eq!(
        code(&env.bare().args(["services", "execute"]).output().unwrap()),
        2
    );
    assert_eq!(code(&env.bare().args(["nope"]).output().unwrap()), 2);
    let out = env.run(&[
        "services",
        "execute",
        "demo/volume-cylinder",
        "--inputs",
        "{not json",
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid JSON"));
    let out = env.bare().args(["health"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no base URL"));
    // No command: the help text, status 2.
    let out = env.bare().output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
    // A malformed header is a bad argument; a good one is sent.
    assert_eq!(code(&env.run(&["health", "-H", "no-colon"])), 2);
    ok(&env.run(&["health", "-H", "x-extra: 1"]));
    // 1: the API said no.
    let out = env.run(&[
        "services",
        "execute",
        "demo/no-such-service",
        "--inputs",
        "{}",
    ]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn health_and_verbose_tracing() {
    let env = Env::start();
    let out = env.run(&["health", "--json", "--verbose"]);
    let text = ok(&out);
    assert!(text.contains("UP"), "{text}");
    assert!(!out.stderr.is_empty(), "--verbose logs to stderr");
    // Even verbose logs of an authenticated call never show the key.
    let base = env.handle.base_url();
    let secret = "sk-never-logged-42";
    let out = env
        .bare()
        .args([
            "--base-url",
            base.as_str(),
            "--api-key",
            secret,
            "--verbose",
        ])
        .args(["services", "execute", "demo/volume-cylinder", "-i", "{}"])
        .output()
        .unwrap();
    ok(&out);
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(!logs.is_empty());
    assert!(!logs.contains(secret), "{logs}");
}

#[test]
fn emulator_command_prints_listening_line() {
    let env = Env::start();
    let mut child = env
        .bare()
        .args(["emulator", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
}
