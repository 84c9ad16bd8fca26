//! Command-line arguments: clap derive only, no logic.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cspark::Secret;

mod groups;
mod mcp;
mod services;

pub use groups::{
    ExportCmd, ExportRunArgs, FilesCmd, HealthCmd, IfPresent, ImportCmd, ImportRunArgs,
    TransformDocArgs, TransformsCmd, WasmCmd,
};
pub use mcp::{McpCmd, McpServeArgs};
pub use services::{CreateArgs, EditVersionArgs, RecompileArgs, ServicesCmd, WorkbookKind};

/// Interact with Coherent Spark from the command line.
///
/// Exit status: 0 success, 1 API or runtime failure, 2 bad arguments or configuration.
#[derive(Parser, Debug)]
#[command(
    name = "cspark",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    after_help = "Exit status: 0 success, 1 API or runtime failure, 2 bad arguments or configuration."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Profile to use (default: the active one).
    #[arg(long, global = true, env = "CSPARK_PROFILE")]
    pub profile: Option<String>,
    /// Base URL, e.g. `https://excel.uat.us.coherent.global/my-tenant`.
    #[arg(long, global = true, env = "CSPARK_BASE_URL")]
    pub base_url: Option<String>,
    /// Tenant (when the base URL has none).
    #[arg(long, global = true, env = "CSPARK_TENANT")]
    pub tenant: Option<String>,
    /// API key (synthetic key).
    #[arg(
        long,
        global = true,
        env = "CSPARK_API_KEY",
        hide_env_values = true,
        value_parser = secret
    )]
    pub api_key: Option<Secret>,
    /// Bearer token.
    #[arg(
        long,
        global = true,
        env = "CSPARK_BEARER_TOKEN",
        hide_env_values = true,
        value_parser = secret
    )]
    pub token: Option<Secret>,
    /// Extra HTTP header sent with every request, as 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', global = true, value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, Secret)>,
    /// Print machine-readable JSON instead of tables (same as `--format json`).
    #[arg(long, global = true)]
    pub json: bool,
    /// Output format: `json` (machine-readable) or `table` (for people, the default).
    /// Overrides `--json`.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// Log HTTP calls and internals to stderr (tracing).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// `--format`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
// Plain comments on the variants: doc comments would give every command a long help
// (possible values with descriptions), which `codegen_is_cspark_codegen` rightly flags.
pub enum OutputFormat {
    // Pretty-printed JSON.
    Json,
    // Aligned tables (nested values as compact JSON).
    Table,
}

impl GlobalArgs {
    /// Whether machine (JSON) output was asked for: `--format` wins over `--json`.
    pub fn wants_json(&self) -> bool {
        self.format
            .map_or(self.json, |format| format == OutputFormat::Json)
    }
}

