//! Options and results of the service lifecycle calls in [`lifecycle`](crate::resources::services::lifecycle).

use serde_json::{Map, Value};

use crate::resources::support::PollOptions;

/// Options of [`Services::create`](crate::services::Services::create), [`Services::compile`](crate::services::Services::compile) and [`Services::publish`](crate::services::Services::publish).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateOptions {
    /// Upload file name (default `{service}.xlsx`).
    pub file_name: Option<String>,
    /// Draft name at publication (default: the service name).
    pub draft_name: Option<String>,
    /// `major`, `minor` (default) or `patch`.
    pub version_difference: Option<String>,
    /// Effective start, naive ISO (default: now).
    pub start_date: Option<String>,
    /// Effective end, naive ISO (default: start + 10 years).
    pub end_date: Option<String>,
    /// `should_trck_user_action` (sic, as Spark expects it).
    pub track_user: bool,
    /// Version label.
    pub label: Option<String>,
    /// Release notes.
    pub release_notes: Option<String>,
    /// Tags (comma-joined on the wire).
    pub tags: Vec<String>,
    /// Extra `request_data` keys, sent with both the upload and the publication.
    pub extras: Map<String, Value>,
    /// Compilation polling.
    pub poll: PollOptions,
}

impl CreateOptions {
    /// `major`, `minor` or `patch`.
    pub fn version_difference(mut self, v: impl Into<String>) -> Self {
        self.version_difference = Some(v.into());
        self
    }

    /// Effective dates (naive ISO strings, e.g. `2024-01-01T10:00:00`).
    pub fn effective(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self.end_date = Some(end.into());
        self
    }

    /// Draft service name at publication.
    pub fn draft_name(mut self, name: impl Into<String>) -> Self {
        self.draft_name = Some(name.into());
        self
    }

    /// Label, release notes and tags of the new version.
    pub fn release(mut self, label: &str, notes: &str, tags: &[&str]) -> Self {
        self.label = Some(label.into());
        self.release_notes = Some(notes.into());
        self.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// Compilation polling.
    pub fn poll(mut self, poll: PollOptions) -> Self {
        self.poll = poll;
        self
    }
}

use crate::generated::types::{CompilationStatusResponse, PublishResponse, UploadResponse};

/// Result of [`Services::compile`](crate::services::Services::compile): the upload and final compilation-status answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// Upload answer (`response_data.{nodegen_compilation_jobid, original_file_documentid, engine_file_documentid}`).
    pub upload: UploadResponse,
    /// Last compilation status.
    pub compilation: CompilationStatusResponse,
}

/// Result of [`Services::create`](crate::services::Services::create).
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    /// Upload answer.
    pub upload: UploadResponse,
    /// Last compilation status.
    pub compilation: CompilationStatusResponse,
    /// Publication answer (`response_data.version_id`).
    pub publication: PublishResponse,
}

impl Created {
    /// The id of the published version.
    pub fn version_id(&self) -> Option<&str> {
        self.publication
            .response_data
            .as_ref()
            .and_then(|d| d.version_id.as_deref())
    }
}

/// Options of [`Services::recompile`](crate::services::Services::recompile).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecompileOptions {
    /// Version to recompile (default: latest).
    pub version_id: Option<String>,
    /// Compiler, e.g. `Neuron_v1.13.0` (default `StableLatest`).
    pub compiler: Option<String>,
    /// Release notes (default `Recompiled via Spark Rust SDK`).
    pub release_notes: Option<String>,
    /// Version label.
    pub label: Option<String>,
    /// Effective start (default now).
    pub start_date: Option<String>,
    /// Effective end (default start + 10 years).
    pub end_date: Option<String>,
    /// `major`, `minor` or `patch` (default).
    pub upgrade: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}
