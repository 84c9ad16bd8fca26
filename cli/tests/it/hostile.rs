//! The CLI against hostile servers and careless arguments (issue 15, item 4): downloads
//! write only where told, `batch run` never destroys its input and cancels the batch on the
//! server before saying so, no argument panics, CSV cells keep what a number would lose,
//! and a malformed token response is never printed.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use crate::common::{Env, code, json, ok, write};

const CYL: &str = "demo/volume-cylinder";

/// A minimal HTTP/1.1 server on 127.0.0.1 answering every request with `response` (status
/// line, headers and body, already encoded); records each request's head.
pub(crate) fn raw_server(response: Vec<u8>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head and whatever body came with it (bounded).
            while buf.len() < 1 << 20 {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf).to_string());
            let _ = stream.write_all(&response);
        }
    });
    (format!("http://{addr}/my-tenant"), seen)
}

pub(crate) fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        write!(head, "{k}: {v}\r\n").unwrap();
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn run_in(env: &Env, dir: &Path, base: &str, args: &[&str]) -> Output {
    env.bare()
        .current_dir(dir)
        .args(["--base-url", base, "--api-key", "k"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_download_writes_only_a_plain_name_in_the_working_directory() {
    let env = Env::start();
    let cwd = env.path("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    let (base, _) = raw_server(http_response(
        "200 OK",
        &[
            ("content-type", "application/octet-stream"),
            (
                "content-disposition",
                "attachment; filename=\"../../evil.xlsx\"",
            ),
        ],
        b"PK-first",
    ));
    ok(&run_in(&env, &cwd, &base, &["services", "download", CYL]));
    assert!(
        !env.path("evil.xlsx").exists(),
        "written outside the working directory"
    );
    assert_eq!(std::fs::read(cwd.join("evil.xlsx")).unwrap(), b"PK-first");

    // An existing file is never replaced without --force.
    std::fs::write(cwd.join("evil.xlsx"), b"mine").unwrap();
    let out = run_in(&env, &cwd, &base, &["services", "download", CYL]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(cwd.join("evil.xlsx")).unwrap(), b"mine");
    // Nor a file named by --output.
    std::fs::write(cwd.join("given.xlsx"), b"mine too").unwrap();
    let out = run_in(
        &env,
        &cwd,
        &base,
        &["services", "download", CYL, "-o", "given.xlsx"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(std::fs::read(cwd.join("given.xlsx")).unwrap(), b"mine too");
    // With --force it is.
    ok(&run_in(
        &env,
        &cwd,
        &base,
        &["services", "download", CYL, "--force"],
    ));
    assert_eq!(std::fs::read(cwd.join("evil.xlsx")).unwrap(), b"PK-first");
    let leftovers: Vec<_> = std::fs::read_dir(&cwd)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A name that is nothing but a path is refused.
    for hostile in ["..", "../", "/", "C:evil.xlsx"] {
        let (base, _) = raw_server(http_response(
            "200 OK",
            &[(
                "content-disposition",
                &format!("attachment; filename=\"{hostile}\""),
            )],
            b"PK",
        ));
        let out = run_in(&env, &cwd, &base, &["services", "download", CYL]);
        assert_eq!(code(&out), 1, "{hostile}: {}", stderr(&out));
        assert!(stderr(&out).contains("--output"), "{}", stderr(&out));
    }
}

#[test]
fn a_malformed_token_response_is_never_printed() {
    const ACCESS: &str = "CANARY-cli-access-5d1f";
    const SECRET: &str = "CANARY-cli-secret-8e2a";
    let env = Env::start();
    for body in [
        format!(r#"{{"access_token": "{ACCESS}""#),
        format!(r#"{{"access_token": ["{ACCESS}"]}}"#),
        format!("<html>{ACCESS}</html>"),
    ] {
        let (base, _) = raw_server(http_response(
            "200 OK",
            &[("content-type", "application/json")],
            body.as_bytes(),
        ));
        for verbose in [false, true] {
            let mut cmd = env.bare();
            cmd.env("CSPARK_CLIENT_ID", "client-1")
                .env("CSPARK_CLIENT_SECRET", SECRET)
                .args(["--base-url", base.as_str()]);
            if verbose {
                cmd.arg("--verbose");
            }
            let out = cmd
                .args(["services", "execute", CYL, "--inputs", "{}"])
                .output()
                .unwrap();
            assert_eq!(code(&out), 1, "{}", stderr(&out));
            let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
            assert!(all.contains("token"), "{all}");
            assert!(!all.contains(ACCESS), "the token was printed: {all}");
            assert!(!all.contains(SECRET), "the secret was printed: {all}");
        }
    }
}

fn cases_csv(env: &Env, name: &str, rows: usize) -> String {
    let mut csv = String::from("Radius,Height\n");
    for i in 0..rows {
        writeln!(csv, "{},{}", i % 7 + 1, i % 3 + 1).unwrap();
    }
    write(&env.path(name), &csv);
    csv
}

#[test]
fn batch_run_refuses_to_write_over_its_input() {
    let env = Env::start();
    let original = cases_csv(&env, "cases.csv", 150);
    std::fs::create_dir(env.path("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env.path("cases.csv"), env.path("link.csv")).unwrap();
    let mut attempts: Vec<Vec<&str>> = vec![
        vec!["--output", "cases.csv"],
        vec!["--output", "./sub/../cases.csv"],
        vec!["--output", "out.csv", "--failed", "out.csv"],
        vec!["--output", "out.csv", "--failed", "./cases.csv"],
    ];
    if cfg!(unix) {
        attempts.push(vec!["--output", "link.csv"]);
    }
    for extra in attempts {
        let mut args = vec!["batch", "run", "--service", CYL, "--input", "cases.csv"];
        args.extend(extra.iter().copied());
        let out = env.run(&args);
        assert_eq!(code(&out), 2, "{extra:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("choose another file"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read_to_string(env.path("cases.csv")).unwrap(),
            original
        );
        assert!(!env.path("out.csv").exists());
    }
}

#[test]
fn an_unreachable_server_leaves_every_file_as_it_was() {
    let env = Env::start();
    let original = cases_csv(&env, "cases.csv", 150);
    write(&env.path("results.csv"), "precious\n");
    // Port 9 (discard) on loopback: nothing listens, connections are refused.
    let out = env
        .bare()
        .args([
            "--base-url",
            "http://127.0.0.1:9/my-tenant",
            "--api-key",
            "k",
        ])
        .args(["batch", "run", "--service", CYL, "--input", "cases.csv"])
        .args(["--output", "results.csv", "--failed", "failed.jsonl"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(env.path("cases.csv")).unwrap(),
        original
    );
    assert_eq!(
        std::fs::read_to_string(env.path("results.csv")).unwrap(),
        "precious\n"
    );
    assert!(!env.path("failed.jsonl").exists());
    let names: Vec<_> = std::fs::read_dir(env.work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

/// The batch id the CLI names in its error.
fn batch_id_in(text: &str) -> String {
    let after = text
        .split("batch ")
        .find(|part| part.contains(" was cancelled on the server"))
        .unwrap_or_else(|| panic!("no cancelled batch named in: {text}"));
    after.split_whitespace().next().unwrap().to_owned()
}

fn server_status(env: &Env, batch_id: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = cspark::Client::builder()
        .env_lookup(|_| None)
        .base_url(env.handle.base_url())
        .api_key("k")
        .build()
        .unwrap();
    rt.block_on(async {
        let info = client
            .batches()
            .of(batch_id)
            .unwrap()
            .get_info()
            .await
            .unwrap();
        info.batch_status().unwrap_or_default().to_owned()
    })
}

#[test]
fn a_bad_row_cancels_the_batch_on_the_server_before_saying_so() {
    let env = Env::start();
    let mut text = String::new();
    for i in 0..300 {
        writeln!(
            text,
            r#"{{"Radius": {}, "Height": {}}}"#,
            i % 7 + 1,
            i % 3 + 1
        )
        .unwrap();
    }
    text.push_str("{\"Radius\": 1,\n");
    write(&env.path("cases.jsonl"), &text);
    let out = env.run(&[
        "batch",
        "run",
        "--service",
        CYL,
        "--input",
        "cases.jsonl",
        "--output",
        "results.jsonl",
        "--chunk-size",
        "50",
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("cases.jsonl:301"), "{err}");
    let id = batch_id_in(&err);
    assert_eq!(server_status(&env, &id), "cancelled", "{err}");
    assert!(
        !env.path("results.jsonl").exists(),
        "no half-written output"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_batch_on_the_server_before_saying_so() {
    use std::process::Stdio;

    let env = Env::start();
    let fifo = env.path("cases.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let base = env.handle.base_url();
    let child = env
        .bare()
        .args(["--base-url", base.as_str(), "--api-key", "k"])
        .args(["batch", "run", "--service", CYL, "--input", "cases.csv"])
        .args([
            "--output",
            "results.csv",
            "--threshold",
            "0",
            "--chunk-size",
            "10",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let mut text = String::from("Radius,Height\n");
    for i in 0..100 {
        writeln!(text, "{},{}", i % 7 + 1, i % 3 + 1).unwrap();
    }
    pipe.write_all(text.as_bytes()).unwrap();
    pipe.flush().unwrap();
    // Wait until results are being written (to the pending file), so the batch exists.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let pending = std::fs::read_dir(env.work.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("results.csv.cspark-"));
        if pending.is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 100)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no results while the input was open"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!env.path("results.csv").exists(), "renamed only at the end");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    drop(pipe);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let id = batch_id_in(&err);
    assert_eq!(server_status(&env, &id), "cancelled", "{err}");
    assert!(!env.path("results.csv").exists());
}

#[test]
fn no_numeric_argument_panics() {
    let env = Env::start();
    cases_csv(&env, "cases.csv", 3);
    let extremes = [
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999999",
        "-1",
        "1e309",
        "NaN",
        "",
        " ",
        "0x10",
    ];
    for flag in ["--threshold", "--chunk-size", "--max-in-flight"] {
        let mut values: Vec<&str> = extremes.to_vec();
        if flag != "--threshold" {
            values.push("0");
        }
        values.push("1025000");
        for value in values {
            // `--flag=value`, so that `-1` reaches the flag's parser rather than clap's.
            let out = env.run(&[
                "batch",
                "run",
                "--service",
                CYL,
                "--input",
                "cases.csv",
                "--output",
                "o.csv",
                &format!("{flag}={value}"),
            ]);
            let err = stderr(&out);
            assert_eq!(code(&out), 2, "{flag} {value:?}: {err}");
            assert!(!err.contains("panicked"), "{flag} {value:?}: {err}");
            assert!(err.contains(flag), "{flag} {value:?}: {err}");
        }
    }
    for value in ["1e309", "-1", "NaN", "18446744073709551615", "inf"] {
        let out = env
            .bare()
            .args(["emulator", &format!("--engine-ms-per-record={value}")])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{value:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    for value in ["127.0.0.1:99999", "127.0.0.1:18446744073709551615"] {
        let out = env
            .bare()
            .args(["emulator", "--addr", value])
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{value:?}: {}", stderr(&out));
    }
    // The largest accepted values run.
    let summary = json(&env.run(&[
        "batch",
        "run",
        "--service",
        CYL,
        "--input",
        "cases.csv",
        "--output",
        "o.csv",
        "--threshold",
        "0",
        "--chunk-size",
        "100000",
        "--max-in-flight",
        "1024",
        "--json",
    ]));
    assert_eq!(summary["succeeded"], 3, "{summary}");
    let summary = json(&env.run(&[
        "batch",
        "run",
        "--service",
        CYL,
        "--input",
        "cases.csv",
        "--output",
        "o.csv",
        "--threshold",
        "100000",
        "--json",
    ]));
    assert_eq!(summary["mode"], "execute-many", "{summary}");
}

#[test]
fn csv_cells_keep_what_a_number_would_lose() {
    let env = Env::start();
    write(
        &env.path("cases.csv"),
        "Id,Radius,Height\n00123,007,2\n12345678901234567890,1,1\n42,2,1\n",
    );
    for threshold in ["100", "0"] {
        ok(&env.run(&[
            "batch",
            "run",
            "--service",
            CYL,
            "--input",
            "cases.csv",
            "--output",
            "out.jsonl",
            "--threshold",
            threshold,
        ]));
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(env.path("out.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        // Not an input of the service: kept as written.
        assert_eq!(lines[0]["Id"], "00123", "{}", lines[0]);
        assert_eq!(lines[1]["Id"], "12345678901234567890", "{}", lines[1]);
        assert_eq!(lines[2]["Id"], 42, "{}", lines[2]);
        // Radius is a number in the service's schema: 007 is the number 7.
        assert_eq!(lines[0]["Radius"], 7, "{}", lines[0]);
        let v = lines[0]["Volume"].as_f64().unwrap();
        assert!((v - std::f64::consts::PI * 49.0 * 2.0).abs() < 1e-9, "{v}");
    }
}

/// A write error (here the file-size limit, as a full disk would) stops the run, and the
/// batch is cancelled on the server before the command says so.
#[cfg(unix)]
#[test]
fn a_write_error_cancels_the_batch_on_the_server_before_saying_so() {
    let env = Env::start();
    cases_csv(&env, "cases.csv", 3_000);
    write(&env.path("results.csv"), "precious\n");
    let base = env.handle.base_url();
    // SIGXFSZ ignored, so a write past the 8 KiB limit fails with EFBIG instead of killing.
    let mut sh = std::process::Command::new("sh");
    for (k, _) in std::env::vars() {
        if k.starts_with("CSPARK_") {
            sh.env_remove(k);
        }
    }
    let out = sh
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_cspark"))
        .args(["--base-url", base.as_str(), "--api-key", "k"])
        .args(["batch", "run", "--service", CYL, "--input", "cases.csv"])
        .args([
            "--output",
            "results.csv",
            "--threshold",
            "0",
            "--chunk-size",
            "100",
        ])
        .env("CSPARK_CONFIG_DIR", env.config.path())
        .current_dir(env.work.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("results.csv"), "{err}");
    let id = batch_id_in(&err);
    assert_eq!(server_status(&env, &id), "cancelled", "{err}");
    assert_eq!(
        std::fs::read_to_string(env.path("results.csv")).unwrap(),
        "precious\n"
    );
}
