//! The blocking client (feature `blocking`) over real HTTP against the in-process emulator,
//! which runs on its own runtime thread while the test thread blocks in the client; plus a
//! check that every async resource method has a blocking twin.
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::f64::consts::PI;
use std::path::Path;
use std::time::Duration;

use cspark::batches::BatchChunk;
use cspark::batches::RunOptions;
use cspark::folders::{FindFolders, FolderFields};
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use cspark::services::CreateOptions;
use cspark::transforms::TransformDoc;
use cspark::{Auth, PollOptions, SparkError, TypedService, blocking};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{Value, json};

const CYLINDER: &str = "demo/volume-cylinder";

/// The emulator, served by the worker thread of its own runtime.
struct Emu {
    handle: EmulatorHandle,
    // Dropped after `handle`: the runtime serves it.
    _runtime: tokio::runtime::Runtime,
}

fn emulator() -> Emu {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = runtime
        .block_on(Emulator::start(
            EmulatorConfig::default().with_demo_workbooks(),
        ))
        .expect("emulator starts");
    Emu {
        handle,
        _runtime: runtime,
    }
}

fn client(emu: &Emu) -> blocking::Client {
    blocking::Client::new(
        cspark::Client::builder()
            .env_lookup(|_| None)
            .base_url(emu.handle.base_url())
            .auth(Auth::bearer("any-token"))
            .max_retries(0),
    )
    .expect("client builds")
}

fn fast() -> PollOptions {
    PollOptions::new(50, Duration::from_millis(20))
}

fn record(i: usize) -> Value {
    json!({"Radius": 1 + i % 17, "Height": 1 + i % 9})
}

fn volume(i: usize) -> f64 {
    let (r, h) = ((1 + i % 17) as f64, (1 + i % 9) as f64);
    PI * r * r * h
}

fn assert_volume(got: &Value, i: usize) {
    let got = got["Volume"].as_f64().unwrap_or_else(|| panic!("{got}"));
    assert!((got - volume(i)).abs() <= 1e-9 * volume(i), "#{i}: {got}");
}

/// The bindings `cspark-codegen` emits for `demo/volume-cylinder`, reduced to the test's needs.
struct VolumeCylinder;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CylInputs {
    #[serde(rename = "Radius")]
    radius: f64,
    #[serde(rename = "Height")]
    height: f64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CylOutputs {
    #[serde(rename = "Volume")]
    volume: f64,
}

impl TypedService for VolumeCylinder {
    type Inputs = CylInputs;
    type Outputs = CylOutputs;
    const FOLDER: &'static str = "demo";
    const SERVICE: &'static str = "volume-cylinder";
    const VERSION: &'static str = "0.1.0";
    const VERSION_ID: Option<&'static str> = None;
}

impl cspark::ServiceInputs for CylInputs {
    type Service = VolumeCylinder;
}

fn cyl(i: usize) -> CylInputs {
    CylInputs {
        radius: (1 + i % 17) as f64,
        height: (1 + i % 9) as f64,
    }
}

#[test]
fn client_level_calls_and_typed_execute() {
    let emu = emulator();
    let client = client(&emu);
    assert!(client.health().unwrap().is_up());
    assert!(client.spark_config().unwrap().engine_type.is_some());
    let typed = client.execute_typed(&cyl(3)).unwrap();
    assert!((typed.outputs.volume - volume(3)).abs() <= 1e-9 * volume(3));
    let many = client
        .execute_typed_many(&[cyl(0), cyl(1), cyl(2)])
        .unwrap();
    let volumes: Vec<f64> = many.outputs().map(|o| o.volume).collect();
    assert_eq!(volumes.len(), 3);
    for (i, v) in volumes.iter().enumerate() {
        assert!((v - volume(i)).abs() <= 1e-9 * volume(i), "#{i}: {v}");
    }
    let records: Vec<_> = (0..7).map(cyl).collect();
    let chunked = client
        .execute_typed_chunked(
            &records,
            cspark::Chunking::default().chunk_size(3).in_flight(2),
        )
        .unwrap();
    assert_eq!(chunked.calls.len(), 3);
    for (i, o) in chunked.outputs().enumerate() {
        assert!((o.volume - volume(i)).abs() <= 1e-9 * volume(i), "#{i}");
    }
}

#[test]
fn services_execute_inspect_and_lifecycle() {
    let emu = emulator();
    let client = client(&emu);
    let services = client.services();
    let out = services.execute(CYLINDER, &record(5)).unwrap();
    assert_volume(&Value::Object(out.outputs().clone()), 5);
    let many = services
        .execute_many(
            CYLINDER,
            &[record(0), record(1)],
            &cspark::services::ExecuteOptions::default(),
        )
        .unwrap();
    assert_eq!(many.outputs.len(), 2);
    assert_volume(&many.outputs[1], 1);
    assert_eq!(services.get_versions(CYLINDER).unwrap().len(), 1);
    assert_eq!(
        services.get_metadata(CYLINDER).unwrap().status.as_deref(),
        Some("Success")
    );

    let workbook = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/workbooks/demo/volume-cylinder.xlsx"
    ))
    .unwrap();
    let uri = "blocking/cylinder";
    assert!(!services.exists(uri).unwrap());
    let created = services
        .create(uri, workbook, &CreateOptions::default().poll(fast()))
        .unwrap();
    assert!(created.version_id().is_some());
    let out = services.execute(uri, &record(7)).unwrap();
    assert_volume(&Value::Object(out.outputs().clone()), 7);
    services.delete(uri).unwrap();
    assert!(!services.exists(uri).unwrap());
}

