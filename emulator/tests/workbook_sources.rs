//! Where the workbooks served at start come from: the demo workbooks embedded in the crate,
//! a workbooks folder, and both together.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::{Emulator, EmulatorConfig, demo};
use serde_json::json;

/// A workbooks folder of its own under the temporary directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cspark-emu-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, relative: &str, bytes: &[u8]) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn volume_of(h: &cspark_emulator::EmulatorHandle, folder: &str, service: &str) -> f64 {
    let (status, body) = post(
        &execute_url(h, folder, service),
        json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["response_data"]["outputs"]["Volume"]
        .as_f64()
        .unwrap_or_else(|| panic!("{body}"))
}

#[tokio::test]
async fn demo_workbooks_are_served_from_memory() {
    let config = EmulatorConfig::default().with_demo_workbooks();
    // No folder to read: the workbooks come from the crate itself.
    assert_eq!(config.workbooks_dir, None);
    let h = Emulator::start(config).await.unwrap();
    assert!(h.load_problems().is_empty(), "{:?}", h.load_problems());
    for w in demo::WORKBOOKS {
        let versions = h.state().store().versions(w.folder, w.service).unwrap();
        assert_eq!(versions.len(), 1, "{}/{}", w.folder, w.service);
        assert_eq!(versions[0].info.file_name, w.file_name);
    }
    assert!(close(
        volume_of(&h, "demo", "volume-cylinder").await,
        volume(1.0, 1.0)
    ));

    // The original-file download hands out the embedded bytes unchanged.
    let res = client()
        .get(format!(
            "{}/api/v1/product/demo/engines/volume-cylinder/download",
            h.url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.unwrap();
    let embedded = demo::workbook("demo", "volume-cylinder").unwrap();
    assert_eq!(&bytes[..], embedded.bytes);
    h.shutdown().await;
}

#[tokio::test]
async fn demo_ids_do_not_depend_on_where_the_workbooks_come_from() {
    let embedded = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let dir = TempDir::new("demo-ids");
    for w in demo::WORKBOOKS {
        dir.write(&format!("{}/{}", w.folder, w.file_name), w.bytes);
    }
    let from_dir = Emulator::start(EmulatorConfig::default().with_workbooks_dir(&dir.0))
        .await
        .unwrap();
    for w in demo::WORKBOOKS {
        let a = &embedded
            .state()
            .store()
            .versions(w.folder, w.service)
            .unwrap()[0];
        let b = &from_dir
            .state()
            .store()
            .versions(w.folder, w.service)
            .unwrap()[0];
        assert_eq!(a.info.id, b.info.id, "{}", w.service);
        assert_eq!(a.info.service_id, b.info.service_id, "{}", w.service);
    }
    embedded.shutdown().await;
    from_dir.shutdown().await;
}

#[tokio::test]
async fn a_workbooks_folder_combines_with_the_demos_and_wins_on_a_clash() {
    let dir = TempDir::new("combined");
    dir.write("mine/cyl.xlsx", &cylinder_xlsx(2.0));
    // Same folder/service as an embedded demo: the folder's workbook is the one served.
    dir.write("demo/volume-cylinder.xlsx", &cylinder_xlsx(3.0));
    let h = Emulator::start(
        EmulatorConfig::default()
            .with_workbooks_dir(&dir.0)
            .with_demo_workbooks(),
    )
    .await
    .unwrap();
    assert!(h.load_problems().is_empty(), "{:?}", h.load_problems());
    assert!(close(
        volume_of(&h, "mine", "cyl").await,
        2.0 * volume(1.0, 1.0)
    ));
    assert!(close(
        volume_of(&h, "demo", "volume-cylinder").await,
        3.0 * volume(1.0, 1.0)
    ));
    let versions = h
        .state()
        .store()
        .versions("demo", "volume-cylinder")
        .unwrap();
    assert_eq!(versions.len(), 1, "the demo is skipped, not added as 0.2.0");
    // The other demos are still served.
    assert!(h.state().store().versions("demo", "loan-calc").is_some());
    h.shutdown().await;
}
