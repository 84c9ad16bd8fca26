//! Arguments of the command groups added for parity with the Python CLI 0.2.0: `health`,
//! `export`, `import`, `transforms`, `wasm`, `files`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// `cspark health …`
#[derive(Subcommand, Debug, Clone, Copy)]
pub enum HealthCmd {
    /// Print the platform's status; exit 1 when it is not up.
    #[command(alias = "status")]
    Check,
    /// Print `true` when the platform is up, else `false` and exit 1.
    Ok,
}

/// `cspark export …`
#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// Start an export job, wait for it and save the package(s).
    Run(ExportRunArgs),
    /// Recent and running export jobs of the tenant.
    Describe,
    /// One export job's status (a single request, no waiting).
    Status {
        /// Job id (from `export run` or `export describe`).
        job: String,
    },
    /// Cancel an export job.
    Cancel {
        /// Job id.
        job: String,
    },
}

/// `cspark export run`
#[derive(Args, Debug)]
pub struct ExportRunArgs {
    /// Folder to export (repeatable).
    #[arg(long = "folder", value_name = "FOLDER")]
    pub folders: Vec<String>,
    /// Service to export, folder/service (repeatable).
    #[arg(long = "service", value_name = "URI")]
    pub services: Vec<String>,
    /// Version id to export (repeatable).
    #[arg(long = "version-id", value_name = "ID")]
    pub version_ids: Vec<String>,
    /// `migrate` (default) or `onpremises`.
    #[arg(long, value_name = "FILTER")]
    pub file_filter: Option<String>,
    /// `latest` (default) or `all`.
    #[arg(long, value_name = "FILTER")]
    pub version_filter: Option<String>,
    /// Source system recorded with the job.
    #[arg(long, default_value = "Coherent Spark CLI (Rust)")]
    pub source_system: String,
    /// Correlation id recorded with the job.
    #[arg(long)]
    pub correlation_id: Option<String>,
    /// Output file (default: the server's file name in the current directory). When the
    /// job produces several files, they are saved as STEM_1.EXT, STEM_2.EXT, …
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
}

/// `cspark import …`
#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Import a package (zip) and wait for the job.
    Run(ImportRunArgs),
    /// Recent and running import jobs of the tenant.
    Describe,
    /// One import job's status (a single request, no waiting).
    Status {
        /// Job id (from `import describe`).
        job: String,
    },
}

/// `cspark import run`
#[derive(Args, Debug)]
pub struct ImportRunArgs {
    /// The package (zip), or - for standard input.
    pub file: PathBuf,
    /// Destination: URI (same name as in the package) or SOURCE=TARGET (repeatable).
    #[arg(long = "destination", short = 'd', required = true, value_name = "URI")]
    pub destinations: Vec<String>,
    /// What to do when a service exists already (default: add_version).
    #[arg(long, value_enum)]
    pub if_present: Option<IfPresent>,
    /// Source system recorded with the job.
    #[arg(long, default_value = "Coherent Spark CLI (Rust)")]
    pub source_system: String,
    /// Correlation id recorded with the job.
    #[arg(long)]
    pub correlation_id: Option<String>,
}

/// `--if-present`: the import's `services_existing`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfPresent {
    /// Add the package's version as a new version.
    #[value(name = "add_version")]
    AddVersion,
    /// Replace the existing service.
    Replace,
    /// Stop the import.
    Abort,
}

impl IfPresent {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AddVersion => "add_version",
            Self::Replace => "replace",
            Self::Abort => "abort",
        }
    }
}

/// `cspark transforms …`
#[derive(Subcommand, Debug)]
pub enum TransformsCmd {
    /// List the transforms of a folder.
    #[command(alias = "ls")]
    List {
        /// Folder name.
        folder: String,
        /// Page number (1-based).
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Page size.
        #[arg(long, default_value_t = 100)]
        page_size: u32,
    },
    /// Get a transform by URI (folder/name).
    Get {
        /// Transform URI, folder/name.
        uri: String,
    },
    /// Save (create or replace) a transform.
    Save {
        /// Folder name.
        #[arg(long, short)]
        folder: String,
        /// Transform name.
        #[arg(long, short)]
        name: String,
        #[command(flatten)]
        doc: TransformDocArgs,
    },
    /// Validate a transform document.
    Validate {
        #[command(flatten)]
        doc: TransformDocArgs,
    },
    /// Delete a transform by URI (folder/name).
    #[command(alias = "rm")]
    Delete {
        /// Transform URI, folder/name.
        uri: String,
    },
}

/// Where a transform document comes from.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct TransformDocArgs {
    /// The document as JSON.
    #[arg(long, short = 'd', value_name = "JSON")]
    pub data: Option<String>,
    /// A JSON file with the document, or - for standard input.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `cspark wasm …`
#[derive(Subcommand, Debug)]
pub enum WasmCmd {
    /// Download the WASM package of a service.
    #[command(alias = "dl")]
    Download {
        /// Service URI (`folder/service[version]`, `version/ID` or `service/ID`).
        uri: String,
        /// Use the public endpoint.
        #[arg(long)]
        public: bool,
        /// Output file (default: the server's file name in the current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// `cspark files …`
#[derive(Subcommand, Debug)]
pub enum FilesCmd {
    /// Download a URL (credentials are sent only to the profile's own host).
    #[command(alias = "dl")]
    Download {
        /// Absolute http(s) URL.
        url: String,
        /// Output file (default: the server's file name in the current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}