#[test]
fn batches_run_pipeline_and_typed_run() {
    let emu = emulator();
    let client = client(&emu);
    let batches = client.batches();

    // `run`: every index once, each output = π·r²·h.
    let n = 500;
    let run = batches
        .run(CYLINDER, (0..n).map(record), &RunOptions::default())
        .unwrap();
    let progress = run.progress();
    let mut outputs = run.collect::<cspark::Result<Vec<_>>>().unwrap();
    outputs.sort_by_key(|o| o.index);
    assert_eq!(outputs.len(), n);
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out.index, i);
        assert_volume(&out.outputs, i);
    }
    assert_eq!(progress.borrow().processed, n as u64);

    // `run_stream`: records from a source that blocks (a channel fed by another thread).
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let feeder = std::thread::spawn(move || {
        for i in 0..300 {
            tx.send(record(i)).unwrap();
        }
    });
    let mut seen = BTreeSet::new();
    for out in batches
        .run_stream(CYLINDER, rx.into_iter(), &RunOptions::default())
        .unwrap()
    {
        let out = out.unwrap();
        assert_volume(&out.outputs, out.index);
        assert!(seen.insert(out.index), "index {} twice", out.index);
    }
    assert_eq!(seen.len(), 300);
    feeder.join().unwrap();

    // A pipeline by hand: create, push, pull until the chunk is back, close.
    let batch = batches.create(CYLINDER, &Default::default()).unwrap();
    let pipeline = batches.of(batch.id.clone()).unwrap();
    assert_eq!(pipeline.id(), batch.id);
    pipeline
        .push(
            vec![BatchChunk::new(vec![record(2), record(3)])],
            &Default::default(),
        )
        .unwrap();
    let mut pulled = Vec::new();
    for _ in 0..1000 {
        pulled.extend(pipeline.pull(10).unwrap().data);
        if !pulled.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(pulled.len(), 1, "one chunk back");
    let outputs = serde_json::to_value(&pulled[0]).unwrap();
    assert!(outputs.to_string().contains("Volume"), "{outputs}");
    pipeline.close().unwrap();
    assert!(batches.describe().unwrap().tenant.is_some());

    // The typed run.
    let mut typed = client
        .run_typed_batch((0..50).map(cyl), &RunOptions::default())
        .unwrap()
        .collect::<cspark::Result<Vec<_>>>()
        .unwrap();
    typed.sort_by_key(|(i, _)| *i);
    assert_eq!(typed.len(), 50);
    for (i, out) in &typed {
        assert!((out.volume - volume(*i)).abs() <= 1e-9 * volume(*i));
    }
}

#[test]
fn folders_create_find_delete() {
    let emu = emulator();
    let client = client(&emu);
    let folders = client.folders();
    assert!(!folders.exists("blocking-folder").unwrap());
    let created = folders
        .create(
            "blocking-folder",
            &FolderFields::default().description("made blocking"),
        )
        .unwrap();
    let id = created.data.and_then(|f| f.id).unwrap();
    assert!(folders.exists("blocking-folder").unwrap());
    let page = folders
        .find(&FindFolders::default().name("blocking-folder"))
        .unwrap();
    let found = page.data.unwrap_or_default();
    assert_eq!(
        found[0].description.as_deref(),
        Some("made blocking"),
        "{found:?}"
    );
    let duplicate = folders.create("blocking-folder", &FolderFields::default());
    assert!(
        matches!(&duplicate, Err(SparkError::Api(api)) if api.status == 409),
        "{duplicate:?}"
    );
    folders.delete(&id).unwrap();
    assert!(!folders.exists("blocking-folder").unwrap());
}

#[test]
fn history_of_a_call_by_its_id() {
    let emu = emulator();
    let client = client(&emu);
    let out = client.services().execute(CYLINDER, &record(4)).unwrap();
    let call_id = out.response_meta.call_id.clone().expect("call id");
    let log = client.history().get(&call_id).unwrap();
    assert_eq!(
        log.engine_call_id.as_deref(),
        Some(call_id.as_str()),
        "{log:?}"
    );
}