/// A header's value may be a credential (`Authorization: …`): it is kept as a [`Secret`].
fn parse_header(text: &str) -> Result<(String, Secret), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), Secret::new(value.trim())))
        }
        _ => Err(format!("expected 'Name: value', got {text:?}")),
    }
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the platform's health (`health` alone = `health check`).
    Health {
        /// `check` (print the status; exit 1 when not up) or `ok` (print true/false).
        #[command(subcommand)]
        cmd: Option<HealthCmd>,
    },
    /// Manage profiles (base URL, tenant, credentials).
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Create a profile: interactively (needs a terminal), or from `-f FILE` (JSON, or YAML
    /// when named .yml/.yaml) or `--config JSON`, with the keys name, base_url, tenant,
    /// api_key, token, client_id, client_secret. Made the active profile.
    Init {
        /// A JSON or YAML file describing the profile.
        #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "config")]
        file: Option<std::path::PathBuf>,
        /// The profile as a JSON object.
        #[arg(long, value_name = "JSON")]
        config: Option<String>,
    },
    /// OAuth2 client-credentials login of a profile: cache, drop or show its access token.
    #[command(subcommand)]
    Auth(AuthCmd),
    /// Services: list, inspect, execute, validate, download, delete, create.
    #[command(subcommand)]
    Services(ServicesCmd),
    /// Run many records through a service.
    #[command(subcommand)]
    Batch(BatchCmd),
    /// Folders: list, create, delete.
    #[command(subcommand)]
    Folders(FoldersCmd),
    /// Execution history (logs).
    #[command(subcommand)]
    Logs(LogsCmd),
    /// Export and import services (file-based; see also `export` and `import`).
    #[command(subcommand)]
    Impex(ImpexCmd),
    /// Export services into a package (zip) and manage export jobs.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Import a package (zip) into Spark and inspect import jobs.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Transform documents: list, get, save, validate, delete.
    #[command(subcommand)]
    Transforms(TransformsCmd),
    /// WASM (Nodegen) packages of services.
    #[command(subcommand)]
    Wasm(WasmCmd),
    /// Download files (e.g. links Spark returned) with the profile's credentials.
    #[command(subcommand)]
    Files(FilesCmd),
    /// Run the local Spark emulator until Ctrl-C.
    Emulator(EmulatorArgs),
    /// Model Context Protocol: serve the services of a `spark/` directory as MCP tools.
    #[command(subcommand)]
    Mcp(McpCmd),
    /// Generate typed Rust bindings (the cspark-codegen library).
    // The very subcommands and flags of the `cspark-codegen` binary (`cspark_codegen::cli`).
    #[command(subcommand)]
    Codegen(cspark_codegen::cli::Command),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `cspark config …`
#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Add (or replace) a profile; the first one becomes active.
    Add {
        /// Profile name.
        name: String,
        /// Base URL (may include the tenant).
        #[arg(long = "url", value_name = "URL")]
        url: String,
        /// Tenant, when the URL has none.
        #[arg(long = "profile-tenant", value_name = "TENANT")]
        tenant: Option<String>,
        /// API key to store (in a 0600 file).
        #[arg(long = "key", value_name = "KEY", value_parser = secret)]
        key: Option<Secret>,
        /// Bearer token to store (in a 0600 file).
        #[arg(long = "bearer", value_name = "TOKEN", value_parser = secret)]
        bearer: Option<Secret>,
        /// OAuth2 client id (client-credentials flow).
        #[arg(long, value_name = "ID", requires = "client_secret")]
        client_id: Option<String>,
        /// OAuth2 client secret (stored in a 0600 file).
        #[arg(long, value_name = "SECRET", requires = "client_id", value_parser = secret)]
        client_secret: Option<Secret>,
    },
    /// Make a profile the active one.
    Use {
        /// Profile name.
        name: String,
    },
    /// List every profile in detail (secrets shown as ***).
    #[command(alias = "ls")]
    List {
        /// Every profile: what `list` always shows (as the Python CLI's `list -a`); accepted
        /// so that scripts written for it run unchanged.
        #[arg(long, short = 'a')]
        all: bool,
    },
    /// Set fields of the active profile (or --profile): KEY=VALUE with KEY one of url,
    /// tenant, key, bearer, client_id, client_secret; an empty VALUE clears the field.
    Set {
        /// KEY=VALUE pairs.
        #[arg(required = true, value_name = "KEY=VALUE", value_parser = parse_setting)]
        pairs: Vec<(ProfileKey, Secret)>,
    },
    /// Print one field of the active profile (or --profile); secrets are shown as ***.
    Get {
        /// url, tenant, key, bearer, client_id or client_secret.
        #[arg(value_enum)]
        key: ProfileKey,
    },
    /// Remove a profile and its secrets.
    #[command(alias = "rm")]
    Remove {
        /// Profile name.
        name: String,
    },
}

/// A profile field of `config set` and `config get`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKey {
    /// Base URL.
    Url,
    /// Tenant.
    Tenant,
    /// API key (secret).
    Key,
    /// Bearer token (secret).
    Bearer,
    /// OAuth2 client id.
    #[value(name = "client_id")]
    ClientId,
    /// OAuth2 client secret (secret).
    #[value(name = "client_secret")]
    ClientSecret,
}

