//! Execute v3 (every locator, request_meta effects), v4, version resolution.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

fn vol(body: &Value) -> f64 {
    body["response_data"]["outputs"]["Volume"]
        .as_f64()
        .expect("Volume is a number")
}

#[tokio::test]
async fn every_v3_locator_computes_the_same_volume() {
    let h = start_with(
        cspark_emulator::EmulatorConfig::default().with_public_service("demo/volume-cylinder"),
    )
    .await;
    let inputs = json!({"request_data": {"inputs": {"Radius": 1.5, "Height": 10}}});
    let expected = volume(1.5, 10.0);
    let (_, first) = post(&execute_url(&h, "demo", "volume-cylinder"), inputs.clone()).await;
    let service_id = first["response_meta"]["service_id"]
        .as_str()
        .unwrap()
        .to_string();
    let version_id = first["response_meta"]["version_id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = h.base_url();
    let urls = [
        format!("{b}/api/v3/service/{service_id}"),
        format!("{b}/api/v3/version/{version_id}"),
    ];
    for url in &urls {
        let (status, body) = post(url, inputs.clone()).await;
        assert_eq!(status, 200, "{url}: {body}");
        assert!(close(vol(&body), expected), "{url}");
        assert_eq!(body["response_meta"]["version_id"], version_id.as_str());
    }
    for meta in [
        json!({"service_uri": "folders/demo/services/volume-cylinder"}),
        json!({"service_uri": "demo/volume-cylinder[0.1.0]"}),
        json!({"service_id": service_id}),
        json!({"version_id": version_id}),
    ] {
        let mut body = inputs.clone();
        body["request_meta"] = meta.clone();
        let (status, out) = post(&format!("{b}/api/v3/execute"), body).await;
        assert_eq!(status, 200, "{meta}: {out}");
        assert!(close(vol(&out), expected));
    }
    // Public variants need no credentials (for a service declared public).
    let res = client()
        .post(format!(
            "{b}/api/v3/public/folders/demo/services/volume-cylinder/execute"
        ))
        .json(&inputs)
        .send()
        .await
        .unwrap();
    let (status, body) = decode(res).await;
    assert_eq!(status, 200);
    assert!(close(vol(&body), expected));
    // POST /{tenant}/api/v3 refuses API keys but takes bearer tokens.
    let mut body = inputs.clone();
    body["request_meta"] = json!({"version_id": version_id});
    let (status, out) = post(&format!("{b}/api/v3"), body.clone()).await;
    assert_eq!(status, 403, "{out}");
    assert_eq!(out["error"]["message"], "UNAUTHORIZED");
    let res = client()
        .post(format!("{b}/api/v3"))
        .bearer_auth("any")
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, out) = decode(res).await;
    assert_eq!(status, 200, "{out}");
    assert!(close(vol(&out), expected));
}

#[tokio::test]
async fn request_meta_effects() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let (_, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Radius": 2, "Height": 3}},
               "request_meta": {"requested_output": "BaseArea", "response_data_inputs": true,
                                "call_purpose": "Unit", "source_system": "tests"}}),
    )
    .await;
    let outputs = body["response_data"]["outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    assert!(close(
        outputs["BaseArea"].as_f64().unwrap(),
        std::f64::consts::PI * 4.0
    ));
    assert_eq!(body["response_data"]["inputs"]["Radius"], 2);
    assert_eq!(body["response_data"]["inputs"]["Height"], 3);
    assert_eq!(body["response_data"]["service_chain"], Value::Null);
    assert_eq!(body["response_meta"]["correlation_id"], "");
    // requested_output as an array
    let (_, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Radius": 2, "Height": 3}},
               "request_meta": {"requested_output": ["Volume", "SurfaceArea"]}}),
    )
    .await;
    let outputs = body["response_data"]["outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 2);
    let surface = 2.0 * std::f64::consts::PI * 2.0 * (2.0 + 3.0);
    assert!(close(outputs["SurfaceArea"].as_f64().unwrap(), surface));
    // Fresh call ids.
    let (_, a) = post(&url, json!({})).await;
    let (_, b) = post(&url, json!({})).await;
    assert_ne!(a["response_meta"]["call_id"], b["response_meta"]["call_id"]);
    // Missing inputs use defaults (1 × 1 in the demo? whatever the workbook holds) and warn.
    let (_, d) = post(&url, json!({"request_data": {"inputs": {"Radius": 2}}})).await;
    assert!(d["response_data"]["warnings"].is_array(), "{d}");
}

