//! `cspark-codegen`: thin command line over the `cspark_codegen` library; the arguments and
//! what they do live in `cspark_codegen::cli` (shared with `cspark codegen`).
//!
//! Exit codes: 0 success (or fresh under `--check`), 1 stale/drift under `--check`/`diff`,
//! 2 error.

use std::process::ExitCode;

use clap::Parser;
use cspark_codegen::cli::Cli;

fn main() -> ExitCode {
    match Cli::parse().run() {
        Ok(report) => {
            // A closed pipe is not an error; the exit code still tells.
            let _ = report.write(&mut std::io::stdout().lock(), &mut std::io::stderr().lock());
            ExitCode::from(report.exit_code())
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
