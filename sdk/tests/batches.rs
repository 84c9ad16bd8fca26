//! Batch API v4: wire format against a recording server (python-sdk.md Appendix A, §4.5) and
//! the low-level lifecycle against the in-process emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Reply, Server, builder};
use cspark::batches::{
    BatchChunk, ChunkIdPolicy, CreateBatchOptions, PipelineState, PushOptions, SizeKeys,
};
use cspark::types::BatchState;
use cspark::{Auth, Client, SparkError};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{Value, json};

const STATUS: &str = r#"{"batch_status":"in_progress","pipeline_status":"idle","chunks_available":0,"chunks_submitted":1,"record_submitted":2,"chunks_completed":1,"records_completed":2,"records_available":2}"#;

fn wire_server() -> impl Fn(&common::Hit, usize) -> Reply + Send + Sync + 'static {
    |hit, _| {
        let batch = json!({"object": "batch", "id": "bid", "data": {"batch_status": "created"}});
        match (hit.method.as_str(), hit.path.as_str()) {
            ("GET", p) if p.ends_with("/chunkresults") => Reply::json(
                200,
                json!({"data": [], "status": serde_json::from_str::<Value>(STATUS).unwrap()}),
            ),
            ("GET", p) if p.ends_with("/batch/status") => Reply::json(
                200,
                json!({"in_progress_batches": [], "recent_batches": []}),
            ),
            ("POST", p) if p.ends_with("/chunks") => {
                Reply::json(200, serde_json::from_str(STATUS).unwrap())
            }
            ("GET", p) if p.ends_with("/status") => {
                Reply::json(200, serde_json::from_str(STATUS).unwrap())
            }
            ("PATCH", _) => Reply::json(
                200,
                json!({"object": "batch", "id": "bid", "meta": {"batch_status": hit.json()["batch_status"]}}),
            ),
            _ => Reply::json(200, batch),
        }
    }
}

#[tokio::test]
async fn wire_format_of_every_call() {
    let server = Server::start(wire_server()).await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let b = client.batches();

    // create: the minimal capture, then every option.
    b.create("f/s[1.0]", &CreateBatchOptions::default())
        .await
        .unwrap();
    let mut o = CreateBatchOptions::default();
    o.transaction_date = Some("2024-01-01".into());
    o.source_system = Some("ss".into());
    o.correlation_id = Some("cid".into());
    o.call_purpose = Some("cp".into());
    o.subservices = vec!["a".into(), "b".into()];
    o.selected_outputs = vec!["o1".into()];
    o.unique_record_key = vec!["k1".into(), "k2".into()];
    o.min_runners = Some(1);
    o.max_runners = Some(2);
    o.chunks_per_request = Some(3);
    o.runner_thread_count = Some(4);
    o.max_input_size_mb = Some(5.5);
    o.max_output_size_mb = Some(6.5);
    o.size_keys = SizeKeys::SizeInMb;
    o.accuracy = Some(0.95);
    o.extra.insert("x".into(), json!(1));
    b.create("version/vid", &o).await.unwrap();
    o.size_keys = SizeKeys::All;
    o.version = Some("2.0.0".into());
    b.create("f/s", &o).await.unwrap();

    let p = b.of("bid").unwrap();
    b.describe().await.unwrap();
    let info = p.get_info().await.unwrap();
    assert_eq!(info.id, "bid");
    let st = p.get_status().await.unwrap();
    assert_eq!(
        st.records_submitted, 2,
        "record_submitted (singular) is read"
    );
    let chunk = BatchChunk::with_id("c1", vec![json!({"a": 1}), json!({"a": 2})]);
    p.push(vec![chunk], &PushOptions::default()).await.unwrap();
    p.pull(500).await.unwrap();
    p.pull(0).await.unwrap();
    let closed = p.close().await.unwrap();
    assert_eq!(
        closed.batch_status(),
        Some("closed"),
        "`meta` is folded into data"
    );
    b.of("bid2").unwrap().cancel().await.unwrap();

    let hits = server.api_hits();
    let line = |h: &common::Hit| {
        format!(
            "{} {}{}",
            h.method,
            h.path,
            h.query
                .as_ref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        )
    };
    let lines: Vec<String> = hits.iter().map(line).collect();
    let t = "/my-tenant/api/v4/batch";
    assert_eq!(
        lines,
        vec![
            format!("POST {t}"),
            format!("POST {t}"),
            format!("POST {t}"),
            format!("GET {t}/status"),
            format!("GET {t}/bid"),
            format!("GET {t}/bid/status"),
            format!("POST {t}/bid/chunks"),
            format!("GET {t}/bid/chunkresults?max=100"),
            format!("GET {t}/bid/chunkresults?max=1"),
            format!("PATCH {t}/bid"),
            format!("PATCH {t}/bid2"),
        ]
    );
    assert_eq!(
        hits[0].json(),
        json!({"service": "f/s[1.0]", "call_purpose": "Async Batch Execution",
               "source_system": "Spark Rust SDK", "acceptable_error_percentage": 0})
    );
    assert_eq!(
        hits[1].json(),
        json!({"version_id": "vid", "version_by_timestamp": "2024-01-01", "subservice": "a,b",
               "output": "o1", "call_purpose": "cp", "source_system": "ss", "correlation_id": "cid",
               "unique_record_key": "k1,k2", "initial_workers": 1, "max_workers": 2,
               "chunks_per_request": 3, "runner_thread_count": 4, "max_input_size_in_mb": 5.5,
               "max_output_size_in_mb": 6.5, "acceptable_error_percentage": 5, "x": 1})
    );
    let all = hits[2].json();
    assert_eq!(all["service"], "f/s[2.0.0]");
    for k in ["max_input_in_mb", "max_input_size_in_mb", "max_input_size"] {
        assert_eq!(all[k], 5.5, "{k}");
    }
    for k in [
        "max_output_in_mb",
        "max_output_size_in_mb",
        "max_output_size",
    ] {
        assert_eq!(all[k], 6.5, "{k}");
    }
    assert_eq!(
        hits[6].json(),
        json!({"chunks": [{"id": "c1", "data": {"inputs": [{"a": 1}, {"a": 2}], "parameters": {}, "summary": null}, "size": 2}]})
    );
    assert_eq!(hits[9].json(), json!({"batch_status": "closed"}));
    assert_eq!(hits[10].json(), json!({"batch_status": "cancelled"}));
    for h in &hits {
        assert_eq!(h.header("x-synthetic-key").as_deref(), Some("k"));
        assert!(h.header("x-request-id").is_some());
        assert_eq!(h.header("x-tenant-name").as_deref(), Some("my-tenant"));
    }
    for h in hits.iter().filter(|h| !h.body.is_empty()) {
        assert_eq!(
            h.header("content-type").as_deref(),
            Some("application/json")
        );
    }
}

