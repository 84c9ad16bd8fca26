//! `fetch` and `diff --live`: the network half, built on the `cspark` SDK (feature `live`).
//!
//! For each service: resolve the version (`getversions`; newest, or the newest matching a
//! full or partial semver), then download that version's Swagger document and schema (the
//! schema from the documented path, with fallbacks: [`crate::pinned`]) and
//! hand them to [`fetch::store`](crate::fetch::store), which normalises them and updates
//! `cspark.lock`.

use std::path::Path;

use cspark::Client;
use cspark::services::{SwaggerOptions, VersionInfo};

use crate::error::{Error, Result};
use crate::fetch::{ServiceDrift, ServiceRef, compare_dirs, store};
use crate::lock::{LockEntry, Lockfile};

/// Downloads every service's documents into `dir` and records them in `dir/cspark.lock`.
pub async fn fetch_services(
    client: &Client,
    services: &[ServiceRef],
    dir: &Path,
) -> Result<Vec<LockEntry>> {
    let mut entries = Vec::with_capacity(services.len());
    for service in services {
        entries.push(fetch_one(client, service, dir).await?);
    }
    Ok(entries)
}

/// Fetches the latest version of every service locked in `dir` into a temporary directory
/// and compares it with `dir`: a non-empty drift means the committed bindings are stale.
pub async fn diff_live(client: &Client, dir: &Path) -> Result<Vec<ServiceDrift>> {
    let lock = Lockfile::read_dir(dir)?.ok_or_else(|| Error::Layout {
        path: dir.to_path_buf(),
        reason: "no cspark.lock: nothing to compare (run `cspark-codegen fetch` first)".into(),
    })?;
    let scratch = scratch_dir(dir)?;
    let services: Vec<ServiceRef> = lock
        .services
        .iter()
        .map(|e| ServiceRef {
            folder: e.folder.clone(),
            service: e.service.clone(),
            version: None,
        })
        .collect();
    let fetched = fetch_services(client, &services, &scratch).await;
    let result = fetched.and_then(|_| compare_dirs(dir, &scratch));
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn fetch_one(client: &Client, wanted: &ServiceRef, dir: &Path) -> Result<LockEntry> {
    let name = format!("{}/{}", wanted.folder, wanted.service);
    let uri = cspark::ServiceUri::new(&wanted.folder, &wanted.service).map_err(remote(&name))?;
    let versions = client
        .services()
        .get_versions(&uri)
        .await
        .map_err(remote(&name))?;
    let chosen =
        pick_version(&versions, wanted.version.as_deref()).ok_or_else(|| Error::NoSuchVersion {
            service: name.clone(),
            wanted: wanted.version.clone().unwrap_or_else(|| "latest".into()),
            available: versions
                .iter()
                .filter_map(|v| v.revision.as_deref())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let version_id = chosen.id.clone().unwrap_or_default();
    let swagger = client
        .services()
        .get_swagger_raw(&uri, &SwaggerOptions::default().version_id(&version_id))
        .await
        .map_err(remote(&name))?;
    let (schema, _) =
        crate::pinned::schema_by_version_id(client, &wanted.folder, &wanted.service, &version_id)
            .await
            .map_err(remote(&name))?;
    let to_bytes = |v: &serde_json::Value| serde_json::to_vec(v).unwrap_or_default();
    store(
        dir,
        wanted,
        chosen.revision.as_deref(),
        Some(&version_id),
        &to_bytes(&swagger),
        &to_bytes(&schema),
    )
}

/// The newest version whose revision equals `wanted` or starts with `wanted.` (partial
/// semver, as Spark resolves `1` or `1.2`); the newest of all when `wanted` is `None`.
pub fn pick_version<'v>(
    versions: &'v [VersionInfo],
    wanted: Option<&str>,
) -> Option<&'v VersionInfo> {
    let matches = |v: &&VersionInfo| match (wanted, v.revision.as_deref()) {
        (None, _) => true,
        (Some(w), Some(r)) => r == w || r.starts_with(&format!("{w}.")),
        (Some(_), None) => false,
    };
    versions
        .iter()
        .filter(matches)
        .max_by(|a, b| semver_key(a).cmp(&semver_key(b)))
}

fn semver_key(v: &VersionInfo) -> Vec<u64> {
    v.revision
        .as_deref()
        .unwrap_or_default()
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn remote(service: &str) -> impl Fn(cspark::SparkError) -> Error + '_ {
    move |source| Error::Remote {
        service: service.to_owned(),
        source,
    }
}

fn scratch_dir(near: &Path) -> Result<std::path::PathBuf> {
    let base = std::env::temp_dir().join(format!(
        "cspark-codegen-live-{}-{}",
        std::process::id(),
        near.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("services")
    ));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).map_err(|e| Error::io(&base, e))?;
    Ok(base)
}
