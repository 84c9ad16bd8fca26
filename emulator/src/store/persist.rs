//! The catalogue on disk (`--data DIR`): `catalog.json` rewritten after every change (through a
//! temporary file and a rename) and each version's original workbook as
//! `files/{version_id}.xlsx`; reloaded at start.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

use super::{Store, Version, VersionInfo, key, short_hash};
use crate::engine::load_xlsx;

impl Store {
    pub(super) fn persist_file(&self, version: &Version) {
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

    pub(super) fn persist_catalog(&self) {
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
