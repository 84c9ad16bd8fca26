//! Requests and options of [`Impex`](crate::resources::impex::Impex).

use crate::resources::support::PollOptions;

use crate::generated::types::ImpexResult;

/// What [`Impex::export`](crate::resources::impex::Impex::export) packages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportRequest {
    /// Whole folders.
    pub folders: Vec<String>,
    /// Services (`folder/service[version]` or service ids).
    pub services: Vec<String>,
    /// Version ids.
    pub version_ids: Vec<String>,
    /// `migrate` (default) or `onpremises` (hybrid runners).
    pub file_filter: String,
    /// `latest` (default) or `all`.
    pub version_filter: String,
    /// `source_system` (default `Spark Rust SDK`).
    pub source_system: String,
    /// `correlation_id`.
    pub correlation_id: Option<String>,
    /// Job polling.
    pub poll: PollOptions,
}

impl Default for ExportRequest {
    fn default() -> Self {
        Self {
            folders: Vec::new(),
            services: Vec::new(),
            version_ids: Vec::new(),
            file_filter: "migrate".into(),
            version_filter: "latest".into(),
            source_system: crate::resources::services::execute::DEFAULT_SOURCE_SYSTEM.into(),
            correlation_id: None,
            poll: PollOptions::default(),
        }
    }
}

impl ExportRequest {
    /// Exports these services.
    pub fn services<I: IntoIterator<Item = S>, S: Into<String>>(mut self, uris: I) -> Self {
        self.services = uris.into_iter().map(Into::into).collect();
        self
    }

    /// Exports these folders.
    pub fn folders<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.folders = names.into_iter().map(Into::into).collect();
        self
    }

    /// Exports these versions.
    pub fn version_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.version_ids = ids.into_iter().map(Into::into).collect();
        self
    }
}

/// One `services_modify` entry of an import: where a packaged service goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMapping {
    /// `folder/service` in the package.
    pub source: String,
    /// `folder/service` in this tenant.
    pub target: String,
    /// `major`, `minor` (default) or `patch`.
    pub upgrade: String,
}

impl ImportMapping {
    /// `source` imported under the same name, as a minor version.
    pub fn same(source: impl Into<String>) -> Self {
        let source = source.into();
        Self {
            target: source.clone(),
            source,
            upgrade: "minor".into(),
        }
    }

    /// `source` imported as `target`.
    pub fn to(source: impl Into<String>, target: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            target: target.into(),
            upgrade: "minor".into(),
        }
    }
}

/// Options of [`Impex::import`](crate::resources::impex::Impex::import).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// When a service exists: `abort`, `replace` or `add_version` (default).
    pub if_present: String,
    /// `source_system`.
    pub source_system: String,
    /// `correlation_id`.
    pub correlation_id: Option<String>,
    /// Job polling.
    pub poll: PollOptions,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            if_present: "add_version".into(),
            source_system: crate::resources::services::execute::DEFAULT_SOURCE_SYSTEM.into(),
            correlation_id: None,
            poll: PollOptions::default(),
        }
    }
}

/// What [`migrate`](crate::resources::impex::migrate) did: the exported zips and, for each in the same
/// order, the final status of its import.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Migration {
    /// Every file the export produced.
    pub exports: Vec<crate::resources::files::DownloadedFile>,
    /// The final import status of each exported zip.
    pub imports: Vec<ImpexResult>,
}
