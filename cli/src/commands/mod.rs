//! Dispatch of the parsed command line to one module per command group.

mod batch;
mod codegen;
mod config;
mod emulator;
mod platform;
mod services;

use clap::CommandFactory;

use crate::args::{Cli, Command};
use crate::error::CliResult;
use crate::settings::Settings;

/// Runs the command.
pub async fn run(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command {
        Command::Config(cmd) => config::run(cmd, crate::output::Printer::new(global.json)),
        Command::Emulator(args) => emulator::run(args).await,
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            crate::output::Printer::new(false)
                .raw(|out| clap_complete::generate(shell, &mut cmd, "cspark", out));
            Ok(())
        }
        Command::Codegen(cmd) => codegen::run(cmd, &global).await,
        Command::Health => platform::health(&Settings::resolve(&global)?).await,
        Command::Services(cmd) => services::run(cmd, &Settings::resolve(&global)?).await,
        Command::Batch(cmd) => batch::run(cmd, &Settings::resolve(&global)?).await,
        Command::Folders(cmd) => platform::folders(cmd, &Settings::resolve(&global)?).await,
        Command::Logs(cmd) => platform::logs(cmd, &Settings::resolve(&global)?).await,
        Command::Impex(cmd) => platform::impex(cmd, &Settings::resolve(&global)?).await,
    }
}

/// Parses `--inputs`: inline JSON, or `@file.json`.
pub fn parse_inputs(text: &str) -> CliResult<serde_json::Value> {
    let (text, origin) = match text.strip_prefix('@') {
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
    file: &cspark::resources::service_types::DownloadedFile,
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
