//! The service catalogue: folders → services → versions, plus uploaded drafts.
//!
//! One `RwLock` guards the catalogue; executions take a read lock only long enough to clone
//! an `Arc<Version>`, never across evaluation. Split by idea: the catalogue here, version
//! numbers in `semver`, the data directory in `persist`, publishing workbooks from disk or
//! the binary in `publish_dir`, editing and deleting one version in `edit`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::Engine;

mod edit;
mod persist;
mod publish_dir;
mod semver;

pub use edit::{VersionChangeError, VersionEdit};
pub use publish_dir::{publish_dir, publish_workbook};
pub use semver::{SemVer, parse_parts};

/// Effective start of a version published without one (far past, so any date resolves).
pub const DEFAULT_START: DateTime<Utc> = DateTime::from_timestamp_nanos(946_684_800_000_000_000);
/// Effective end of a version published without one (2100-01-01).
pub const DEFAULT_END: DateTime<Utc> = DateTime::from_timestamp_nanos(4_102_444_800_000_000_000);

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
    /// Description, if any (set by editing the version).
    #[serde(default)]
    pub description: Option<String>,
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
                description: None,
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
}
