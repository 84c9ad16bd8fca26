//! The emulator's request parsing: arbitrary bodies on the v3 and v4 execute routes of the
//! in-process router (`cspark_emulator::app` via `tower::ServiceExt::oneshot`). Never a panic,
//! never a 5xx. The first byte picks the route and the content encoding.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

fn app() -> &'static axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| {
        let config = cspark_emulator::EmulatorConfig::default()
            .with_demo_workbooks()
            .with_api_key("fuzz-key");
        cspark_emulator::app(cspark_emulator::Emulator::prepare(&config).0)
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let path = if selector & 1 == 0 {
        "/my-tenant/api/v3/folders/demo/services/volume-cylinder/execute"
    } else {
        "/my-tenant/api/v4/execute"
    };
    let mut req = Request::post(path)
        .header("x-synthetic-key", "fuzz-key")
        .header("content-type", "application/json");
    if selector & 2 != 0 {
        req = req.header("content-encoding", "gzip");
    }
    let Ok(req) = req.body(Body::from(body.to_vec())) else {
        return;
    };
    // The router's error type is `Infallible`.
    let Ok(status) = runtime().block_on(async {
        app()
            .clone()
            .oneshot(req)
            .await
            .map(|r| r.status().as_u16())
    });
    assert!(status < 500, "server error {status}");
});
