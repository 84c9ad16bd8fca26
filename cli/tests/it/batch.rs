//! `cspark batch run`: a 10,000-row CSV through the Batch API, small files through
//! execute-many, and the streaming: results written while the input is still being produced,
//! records held within the window, a bad record mid-file.

use std::fmt::Write as _;

use crate::common::{Env, code, json, ok, write};

fn radius(i: usize) -> f64 {
    (i % 97) as f64 / 4.0 + 0.5
}

fn height(i: usize) -> u64 {
    (i % 13 + 1) as u64
}

#[test]
fn ten_thousand_csv_rows_in_input_order() {
    let env = Env::start();
    let n = 10_000;
    let mut csv = String::from("Radius,Height\n");
    for i in 0..n {
        writeln!(csv, "{},{}", radius(i), height(i)).unwrap();
    }
    write(&env.path("cases.csv"), &csv);
    let out = env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.csv",
        "--output",
        "results.csv",
        "--failed",
        "failed.jsonl",
        "--json",
    ]);
    let summary = json(&out);
    // No progress bar drawn when stderr is not a terminal.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(summary["mode"], "batch", "{summary}");
    assert_eq!(summary["records"], n);
    assert_eq!(summary["succeeded"], n);
    assert_eq!(summary["failed"], 0);

    let mut reader = csv::Reader::from_path(env.path("results.csv")).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&headers[..2], ["Radius", "Height"]);
    let volume = headers.iter().position(|h| h == "Volume").unwrap();
    let mut rows = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let r: f64 = record[0].parse().unwrap();
        let h: f64 = record[1].parse().unwrap();
        assert_eq!(r, radius(i), "row {i} out of order");
        assert_eq!(h, height(i) as f64);
        let v: f64 = record[volume].parse().unwrap();
        let expected = std::f64::consts::PI * r * r * h;
        assert!(
            (v - expected).abs() <= 1e-9 * expected.max(1.0),
            "row {i}: {v} vs {expected}"
        );
        rows += 1;
    }
    assert_eq!(rows, n);
    assert_eq!(
        std::fs::read_to_string(env.path("failed.jsonl")).unwrap(),
        ""
    );
}

#[test]
fn small_jsonl_goes_through_execute_many() {
    let env = Env::start();
    write(
        &env.path("cases.jsonl"),
        "{\"Radius\": 1, \"Height\": 2}\n\n{\"Radius\": 3, \"Height\": 4}\n",
    );
    let text = ok(&env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.jsonl",
        "--output",
        "out.jsonl",
    ]));
    assert!(text.contains("execute-many"), "{text}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(env.path("out.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (line, (r, h)) in lines.iter().zip([(1.0, 2.0), (3.0, 4.0)]) {
        assert_eq!(line["Radius"].as_f64(), Some(r));
        let v = line["Volume"].as_f64().unwrap();
        assert!((v - std::f64::consts::PI * r * r * h).abs() < 1e-9);
    }
}

#[test]
fn json_array_input_and_bad_extension() {
    let env = Env::start();
    write(&env.path("cases.json"), r#"[{"Radius": 2, "Height": 1}]"#);
    ok(&env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.json",
        "--output",
        "out.csv",
    ]));
    let text = std::fs::read_to_string(env.path("out.csv")).unwrap();
    assert!(
        text.starts_with("Height,Radius,") || text.starts_with("Radius,Height,"),
        "{text}"
    );
    let out = env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.json",
        "--output",
        "out.xml",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn failed_records_go_to_their_own_file_in_both_modes() {
    let env = Env::start();
    write(&env.path("bad.csv"), "Radius,Height\n1,2\nabc,3\n2,2\n");
    for threshold in ["100", "0"] {
        let out = env.run(&[
            "batch",
            "run",
            "--service",
            "demo/volume-cylinder",
            "--input",
            "bad.csv",
            "--output",
            "out.csv",
            "--failed",
            "failed.jsonl",
            "--threshold",
            threshold,
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(1), "threshold {threshold}");
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["succeeded"], 2);
        assert_eq!(summary["failed"], 1);
        let text = std::fs::read_to_string(env.path("out.csv")).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("1,2,"));
        assert!(text.lines().nth(2).unwrap().starts_with("2,2,"));
        let failed: serde_json::Value = serde_json::from_str(
            std::fs::read_to_string(env.path("failed.jsonl"))
                .unwrap()
                .trim(),
        )
        .unwrap();
        assert_eq!(failed["index"], 1);
        assert_eq!(failed["inputs"]["Radius"], "abc");
        assert!(failed["errors"][0]["message"].is_string());
    }
}

/// Checks that `path` (a CSV with Radius, Height, …, Volume) has exactly `n` rows in input
/// order with the right volumes.
fn check_volumes(path: &std::path::Path, n: usize) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (r_col, h_col, v_col) = (col("Radius"), col("Height"), col("Volume"));
    let mut rows = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let r: f64 = record[r_col].parse().unwrap();
        let h: f64 = record[h_col].parse().unwrap();
        assert_eq!(
            (r, h),
            (radius(i), height(i) as f64),
            "row {i} out of order"
        );
        let v: f64 = record[v_col].parse().unwrap();
        let expected = std::f64::consts::PI * r * r * h;
        assert!(
            (v - expected).abs() <= 1e-9 * expected.max(1.0),
            "row {i}: {v} vs {expected}"
        );
        rows += 1;
    }
    assert_eq!(rows, n);
}