fn parse_setting(text: &str) -> Result<(ProfileKey, Secret), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))?;
    let key = ProfileKey::from_str(key.trim(), true).map_err(|_| {
        format!(
            "unknown key {key:?}: expected url, tenant, key, bearer, client_id or client_secret"
        )
    })?;
    Ok((key, Secret::new(value.trim())))
}

/// Parses a credential straight into a [`Secret`], so no `Debug` of the arguments shows it.
pub fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

/// `cspark auth …`
#[derive(Subcommand, Debug, Clone, Copy)]
pub enum AuthCmd {
    /// Get an access token with the profile's client credentials and cache it (mode 0600).
    Login,
    /// Forget the profile's cached access token.
    Logout,
    /// Show how the profile authenticates and whether a cached token is valid; the global
    /// `-v/--verbose` adds the URL, tenant and token expiry (the token itself is never shown).
    Status {
        /// Every profile, not only the active (or `--profile`) one.
        #[arg(long, short = 'a')]
        all: bool,
    },
}

/// Output format of `batch run`, from the file extension by default.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// A JSON array of objects (input only).
    Json,
}

/// `cspark batch …`
#[derive(Subcommand, Debug)]
pub enum BatchCmd {
    /// Run the records of a file through a service.
    Run(BatchRunArgs),
}

/// `cspark batch run`
#[derive(Args, Debug)]
pub struct BatchRunArgs {
    /// Service URI, e.g. folder/service.
    #[arg(long)]
    pub service: String,
    /// Input records (.csv, .jsonl or .json).
    #[arg(long)]
    pub input: PathBuf,
    /// Output file (.csv or .jsonl): input columns then output columns, in input order.
    #[arg(long)]
    pub output: PathBuf,
    /// Failed records (JSON lines with index, inputs and errors).
    #[arg(long)]
    pub failed: Option<PathBuf>,
    /// Below this many records, use one synchronous execute-many call instead of a batch
    /// (0 to 100000).
    #[arg(long, default_value_t = 100, value_parser = threshold)]
    pub threshold: usize,
    /// Records per batch chunk (1 to 100000).
    #[arg(long, default_value_t = 200, value_parser = chunk_size)]
    pub chunk_size: usize,
    /// Chunks pushed but not yet pulled, at most (1 to 1024). At most
    /// (max-in-flight + 3) × chunk-size records are held in memory at any time.
    #[arg(long, default_value_t = 16, value_parser = max_in_flight)]
    pub max_in_flight: usize,
}

/// Largest `--threshold`: the records of one execute-many call are held in memory.
pub const MAX_THRESHOLD: usize = 100_000;
/// Largest `--chunk-size`.
pub const MAX_CHUNK_SIZE: usize = 100_000;
/// Largest `--max-in-flight`.
pub const MAX_IN_FLIGHT: usize = 1_024;

/// A whole number in `min..=max`; the error names the range and the value given.
fn bounded(text: &str, min: usize, max: usize) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("expected a whole number from {min} to {max}, got {text:?}"))
}

fn threshold(text: &str) -> Result<usize, String> {
    bounded(text, 0, MAX_THRESHOLD)
}

fn chunk_size(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_CHUNK_SIZE)
}

fn max_in_flight(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_IN_FLIGHT)
}

