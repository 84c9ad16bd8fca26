//! The CLI's error and exit statuses.

use std::process::ExitCode;

/// The documented exit statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: the API call (or a file operation) failed.
    Failure,
    /// 2: bad arguments or configuration.
    Usage,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Usage => ExitCode::from(2),
        }
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or configuration (exit 2).
    Usage(String),
    /// A failure at run time (exit 1).
    Failed(String),
    /// An SDK error (exit 1).
    Spark(cspark::SparkError),
}

impl CliError {
    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Self {
        Self::Usage(msg.into())
    }

    /// A run-time failure.
    pub fn failed(msg: impl Into<String>) -> Self {
        Self::Failed(msg.into())
    }

    /// The exit status for this error.
    pub fn status(&self) -> ExitStatus {
        match self {
            Self::Usage(_) => ExitStatus::Usage,
            Self::Failed(_) | Self::Spark(_) => ExitStatus::Failure,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(m) | Self::Failed(m) => f.write_str(m),
            Self::Spark(e) => write!(f, "{e}"),
        }
    }
}

impl From<cspark::SparkError> for CliError {
    fn from(e: cspark::SparkError) -> Self {
        Self::Spark(e)
    }
}

/// Attach a path to an I/O error.
pub fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::failed(format!("{}: {e}", path.display()))
}

/// The CLI's result type.
pub type CliResult<T = ()> = Result<T, CliError>;
