//! `cspark batch run`: a 10,000-row CSV through the Batch API, and small files through
//! execute-many.

use std::fmt::Write as _;

use crate::common::{Env, json, ok, write};

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
