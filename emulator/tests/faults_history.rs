//! Fault injection (scripted, seeded, dropped connections, latency) and call history.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use cspark_emulator::{EmulatorConfig, Fault, FaultPlan, FaultRule};
use serde_json::{Value, json};

#[tokio::test]
async fn history_returns_the_detailed_log_as_a_string() {
    let h = start().await;
    let (_, out) = post(
        &execute_url(&h, "demo", "volume-cylinder"),
        json!({"request_data": {"inputs": {"Radius": 2, "Height": 2}},
               "request_meta": {"call_purpose": "History test", "source_system": "tests",
                                "correlation_id": "hist-1"}}),
    )
    .await;
    let call_id = out["response_meta"]["call_id"].as_str().unwrap();
    let (status, body) = get(&format!(
        "{}/api/v3/log/getexecutionhistorybycallid/{call_id}",
        h.base_url()
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let text = body["response_data"]
        .as_str()
        .expect("response_data is a JSON string");
    let log: Value = serde_json::from_str(text).unwrap();
    assert_eq!(log["EngineCallId"], call_id);
    assert_eq!(log["Purpose"], "History test");
    assert_eq!(log["SourceSystem"], "tests");
    assert_eq!(log["Service"], "volume-cylinder");
    assert_eq!(log["Product"], "demo");
    assert_eq!(log["APIVersion"], "V3");
    assert_eq!(log["ServiceRevision"], "0.1.0");
    let d = &log["EngineDetails"];
    assert_eq!(
        d["request_data"]["inputs"],
        json!({"Radius": 2, "Height": 2})
    );
    assert_eq!(d["request_meta"]["correlation_id"], "hist-1");
    assert!(close(
        d["response_data"]["outputs"]["Volume"].as_f64().unwrap(),
        volume(2.0, 2.0)
    ));
    assert!(d["response_meta"]["spark_total_time"].is_u64());
    // v4 calls are recorded too; unknown ids are 404.
    let (_, v4) = post(
        &format!("{}/api/v4/execute", h.base_url()),
        json!({"service": "demo/volume-cylinder", "inputs": [{"Radius": 1, "Height": 1}]}),
    )
    .await;
    let (status, body) = get(&format!(
        "{}/api/v3/log/getexecutionhistorybycallid/{}",
        h.base_url(),
        v4["call_id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(status, 200);
    let log: Value = serde_json::from_str(body["response_data"].as_str().unwrap()).unwrap();
    assert_eq!(log["APIVersion"], "V4");
    let (status, _) = get(&format!(
        "{}/api/v3/log/getexecutionhistorybycallid/nope",
        h.base_url()
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn history_is_a_bounded_ring_buffer() {
    let h = start_with(EmulatorConfig {
        history_capacity: 2,
        ..EmulatorConfig::default()
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, out) = post(&execute_url(&h, "demo", "volume-cylinder"), json!({})).await;
        ids.push(
            out["response_meta"]["call_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let url = |id: &str| {
        format!(
            "{}/api/v3/log/getexecutionhistorybycallid/{id}",
            h.base_url()
        )
    };
    assert_eq!(get(&url(&ids[0])).await.0, 404, "oldest evicted");
    assert_eq!(get(&url(&ids[1])).await.0, 200);
    assert_eq!(get(&url(&ids[2])).await.0, 200);
}

#[tokio::test]
async fn scripted_faults_then_success() {
    let h = start().await;
    h.set_faults(FaultPlan::single(
        1,
        FaultRule {
            route: "*/execute".into(),
            method: Some("POST".into()),
            script: vec![
                Fault::Status(429),
                Fault::Status(503),
                Fault::Status(401),
                Fault::Pass,
            ],
            retry_after: Some(0.5),
            ..FaultRule::default()
        },
    ));
    let url = execute_url(&h, "demo", "volume-cylinder");
    let send = || {
        client()
            .post(&url)
            .header("x-synthetic-key", KEY)
            .json(&json!({}))
            .send()
    };
    let res = send().await.unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["x-retry-after"], "0.5");
    assert_eq!(res.headers()["retry-after"], "1");
    let (_, body) = decode(res).await;
    assert_eq!(body["status"], "Error");
    let res = send().await.unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let res = send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(send().await.unwrap().status().as_u16(), 200);
    assert_eq!(send().await.unwrap().status().as_u16(), 200);
    // Other routes are untouched.
    assert_eq!(get(&format!("{}/health", h.url())).await.0, 200);
    assert_eq!(h.counters().faults_injected, 3);
    h.set_faults(None);
}

#[tokio::test]
async fn seeded_random_faults_are_deterministic() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let plan = || {
        FaultPlan::single(
            42,
            FaultRule {
                route: "*".into(),
                rate_429: 0.2,
                rate_500: 0.1,
                rate_503: 0.1,
                ..FaultRule::default()
            },
        )
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        h.set_faults(plan());
        let mut codes = Vec::new();
        for _ in 0..40 {
            let res = client()
                .post(&url)
                .header("x-synthetic-key", KEY)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            codes.push(res.status().as_u16());
        }
        runs.push(codes);
    }
    assert_eq!(runs[0], runs[1]);
    let faults = runs[0].iter().filter(|c| **c != 200).count();
    assert!(faults > 4 && faults < 30, "{:?}", runs[0]);
    assert!(runs[0].contains(&429) && runs[0].contains(&200));
    h.set_faults(FaultPlan::single(
        7,
        FaultRule {
            route: "*".into(),
            rate_429: 0.5,
            ..FaultRule::default()
        },
    ));
    let mut other = Vec::new();
    for _ in 0..40 {
        other.push(
            client()
                .post(&url)
                .header("x-synthetic-key", KEY)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_ne!(other, runs[0], "another seed and plan, another sequence");
}

#[tokio::test]
async fn dropped_connections_and_latency() {
    let h = start().await;
    h.set_faults(FaultPlan::single(
        0,
        FaultRule {
            route: "/health".into(),
            script: vec![Fault::Drop],
            latency_ms: 150,
            ..FaultRule::default()
        },
    ));
    let url = format!("{}/health", h.url());
    let started = Instant::now();
    let res = client().get(&url).send().await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(
        failed,
        "the connection is dropped without a complete response"
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    let (status, body) = decode(client().get(&url).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "UP");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "latency applies to every match"
    );
}

#[tokio::test]
async fn fault_plan_parses_from_json() {
    let plan = FaultPlan::from_json(
        r#"{"seed": 3, "rules": [{"route": "*/batch/*", "method": "GET", "script": [429, "drop", "ok", "503"], "rate_504": 0.1}]}"#,
    )
    .unwrap();
    assert_eq!(plan.seed, 3);
    assert_eq!(
        plan.rules[0].script,
        vec![
            Fault::Status(429),
            Fault::Drop,
            Fault::Pass,
            Fault::Status(503)
        ]
    );
    assert_eq!(plan.rules[0].rate_504, 0.1);
    assert!(FaultPlan::from_json(r#"{"rules": [{"script": ["boom"]}]}"#).is_err());
}

#[tokio::test]
async fn dropped_connection_sends_no_bytes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = start().await;
    h.set_faults(FaultPlan::single(
        0,
        FaultRule {
            route: "/health".into(),
            script: vec![Fault::Drop],
            ..FaultRule::default()
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server closes the socket");
    assert!(
        received.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn log_downloads_as_json_and_csv_zips() {
    use std::io::Read;
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let mut ids = Vec::new();
    for (r, hh) in [(1.0, 2.0), (3.0, 4.0)] {
        let (_, out) = post(
            &url,
            json!({"request_data": {"inputs": {"Radius": r, "Height": hh}},
                   "request_meta": {"source_system": "logs-test", "correlation_id": "c, \"q\""}}),
        )
        .await;
        ids.push(
            out["response_meta"]["call_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    post(&execute_url(&h, "demo", "loan-calc"), json!({})).await;
    let base = format!(
        "{}/api/v3/folders/demo/services/volume-cylinder/log",
        h.base_url()
    );
    for format in ["downloadjson", "downloadcsv"] {
        let (status, started) = post(
            &format!("{base}/{format}"),
            json!({"request_data": {"call_ids": ["logs-test"], "start_date": "2020-01-01T00:00:00Z",
                                    "end_date": "2100-01-01T00:00:00Z", "timezone_offset": "+00:00"}}),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let job = started["response_data"]["job_id"].as_str().unwrap();
        let (status, st) = get(&format!("{base}/{format}/status/{job}")).await;
        assert_eq!(status, 200);
        assert_eq!(st["response_data"]["progress"], 100);
        assert!(
            st.get("status").is_none(),
            "envelope status missing as on Spark"
        );
        let link = st["response_data"]["download_url"].as_str().unwrap();
        // The link needs the caller's credentials, as both public SDKs send them.
        let refused = client().get(link).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 401, "log download without a key");
        let res = client()
            .get(link)
            .header("x-synthetic-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-type"], "application/zip");
        let bytes = res.bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut file = archive.by_index(0).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        if format == "downloadjson" {
            let logs: Value = serde_json::from_str(&text).unwrap();
            let logs = logs.as_array().unwrap();
            assert_eq!(logs.len(), 2);
            let got: Vec<&str> = logs
                .iter()
                .map(|l| l["EngineCallId"].as_str().unwrap())
                .collect();
            assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
            let v = logs[1]["EngineDetails"]["response_data"]["outputs"]["Volume"]
                .as_f64()
                .unwrap();
            assert!(close(v, volume(3.0, 4.0)));
        } else {
            let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
            assert_eq!(lines.len(), 3, "{text}");
            assert!(lines[0].starts_with("Description,Log Time,Transaction date,Version,"));
            assert!(lines[0].ends_with(",Error Details,Warning Details"));
            assert!(lines[0].contains(",Radius,") && lines[0].contains(",Volume,"));
            assert!(lines[1].contains(&ids[0]) && lines[1].contains("\"c, \"\"q\"\"\""));
        }
    }
    let (status, _) = get(&format!("{base}/downloadjson/status/nope")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn v1_log_search_lists_calls_newest_first() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    for purpose in ["A", "B", "A"] {
        post(
            &url,
            json!({"request_meta": {"call_purpose": purpose, "source_system": "s"}}),
        )
        .await;
    }
    let logs = format!(
        "{}/api/v1/product/demo/engines/volume-cylinder/logs",
        h.url()
    );
    let (status, all) = post(
        &logs,
        json!({"search": [], "page": 1, "pageSize": 100, "sort": "-updated"}),
    )
    .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["count"], 3);
    assert_eq!(all["data"][0]["callPurpose"], "A");
    assert_eq!(all["data"][0]["serviceName"], "volume-cylinder");
    assert!(all["data"][0]["calcTime"].is_string());
    let (_, only_b) = post(
        &logs,
        json!({"search": [{"field": "CallPurpose", "value": "B"}]}),
    )
    .await;
    assert_eq!(only_b["count"], 1);
    // The Postman spelling filters the same way.
    let (_, only_a) = post(
        &logs,
        json!({"search": [{"fieldName": "callPurpose", "fieldValue": "A"}]}),
    )
    .await;
    assert_eq!(only_a["count"], 2, "{only_a}");
    // A filter the history cannot apply is refused, not ignored (which would list every call).
    for search in [
        json!([{"field": "sourceSystemX", "value": "s"}]),
        json!([{"value": "B"}]),
        json!({"field": "callPurpose"}),
    ] {
        let (status, refused) = post(&logs, json!({ "search": search })).await;
        assert_eq!(status, 400, "{search}: {refused}");
    }
    let (_, paged) = post(&logs, json!({"page": 2, "pageSize": 2})).await;
    assert_eq!(paged["data"].as_array().unwrap().len(), 1);
    assert_eq!(paged["previous"], 1);
}
