//! `cspark.lock`: which version of each service the committed documents came from.
//!
//! A JSON file at the root of the services directory (JSON rather than TOML so the generator
//! needs no extra parser; it is written by `cspark-codegen lock` or `fetch`, rarely by hand):
//!
//! ```json
//! {
//!   "version": 1,
//!   "services": [
//!     { "folder": "my-folder", "service": "my-service", "version": "0.4.2",
//!       "version_id": "0f1e…", "swagger_sha256": "ab12…", "schema_sha256": "cd34…",
//!       "names": { "inputs": { "Loan Amount": "loan_amount" }, "outputs": { … } } }
//!   ]
//! }
//! ```
//!
//! During generation the lock supplies `VERSION` / `VERSION_ID` of each marker type and its
//! hashes are checked against the files, so a hand-edited or half-fetched document is caught.
//!
//! `names` records the Rust identifier chosen for every field (by scope: `inputs`, `outputs`,
//! `inputs/<table>` for a table's columns, …). `lock` and `fetch` write it; generation keeps
//! these identifiers, so adding a field never renames an existing one (a new `LOAN AMOUNT`
//! beside `Loan Amount` gets `loan_amount_2`, and `loan_amount` keeps reading `Loan Amount`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// File name of the lock inside a services directory.
pub const LOCK_FILE: &str = "cspark.lock";

/// The whole lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    /// Format version; currently `1`.
    pub version: u32,
    /// One entry per service, sorted by folder then service.
    #[serde(default)]
    pub services: Vec<LockEntry>,
}

impl Default for Lockfile {
    fn default() -> Self {
        Lockfile {
            version: 1,
            services: Vec::new(),
        }
    }
}

/// What is known about one service's committed documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// Spark folder.
    pub folder: String,
    /// Spark service.
    pub service: String,
    /// Semantic version the documents describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Version id (UUID) the documents describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// sha256 (lower-case hex) of `{service}.swagger.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swagger_sha256: Option<String>,
    /// sha256 (lower-case hex) of `{service}.schema.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_sha256: Option<String>,
    /// Rust identifiers of the fields, by scope (`inputs`, `outputs`, `inputs/<table>`, …)
    /// then wire name; generation keeps them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, BTreeMap<String, String>>,
}

impl Lockfile {
    /// Reads `dir/cspark.lock`; `Ok(None)` when there is none.
    pub fn read_dir(dir: &Path) -> Result<Option<Lockfile>> {
        let path = dir.join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        Self::parse(&text, &path).map(Some)
    }

    /// Parses lock text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Lockfile> {
        let lock: Lockfile = serde_json::from_str(text).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            source,
        })?;
        if lock.version != 1 {
            return Err(Error::Lock {
                path: path.to_path_buf(),
                reason: format!("unsupported lock version {}", lock.version),
            });
        }
        Ok(lock)
    }

    /// The lock as pretty JSON with a trailing newline, entries sorted.
    pub fn to_json(&self) -> String {
        let mut sorted = self.clone();
        sorted
            .services
            .sort_by(|a, b| (&a.folder, &a.service).cmp(&(&b.folder, &b.service)));
        let mut text = serde_json::to_string_pretty(&sorted).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The entry for `folder/service`, if any.
    pub fn get(&self, folder: &str, service: &str) -> Option<&LockEntry> {
        self.services
            .iter()
            .find(|e| e.folder == folder && e.service == service)
    }

    /// Inserts or replaces the entry for the same folder/service.
    pub fn upsert(&mut self, entry: LockEntry) {
        self.services
            .retain(|e| !(e.folder == entry.folder && e.service == entry.service));
        self.services.push(entry);
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sorting() {
        let mut lock = Lockfile::default();
        for s in ["b", "a"] {
            lock.upsert(LockEntry {
                folder: "f".into(),
                service: s.into(),
                version: Some("1.0.0".into()),
                version_id: None,
                swagger_sha256: Some(sha256_hex(b"x")),
                schema_sha256: None,
                names: BTreeMap::new(),
            });
        }
        let text = lock.to_json();
        let back = Lockfile::parse(&text, Path::new("cspark.lock")).unwrap();
        assert_eq!(back.services[0].service, "a");
        assert_eq!(
            back.get("f", "b").unwrap().version.as_deref(),
            Some("1.0.0")
        );
        assert!(!text.contains("version_id"));
        assert!(!text.contains("names"));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bad_version_is_an_error() {
        let err = Lockfile::parse(r#"{"version": 9}"#, Path::new("x.lock")).unwrap_err();
        assert!(err.to_string().contains("unsupported lock version 9"));
    }
}
