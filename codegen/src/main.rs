//! `cspark-codegen`: thin command line over the `cspark_codegen` library.
//!
//! Exit codes: 0 success (or fresh under `--check`), 1 stale/drift under `--check`/`diff`,
//! 2 error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cspark_codegen::fetch::ServiceDrift;
use cspark_codegen::{Builder, Outcome, PlatformBuilder, Result};

#[derive(Parser)]
#[command(
    name = "cspark-codegen",
    version,
    about = "Generate typed Rust code for Coherent Spark"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the platform client from an OpenAPI 3.0 document.
    Platform {
        /// The OpenAPI document (e.g. openapi/spark.yaml).
        spec: PathBuf,
        /// The output file (e.g. sdk/src/generated/platform.rs).
        out: PathBuf,
        /// Type of the generated Client's `inner` field.
        #[arg(long, default_value = "crate::hooks::HookState")]
        inner_type: String,
        /// Emit an empty default `ClientHooks` impl instead of requiring one.
        #[arg(long)]
        optional_hooks: bool,
        /// Write nothing; print a diff and exit 1 if the output file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Generate per-service bindings from a directory of Spark documents.
    Services {
        /// Directory with <folder>/<service>.swagger.json / .schema.json and cspark.lock.
        dir: PathBuf,
        /// The output file.
        #[arg(long)]
        out: PathBuf,
        /// Path of the SDK crate in the generated code.
        #[arg(long, default_value = "::cspark")]
        sdk_path: String,
        /// Type undeterminable fields as serde_json::Value instead of failing.
        #[arg(long)]
        allow_untyped: bool,
        /// Write nothing; print a diff and exit 1 if the output file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Rewrite <dir>/cspark.lock from the documents on disk.
    Lock {
        /// The services directory.
        dir: PathBuf,
    },
    /// Compare two services directories (e.g. committed versus freshly fetched); exit 1 on drift.
    Diff {
        /// The committed services directory.
        old: PathBuf,
        /// The other services directory.
        new: PathBuf,
        /// Fetch `new` from the live tenant first (not wired yet: needs the SDK client).
        #[arg(long)]
        live: bool,
    },
    /// Download documents from a live tenant (not wired yet: needs the SDK client).
    Fetch {
        /// Services as folder/service or folder/service[version].
        #[arg(long = "service")]
        services: Vec<String>,
        /// The services directory to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn report(outcome: Outcome, out: &std::path::Path) -> ExitCode {
    match outcome {
        Outcome::Fresh => {
            eprintln!("{} is up to date", out.display());
            ExitCode::SUCCESS
        }
        Outcome::Missing => {
            eprintln!(
                "{} does not exist; run without --check to create it",
                out.display()
            );
            ExitCode::from(1)
        }
        Outcome::Stale { diff } => {
            print!("{diff}");
            eprintln!(
                "{} is out of date; run without --check to regenerate",
                out.display()
            );
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Platform {
            spec,
            out,
            inner_type,
            optional_hooks,
            check,
        } => {
            let mut b = PlatformBuilder::new();
            b.spec(spec)
                .out_file(&out)
                .inner_type(inner_type)
                .hooks_expected(!optional_hooks);
            if check {
                return Ok(report(b.check()?, &out));
            }
            b.generate()?;
        }
        Command::Services {
            dir,
            out,
            sdk_path,
            allow_untyped,
            check,
        } => {
            let mut b = Builder::new();
            b.services_dir(dir)
                .out_file(&out)
                .sdk_path(sdk_path)
                .allow_untyped(allow_untyped);
            if check {
                return Ok(report(b.check()?, &out));
            }
            b.generate()?;
        }
        Command::Lock { dir } => {
            let lock = cspark_codegen::relock(&dir)?;
            eprintln!("locked {} service(s)", lock.services.len());
        }
        Command::Diff { old, new, live } => {
            if live {
                eprintln!(
                    "diff --live is not wired yet (needs the cspark client); fetch into a directory and diff it"
                );
                return Ok(ExitCode::from(2));
            }
            let mut drift = false;
            for d in cspark_codegen::fetch::compare_dirs(&old, &new)? {
                drift |= d.is_drift();
                match d {
                    ServiceDrift::Added(s) => println!("+ service {s}"),
                    ServiceDrift::Removed(s) => println!("- service {s}"),
                    ServiceDrift::Changed { service, drift } if !drift.is_empty() => {
                        println!(
                            "~ service {service}{}",
                            if drift.is_breaking() {
                                " (breaking)"
                            } else {
                                ""
                            }
                        );
                        print!("{drift}");
                    }
                    ServiceDrift::Changed { .. } => {}
                }
            }
            return Ok(ExitCode::from(u8::from(drift)));
        }
        Command::Fetch { services, out } => {
            for s in &services {
                cspark_codegen::fetch::ServiceRef::parse(s)?;
            }
            eprintln!(
                "fetch is not wired yet (needs the cspark client); would fetch {} service(s) into {}",
                services.len(),
                out.display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
