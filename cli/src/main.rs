//! `cspark`: the command-line tool for Coherent Spark.
//!
//! Exit status: 0 success, 1 API or runtime failure, 2 bad arguments or configuration.
//!
//! Layout: `args` (clap only) → `settings` (flags + env + profile) → `commands::*`; every
//! result goes through the one `output::Printer`.
#![deny(clippy::print_stdout)]

mod args;
mod commands;
mod error;
mod files;
mod output;
mod profile;
mod progress;
mod records;
mod settings;
mod tokens;

use std::process::ExitCode;

use clap::Parser;

use crate::error::ExitStatus;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if cli.global.verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("debug,hyper=info")),
            )
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cspark: cannot start the runtime: {e}");
            return ExitStatus::Failure.into();
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitStatus::Success.into(),
        Err(e) => {
            eprintln!("cspark: error: {e}");
            e.status().into()
        }
    }
}
