//! Publishing workbooks found on disk (`--workbooks DIR`) or embedded (the demo workbooks) as
//! the first version of a service, with ids derived from names and content.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::Store;
use crate::engine::load_xlsx;

/// Publish every `DIR/{folder}/{service}.xlsx` as `folder/service` (first version 0.1.0),
/// skipping services that already exist; returns the failures as (path, reason). Each file
/// goes through [`publish_workbook`].
pub fn publish_dir(store: &Store, dir: &Path) -> Vec<(PathBuf, String)> {
    let mut problems = Vec::new();
    let folders = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return vec![(dir.to_path_buf(), e.to_string())],
    };
    let mut paths: Vec<PathBuf> = folders.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for folder_path in paths.into_iter().filter(|p| p.is_dir()) {
        let Some(folder) = folder_path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Ok(entries) = std::fs::read_dir(&folder_path) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let is_xlsx = file
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            let (Some(service), Some(name)) = (
                file.file_stem().and_then(|s| s.to_str()),
                file.file_name().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            // `~$…` files are Excel's lock files next to an open workbook.
            if !is_xlsx || name.starts_with("~$") {
                continue;
            }
            let published = std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|b| publish_workbook(store, folder, service, name, Bytes::from(b)));
            if let Err(reason) = published {
                problems.push((file.clone(), reason));
            }
        }
    }
    problems
}

/// Publish one workbook's bytes as the first version (0.1.0) of `folder/service`, unless that
/// service already exists (then nothing happens: a data directory or an earlier source wins).
/// The entry point behind [`publish_dir`] and the embedded demo workbooks; ids are derived
/// from the names and the file, so the same workbook gets the same ids on every start.
/// Returns why the workbook cannot be loaded.
pub fn publish_workbook(
    store: &Store,
    folder: &str,
    service: &str,
    file_name: &str,
    bytes: Bytes,
) -> Result<(), String> {
    if store.versions(folder, service).is_some() {
        return Ok(());
    }
    let engine = load_xlsx(&bytes, file_name)?;
    store.publish(
        folder,
        service,
        engine,
        bytes,
        file_name,
        "minor",
        (None, None),
        (None, None, None),
        true,
    );
    Ok(())
}
