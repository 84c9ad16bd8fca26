//! The hybrid runner's endpoints (`/version`, `/healthcheck`, `/status`, bundle upload) over
//! real HTTP: the probes open to requests without credentials (the upload too, unless the
//! emulator was started with keys), yet counted and subject to the fault plan like every
//! other route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::{EmulatorConfig, EmulatorHandle, Fault, FaultPlan, FaultRule};
use serde_json::{Value, json};

/// An emulator that accepts only [`KEY`]: the runner routes must still need none.
async fn keyed() -> EmulatorHandle {
    start_with(EmulatorConfig::default().with_api_key(KEY)).await
}

/// GET without any credentials; returns (status, body).
async fn open_get(url: &str) -> (u16, Value) {
    decode(client().get(url).send().await.unwrap()).await
}

/// The emulator's own WASM bundle of the demo cylinder (a valid runner upload).
async fn cylinder_bundle(h: &EmulatorHandle) -> Vec<u8> {
    let res = client()
        .get(format!(
            "{}/api/v3/nodegen/getnodegenzipbyId/folders/demo/services/volume-cylinder",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.bytes().await.unwrap().to_vec()
}

/// POST the bundle to `path` with the key: on an emulator started with keys, the upload
/// needs one (it publishes into the store keyed callers execute).
async fn upload(h: &EmulatorHandle, path: &str, bundle: &[u8]) -> reqwest::Response {
    upload_as(h, path, bundle, Some(KEY)).await
}

async fn upload_as(
    h: &EmulatorHandle,
    path: &str,
    bundle: &[u8],
    key: Option<&str>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bundle.to_vec()).file_name("volume-cylinder.zip"),
    );
    let mut req = client().post(format!("{}{path}", h.url())).multipart(form);
    if let Some(key) = key {
        req = req.header("x-synthetic-key", key);
    }
    req.send().await.unwrap()
}

/// The counters as served over HTTP.
async fn counters(h: &EmulatorHandle) -> Value {
    open_get(&format!("{}/_emulator/counters", h.url())).await.1
}

fn rule(route: &str, method: &str, script: Vec<Fault>) -> FaultRule {
    FaultRule {
        route: route.into(),
        method: Some(method.into()),
        script,
        ..FaultRule::default()
    }
}

#[tokio::test]
async fn runner_routes_need_no_credentials_and_are_counted() {
    let h = keyed().await;
    let (status, body) = open_get(&format!("{}/healthcheck", h.url())).await;
    assert_eq!((status, body), (200, json!({"msg": "ok"})));
    let (status, body) = open_get(&format!("{}/version", h.url())).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["version"].is_string(), "{body}");
    let (status, body) = open_get(&format!("{}/status", h.url())).await;
    assert_eq!(status, 200, "{body}");
    let bundle = cylinder_bundle(&h).await;
    assert_eq!(upload(&h, "/api/v3/upload", &bundle).await.status(), 200);
    assert_eq!(upload(&h, "/upload", &bundle).await.status(), 200);
    // Spark's own routes still refuse requests without the key.
    let (status, _) = open_get(&format!(
        "{}/api/v1/product/demo/engines/get/volume-cylinder",
        h.url()
    ))
    .await;
    assert_eq!(status, 401);

    let c = counters(&h).await;
    for route in [
        "GET /healthcheck",
        "GET /version",
        "GET /status",
        "POST /api/v3/upload",
        "POST /upload",
    ] {
        assert_eq!(c["routes"][route], 1, "{route}: {c}");
    }
    assert_eq!(c["faults_injected"], 0);
    // The probes are open; on an emulator started with keys, an upload without them may
    // load a known version but not publish a new one.
    let unknown = with_unknown_version(&bundle);
    for path in ["/api/v3/upload", "/upload"] {
        let loaded = upload_as(&h, path, &bundle, None).await;
        assert_eq!(loaded.status().as_u16(), 200, "{path}");
        let refused = upload_as(&h, path, &unknown, None).await;
        assert_eq!(refused.status().as_u16(), 401, "{path}");
    }
}

#[tokio::test]
async fn without_configured_credentials_the_runner_upload_is_open() {
    let h = start().await;
    let bundle = cylinder_bundle(&h).await;
    assert_eq!(
        upload_as(&h, "/api/v3/upload", &bundle, None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_fault_rule_on_a_runner_route_is_applied_and_counted() {
    let h = keyed().await;
    h.set_faults(FaultPlan {
        seed: 7,
        rules: vec![
            rule("/healthcheck", "GET", vec![Fault::Status(503), Fault::Pass]),
            rule("*/upload", "POST", vec![Fault::Status(429)]),
            rule("/status", "GET", vec![Fault::Drop]),
        ],
    });

    let url = format!("{}/healthcheck", h.url());
    let (status, body) = open_get(&url).await;
    assert_eq!(status, 503, "scripted fault first: {body}");
    assert_eq!(body["status"], "Error", "a Spark-shaped error: {body}");
    assert_eq!(body["error"]["message"], "SERVICE_UNAVAILABLE", "{body}");
    let (status, body) = open_get(&url).await;
    assert_eq!((status, body), (200, json!({"msg": "ok"})));

    let bundle = cylinder_bundle(&h).await;
    let refused = upload(&h, "/api/v3/upload", &bundle).await;
    assert_eq!(refused.status().as_u16(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(upload(&h, "/api/v3/upload", &bundle).await.status(), 200);

    let dropped = client().get(format!("{}/status", h.url())).send().await;
    let body = match dropped {
        Ok(res) => res.bytes().await.err(),
        Err(e) => Some(e),
    };
    assert!(
        body.is_some(),
        "the connection is dropped before a full answer"
    );

    // The version endpoint matches no rule and answers as usual.
    assert_eq!(open_get(&format!("{}/version", h.url())).await.0, 200);

    let c = counters(&h).await;
    assert_eq!(c["faults_injected"], 3, "{c}");
    assert_eq!(c["routes"]["GET /healthcheck"], 2, "{c}");
    assert_eq!(c["routes"]["POST /api/v3/upload"], 2, "{c}");
    assert_eq!(c["routes"]["GET /status"], 1, "{c}");
    assert_eq!(c["routes"]["GET /version"], 1, "{c}");
}
