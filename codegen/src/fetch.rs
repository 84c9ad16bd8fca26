//! The offline half of `fetch` and `diff --live`.
//!
//! Fetching needs the SDK's HTTP client (`cspark::Client`), which the generator must not depend
//! on, so the network part is left to the caller (the `cspark` CLI or a small tool built on
//! the SDK). For each [`ServiceRef`] the caller:
//!
//! 1. resolves the version (`GET /api/v1/product/{folder}/engines/getversions/{service}`;
//!    the newest, or the one matching `ServiceRef::version`), giving a version and version id;
//! 2. downloads the swagger
//!    (`GET /{tenant}/api/v3/folders/{folder}/services/{service}/downloadswagger/All/false/{versionId}`)
//!    and the schema (`GET /api/v1/product/{folder}/engines/get/{service}/{versionId}`, as
//!    Coherent's OpenAPI description documents it, with the SDKs' and the Postman
//!    collection's paths as fallbacks on 404, see the `pinned` module);
//! 3. calls [`store`] to write both documents (normalised, so re-fetching an unchanged
//!    service changes no bytes) and update `cspark.lock`.
//!
//! `diff --live` is the same fetch into a temporary directory followed by [`compare_dirs`]
//! against the committed one.

use std::path::Path;

use serde_json::Value;

use crate::drift::{Drift, compare};
use crate::error::{Error, Result};
use crate::lock::{LOCK_FILE, LockEntry, Lockfile, sha256_hex};
use crate::service::{SCHEMA_SUFFIX, SWAGGER_SUFFIX, ServiceDocs, load_dir};

/// A service named on the command line: `folder/service` or `folder/service[1.2.3]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    /// Spark folder.
    pub folder: String,
    /// Spark service.
    pub service: String,
    /// Requested version (full or partial semver), if any.
    pub version: Option<String>,
}

impl ServiceRef {
    /// Parses `folder/service[version]`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Layout {
            path: text.into(),
            reason: reason.to_string(),
        };
        let (path, version) = match text.strip_suffix(']') {
            Some(rest) => {
                let (p, v) = rest.rsplit_once('[').ok_or_else(|| bad("unbalanced `]`"))?;
                (p, Some(v.trim().to_string()).filter(|v| !v.is_empty()))
            }
            None => (text, None),
        };
        let (folder, service) = path
            .split_once('/')
            .ok_or_else(|| bad("expected folder/service[version]"))?;
        if folder.is_empty() || service.is_empty() || service.contains('/') {
            return Err(bad("expected folder/service[version]"));
        }
        Ok(ServiceRef {
            folder: folder.to_string(),
            service: service.to_string(),
            version,
        })
    }
}

impl std::str::FromStr for ServiceRef {
    type Err = Error;

    /// Same as [`ServiceRef::parse`].
    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

/// Top-level keys that change on every request without the service changing (the schema's
/// fetch timestamp); dropped so that re-fetching an unchanged service rewrites no bytes.
pub const VOLATILE_KEYS: &[&str] = &["fetchTimeUTC"];

/// Re-serialises a JSON document with sorted keys and two-space indentation plus a final
/// newline, so that committed documents diff well and re-fetches are byte-stable.
pub fn normalize_document(bytes: &[u8], what: &Path) -> Result<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|source| Error::Json {
        path: what.to_path_buf(),
        source,
    })?;
    if let Value::Object(map) = &mut value {
        for key in VOLATILE_KEYS {
            map.remove(*key);
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    Ok(text.into_bytes())
}

/// Writes a fetched service into `dir` (`{folder}/{service}.swagger.json` and `.schema.json`)
/// and records it in `dir/cspark.lock`. Returns the lock entry.
pub fn store(
    dir: &Path,
    service: &ServiceRef,
    version: Option<&str>,
    version_id: Option<&str>,
    swagger: &[u8],
    schema: &[u8],
) -> Result<LockEntry> {
    let folder_dir = dir.join(&service.folder);
    std::fs::create_dir_all(&folder_dir).map_err(|e| Error::io(&folder_dir, e))?;
    let mut lock = Lockfile::read_dir(dir)?.unwrap_or_default();
    // The identifiers the committed documents generate, before they are overwritten: the
    // lock's record, else what the documents on disk give (a lock written before names
    // were recorded).
    let recorded = recorded_names(dir, &lock, service);
    let mut hashes = Vec::new();
    let mut texts = Vec::new();
    for (suffix, bytes) in [(SWAGGER_SUFFIX, swagger), (SCHEMA_SUFFIX, schema)] {
        let path = folder_dir.join(format!("{}{suffix}", service.service));
        let text = normalize_document(bytes, &path)?;
        std::fs::write(&path, &text).map_err(|e| Error::io(&path, e))?;
        hashes.push(sha256_hex(&text));
        texts.push(text);
    }
    let fetched = ServiceDocs::from_bytes(
        &service.folder,
        &service.service,
        texts.first().map(Vec::as_slice),
        texts.get(1).map(Vec::as_slice),
    )?;
    let names =
        crate::service::field_names(&fetched, &recorded, &untyped_allowed()).unwrap_or(recorded);
    let entry = LockEntry {
        folder: service.folder.clone(),
        service: service.service.clone(),
        version: version.map(str::to_string),
        version_id: version_id.map(str::to_string),
        swagger_sha256: hashes.first().cloned(),
        schema_sha256: hashes.get(1).cloned(),
        names,
    };
    lock.upsert(entry.clone());
    let lock_path = dir.join(LOCK_FILE);
    std::fs::write(&lock_path, lock.to_json()).map_err(|e| Error::io(&lock_path, e))?;
    Ok(entry)
}

/// Render options for recording names: untyped fields allowed, so that a service the
/// generator would refuse still gets its lock entry.
fn untyped_allowed() -> crate::service::RenderOptions {
    crate::service::RenderOptions {
        allow_untyped: true,
        ..Default::default()
    }
}

/// The field identifiers of `service` as committed: from the lock, else generated from the
/// documents on disk (empty when there are none or they do not resolve).
fn recorded_names(
    dir: &Path,
    lock: &Lockfile,
    service: &ServiceRef,
) -> crate::service::emit::FieldNames {
    if let Some(entry) = lock.get(&service.folder, &service.service)
        && !entry.names.is_empty()
    {
        return entry.names.clone();
    }
    let read = |suffix: &str| {
        std::fs::read(
            dir.join(&service.folder)
                .join(format!("{}{suffix}", service.service)),
        )
        .ok()
    };
    let (swagger, schema) = (read(SWAGGER_SUFFIX), read(SCHEMA_SUFFIX));
    if swagger.is_none() && schema.is_none() {
        return Default::default();
    }
    ServiceDocs::from_bytes(
        &service.folder,
        &service.service,
        swagger.as_deref(),
        schema.as_deref(),
    )
    .and_then(|docs| crate::service::field_names(&docs, &Default::default(), &untyped_allowed()))
    .unwrap_or_default()
}

/// Drift of one service between two services directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceDrift {
    /// In both; the drift may be empty.
    Changed {
        /// `folder/service`.
        service: String,
        /// What changed.
        drift: Drift,
    },
    /// Only in the new directory.
    Added(String),
    /// Only in the old directory.
    Removed(String),
}