#[test]
fn impex_export_import_files_and_migrate() {
    let (source, target) = (emulator(), emulator());
    let (from, to) = (client(&source), client(&target));
    let mut export = ExportRequest::default().services([CYLINDER]);
    export.poll = fast();
    let zips = from.impex().export(&export).unwrap();
    assert_eq!(zips.len(), 1);
    assert!(zips[0].bytes.starts_with(b"PK"));

    let mut options = ImportOptions::default();
    options.poll = fast();
    from.impex()
        .import(
            &[ImportMapping::to(CYLINDER, "copies/cylinder")],
            zips[0].bytes.clone(),
            &options,
        )
        .unwrap();
    let copy = from
        .services()
        .execute("copies/cylinder", &record(6))
        .unwrap();
    assert_volume(&Value::Object(copy.outputs().clone()), 6);

    // A link Spark hands out, fetched with `files().download`.
    let job = from.impex().start_export(&export).unwrap();
    let status = from
        .impex()
        .wait_export(job.id.as_deref().unwrap(), fast())
        .unwrap();
    let once = from
        .impex()
        .export_status(job.id.as_deref().unwrap())
        .unwrap();
    assert_eq!((once.id, &once.status), (job.id.clone(), &status.status));
    let files = status.outputs.and_then(|o| o.files).unwrap();
    let link = files[0].file.as_deref().unwrap();
    assert!(
        from.files()
            .download(link)
            .unwrap()
            .bytes
            .starts_with(b"PK")
    );

    let mapping = [ImportMapping::to(CYLINDER, "moved/cylinder")];
    let done = blocking::migrate(&from, &to, &export, &mapping, &options).unwrap();
    assert_eq!(done.imports.len(), done.exports.len());
    let moved = to.services().execute("moved/cylinder", &record(8)).unwrap();
    assert_volume(&Value::Object(moved.outputs().clone()), 8);
}

#[test]
fn transforms_saved_then_listed() {
    let emu = emulator();
    let client = client(&emu);
    let transforms = client.transforms();
    let doc = TransformDoc::Jsonata {
        target_api_version: "v3".into(),
        input: Some("{\"inputs\": $}".into()),
        output: Some("$".into()),
    };
    assert_eq!(
        transforms
            .validate(&doc)
            .unwrap()
            .outputs
            .and_then(|o| o.is_valid),
        Some(true)
    );
    transforms.save("tf", "blocking-one", &doc).unwrap();
    let names = |list: cspark::types::TransformListResponse| -> Vec<String> {
        list.result
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| d.name)
            .collect()
    };
    assert_eq!(
        names(transforms.list("tf", 1, 10).unwrap()),
        ["blocking-one"]
    );
    let got = transforms.get("tf", "blocking-one").unwrap();
    assert!(got.outputs.and_then(|o| o.transform_document).is_some());
    transforms.delete("tf", "blocking-one").unwrap();
    assert!(names(transforms.list("tf", 1, 10).unwrap()).is_empty());
}

#[test]
fn hybrid_runner_executes_against_the_emulator() {
    // The emulator serves the runner's service calls (`{runner}/{tenant}/api/v3|v4/…`); it
    // wants a token, which a runner made with `connect` does not send.
    let emu = emulator();
    let runner = blocking::hybrid::Client::from_client(
        cspark::Client::builder()
            .env_lookup(|_| None)
            .base_url(emu.handle.base_url())
            .auth(Auth::bearer("any-token"))
            .build()
            .unwrap(),
    )
    .unwrap();
    let out = runner.execute(CYLINDER, &record(9)).unwrap();
    assert_volume(&Value::Object(out.outputs().clone()), 9);
    let many = runner
        .execute_many(CYLINDER, &[record(10), record(11)])
        .unwrap();
    assert_volume(&many.outputs[0], 10);
    assert_volume(&many.outputs[1], 11);
}

fn refused<T>(r: &cspark::Result<T>) -> bool {
    matches!(
        r,
        Err(SparkError::Config {
            field: "blocking",
            ..
        })
    )
}

#[test]
fn inside_an_async_runtime_calls_return_the_config_error() {
    let emu = emulator();
    let client = client(&emu);
    // Made outside, iterated inside.
    let mut run = client
        .batches()
        .run(CYLINDER, (0..10).map(record), &RunOptions::default())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let out = client.services().execute(CYLINDER, &record(1));
        assert!(refused(&out), "{out:?}");
        assert!(refused(&client.folders().exists("x")));
        let first = run.next().expect("the refusal is an item");
        assert!(refused(&first), "{first:?}");
        assert!(run.next().is_none(), "the iteration ends after the refusal");
        // A client made and dropped inside a runtime does not panic either.
        let inner = blocking::Client::from_async(client.inner().clone()).unwrap();
        drop(inner);
    });
}

