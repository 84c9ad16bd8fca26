//! Async batch lifecycle with real computed outputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn thousand_records_in_chunks_round_trip() {
    let h = start().await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (status, created) = post(
        &b,
        json!({"service": "demo/volume-cylinder", "output": "Volume",
               "call_purpose": "Async Batch Execution", "source_system": "tests",
               "max_input_size_in_mb": 10, "acceptable_error_percentage": 0}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["object"], "batch");
    assert_eq!(created["data"]["batch_status"], "created");
    assert_eq!(
        created["data"]["service_uri"],
        "demo/volume-cylinder[0.1.0]"
    );
    assert_eq!(created["data"]["source_system"], "tests");
    let id = created["id"].as_str().unwrap().to_string();

    // 1,000 records: radius = 1 + i/100, height = 1 + i % 7. 10 chunks of 100, columnar,
    // alternating with records form.
    let record = |i: usize| (1.0 + i as f64 / 100.0, 1.0 + (i % 7) as f64);
    let mut pushed = 0;
    for c in 0..10usize {
        let range = c * 100..(c + 1) * 100;
        let data = if c.is_multiple_of(2) {
            let mut rows = vec![json!(["Radius", "Height"])];
            rows.extend(range.clone().map(|i| {
                let (r, hh) = record(i);
                json!([r, hh])
            }));
            json!({"inputs": rows, "parameters": {}})
        } else {
            let rows: Vec<Value> = range
                .clone()
                .map(|i| {
                    let (r, hh) = record(i);
                    json!({"Radius": r, "Height": hh})
                })
                .collect();
            json!({"inputs": rows})
        };
        let (status, st) = post(
            &format!("{b}/{id}/chunks"),
            json!({"chunks": [{"id": format!("chunk-{c}"), "size": 100, "data": data}]}),
        )
        .await;
        assert_eq!(status, 200, "{st}");
        pushed += 100;
        assert_eq!(st["record_submitted"], pushed);
        assert_eq!(st["batch_status"], "in_progress");
    }
    let (_, st) = get(&format!("{b}/{id}/status")).await;
    assert_eq!(st["records_available"], 1000);
    assert_eq!(st["chunks_available"], 10);
    assert_eq!(st["records_completed"], 1000);

    // Close: still pullable until drained, then completed.
    let res = client()
        .patch(format!("{b}/{id}"))
        .header("x-synthetic-key", KEY)
        .json(&json!({"batch_status": "closed"}))
        .send()
        .await
        .unwrap();
    let (status, closed) = decode(res).await;
    assert_eq!(status, 200);
    assert_eq!(closed["data"]["batch_status"], "closed");
    assert_eq!(closed["meta"]["batch_status"], "closed");
    let (status, _) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "late", "data": {"inputs": [{"Radius": 1}]}}]}),
    )
    .await;
    assert_eq!(status, 400, "push after close");

    let mut seen = 0;
    let mut pulls = 0usize;
    loop {
        let query = if pulls.is_multiple_of(2) {
            "max=3"
        } else {
            "max_chunks=3"
        };
        let (status, pulled) = get(&format!("{b}/{id}/chunkresults?{query}")).await;
        assert_eq!(status, 200, "{pulled}");
        pulls += 1;
        let chunks = pulled["data"].as_array().unwrap();
        assert!(chunks.len() <= 3);
        if chunks.is_empty() {
            assert_eq!(pulled["status"]["records_available"], 0);
            assert_eq!(pulled["status"]["batch_status"], "completed");
            break;
        }
        for chunk in chunks {
            let c: usize = chunk["id"]
                .as_str()
                .unwrap()
                .trim_start_matches("chunk-")
                .parse()
                .unwrap();
            let outputs = chunk["outputs"].as_array().unwrap();
            let values: Vec<f64> = if c.is_multiple_of(2) {
                assert_eq!(outputs[0], json!(["Volume"]), "columnar in → columnar out");
                outputs[1..]
                    .iter()
                    .map(|r| r[0].as_f64().unwrap())
                    .collect()
            } else {
                outputs
                    .iter()
                    .map(|r| r["Volume"].as_f64().unwrap())
                    .collect()
            };
            assert_eq!(values.len(), 100);
            assert_eq!(chunk["process_time"].as_array().unwrap().len(), 100);
            assert_eq!(chunk["errors"].as_array().unwrap().len(), 100);
            for (k, v) in values.iter().enumerate() {
                let (r, hh) = record(c * 100 + k);
                assert!(close(*v, volume(r, hh)), "chunk {c} record {k}");
            }
            seen += 100;
        }
    }
    assert_eq!(seen, 1000);
    let (_, info) = get(&format!("{b}/{id}")).await;
    assert_eq!(info["data"]["summary"]["records_completed"], 1000);
    assert_eq!(info["data"]["summary"]["chunks_submitted"], 10);
    assert_eq!(
        info["data"]["configuration"]["input_buffer_allocated_bytes"],
        450000000
    );
    let (_, described) = get(&format!("{b}/status")).await;
    assert_eq!(described["recent_batches"][0]["id"], id.as_str());
    assert!(described["tenant"]["configuration"].is_object());
}