/// `cspark folders …`
#[derive(Subcommand, Debug)]
pub enum FoldersCmd {
    /// List folders.
    #[command(alias = "ls")]
    List {
        /// Filter by name.
        #[arg(long)]
        name: Option<String>,
        /// Print only the folder names, one a line (a JSON array with --json).
        #[arg(long)]
        name_only: bool,
        /// Page and filter options as JSON: {"name", "favorite", "page", "size", "sort"}.
        #[arg(long, short = 'd', value_name = "JSON")]
        data: Option<String>,
    },
    /// Create a folder.
    Create {
        /// Folder name.
        name: String,
        #[command(flatten)]
        fields: FolderFieldArgs,
        /// Status (e.g. Design).
        #[arg(long)]
        status: Option<String>,
    },
    /// Update a folder's fields by id.
    Update {
        /// Folder id.
        id: String,
        #[command(flatten)]
        fields: FolderFieldArgs,
    },
    /// Whether a folder exists: prints true or false (exit 0 either way).
    Exists {
        /// Folder name.
        name: String,
    },
    /// Delete a folder by id.
    #[command(alias = "rm")]
    Delete {
        /// Folder id.
        id: String,
    },
}

/// Folder fields set by `folders create` and `folders update`.
#[derive(Args, Debug, Clone, Default)]
pub struct FolderFieldArgs {
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Category (e.g. Other).
    #[arg(long)]
    pub category: Option<String>,
    /// Effective start date.
    #[arg(long)]
    pub start_date: Option<String>,
    /// Launch date.
    #[arg(long)]
    pub launch_date: Option<String>,
}

