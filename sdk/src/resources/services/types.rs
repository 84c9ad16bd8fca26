//! Options and values of the extra service calls in [`service_ops`](crate::resources::services::ops).

use serde_json::{Value, json};

/// Which validation rules [`Services::validate`](crate::services::Services::validate) asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationType {
    /// Static rules (`default_values` on the wire).
    #[default]
    Static,
    /// Rules that depend on the other inputs (`dynamic`).
    Dynamic,
}

impl ValidationType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "default_values",
            Self::Dynamic => "dynamic",
        }
    }
}

/// Options of [`Services::search`](crate::services::Services::search) (`POST /api/v3/services/search`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchOptions {
    /// Page number (1-based).
    pub page: i64,
    /// Page size; `-1` = everything.
    pub page_size: i64,
    /// Sort key, e.g. `name1_co`.
    pub sort: String,
    /// Search terms (`[{"field":…,"value":…}]`).
    pub search: Vec<Value>,
    /// Fields to return.
    pub fields: Vec<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: -1,
            sort: "name1_co".into(),
            search: Vec::new(),
            fields: ["id", "foldername", "filename", "version", "modifiedDate"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl SearchOptions {
    /// Adds a `{field, value}` search term.
    pub fn term(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.search
            .push(json!({"field": field, "value": value.into()}));
        self
    }

    /// Sets paging.
    pub fn page(mut self, page: i64, page_size: i64) -> Self {
        self.page = page;
        self.page_size = page_size;
        self
    }
}

/// Which file [`Services::download`](crate::services::Services::download) returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadKind {
    /// The workbook as uploaded (`type=`).
    #[default]
    Original,
    /// The workbook with the service configuration embedded (`type=withmetadata`).
    Configured,
}

/// Options of [`Services::download`](crate::services::Services::download).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// A specific version (`None` = latest).
    pub version_id: Option<String>,
    /// File name asked of Spark (`filename=` query).
    pub file_name: Option<String>,
    /// Original or configured workbook.
    pub kind: DownloadKind,
}

impl DownloadOptions {
    /// Downloads one version.
    pub fn version_id(mut self, id: impl Into<String>) -> Self {
        self.version_id = Some(id.into());
        self
    }

    /// Asks for this file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The configured workbook (service settings embedded).
    pub fn configured(mut self) -> Self {
        self.kind = DownloadKind::Configured;
        self
    }
}