#[tokio::test]
async fn cancel_discards_and_parameters_and_summary_apply() {
    let h = start().await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (_, created) = post(&b, json!({"service": "demo/volume-cylinder"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (_, st) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "p", "size": 3, "data": {
            "inputs": [["Radius"], [1], [2], [3]], "parameters": {"Height": 2},
            "summary": {"ignore_error": false, "aggregation": [{"output_name": "Volume", "operator": "SUM"}]}}}]}),
    )
    .await;
    assert_eq!(st["record_submitted"], 3);
    let (_, pulled) = get(&format!("{b}/{id}/chunkresults?max=10")).await;
    let chunk = &pulled["data"][0];
    let expected: f64 = [1.0, 2.0, 3.0].iter().map(|r| volume(*r, 2.0)).sum();
    assert!(
        close(chunk["summary_output"][1][0].as_f64().unwrap(), expected),
        "{chunk}"
    );
    assert_eq!(chunk["summary_output"][0], json!(["Volume"]));
    let (_, _) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "q", "data": {"inputs": [{"Radius": 1, "Height": 1}]}}]}),
    )
    .await;
    let res = client()
        .patch(format!("{b}/{id}"))
        .header("x-synthetic-key", KEY)
        .json(&json!({"batch_status": "cancelled"}))
        .send()
        .await
        .unwrap();
    let (_, cancelled) = decode(res).await;
    assert_eq!(cancelled["data"]["batch_status"], "cancelled");
    let (_, st) = get(&format!("{b}/{id}/status")).await;
    assert_eq!(st["records_available"], 0, "buffers discarded");
    assert_eq!(st["batch_status"], "cancelled");
    let res = client()
        .patch(format!("{b}/{id}"))
        .header("x-synthetic-key", KEY)
        .json(&json!({"batch_status": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let (status, body) = get(&format!("{b}/00000000-0000-4000-8000-000000000000/status")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "BATCH_NOT_FOUND");
    let (status, _) = post(&b, json!({"service": "demo/missing"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn batches_survive_a_restart_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("cspark-emulator-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || cspark_emulator::EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..cspark_emulator::EmulatorConfig::default()
    };
    let h = start_with(config()).await;
    let vid = publish(&h, "kept", "cyl", cylinder_xlsx(1.0), json!({})).await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (_, created) = post(&b, json!({"version_id": vid})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (_, st) = post(
        &format!("{b}/{id}/chunks"),
        json!({"chunks": [{"id": "a", "data": {"inputs": [{"Radius": 2, "Height": 3}]}}]}),
    )
    .await;
    assert_eq!(st["record_submitted"], 1);
    h.shutdown().await;

    let h = start_with(config()).await;
    let b = format!("{}/api/v4/batch", h.base_url());
    let (status, st) = get(&format!("{b}/{id}/status")).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["batch_status"], "in_progress");
    assert_eq!(st["records_available"], 1);
    let (_, pulled) = get(&format!("{b}/{id}/chunkresults?max=5")).await;
    let v = pulled["data"][0]["outputs"][0]["Volume"].as_f64().unwrap();
    assert!(close(v, volume(2.0, 3.0)));
    h.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
