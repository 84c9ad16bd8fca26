//! Changing one published version in place: editing its descriptive data, or deleting it when
//! it is neither the first nor the latest version of its service (the two calls of Coherent's
//! OpenAPI description, spark-openapi: `…/updateversion/{versionId}` and
//! `DELETE …/version/{versionId}`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Store, Version, key};

/// Changes to a version's descriptive data: `None` leaves a field as it is, `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct VersionEdit {
    /// New description.
    pub description: Option<Option<String>>,
    /// New release note.
    pub release_note: Option<Option<String>>,
    /// New version label.
    pub label: Option<Option<String>>,
    /// New comma-separated tags.
    pub tags: Option<Option<String>>,
    /// New start of the effective window.
    pub effective_start: Option<DateTime<Utc>>,
    /// New end of the effective window.
    pub effective_end: Option<DateTime<Utc>>,
}

/// Why a version could not be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChangeError {
    /// No such folder/service.
    UnknownService,
    /// The service has no version with this id.
    UnknownVersion,
    /// Deleting the first or the latest version of a service.
    FirstOrLatest,
    /// An edit whose effective window would end before it starts.
    EndBeforeStart,
}

impl Store {
    /// Apply `edit` to version `version_id` of `folder/service`; returns the edited version.
    pub fn edit_version(
        &self,
        folder: &str,
        service: &str,
        version_id: &str,
        edit: &VersionEdit,
    ) -> Result<Arc<Version>, VersionChangeError> {
        let edited = {
            let mut cat = self.write();
            let versions = cat
                .services
                .get_mut(&key(folder, service))
                .ok_or(VersionChangeError::UnknownService)?;
            let slot = versions
                .iter_mut()
                .find(|v| v.info.id.eq_ignore_ascii_case(version_id))
                .ok_or(VersionChangeError::UnknownVersion)?;
            let mut info = slot.info.clone();
            let replace = |field: &mut Option<String>, new: &Option<Option<String>>| {
                if let Some(new) = new {
                    field.clone_from(new);
                }
            };
            replace(&mut info.description, &edit.description);
            replace(&mut info.release_note, &edit.release_note);
            replace(&mut info.label, &edit.label);
            replace(&mut info.tags, &edit.tags);
            info.effective_start = edit.effective_start.unwrap_or(info.effective_start);
            info.effective_end = edit.effective_end.unwrap_or(info.effective_end);
            if info.effective_end < info.effective_start {
                return Err(VersionChangeError::EndBeforeStart);
            }
            // Executions in flight keep the `Arc` they resolved; new ones see the edit.
            let edited = Arc::new(Version {
                info,
                engine: slot.engine.clone(),
                file: slot.file.clone(),
                hash: slot.hash.clone(),
            });
            *slot = edited.clone();
            cat.versions.insert(edited.info.id.clone(), edited.clone());
            edited
        };
        self.persist_catalog();
        Ok(edited)
    }

    /// Delete version `version_id` of `folder/service`, unless it is the first published or
    /// the latest (highest) version; returns the deleted version.
    pub fn delete_version(
        &self,
        folder: &str,
        service: &str,
        version_id: &str,
    ) -> Result<Arc<Version>, VersionChangeError> {
        let removed = {
            let mut cat = self.write();
            let versions = cat
                .services
                .get_mut(&key(folder, service))
                .ok_or(VersionChangeError::UnknownService)?;
            let index = versions
                .iter()
                .position(|v| v.info.id.eq_ignore_ascii_case(version_id))
                .ok_or(VersionChangeError::UnknownVersion)?;
            let latest = versions.iter().map(|v| v.info.version).max();
            if index == 0 || Some(versions[index].info.version) == latest {
                return Err(VersionChangeError::FirstOrLatest);
            }
            let removed = versions.remove(index);
            cat.versions.remove(&removed.info.id);
            removed
        };
        if let Some(dir) = &self.data_dir {
            let file = dir.join("files").join(format!("{}.xlsx", removed.info.id));
            let _ = std::fs::remove_file(file);
        }
        self.persist_catalog();
        Ok(removed)
    }
}
