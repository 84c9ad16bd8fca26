//! Arguments of `cspark services …`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// `cspark services …`
#[derive(Subcommand, Debug)]
pub enum ServicesCmd {
    /// List the services of a folder.
    #[command(alias = "ls")]
    List {
        /// Folder name.
        folder: String,
        /// Print only the service names, one a line (a JSON array with --json).
        #[arg(long)]
        name_only: bool,
        /// Page and search options as JSON: {"page", "pageSize", "sort", "search": [{"field", "value"}]}.
        #[arg(long, short = 'd', value_name = "JSON")]
        data: Option<String>,
    },
    /// List the versions of a service (newest first).
    #[command(alias = "version")]
    Versions {
        /// Service URI, e.g. folder/service.
        uri: String,
        /// Only the latest version.
        #[arg(long)]
        latest: bool,
    },
    /// Search the services of the tenant.
    Search {
        /// Search term FIELD=VALUE (e.g. `foldername=demo`, `name1=cyl`), repeatable.
        #[arg(long = "term", value_name = "FIELD=VALUE", value_parser = parse_term)]
        terms: Vec<(String, String)>,
        /// Page number (1-based).
        #[arg(long, default_value_t = 1)]
        page: i64,
        /// Page size (-1 = everything).
        #[arg(long, default_value_t = 100)]
        page_size: i64,
        /// Print the whole response, not just the services found.
        #[arg(long)]
        show_all: bool,
    },
    /// Whether a service exists: prints true or false (exit 0 either way).
    Exists {
        /// Service URI.
        uri: String,
    },
    /// Recompile a service version with another compiler (a new version).
    Recompile(RecompileArgs),
    /// Edit a version in place (description, label, release notes, tags, effective dates);
    /// what is not given stays as it is.
    EditVersion(EditVersionArgs),
    /// Delete an intermediate version (not the first or the latest; irreversible).
    DeleteVersion {
        /// Service URI (folder/service).
        uri: String,
        /// Version id.
        version_id: String,
    },
    /// Get a service's schema.
    Schema {
        /// Service URI.
        uri: String,
    },
    /// Get a service's Swagger (OpenAPI) document.
    Swagger {
        /// Service URI.
        uri: String,
        /// A specific version (default: the latest).
        #[arg(long)]
        version_id: Option<String>,
        /// Only this subservice (default: all).
        #[arg(long, value_name = "NAME")]
        subservice: Option<String>,
        /// Ask Spark for the downloadable file and save it, under the server's file name
        /// unless -o is given.
        #[arg(long)]
        downloadable: bool,
        /// Write the document to this file instead of printing it.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Get a service's metadata.
    Metadata {
        /// Service URI.
        uri: String,
    },
    /// Execute a service once.
    #[command(alias = "exec")]
    Execute {
        /// Service URI.
        uri: String,
        /// Inputs as JSON, @file.json, or - for standard input.
        #[arg(long, short, default_value = "{}")]
        inputs: String,
        /// Print the whole response, not just the outputs.
        #[arg(long)]
        show_all: bool,
    },
    /// Validate inputs against a service's rules.
    Validate {
        /// Service URI.
        uri: String,
        /// Inputs as JSON, @file.json, or - for standard input.
        #[arg(long, short, default_value = "{}")]
        inputs: String,
        /// Dynamic validation (rules depending on other inputs).
        #[arg(long)]
        dynamic: bool,
    },
    /// Download a service's workbook.
    Download {
        /// Service URI.
        uri: String,
        /// A specific version (default: the latest).
        #[arg(long)]
        version_id: Option<String>,
        /// `original` (as uploaded) or `configured` (with the service configuration).
        #[arg(long = "type", value_enum, default_value = "original")]
        kind: WorkbookKind,
        /// File name asked of Spark; also the default output file name.
        #[arg(long, value_name = "NAME")]
        file_name: Option<String>,
        /// Output file (default: --file-name or the server's file name, reduced to a plain
        /// name in the current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Delete services: `delete URI…`, or `delete -f FOLDER NAME…` (irreversible).
    #[command(alias = "rm")]
    Delete {
        /// Service URIs, or service names with --folder.
        #[arg(required = true, value_name = "URI|NAME")]
        targets: Vec<String>,
        /// The folder of the services named.
        #[arg(long, short = 'f', value_name = "FOLDER")]
        folder: Option<String>,
    },
    /// Upload, compile and publish a workbook as a service (or a new version).
    Create(CreateArgs),
}

/// `cspark services create`
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Service URI (folder/service).
    pub uri: String,
    /// The workbook (.xlsx).
    #[arg(long)]
    pub file: PathBuf,
    /// Version bump when the service exists.
    #[arg(long, value_enum)]
    pub versioning: Option<Bump>,
    /// Version label.
    #[arg(long)]
    pub label: Option<String>,
    /// Release notes.
    #[arg(long)]
    pub release_notes: Option<String>,
    /// Tag (repeatable).
    #[arg(long = "tag", alias = "tags", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Effective start date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Option<String>,
    /// Effective end date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub end_date: Option<String>,
    /// Draft service name.
    #[arg(long)]
    pub draft_name: Option<String>,
    /// Track user actions on the service.
    #[arg(long)]
    pub track_user: bool,
}

/// `cspark services recompile`
#[derive(Args, Debug)]
pub struct RecompileArgs {
    /// Service URI.
    pub uri: String,
    /// Version to recompile (default: the latest).
    #[arg(long)]
    pub version_id: Option<String>,
    /// Compiler version (default: StableLatest).
    #[arg(long)]
    pub compiler: Option<String>,
    /// Version bump (default: patch).
    #[arg(long, value_enum)]
    pub upgrade: Option<Bump>,
    /// Version label.
    #[arg(long)]
    pub label: Option<String>,
    /// Release notes.
    #[arg(long)]
    pub release_notes: Option<String>,
    /// Tag (repeatable).
    #[arg(long = "tag", alias = "tags", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Effective start date.
    #[arg(long)]
    pub start_date: Option<String>,
    /// Effective end date.
    #[arg(long)]
    pub end_date: Option<String>,
    /// Wait for the compilation job to finish.
    #[arg(long)]
    pub wait: bool,
}

/// `cspark services edit-version`
#[derive(Args, Debug)]
pub struct EditVersionArgs {
    /// Service URI (folder/service).
    pub uri: String,
    /// Version id.
    pub version_id: String,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Version label.
    #[arg(long)]
    pub label: Option<String>,
    /// Release notes.
    #[arg(long)]
    pub release_notes: Option<String>,
    /// Tag (repeatable; replaces the version's tags).
    #[arg(long = "tag", alias = "tags", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Effective start date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Option<String>,
    /// Effective end date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub end_date: Option<String>,
}

/// A version bump.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// x.0.0
    Major,
    /// 0.x.0
    Minor,
    /// 0.0.x
    Patch,
}

impl Bump {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Patch => "patch",
        }
    }
}

fn parse_term(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected FIELD=VALUE, got {text:?}")),
    }
}

/// `services download --type`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookKind {
    /// The workbook as uploaded.
    Original,
    /// The workbook with the service configuration embedded.
    Configured,
}
