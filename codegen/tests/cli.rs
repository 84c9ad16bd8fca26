//! The binary: `--check` exit codes and diff output, `lock`, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cspark-codegen"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn services_check_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/two_services");
    let dir = tmp.path().join("spark");
    copy_dir(&fixtures, &dir);
    let out = tmp.path().join("src/services.rs");
    let run = |check: bool| {
        let mut c = bin();
        c.arg("services").arg(&dir).arg("--out").arg(&out);
        if check {
            c.arg("--check");
        }
        c.output().unwrap()
    };

    // Missing output file: --check fails.
    assert_eq!(run(true).status.code(), Some(1));
    // Generate, then --check is fresh.
    assert_eq!(run(false).status.code(), Some(0));
    let r = run(true);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    // Edit the committed file: --check is stale and prints a unified diff.
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::write(&out, text.replace("pub total:", "pub total_old:")).unwrap();
    let r = run(true);
    assert_eq!(r.status.code(), Some(1));
    let diff = String::from_utf8(r.stdout).unwrap();
    assert!(
        diff.contains("-        pub total_old:") && diff.contains("+        pub total:"),
        "{diff}"
    );
    // Regenerate: fresh again.
    assert_eq!(run(false).status.code(), Some(0));
    assert_eq!(run(true).status.code(), Some(0));
    // A changed input without a re-lock is an error (exit 2) naming the service.
    let swagger = dir.join("a/b-c.swagger.json");
    let s = std::fs::read_to_string(&swagger)
        .unwrap()
        .replace("\"Sku\"", "\"SKU\"");
    std::fs::write(&swagger, s).unwrap();
    let r = run(true);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("a/b-c swagger document has sha256"));
    // `lock` refreshes the hashes; the output is now stale (a renamed column).
    assert_eq!(
        bin().arg("lock").arg(&dir).status().unwrap().code(),
        Some(0)
    );
    assert_eq!(run(true).status.code(), Some(1));
}

#[test]
fn bad_input_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let r = bin()
        .args(["services"])
        .arg(tmp.path())
        .arg("--out")
        .arg(tmp.path().join("x.rs"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).starts_with("error: "));
}

#[test]
fn diff_directories() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let run = |a: &str, b: &str| {
        bin()
            .arg("diff")
            .arg(fixtures.join(a))
            .arg(fixtures.join(b))
            .output()
            .unwrap()
    };
    let same = run("scalars", "scalars");
    assert_eq!(same.status.code(), Some(0));
    assert!(same.stdout.is_empty());
    let r = run("scalars", "tables");
    assert_eq!(r.status.code(), Some(1));
    let out = String::from_utf8(r.stdout).unwrap();
    assert!(
        out.contains("- service insurance/quote-calc")
            && out.contains("+ service finance/loan-schedule"),
        "{out}"
    );
}