impl ServiceDrift {
    /// True when the typed bindings of this service would change.
    pub fn is_drift(&self) -> bool {
        !matches!(self, ServiceDrift::Changed { drift, .. } if drift.is_empty())
    }
}

/// Compares every service of two services directories (committed versus freshly fetched).
pub fn compare_dirs(old: &Path, new: &Path) -> Result<Vec<ServiceDrift>> {
    let old = load_dir(old)?;
    let new = load_dir(new)?;
    let find = |list: &[ServiceDocs], label: &str| list.iter().position(|d| d.label() == label);
    let mut out = Vec::new();
    for o in &old {
        match find(&new, &o.label()) {
            Some(i) => out.push(ServiceDrift::Changed {
                service: o.label(),
                drift: compare(o, &new[i])?,
            }),
            None => out.push(ServiceDrift::Removed(o.label())),
        }
    }
    for n in &new {
        if find(&old, &n.label()).is_none() {
            out.push(ServiceDrift::Added(n.label()));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn parse_service_refs() {
        let r = ServiceRef::parse("my-folder/my-service[1.2]").unwrap();
        assert_eq!(
            (r.folder.as_str(), r.service.as_str(), r.version.as_deref()),
            ("my-folder", "my-service", Some("1.2"))
        );
        assert_eq!(ServiceRef::parse("a/b").unwrap().version, None);
        assert_eq!(ServiceRef::parse("a/b[]").unwrap().version, None);
        for bad in ["a", "/b", "a/", "a/b/c", "a/b]"] {
            assert!(ServiceRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn store_then_compare() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        let svc = ServiceRef::parse("f/s").unwrap();
        let schema = |out: &str| {
            format!(r#"{{"xOutput": [{{"name": "{out}", "dataType": "NUMBER"}}], "xlInputs": []}}"#)
        };
        // A swagger with an execute operation whose outputs the schema describes.
        let swagger = br#"{"swagger": "2.0", "paths": {"/t/api/v3/folders/f/services/s/execute": {"post": {"responses": {"200": {"schema": {"type": "object", "properties": {"response_data": {"type": "object", "properties": {"outputs": {"type": "object", "properties": {}}}}}}}}}}}}"#;
        let e = store(
            &old,
            &svc,
            Some("1.0.0"),
            Some("vid"),
            swagger,
            schema("a").as_bytes(),
        )
        .unwrap();
        // Stored documents match their lock hashes, so generation accepts them.
        crate::Builder::new().services_dir(&old).render().unwrap();
        assert_eq!(e.version.as_deref(), Some("1.0.0"));
        // Normalised: storing the same content again is byte-identical.
        let before = std::fs::read(old.join("f/s.schema.json")).unwrap();
        store(
            &old,
            &svc,
            Some("1.0.0"),
            Some("vid"),
            swagger,
            schema("a").as_bytes(),
        )
        .unwrap();
        assert_eq!(before, std::fs::read(old.join("f/s.schema.json")).unwrap());

        store(
            &new,
            &svc,
            Some("1.1.0"),
            None,
            swagger,
            schema("b").as_bytes(),
        )
        .unwrap();
        store(
            &new,
            &ServiceRef::parse("f/t").unwrap(),
            None,
            None,
            swagger,
            schema("a").as_bytes(),
        )
        .unwrap();
        let drifts = compare_dirs(&old, &new).unwrap();
        assert_eq!(drifts.len(), 2);
        let ServiceDrift::Changed { drift, .. } = &drifts[0] else {
            panic!("{drifts:?}")
        };
        assert_eq!(drift.outputs.added, vec!["b"]);
        assert_eq!(drift.outputs.removed, vec!["a"]);
        assert_eq!(drifts[1], ServiceDrift::Added("f/t".into()));
        assert!(drifts.iter().all(ServiceDrift::is_drift));
        assert!(
            compare_dirs(&old, &old)
                .unwrap()
                .iter()
                .all(|d| !d.is_drift())
        );
    }
}