/// Complete lines in `path` so far (0 when it does not exist yet).
fn complete_lines(path: &std::path::Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

#[cfg(unix)]
#[test]
fn results_are_written_while_the_input_is_still_being_produced() {
    use std::io::Write as _;
    use std::process::Stdio;

    let env = Env::start();
    let fifo = env.path("cases.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let base = env.handle.base_url();
    let child = env
        .bare()
        .args(["--base-url", base.as_str(), "--api-key", "k", "--json"])
        .args(["batch", "run", "--service", "demo/volume-cylinder"])
        .args(["--input", "cases.csv", "--output", "results.csv"])
        .args([
            "--threshold",
            "0",
            "--chunk-size",
            "10",
            "--max-in-flight",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the write end waits for the command to open the read end.
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let (first, n) = (100, 1_000);
    let mut text = String::from("Radius,Height\n");
    for i in 0..first {
        writeln!(text, "{},{}", radius(i), height(i)).unwrap();
    }
    pipe.write_all(text.as_bytes()).unwrap();
    pipe.flush().unwrap();
    // The input stays open: a command that read everything before writing would never get
    // here. The deadline only turns that hang into a failure. Results go to a temporary
    // file next to results.csv, renamed over it at the end.
    let output = env.path("results.csv");
    let pending = || {
        std::fs::read_dir(env.work.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("results.csv.cspark-"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while pending().map_or(0, |p| complete_lines(&p)) < 1 + first {
        assert!(
            std::time::Instant::now() < deadline,
            "no results while the input was open: {:?}",
            pending()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!output.exists(), "results.csv appears only once complete");
    let mut rest = String::new();
    for i in first..n {
        writeln!(rest, "{},{}", radius(i), height(i)).unwrap();
    }
    pipe.write_all(rest.as_bytes()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let summary = json(&out);
    assert_eq!(summary["mode"], "batch", "{summary}");
    assert_eq!(summary["succeeded"], n);
    check_volumes(&output, n);
}

#[test]
fn records_held_in_memory_stay_within_the_window() {
    let env = Env::start();
    // The first chunk's push is answered 429 with Retry-After: 1 s, so its results come
    // last by far while the other chunks flow: without a window on what is read ahead, the
    // records waiting for it to be written would pile up in memory.
    env.handle.set_faults(cspark_emulator::FaultPlan::single(
        1,
        cspark_emulator::FaultRule {
            route: "*/chunks".into(),
            method: Some("POST".into()),
            script: vec![cspark_emulator::faults::Fault::Status(429)],
            retry_after: Some(1.0),
            ..Default::default()
        },
    ));
    let n = 2_000;
    let mut csv = String::from("Radius,Height\n");
    for i in 0..n {
        writeln!(csv, "{},{}", radius(i), height(i)).unwrap();
    }
    write(&env.path("cases.csv"), &csv);
    let summary = json(&env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.csv",
        "--output",
        "results.csv",
        "--chunk-size",
        "20",
        "--max-in-flight",
        "2",
        "--json",
    ]));
    assert_eq!(summary["succeeded"], n, "{summary}");
    // (max-in-flight + 3) × chunk-size, as documented on --max-in-flight.
    let bound = (2 + 3) * 20;
    let peak = summary["records_held_peak"].as_u64().unwrap();
    assert!(peak > 0 && peak <= bound, "peak {peak} vs bound {bound}");
    check_volumes(&env.path("results.csv"), n);
}

#[test]
fn a_json_array_streams_through_the_batch_api() {
    let env = Env::start();
    let n = 500;
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"Radius": {}, "Height": {}}}"#, radius(i), height(i)))
        .collect();
    write(
        &env.path("cases.json"),
        &format!("[\n{}\n]", items.join(",\n")),
    );
    let summary = json(&env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.json",
        "--output",
        "results.csv",
        "--threshold",
        "0",
        "--chunk-size",
        "50",
        "--json",
    ]));
    assert_eq!(summary["mode"], "batch", "{summary}");
    assert_eq!(summary["succeeded"], n);
    check_volumes(&env.path("results.csv"), n);
}

#[test]
fn a_malformed_record_mid_file_stops_the_run_and_names_its_line() {
    let env = Env::start();
    let mut text = String::new();
    for i in 0..300 {
        writeln!(
            text,
            r#"{{"Radius": {}, "Height": {}}}"#,
            radius(i),
            height(i)
        )
        .unwrap();
    }
    text.push_str("{\"Radius\": 1,\n");
    write(&env.path("cases.jsonl"), &text);
    let out = env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.jsonl",
        "--output",
        "results.jsonl",
        "--chunk-size",
        "50",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("cases.jsonl:301"), "{stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");

    let array = r#"[{"Radius": 1, "Height": 1}, 7]"#;
    write(&env.path("cases.json"), array);
    let out = env.run(&[
        "batch",
        "run",
        "--service",
        "demo/volume-cylinder",
        "--input",
        "cases.json",
        "--output",
        "results.jsonl",
        "--threshold",
        "0",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("record 2 is not a JSON object"), "{stderr}");
}
