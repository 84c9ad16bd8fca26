//! The one error type of the generator.

use std::path::PathBuf;

/// Everything that can go wrong while reading inputs or generating code.
///
/// Every variant names the file or the service (and field) it is about, so a failed
/// `build.rs` or CI run points straight at the offending input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON input (swagger, schema, lock file) does not parse.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser error.
        #[source]
        source: serde_json::Error,
    },
    /// The OpenAPI description does not parse or is not usable.
    #[error("{path}: {reason}")]
    Spec {
        /// The spec file (or a label for in-memory text).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The services directory does not have the expected layout.
    #[error("{path}: {reason}")]
    Layout {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A service's swagger/schema cannot be turned into types.
    #[error("service {service}{}: {reason}", field.as_ref().map(|f| format!(", field {f:?}")).unwrap_or_default())]
    Schema {
        /// `folder/service`.
        service: String,
        /// The input/output (or table column) the problem is about, when there is one.
        field: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// The lock file disagrees with the files next to it.
    #[error("{path}: {reason}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// progenitor or syn rejected the input or produced unparsable code.
    #[error("code generation failed: {0}")]
    Generate(String),
    /// Talking to the Spark tenant (or emulator) failed during `fetch` / `diff --live`.
    #[cfg(feature = "live")]
    #[error("service {service}: {source}")]
    Remote {
        /// `folder/service`.
        service: String,
        /// The SDK's error (never contains credentials).
        #[source]
        source: cspark::SparkError,
    },
    /// A requested version does not exist on the tenant.
    #[error("service {service}: no version matches {wanted:?} (published: {available})")]
    NoSuchVersion {
        /// `folder/service`.
        service: String,
        /// The version asked for.
        wanted: String,
        /// Versions the tenant has, newest first.
        available: String,
    },
    /// A required builder setting was not given.
    #[error("missing setting: {0}")]
    Setting(&'static str),
}

/// Shorthand for `Result<T, cspark_codegen::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Schema`] about a service and optionally one of its fields.
    pub(crate) fn schema(service: &str, field: Option<&str>, reason: impl Into<String>) -> Self {
        Error::Schema {
            service: service.to_string(),
            field: field.map(str::to_string),
            reason: reason.into(),
        }
    }
}