#[tokio::test]
async fn client_side_state_machine_and_chunk_id_policies() {
    let server = Server::start(wire_server()).await;
    let client = builder(&server).auth(Auth::api_key("k")).build().unwrap();
    let err = client.batches().of("  ").unwrap_err();
    assert!(
        err.to_string().contains("batch pipeline id is required"),
        "{err}"
    );

    let p = client.batches().of("bid").unwrap();
    let c = |id: &str| BatchChunk::with_id(id, vec![json!({"a": 1})]);
    p.push(vec![c("x")], &PushOptions::default()).await.unwrap();
    // replace (default): a new id is sent
    p.push(vec![c("x")], &PushOptions::default()).await.unwrap();
    // throw: nothing sent
    let mut throw = PushOptions::default();
    throw.if_chunk_id_duplicated = ChunkIdPolicy::Throw;
    let err = p.push(vec![c("x")], &throw).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("chunk id <x> is duplicated for batch pipeline <bid>"),
        "{err}"
    );
    // ignore: left out
    let mut ignore = PushOptions::default();
    ignore.if_chunk_id_duplicated = ChunkIdPolicy::Ignore;
    p.push(vec![c("x"), c("y")], &ignore).await.unwrap();
    assert_eq!(p.stats(), (3, 3));

    let pushes: Vec<Value> = server
        .api_hits()
        .iter()
        .filter(|h| h.path.ends_with("/chunks"))
        .map(|h| h.json())
        .collect();
    assert_eq!(pushes.len(), 3);
    assert_eq!(pushes[0]["chunks"][0]["id"], "x");
    assert_ne!(pushes[1]["chunks"][0]["id"], "x");
    assert_eq!(pushes[2]["chunks"].as_array().unwrap().len(), 1);
    assert_eq!(pushes[2]["chunks"][0]["id"], "y");

    p.close().await.unwrap();
    assert_eq!(p.state(), PipelineState::Closed);
    let before = server.api_hits().len();
    let err = p
        .push(vec![c("z")], &PushOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("batch pipeline <bid> is already closed"),
        "{err}"
    );
    assert!(
        p.clone()
            .cancel()
            .await
            .unwrap_err()
            .to_string()
            .contains("<bid>")
    );
    p.pull(10).await.unwrap(); // pulling after close is allowed
    assert_eq!(
        server.api_hits().len(),
        before + 1,
        "forbidden calls send nothing"
    );

    let q = client.batches().of("other").unwrap();
    q.cancel().await.unwrap();
    let err = q.pull(1).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("batch pipeline <other> is already cancelled"),
        "{err}"
    );
}

async fn emulator() -> (EmulatorHandle, Client) {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .expect("emulator starts");
    let client = Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .retry_interval(Duration::from_millis(5))
        .build()
        .unwrap();
    (emu, client)
}

