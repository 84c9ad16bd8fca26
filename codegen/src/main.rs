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
    /// Compare two services directories, or (with --live) the committed one with the
    /// tenant's latest versions; exit 1 on drift.
    Diff {
        /// The committed services directory.
        old: PathBuf,
        /// The other services directory (not with --live).
        #[arg(required_unless_present = "live", conflicts_with = "live")]
        new: Option<PathBuf>,
        /// Fetch the latest version of every locked service from the tenant and compare.
        #[arg(long)]
        live: bool,
        #[command(flatten)]
        tenant: TenantArgs,
    },
    /// Download services' Swagger documents and schemas from a tenant (or the emulator).
    Fetch {
        /// Services as folder/service or folder/service[version].
        #[arg(long = "service", required = true)]
        services: Vec<String>,
        /// The services directory to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        tenant: TenantArgs,
    },
}

/// Where to fetch from. Credentials come from the SDK's environment variables
/// (`CSPARK_API_KEY`, `CSPARK_BEARER_TOKEN`, `CSPARK_CLIENT_ID`/`CSPARK_CLIENT_SECRET`, …).
#[derive(clap::Args)]
struct TenantArgs {
    /// Base URL with tenant, e.g. https://excel.uat.us.coherent.global/my-tenant or
    /// http://127.0.0.1:8480/my-tenant (default: $CSPARK_BASE_URL).
    #[arg(long)]
    base_url: Option<String>,
}

impl TenantArgs {
    fn client(&self) -> std::result::Result<cspark::Client, cspark::SparkError> {
        let mut builder = cspark::Client::builder();
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        builder.build()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| cspark_codegen::Error::Generate(format!("cannot start a runtime: {e}")))
}

fn client(tenant: &TenantArgs) -> Result<cspark::Client> {
    tenant
        .client()
        .map_err(|source| cspark_codegen::Error::Remote {
            service: "(client configuration)".into(),
            source,
        })
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
        Command::Diff {
            old,
            new,
            live,
            tenant,
        } => {
            let drifts = match new {
                Some(new) if !live => cspark_codegen::fetch::compare_dirs(&old, &new)?,
                _ => {
                    runtime()?.block_on(cspark_codegen::live::diff_live(&client(&tenant)?, &old))?
                }
            };
            let mut drift = false;
            for d in drifts {
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
        Command::Fetch {
            services,
            out,
            tenant,
        } => {
            let refs = services
                .iter()
                .map(|s| cspark_codegen::fetch::ServiceRef::parse(s))
                .collect::<Result<Vec<_>>>()?;
            let client = client(&tenant)?;
            let entries =
                runtime()?.block_on(cspark_codegen::live::fetch_services(&client, &refs, &out))?;
            for e in entries {
                eprintln!(
                    "fetched {}/{} {} ({})",
                    e.folder,
                    e.service,
                    e.version.as_deref().unwrap_or("?"),
                    e.version_id.as_deref().unwrap_or("?")
                );
            }
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