/// `(type, method)` of the call surface in `src` (type `""` for a free function).
/// Async sources: every `pub async fn`, and the `pub fn`s of the resource handles' `impl`s.
/// Blocking sources: every `pub fn` and macro entry `fn name(…)` (the twins) of an `impl`,
/// and free `pub fn`s. Trait impls are skipped.
fn methods(src: &str, blocking: bool) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut current: Option<String> = None;
    for line in src.lines() {
        let trimmed = line.trim_start();
        if line.starts_with("impl") && line.trim_end().ends_with('{') {
            current = impl_type(line);
            continue;
        }
        if line.starts_with('}') {
            current = None;
        }
        let name_after = |prefix: &str| {
            trimmed.strip_prefix(prefix).map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
        };
        let free = line.starts_with("pub ");
        let name = if blocking {
            name_after("pub fn ").or_else(|| name_after("fn "))
        } else {
            let on_handle = current
                .as_deref()
                .is_some_and(|ty| HANDLE_TYPES.contains(&ty));
            name_after("pub async fn ").or_else(|| name_after("pub fn ").filter(|_| on_handle))
        };
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            continue;
        };
        match &current {
            Some(ty) => {
                found.insert((ty.clone(), name));
            }
            None if free => {
                found.insert((String::new(), name));
            }
            None => {}
        }
    }
    found
}

/// The type of an inherent `impl` line (`impl<'c> Services<'c> {` → `Services`).
fn impl_type(line: &str) -> Option<String> {
    if line.contains(" for ") {
        return None;
    }
    let mut rest = line.strip_prefix("impl")?;
    if rest.starts_with('<') {
        let mut depth = 0;
        let end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        })?;
        rest = &rest[end + 1..];
    }
    let path: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    path.rsplit("::").next().map(str::to_owned)
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// Synchronous methods of the async resource handles that are part of their call surface
/// (accessors, run starters, run counters): these need twins as well.
const HANDLE_TYPES: &[&str] = &[
    "Client",
    "Services",
    "Batches",
    "Pipeline",
    "BatchRun",
    "TypedBatchRun",
    "Folders",
    "History",
    "Impex",
    "Transforms",
    "Files",
];

/// Async-client methods without a blocking twin, on purpose.
const NO_TWIN: &[(&str, &str)] = &[
    // Builds the async client: pass the builder to `blocking::Client::new`.
    ("Client", "builder"),
    // The transport sends async requests; reach it through `inner()` if needed.
    ("Client", "transport"),
    // The generated async platform client: run its futures with `Client::block_on`.
    ("Client", "platform"),
];

#[test]
fn every_async_method_has_a_blocking_twin() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let (mut asynch, mut blocking) = (BTreeSet::new(), BTreeSet::new());
    let (mut runner, mut blocking_runner) = (BTreeSet::new(), BTreeSet::new());
    // The call surface: resources, the client, typed calls (not the generated platform
    // client, which has no twin: see `NO_TWIN`, nor transport internals).
    let surface = |path: &str| {
        path.contains("/src/resources/")
            || [
                "/src/client.rs",
                "/src/typed.rs",
                "/src/typed_batch.rs",
                "/src/typed_chunked.rs",
            ]
            .iter()
            .any(|f| path.ends_with(f))
    };
    for (path, text) in &files {
        if !path.contains("/src/blocking/") && !surface(path) {
            continue;
        }
        let found = methods(text, path.contains("/src/blocking/"));
        match (
            path.contains("/src/blocking/"),
            path.ends_with("/hybrid.rs"),
            path.ends_with("/resources/wasm.rs"),
        ) {
            (true, true, _) => blocking_runner.extend(found),
            (true, false, _) => blocking.extend(found),
            (false, _, true) => runner.extend(found),
            (false, _, false) => asynch.extend(found),
        }
    }
    assert!(asynch.len() > 80, "parsed too few methods: {asynch:?}");
    assert!(
        runner.len() >= 10,
        "parsed too few runner methods: {runner:?}"
    );
    let missing: Vec<_> = asynch
        .iter()
        .filter(|(ty, name)| !NO_TWIN.contains(&(ty.as_str(), name.as_str())))
        .filter(|m| !blocking.contains(*m))
        .chain(runner.iter().filter(|m| !blocking_runner.contains(*m)))
        .collect();
    assert!(missing.is_empty(), "no blocking twin: {missing:?}");
    for (ty, name) in NO_TWIN {
        let pair = (ty.to_string(), name.to_string());
        assert!(asynch.contains(&pair), "stale allow-list entry {pair:?}");
        assert!(!blocking.contains(&pair), "{pair:?} has a twin now");
    }
}
