//! Options of [`History`](crate::resources::history::History).

use crate::resources::support::PollOptions;

/// Format of [`History::download`](crate::resources::history::History::download).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormat {
    /// A zip holding a JSON array of detailed logs.
    #[default]
    Json,
    /// A zip holding a CSV file.
    Csv,
}

impl LogFormat {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// What [`History::download`](crate::resources::history::History::download) exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogDownload {
    /// JSON or CSV.
    pub format: LogFormat,
    /// Call ids (or one source system / correlation id, as Spark allows).
    pub call_ids: Vec<String>,
    /// From (naive ISO).
    pub start_date: Option<String>,
    /// To (naive ISO).
    pub end_date: Option<String>,
    /// e.g. `+08:00`.
    pub timezone_offset: Option<String>,
    /// Only this version.
    pub version_id: Option<String>,
    /// Job polling.
    pub poll: PollOptions,
}

impl LogDownload {
    /// A CSV export.
    pub fn csv(mut self) -> Self {
        self.format = LogFormat::Csv;
        self
    }

    /// Only these calls.
    pub fn call_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.call_ids = ids.into_iter().map(Into::into).collect();
        self
    }
}

/// Filters of [`History::search`](crate::resources::history::History::search) (`POST /api/v1/product/{f}/engines/{s}/logs`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogSearch {
    /// From (ISO; default now − 7 days is the server's choice when absent).
    pub start_date: Option<String>,
    /// To (ISO).
    pub end_date: Option<String>,
    /// Only this version (`{"field":"version","id":…}`).
    pub version_id: Option<String>,
    /// Call purpose.
    pub call_purpose: Option<String>,
    /// Free text: a call id, source system or correlation id.
    pub text: Option<String>,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub size: u32,
}

impl Default for LogSearch {
    fn default() -> Self {
        Self {
            start_date: None,
            end_date: None,
            version_id: None,
            call_purpose: None,
            text: None,
            page: 1,
            size: 100,
        }
    }
}
