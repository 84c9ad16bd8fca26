//! The committed documents in `examples/spark/` (and so the generated `src/spark.rs`) still
//! describe what the emulator serves: fetch them again from a fresh emulator, compare types
//! (the drift check users run with `cspark-codegen diff --live`), and regenerate the code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use cspark::{Auth, Client};
use cspark_codegen::fetch::{ServiceRef, compare_dirs};
use cspark_emulator::{Emulator, EmulatorConfig};

#[tokio::test]
async fn committed_bindings_match_the_emulator() {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("spark");
    let fresh = tempfile::tempdir().unwrap();
    let services: Vec<ServiceRef> = [
        "demo/volume-cylinder",
        "demo/insurance-quote",
        "demo/loan-calc",
    ]
    .iter()
    .map(|s| ServiceRef::parse(s).unwrap())
    .collect();
    cspark_codegen::live::fetch_services(&client, &services, fresh.path())
        .await
        .unwrap();

    let drifts = compare_dirs(&committed, fresh.path()).unwrap();
    let stale: Vec<_> = drifts.iter().filter(|d| d.is_drift()).collect();
    assert!(
        stale.is_empty(),
        "bindings drifted from the emulator: {stale:?}"
    );

    // Same version ids in both locks: the typed services pin the versions they came from.
    let lock = |dir: &Path| std::fs::read_to_string(dir.join("cspark.lock")).unwrap();
    let ids = |text: String| {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["service"].to_string(), s["version_id"].to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(lock(&committed)), ids(lock(fresh.path())));

    // Code generated from the fresh documents equals the committed file, except the header
    // lines that record input hashes (the schema carries upload timestamps).
    let mut builder = cspark_codegen::Builder::new();
    builder.services_dir(fresh.path());
    let regenerated = builder.render().unwrap();
    let committed_code =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/spark.rs"))
            .unwrap();
    let body = |code: &str| {
        code.lines()
            .skip_while(|l| l.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&regenerated), body(&committed_code));
    emu.shutdown().await;
}