#[tokio::test]
async fn subservices_and_array_outputs() {
    let h = start().await;
    let url = execute_url(&h, "demo", "loan-calc");
    let (status, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Principal": 100000, "Rate": 0.06, "Years": 10}},
               "request_meta": {"service_category": "payment"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outputs = body["response_data"]["outputs"].as_object().unwrap();
    assert_eq!(outputs.keys().collect::<Vec<_>>(), vec!["MonthlyPayment"]);
    let r: f64 = 0.06 / 12.0;
    let n = 120.0;
    let pmt = 100000.0 * r / (1.0 - (1.0 + r).powf(-n));
    let expected = (pmt * 100.0).round() / 100.0;
    assert!((outputs["MonthlyPayment"].as_f64().unwrap() - expected).abs() < 1e-9);

    let url = execute_url(&h, "demo", "insurance-quote");
    let (status, body) = post(
        &url,
        json!({"request_meta": {"array_outputs": "DriverPremiums"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let table = body["response_data"]["outputs"]["DriverPremiums"]
        .as_array()
        .unwrap();
    let headers = table[0].as_array().unwrap();
    assert!(
        !headers.is_empty() && headers.iter().all(Value::is_string),
        "{table:?}"
    );
    assert!(table[1..].iter().all(Value::is_array));
    let (_, plain) = post(&url, json!({})).await;
    let rows = plain["response_data"]["outputs"]["DriverPremiums"]
        .as_array()
        .unwrap();
    assert_eq!(rows.len() + 1, table.len());
    assert!(rows[0].is_object());
}

#[tokio::test]
async fn v4_records_and_columnar_inputs() {
    let h = start().await;
    let url = format!("{}/api/v4/execute", h.base_url());
    let (status, body) = post(
        &url,
        json!({"service": "demo/volume-cylinder", "output": "Volume",
               "correlation_id": "c4", "call_purpose": "Sync Batch Execution",
               "inputs": [{"Radius": 1, "Height": 1}, {"Radius": 2, "Height": 5}, {"Radius": 0.5, "Height": 8}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outs = body["outputs"].as_array().unwrap();
    assert_eq!(outs.len(), 3);
    for (o, (r, hh)) in outs.iter().zip([(1.0, 1.0), (2.0, 5.0), (0.5, 8.0)]) {
        assert_eq!(o.as_object().unwrap().len(), 1);
        assert!(close(o["Volume"].as_f64().unwrap(), volume(r, hh)));
    }
    assert_eq!(body["process_time"].as_array().unwrap().len(), 3);
    assert_eq!(body["warnings"].as_array().unwrap().len(), 3);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    assert_eq!(body["correlation_id"], "c4");
    assert_eq!(body["version"], "0.1.0");
    assert_eq!(body["call_id"].as_str().unwrap().len(), 36);

    let (status, body) = post(
        &url,
        json!({"service": "/folders/demo/services/volume-cylinder", "version": "0.1",
               "inputs": [["Radius", "Height"], [3, 2], [4, 1]]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outs = body["outputs"].as_array().unwrap();
    assert!(close(outs[0]["Volume"].as_f64().unwrap(), volume(3.0, 2.0)));
    assert!(close(outs[1]["Volume"].as_f64().unwrap(), volume(4.0, 1.0)));
}

#[tokio::test]
async fn version_resolution() {
    let h = start().await;
    let b = h.base_url();
    // 0.1.0 ×1 effective 2020–2030; 0.2.0 ×2 from 2025; 0.2.1 ×3 from 2028 (patch).
    let v1 = publish(&h, "calc", "cyl", cylinder_xlsx(1.0), json!({"version_difference": "minor",
        "effective_start_date": "2020-01-01T00:00:00.000Z", "effective_end_date": "2030-01-01T00:00:00.000Z"})).await;
    let v2 = publish(&h, "calc", "cyl", cylinder_xlsx(2.0), json!({"version_difference": "minor",
        "effective_start_date": "2025-01-01T00:00:00.000Z", "effective_end_date": "2035-01-01T00:00:00.000Z"})).await;
    let v3 = publish(&h, "calc", "cyl", cylinder_xlsx(3.0), json!({"version_difference": "patch",
        "effective_start_date": "2028-01-01T00:00:00.000Z", "effective_end_date": "2029-01-01T00:00:00.000Z"})).await;
    let url = execute_url(&h, "calc", "cyl");
    let run = |meta: Value| {
        let url = url.clone();
        async move {
            post(&url, json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}, "request_meta": meta})).await
        }
    };
    let pi = std::f64::consts::PI;
    let cases = [
        (json!({"version": "0.1.0"}), "0.1.0", &v1, 1.0),
        (json!({"version": "0.2"}), "0.2.1", &v3, 3.0),
        (json!({"version_id": v2}), "0.2.0", &v2, 2.0),
        (json!({"transaction_date": "2021-06-01"}), "0.1.0", &v1, 1.0),
        (
            json!({"transaction_date": "2026-06-01T00:00:00Z"}),
            "0.2.0",
            &v2,
            2.0,
        ),
        (
            json!({"transaction_date": "2028-06-01T00:00:00.000Z"}),
            "0.2.1",
            &v3,
            3.0,
        ),
        (json!({"transaction_date": "2031-06-01"}), "0.2.0", &v2, 2.0),
        // version_id wins over transaction_date
        (
            json!({"version_id": v1, "transaction_date": "2031-06-01"}),
            "0.1.0",
            &v1,
            1.0,
        ),
    ];
    for (meta, version, id, factor) in cases {
        let (status, body) = run(meta.clone()).await;
        assert_eq!(status, 200, "{meta}: {body}");
        assert_eq!(body["response_meta"]["version"], version, "{meta}");
        assert_eq!(body["response_meta"]["version_id"], id.as_str(), "{meta}");
        assert!(close(vol(&body), factor * pi), "{meta}");
    }
    // No version is effective in 2019 or 2040.
    for date in ["2019-01-01", "2040-01-01"] {
        let (status, body) = run(json!({"transaction_date": date})).await;
        assert_eq!(status, 404, "{date}: {body}");
    }
    // v4 with a partial version in the service string.
    let (status, body) = post(
        &format!("{b}/api/v4/execute"),
        json!({"service": "calc/cyl[0.1]", "inputs": [{"Radius": 1, "Height": 2}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version_id"], v1.as_str());
    assert!(close(
        body["outputs"][0]["Volume"].as_f64().unwrap(),
        2.0 * pi
    ));
    let (_, body) = post(
        &format!("{b}/api/v4/execute"),
        json!({"service": "calc/cyl", "version_by_timestamp": "2028-03-01T00:00:00.000-05:00",
               "inputs": [{"Radius": 1, "Height": 1}]}),
    )
    .await;
    assert_eq!(body["version"], "0.2.1");
    // A version id from another service does not resolve here.
    let (status, _) = post(
        &url,
        json!({"request_meta": {"version_id": "00000000-0000-4000-8000-000000000000"}}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_executes_stay_correct() {
    let h = start().await;
    let url = execute_url(&h, "demo", "volume-cylinder");
    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..100u32 {
                let (r, hh) = (f64::from(t) + 1.0, f64::from(i) + 0.5);
                let res = client
                    .post(&url)
                    .header("x-synthetic-key", KEY)
                    .json(&json!({"request_data": {"inputs": {"Radius": r, "Height": hh}}}))
                    .send()
                    .await
                    .unwrap();
                let body: Value = res.json().await.unwrap();
                assert!(close(vol(&body), volume(r, hh)), "task {t} call {i}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let c = h.counters();
    assert_eq!(
        c.routes["POST /{tenant}/api/v3/folders/{folder}/services/{service}/execute"],
        800
    );
}
