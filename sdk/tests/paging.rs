//! Listings that page by themselves, over real HTTP against the in-process emulator: every
//! item of every page, in order, each next page requested only when the previous one is used
//! up (counted on the emulator), the single-page calls unchanged, and the blocking iterators.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cspark::folders::{FindFolders, FolderFields};
use cspark::history::LogSearch;
use cspark::services::SearchOptions;
use cspark::transforms::{TransformDoc, TransformList};
use cspark::{Auth, Client, blocking};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    Client::builder()
        .env_lookup(|_| None)
        .base_url(emu.base_url())
        .auth(Auth::bearer("any-token"))
        .max_retries(0)
        .build()
        .expect("client builds")
}

/// Requests the emulator served on routes ending with `route`.
fn hits(emu: &EmulatorHandle, route: &str) -> u64 {
    emu.counters()
        .routes
        .iter()
        .filter(|(key, _)| key.ends_with(route))
        .map(|(_, n)| n)
        .sum()
}

fn doc() -> TransformDoc {
    TransformDoc::Jsonata {
        target_api_version: "v3".into(),
        input: Some("$".into()),
        output: Some("$".into()),
    }
}

#[tokio::test]
async fn services_search_all_walks_every_page_lazily() {
    let emu = emulator().await;
    let client = client(&emu);
    let services = client.services();
    let everything = services.search(&SearchOptions::default()).await.unwrap();
    let mut expected: Vec<_> = everything
        .response_data
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(expected.len(), 3, "the three demo services");
    emu.reset_counters();

    let paged = SearchOptions::default().page(1, 2);
    let first_two: Vec<_> = services
        .search_all(&paged)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_two.len(), 2);
    assert_eq!(
        hits(&emu, "/services/search"),
        1,
        "a full first page needs no second request"
    );

    let mut all: Vec<_> = services
        .search_all(&paged)
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits(&emu, "/services/search"), 3, "two pages: 2 + 1 items");
    all.sort();
    expected.sort();
    assert_eq!(all, expected);
    emu.shutdown().await;
}

#[tokio::test]
async fn folders_find_all_and_transforms_list_all_cross_pages() {
    let emu = emulator().await;
    let client = client(&emu);
    let folders = client.folders();
    for name in ["paged-a", "paged-b", "paged-c"] {
        folders
            .create(name, &FolderFields::default())
            .await
            .unwrap();
    }
    emu.reset_counters();
    let mut find = FindFolders::default().name("paged-");
    find.size = 2;
    let mut names: Vec<_> = folders
        .find_all(&find)
        .map_ok(|f| f.name.unwrap())
        .try_collect()
        .await
        .unwrap();
    names.sort();
    assert_eq!(names, ["paged-a", "paged-b", "paged-c"]);
    assert_eq!(hits(&emu, "/product/list"), 2);
    assert_eq!(
        folders.find(&find).await.unwrap().data.unwrap().len(),
        2,
        "one page"
    );

    let transforms = client.transforms();
    for i in 0..5 {
        transforms
            .save("tf", &format!("t{i}"), &doc())
            .await
            .unwrap();
    }
    emu.reset_counters();
    let list = TransformList::default().page(1, 2);
    let docs: Vec<_> = transforms
        .list_all("tf", &list)
        .map_ok(|d| d.name.unwrap())
        .try_collect()
        .await
        .unwrap();
    let mut sorted = docs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ["t0", "t1", "t2", "t3", "t4"], "{docs:?}");
    assert_eq!(docs.len(), 5, "no item twice");
    assert_eq!(
        hits(&emu, "/transforms/list/{folder}"),
        3,
        "pages of 2, 2 and 1"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn history_search_all_pages_through_calls_and_reports_a_bad_uri() {
    let emu = emulator().await;
    let client = client(&emu);
    let uri = "demo/volume-cylinder";
    let mut ids = Vec::new();
    for r in 1..=3 {
        let out = client
            .services()
            .execute(uri, &json!({"Radius": r, "Height": 1}))
            .await
            .unwrap();
        ids.push(out.response_meta.call_id.clone().unwrap());
    }
    let mut filters = LogSearch::default();
    filters.size = 2;
    let mut found: Vec<_> = client
        .history()
        .search_all(uri, &filters)
        .map_ok(|c| c.call_guid.unwrap())
        .try_collect()
        .await
        .unwrap();
    found.sort();
    ids.sort();
    assert_eq!(found, ids);

    let mut bad = client.history().search_all("not a uri //", &filters);
    assert!(bad.next().await.unwrap().is_err());
    assert!(bad.next().await.is_none(), "an error ends the listing");
    emu.shutdown().await;
}

#[test]
fn blocking_iterators_page_too() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = runtime
        .block_on(Emulator::start(
            EmulatorConfig::default().with_demo_workbooks(),
        ))
        .expect("emulator starts");
    let client = blocking::Client::new(
        Client::builder()
            .env_lookup(|_| None)
            .base_url(emu.base_url())
            .auth(Auth::bearer("any-token"))
            .max_retries(0),
    )
    .unwrap();
    let transforms = client.transforms();
    for i in 0..3 {
        transforms.save("tf", &format!("b{i}"), &doc()).unwrap();
    }
    let names: Vec<_> = transforms
        .list_all("tf", &TransformList::default().page(1, 2))
        .map(|d| d.unwrap().name.unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let services: Vec<_> = client
        .services()
        .search_all(&SearchOptions::default().page(1, 1))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(services.len(), 3);
    drop(client);
    runtime.block_on(emu.shutdown());
}
