//! Dispatch of the parsed command line to one module per command group.

mod auth;
mod batch;
mod codegen;
mod config;
mod emulator;
mod init_file;
mod jobs;
mod list_data;
mod mcp;
mod migrate;
mod platform;
mod services;
mod transforms;

use clap::CommandFactory;

use crate::args::{Cli, Command, HealthCmd, ImpexCmd};
use crate::error::CliResult;
use crate::settings::Settings;

/// Runs the command.
pub async fn run(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command {
        Command::Config(cmd) => config::run(
            cmd,
            global.profile.as_deref(),
            crate::output::Printer::new(global.wants_json()),
        ),
        Command::Init { file, config } => {
            let printer = crate::output::Printer::new(global.wants_json());
            if file.is_none() && config.is_none() {
                auth::init(printer)
            } else {
                init_file::run(file.as_deref(), config.as_deref(), printer)
            }
        }
        Command::Auth(cmd) => auth::run(cmd, &global).await,
        Command::Emulator(args) => emulator::run(args).await,
        Command::Mcp(cmd) => mcp::run(cmd, &global).await,
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            crate::output::Printer::new(false)
                .raw(|out| clap_complete::generate(shell, &mut cmd, "cspark", out));
            Ok(())
        }
        Command::Codegen(cmd) => codegen::run(cmd, &global).await,
        Command::Health { cmd } => {
            platform::health(
                cmd.unwrap_or(HealthCmd::Check),
                &Settings::resolve(&global)?,
            )
            .await
        }
        Command::Services(cmd) => services::run(cmd, &Settings::resolve(&global)?).await,
        Command::Batch(cmd) => batch::run(cmd, &Settings::resolve(&global)?).await,
        Command::Folders(cmd) => platform::folders(cmd, &Settings::resolve(&global)?).await,
        Command::Logs(cmd) => platform::logs(cmd, &Settings::resolve(&global)?).await,
        Command::Impex(ImpexCmd::Migrate {
            from,
            to,
            services,
            if_present,
        }) => {
            let job = migrate::Migrate {
                from,
                to,
                services,
                if_present,
            };
            migrate::run(job, &global).await
        }
        Command::Impex(cmd) => platform::impex(cmd, &Settings::resolve(&global)?).await,
        Command::Export(cmd) => jobs::export(cmd, &Settings::resolve(&global)?).await,
        Command::Import(cmd) => jobs::import(cmd, &Settings::resolve(&global)?).await,
        Command::Transforms(cmd) => transforms::run(cmd, &Settings::resolve(&global)?).await,
        Command::Wasm(cmd) => jobs::wasm(cmd, &Settings::resolve(&global)?).await,
        Command::Files(cmd) => jobs::files(cmd, &Settings::resolve(&global)?).await,
    }
}

/// Reads all of standard input as text (for `-i -`, `--file -`).
pub fn read_stdin(what: &str) -> CliResult<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
        crate::error::CliError::usage(format!("{what}: cannot read standard input: {e}"))
    })?;
    Ok(text)
}

/// Parses `--inputs`: inline JSON, `@file.json`, or `-` for standard input.
pub fn parse_inputs(text: &str) -> CliResult<serde_json::Value> {
    let (text, origin) = match text.strip_prefix('@') {
        None if text == "-" => (read_stdin("--inputs")?, "standard input".to_string()),
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| crate::error::CliError::usage(format!("{path}: {e}")))?,
            path.to_string(),
        ),
        None => (text.to_string(), "--inputs".to_string()),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| crate::error::CliError::usage(format!("{origin}: invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(crate::error::CliError::usage(format!(
            "{origin}: inputs must be a JSON object"
        )));
    }
    Ok(value)
}

/// Writes downloaded bytes to `path`, or to the server's file name reduced to a plain
/// name in the current directory; an existing file is replaced only with `force`.
pub fn save_file(
    file: &cspark::files::DownloadedFile,
    path: Option<&std::path::Path>,
    force: bool,
    printer: crate::output::Printer,
) -> CliResult {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => std::path::PathBuf::from(crate::files::plain_file_name(&file.file_name)?),
    };
    crate::files::write_file(&path, &file.bytes, force)?;
    printer.value(&serde_json::json!({
        "file": path.display().to_string(),
        "bytes": file.bytes.len(),
    }));
    Ok(())
}

/// `--name-only`: the first of `keys` that each row has as a string, one a line (a JSON
/// array of strings with `--json`); rows without such a name are skipped.
pub fn print_names(rows: &serde_json::Value, keys: &[&str], printer: crate::output::Printer) {
    let names: Vec<&str> = rows
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|row| keys.iter().find_map(|k| row[*k].as_str()))
                .collect()
        })
        .unwrap_or_default();
    if printer.is_json() {
        printer.value(&serde_json::json!(names));
    } else {
        for name in names {
            printer.line(name);
        }
    }
}