fn volume(r: f64, h: f64) -> f64 {
    std::f64::consts::PI * r * r * h
}

#[tokio::test]
async fn lifecycle_push_1000_pull_close_completed() {
    let (_emu, client) = emulator().await;
    let created = client
        .batches()
        .create("demo/volume-cylinder", &CreateBatchOptions::default())
        .await
        .unwrap();
    assert_eq!(created.batch_status(), Some("created"));
    let p = client.batches().of(created.id.clone()).unwrap();

    let records: Vec<Value> = (0..1000)
        .map(|i| json!({"Radius": 1 + i % 13, "Height": 1 + i % 5}))
        .collect();
    let mut o = PushOptions::default();
    o.chunk_size = 150;
    let status = p.push_records(&records, &o).await.unwrap();
    assert_eq!(status.records_submitted, 1000);
    assert_eq!(p.stats(), (7, 1000));

    // pull a few chunks at a time
    let mut seen = HashSet::new();
    let mut outputs = Vec::new();
    loop {
        let pulled = p.pull(3).await.unwrap();
        if pulled.data.is_empty() {
            break;
        }
        for chunk in pulled.data {
            assert!(seen.insert(chunk.id.clone()));
            assert_eq!(chunk.errors.len(), chunk.outputs.len());
            outputs.extend(chunk.outputs);
        }
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(outputs.len(), 1000);
    // chunks come back in push order from the emulator; check each value
    for (i, out) in outputs.iter().enumerate() {
        let expected = volume((1 + i % 13) as f64, (1 + i % 5) as f64);
        let got = out["Volume"].as_f64().unwrap();
        assert!(
            (got - expected).abs() < 1e-6 * expected,
            "#{i}: {got} vs {expected}"
        );
    }
    let closed = p.close().await.unwrap();
    assert!(matches!(
        closed.batch_status(),
        Some("closed" | "completed")
    ));
    let status = p.get_status().await.unwrap();
    assert_eq!(status.batch_status.as_deref(), Some("completed"));
    assert_eq!(status.records_completed, 1000);
    let info = p.get_info().await.unwrap();
    assert_eq!(info.data["summary"]["records_submitted"], 1000);
    let overview = client.batches().describe().await.unwrap();
    let recent = overview.recent_batches.unwrap_or_default();
    let ours = recent
        .iter()
        .find(|b| b.id.as_deref() == Some(created.id.as_str()))
        .expect("the batch is listed");
    let state = ours.data.as_ref().and_then(|d| d.batch_status.clone());
    assert_eq!(state, Some(BatchState::Completed), "{ours:?}");
}

#[tokio::test]
async fn cancel_discards_and_forbids() {
    let (_emu, client) = emulator().await;
    let created = client
        .batches()
        .create("demo/volume-cylinder", &CreateBatchOptions::default())
        .await
        .unwrap();
    let p = client.batches().of(created.id).unwrap();
    p.push_records(
        &[json!({"Radius": 1, "Height": 1})],
        &PushOptions::default(),
    )
    .await
    .unwrap();
    let cancelled = p.cancel().await.unwrap();
    assert_eq!(cancelled.batch_status(), Some("cancelled"));
    assert_eq!(p.state(), PipelineState::Cancelled);
    // a fresh handle (no local state) sees the server's answer
    let fresh = client.batches().of(p.id()).unwrap();
    let status = fresh.get_status().await.unwrap();
    assert_eq!(status.batch_status.as_deref(), Some("cancelled"));
    assert_eq!(
        fresh.pull(10).await.unwrap().data.len(),
        0,
        "buffers discarded"
    );
    let err = fresh
        .push_records(
            &[json!({"Radius": 1, "Height": 1})],
            &PushOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
}

#[tokio::test]
async fn unknown_batch_is_not_found() {
    let (_emu, client) = emulator().await;
    let p = client.batches().of("no-such-batch").unwrap();
    for err in [
        p.get_status().await.unwrap_err(),
        p.get_info().await.unwrap_err(),
        p.pull(1).await.unwrap_err(),
    ] {
        match &err {
            SparkError::Api(api) => assert_eq!(api.kind, cspark::ApiErrorKind::NotFound, "{err}"),
            other => panic!("expected NotFound, got {other}"),
        }
    }
}

#[test]
fn run_outside_a_runtime_is_an_error_not_a_panic() {
    let client = Client::builder()
        .env_lookup(|_| None)
        .base_url("http://127.0.0.1:9/t")
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let mut run = client
        .batches()
        .of("b1")
        .unwrap()
        .run(vec![json!({"Radius": 1})], &Default::default());
    let err = futures::executor::block_on(run.recv())
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("tokio runtime"), "{err}");
    assert!(futures::executor::block_on(run.recv()).is_none());
}
