//! The service catalogue: folders → services → versions, plus uploaded drafts.
//!
//! One `RwLock` guards the catalogue; executions take a read lock only long enough to clone
//! an `Arc<Version>`, never across evaluation. With a data directory, every change rewrites
//! `catalog.json` and stores each version's original file as `files/{version_id}.xlsx`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::{Engine, load_xlsx};

/// Effective start of a version published without one (far past, so any date resolves).
pub const DEFAULT_START: DateTime<Utc> = DateTime::from_timestamp_nanos(946_684_800_000_000_000);
/// Effective end of a version published without one (2100-01-01).
pub const DEFAULT_END: DateTime<Utc> = DateTime::from_timestamp_nanos(4_102_444_800_000_000_000);

/// A semantic version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SemVer(pub u64, pub u64, pub u64);

impl SemVer {
    /// Parse `1.2.3`; `None` for anything else.
    pub fn parse(text: &str) -> Option<SemVer> {
        let parts = parse_parts(text)?;
        match parts.as_slice() {
            [a, b, c] => Some(SemVer(*a, *b, *c)),
            _ => None,
        }
    }

    /// Does this version match a full or partial version (`1`, `1.2`, `1.2.3`)?
    pub fn matches(&self, partial: &[u64]) -> bool {
        let mine = [self.0, self.1, self.2];
        partial.len() <= 3 && partial.iter().zip(mine.iter()).all(|(a, b)| a == b)
    }

    /// The next version for a `version_difference` of `major`, `minor` (default) or `patch`.
    pub fn bump(self, difference: &str) -> SemVer {
        match difference.to_ascii_lowercase().as_str() {
            "major" => SemVer(self.0.saturating_add(1), 0, 0),
            "patch" => SemVer(self.0, self.1, self.2.saturating_add(1)),
            _ => SemVer(self.0, self.1.saturating_add(1), 0),
        }
    }
}

impl std::fmt::Display for SemVer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Parse `1`, `1.2` or `1.2.3` into its numbers.
pub fn parse_parts(text: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = text.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 3)
}

/// Descriptive data of one published version (what `catalog.json` stores).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Version UUID.
    pub id: String,
    /// Service UUID.
    pub service_id: String,
    /// Folder name as first published.
    pub folder: String,
    /// Service name as first published.
    pub service: String,
    /// Semantic version.
    pub version: SemVer,
    /// Effective window start.
    pub effective_start: DateTime<Utc>,
    /// Effective window end.
    pub effective_end: DateTime<Utc>,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// Original file name of the workbook.
    pub file_name: String,
    /// Release note, if any.
    pub release_note: Option<String>,
    /// Version label, if any.
    pub label: Option<String>,
    /// Comma-separated tags, if any.
    pub tags: Option<String>,
}

/// A published version: its description, its engine and its original file.
pub struct Version {
    /// Descriptive data.
    pub info: VersionInfo,
    /// The compiled engine.
    pub engine: Arc<dyn Engine>,
    /// The original workbook bytes (for download).
    pub file: Bytes,
    /// A short hash of the file, used as `engine_id` / `source_hash`.
    pub hash: String,
}

/// An uploaded but not yet published workbook.
#[derive(Clone)]
pub struct Draft {
    /// The folder named in the upload path.
    pub folder: String,
    /// The service named in the upload path.
    pub service: String,
    /// Original file name.
    pub file_name: String,
    /// The file.
    pub file: Bytes,
    /// The compiled engine.
    pub engine: Arc<dyn Engine>,
}

#[derive(Default)]
struct Catalog {
    /// (folder lower, service lower) → versions, newest publish last.
    services: HashMap<(String, String), Vec<Arc<Version>>>,
    /// version id → version.
    versions: HashMap<String, Arc<Version>>,
    /// service id → key of `services`.
    service_ids: HashMap<String, (String, String)>,
    /// document id → (when uploaded, draft).
    drafts: HashMap<String, (Instant, Draft)>,
}

/// The catalogue of services, cheap to share behind an `Arc`.
pub struct Store {
    catalog: RwLock<Catalog>,
    data_dir: Option<PathBuf>,
    /// How long drafts live and how many are kept (each holds a workbook and its engine).
    draft_policy: RwLock<(Duration, usize)>,
}

fn key(folder: &str, service: &str) -> (String, String) {
    (folder.to_lowercase(), service.to_lowercase())
}