/// `cspark logs …`
#[derive(Subcommand, Debug)]
pub enum LogsCmd {
    /// Get one call's log by call id.
    Get {
        /// Call id (from an execute response).
        call_id: String,
    },
    /// Download a service's logs.
    Download {
        /// Service URI.
        uri: String,
        /// CSV instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Only this version's calls.
        #[arg(long)]
        version_id: Option<String>,
        /// Calls from this date (e.g. 2026-01-31 or an RFC 3339 time).
        #[arg(long)]
        start_date: Option<String>,
        /// Calls until this date.
        #[arg(long)]
        end_date: Option<String>,
        /// Time zone offset of the dates, e.g. +08:00.
        #[arg(long)]
        timezone_offset: Option<String>,
        /// Only these calls (repeatable).
        #[arg(long = "call-id", value_name = "ID")]
        call_ids: Vec<String>,
        /// Only calls made with this source system (`request_meta.source_system`). Spark reads
        /// it from the same `call_ids` list, so a call matching any given id is kept.
        #[arg(long, value_name = "NAME")]
        source_system: Option<String>,
        /// Only calls made with this correlation id (`request_meta.correlation_id`); matched
        /// like `--source-system`.
        #[arg(long, value_name = "ID")]
        correlation_id: Option<String>,
        /// Output file (default: the server's file name, reduced to a plain name in the
        /// current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Rebuild the workbook of one call (with its inputs) and save it.
    Rehydrate {
        /// Service URI.
        uri: String,
        /// Call id (from an execute response).
        #[arg(long)]
        call_id: String,
        /// Record index, for a call with many records.
        #[arg(long)]
        index: Option<u32>,
        /// Use the legacy download endpoint.
        #[arg(long)]
        legacy: bool,
        /// Output file (default: the server's file name, reduced to a plain name in the
        /// current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// `cspark impex …`
#[derive(Subcommand, Debug)]
pub enum ImpexCmd {
    /// Export services (or folders) into files in a directory.
    Export {
        /// Service URIs to export.
        #[arg(long = "service")]
        services: Vec<String>,
        /// Folders to export.
        #[arg(long = "folder")]
        folders: Vec<String>,
        /// Directory for the exported files.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Import an exported zip.
    Import {
        /// The zip file.
        file: PathBuf,
        /// Mappings SOURCE[=TARGET] (service URIs), repeatable.
        #[arg(long = "map", required = true)]
        mappings: Vec<String>,
    },
    /// Copy services from one profile's tenant to another's (export, transfer, import) and
    /// list the imported versions; exit 1 when nothing moved. Each side uses its profile
    /// only (not --base-url, --api-key, --token or their variables).
    Migrate {
        /// Source profile.
        #[arg(long)]
        from: String,
        /// Target profile.
        #[arg(long)]
        to: String,
        /// Service SOURCE[=TARGET] (folder/service URIs), repeatable.
        #[arg(long = "service", required = true, value_name = "F/S[=G/T]")]
        services: Vec<String>,
        /// What to do when a target service exists (default: add_version).
        #[arg(long, value_enum)]
        if_present: Option<IfPresent>,
    },
}

/// `cspark emulator`
#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:8480")]
    pub addr: SocketAddr,
    /// Publish DIR/{folder}/{service}.xlsx (default: the demo workbooks).
    #[arg(long, value_name = "DIR")]
    pub workbooks: Option<PathBuf>,
    /// Tenant served.
    #[arg(long = "serve-tenant", default_value = "my-tenant")]
    pub tenant: String,
    /// Model an engine that computes each record in MS milliseconds (wall time, no CPU), as
    /// on Spark where one worker evaluates a call's records in turn. 0 (the default) = off.
    #[arg(long, value_name = "MS", value_parser = cspark_emulator::pacing::parse_ms)]
    pub engine_ms_per_record: Option<std::time::Duration>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own consistency checks, with `cspark_codegen::cli::Command` embedded: its
    /// `--base-url` (fetch, diff) shadows the global one rather than clashing with it.
    #[test]
    fn command_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// `cspark codegen` has exactly the subcommands and arguments of `cspark-codegen` (the
    /// global options of cspark aside), down to their help text.
    #[test]
    fn codegen_is_cspark_codegen() {
        fn args(cmd: &clap::Command) -> Vec<String> {
            let mut out: Vec<String> = cmd
                .get_arguments()
                .filter(|a| !a.is_global_set() && a.get_id() != "version")
                .map(|a| {
                    format!(
                        "{} {:?} {:?} {:?} {:?} {:?} {} {:?}",
                        a.get_id(),
                        a.get_long(),
                        a.get_short(),
                        a.get_help().map(ToString::to_string),
                        a.get_value_names(),
                        a.get_default_values(),
                        a.is_required_set(),
                        a.get_index(),
                    )
                })
                .collect();
            out.sort();
            for sub in cmd.get_subcommands() {
                out.push(format!(
                    "[{}] {:?}",
                    sub.get_name(),
                    sub.get_about().map(ToString::to_string)
                ));
                out.extend(
                    args(sub)
                        .into_iter()
                        .map(|a| format!("{} {a}", sub.get_name())),
                );
            }
            out
        }
        let mut ours = super::Cli::command();
        ours.build();
        let ours = ours.find_subcommand("codegen").map(args);
        let mut theirs = cspark_codegen::cli::Cli::command();
        theirs.build();
        let theirs = args(&theirs);
        assert!(
            theirs
                .iter()
                .any(|a| a.starts_with("fetch services Some(\"service\")"))
        );
        assert_eq!(ours, Some(theirs));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod debug_tests {
    use super::*;

    /// No credential given on the command line shows in the arguments' `Debug` (the
    /// settings made from them: `settings.rs`).
    #[test]
    fn credentials_stay_out_of_debug() {
        let cli = Cli::try_parse_from([
            "cspark",
            "--api-key",
            "canary-api-key",
            "--token",
            "canary-bearer",
            "-H",
            "Authorization: Bearer canary-header",
            "config",
            "add",
            "p",
            "--url",
            "http://127.0.0.1:9/t",
            "--key",
            "canary-key",
            "--bearer",
            "canary-token",
            "--client-id",
            "id",
            "--client-secret",
            "canary-secret",
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        assert!(!shown.contains("canary"), "{shown}");
        let set = Cli::try_parse_from(["cspark", "config", "set", "key=canary-set"]).unwrap();
        let shown = format!("{set:?}");
        assert!(!shown.contains("canary"), "{shown}");
        let serve = Cli::try_parse_from([
            "cspark",
            "mcp",
            "serve",
            "--http",
            "127.0.0.1:0",
            "--http-token",
            "canary-mcp-token-0123",
        ])
        .unwrap();
        let shown = format!("{serve:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }
}