/// A UUID (v4 layout) derived from `parts`: the same parts always give the same id.
pub fn stable_uuid(parts: &[&str]) -> String {
    let text = parts.join("\u{1f}");
    let a = u64::from_str_radix(&short_hash(text.as_bytes()), 16).unwrap_or(0);
    let b = u64::from_str_radix(&short_hash(format!("salt:{text}").as_bytes()), 16).unwrap_or(0);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A short, stable content hash (FNV-1a, hex) for `engine_id`-style fields.
pub fn short_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Store {
    /// An empty store, persisted under `data_dir` when given.
    pub fn new(data_dir: Option<PathBuf>) -> Store {
        let defaults = crate::limits::Limits::default();
        Store {
            catalog: RwLock::new(Catalog::default()),
            data_dir,
            draft_policy: RwLock::new((defaults.draft_lifetime, defaults.max_drafts)),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    /// All versions of a service, oldest first; `None` if the service is unknown.
    pub fn versions(&self, folder: &str, service: &str) -> Option<Vec<Arc<Version>>> {
        self.read().services.get(&key(folder, service)).cloned()
    }

    /// All versions of the service with this id.
    pub fn versions_by_service_id(&self, service_id: &str) -> Option<Vec<Arc<Version>>> {
        let cat = self.read();
        let k = cat.service_ids.get(&service_id.to_lowercase())?;
        cat.services.get(k).cloned()
    }

    /// The version with this id.
    pub fn version(&self, version_id: &str) -> Option<Arc<Version>> {
        self.read()
            .versions
            .get(&version_id.to_lowercase())
            .cloned()
    }

    /// Every service: (folder, service, versions).
    pub fn all(&self) -> Vec<Vec<Arc<Version>>> {
        let mut all: Vec<_> = self.read().services.values().cloned().collect();
        all.sort_by(|a, b| {
            let ka = a
                .first()
                .map(|v| (v.info.folder.clone(), v.info.service.clone()));
            let kb = b
                .first()
                .map(|v| (v.info.folder.clone(), v.info.service.clone()));
            ka.cmp(&kb)
        });
        all
    }

    /// Drafts live `lifetime` from their upload, and at most `max` are kept (the oldest go
    /// first); see [`crate::Limits`].
    pub fn set_draft_policy(&self, lifetime: Duration, max: usize) {
        *self.draft_policy.write().unwrap_or_else(|e| e.into_inner()) = (lifetime, max.max(1));
    }

    fn draft_policy(&self) -> (Duration, usize) {
        *self.draft_policy.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Keep an uploaded workbook until it is published or expires; returns its document id.
    pub fn add_draft(&self, draft: Draft) -> String {
        let id = Uuid::new_v4().to_string();
        let (lifetime, max) = self.draft_policy();
        let now = Instant::now();
        let evicted: Vec<(Instant, Draft)> = {
            let mut cat = self.write();
            let mut evicted = Vec::new();
            let expired: Vec<String> = cat
                .drafts
                .iter()
                .filter(|(_, (at, _))| now.duration_since(*at) >= lifetime)
                .map(|(id, _)| id.clone())
                .collect();
            for old in expired {
                evicted.extend(cat.drafts.remove(&old));
            }
            while cat.drafts.len() >= max {
                let oldest = cat
                    .drafts
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(id, _)| id.clone());
                match oldest.and_then(|old| cat.drafts.remove(&old)) {
                    Some(draft) => evicted.push(draft),
                    None => break,
                }
            }
            cat.drafts.insert(id.clone(), (now, draft));
            evicted
        };
        // Engines are freed after the lock is released.
        drop(evicted);
        id
    }

    /// The draft with this document id, unless it has expired.
    pub fn draft(&self, id: &str) -> Option<Draft> {
        let (lifetime, _) = self.draft_policy();
        self.read()
            .drafts
            .get(&id.to_lowercase())
            .filter(|(at, _)| at.elapsed() < lifetime)
            .map(|(_, draft)| draft.clone())
    }

    /// The service id a folder/service has or will get at first publish.
    pub fn service_id_for(&self, folder: &str, service: &str) -> Option<String> {
        let cat = self.read();
        cat.services
            .get(&key(folder, service))
            .and_then(|v| v.first())
            .map(|v| v.info.service_id.clone())
    }

    /// The version [`Store::publish`] would create now for `difference`.
    pub fn next_version(&self, folder: &str, service: &str, difference: &str) -> SemVer {
        self.versions(folder, service)
            .and_then(|vs| vs.iter().map(|v| v.info.version).max())
            .unwrap_or(SemVer(0, 0, 0))
            .bump(difference)
    }

    /// Publish a new version of `folder/service`, bumping per `difference`.
    #[allow(clippy::too_many_arguments)]
    pub fn publish(
        &self,
        folder: &str,
        service: &str,
        engine: Arc<dyn Engine>,
        file: Bytes,
        file_name: &str,
        difference: &str,
        window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
        notes: (Option<String>, Option<String>, Option<String>),
        stable_ids: bool,
    ) -> Arc<Version> {
        let now = Utc::now();
        let file_hash = short_hash(&file);
        let (fl, sl) = key(folder, service);
        let new_id = |parts: &[&str]| {
            if stable_ids {
                stable_uuid(parts)
            } else {
                Uuid::new_v4().to_string()
            }
        };
        let version = {
            let mut cat = self.write();
            let k = key(folder, service);
            let existing = cat.services.get(&k);
            let (service_id, folder, service, next) = match existing.and_then(|v| v.first()) {
                Some(first) => {
                    let latest = existing
                        .and_then(|v| v.iter().map(|v| v.info.version).max())
                        .unwrap_or(SemVer(0, 0, 0));
                    (
                        first.info.service_id.clone(),
                        first.info.folder.clone(),
                        first.info.service.clone(),
                        latest.bump(difference),
                    )
                }
                None => (
                    new_id(&["service", &fl, &sl]),
                    folder.to_string(),
                    service.to_string(),
                    SemVer(0, 0, 0).bump(difference),
                ),
            };
            let info = VersionInfo {
                id: new_id(&["version", &fl, &sl, &next.to_string(), &file_hash]),
                service_id: service_id.clone(),
                folder,
                service,
                version: next,
                effective_start: window.0.unwrap_or(DEFAULT_START),
                effective_end: window.1.unwrap_or(DEFAULT_END),
                created_at: now,
                file_name: file_name.to_string(),
                release_note: notes.0,
                label: notes.1,
                tags: notes.2,
            };
            let version = Arc::new(Version {
                hash: short_hash(&file),
                info,
                engine,
                file,
            });
            cat.services
                .entry(k.clone())
                .or_default()
                .push(version.clone());
            cat.versions
                .insert(version.info.id.clone(), version.clone());
            cat.service_ids.insert(service_id, k);
            version
        };
        self.persist_file(&version);
        self.persist_catalog();
        version
    }

    /// Delete a service with all its versions; false if unknown.
    pub fn delete(&self, folder: &str, service: &str) -> bool {
        let removed = {
            let mut cat = self.write();
            let Some(versions) = cat.services.remove(&key(folder, service)) else {
                return false;
            };
            for v in &versions {
                cat.versions.remove(&v.info.id);
                cat.service_ids.remove(&v.info.service_id);
            }
            versions
        };
        if let Some(dir) = &self.data_dir {
            for v in removed {
                let _ = std::fs::remove_file(dir.join("files").join(format!("{}.xlsx", v.info.id)));
            }
        }
        self.persist_catalog();
        true
    }

    fn persist_file(&self, version: &Version) {
        let Some(dir) = &self.data_dir else { return };
        let files = dir.join("files");
        let result = std::fs::create_dir_all(&files).and_then(|_| {
            std::fs::write(
                files.join(format!("{}.xlsx", version.info.id)),
                &version.file,
            )
        });
        if let Err(e) = result {
            tracing::error!(dir = %dir.display(), error = %e, "cannot store workbook file");
        }
    }

    fn persist_catalog(&self) {
        let Some(dir) = &self.data_dir else { return };
        let infos: Vec<VersionInfo> = {
            let cat = self.read();
            let mut all: Vec<VersionInfo> = cat.versions.values().map(|v| v.info.clone()).collect();
            all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            all
        };
        let result = serde_json::to_vec_pretty(&infos)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                std::fs::create_dir_all(dir)?;
                let tmp = dir.join("catalog.json.tmp");
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(tmp, dir.join("catalog.json"))
            });
        if let Err(e) = result {
            tracing::error!(dir = %dir.display(), error = %e, "cannot write catalog.json");
        }
    }

    /// Reload versions saved in the data directory; returns problems as (path, reason).
    pub fn load_data_dir(&self) -> Vec<(PathBuf, String)> {
        let Some(dir) = &self.data_dir else {
            return Vec::new();
        };
        let path = dir.join("catalog.json");
        let Ok(bytes) = std::fs::read(&path) else {
            return Vec::new();
        };
        let infos: Vec<VersionInfo> = match serde_json::from_slice(&bytes) {
            Ok(infos) => infos,
            Err(e) => return vec![(path, e.to_string())],
        };
        let mut problems = Vec::new();
        let mut cat = self.write();
        for info in infos {
            let file_path = dir.join("files").join(format!("{}.xlsx", info.id));
            let loaded = std::fs::read(&file_path)
                .map_err(|e| e.to_string())
                .and_then(|b| load_xlsx(&b, &info.file_name).map(|e| (Bytes::from(b), e)));
            match loaded {
                Ok((file, engine)) => {
                    let k = key(&info.folder, &info.service);
                    let version = Arc::new(Version {
                        hash: short_hash(&file),
                        info,
                        engine,
                        file,
                    });
                    cat.service_ids
                        .insert(version.info.service_id.clone(), k.clone());
                    cat.versions
                        .insert(version.info.id.clone(), version.clone());
                    cat.services.entry(k).or_default().push(version);
                }
                Err(reason) => problems.push((file_path, reason)),
            }
        }
        problems
    }
}

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
