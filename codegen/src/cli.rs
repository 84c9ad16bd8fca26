//! The command line of `cspark-codegen`, shared with `cspark codegen` (feature `cli`).
//!
//! [`Cli`] is the whole `cspark-codegen` command line; [`Command`] is its set of subcommands,
//! which another clap program embeds as its own subcommand (`#[command(subcommand)]`) to
//! offer the same verbs, flags and help text. [`Command::run`] executes parsed arguments and
//! returns a [`Report`] (or a typed [`Error`]); it never prints, exits or panics. The caller
//! prints the report ([`Report::write`]) and exits with [`Report::exit_code`].
//!
//! Exit codes of `cspark-codegen`: 0 success (or fresh under `--check`), 1 stale/drift under
//! `--check`/`diff`, 2 error.
//!
//! ```no_run
//! use clap::Parser;
//! use cspark_codegen::cli::Cli;
//!
//! # fn main() -> std::process::ExitCode {
//! match Cli::parse().run() {
//!     Ok(report) => {
//!         let _ = report.write(&mut std::io::stdout(), &mut std::io::stderr());
//!         std::process::ExitCode::from(report.exit_code())
//!     }
//!     Err(e) => {
//!         eprintln!("error: {e}");
//!         std::process::ExitCode::from(2)
//!     }
//! }
//! # }
//! ```

use std::io::Write;
use std::path::PathBuf;

use crate::drift_report::DiffFormat;
use crate::fetch::{ServiceDrift, ServiceRef};
use crate::{Builder, Error, LockEntry, Lockfile, Outcome, PlatformBuilder, Result};

/// The `cspark-codegen` command line.
#[derive(clap::Parser, Debug)]
#[command(
    name = "cspark-codegen",
    version,
    about = "Generate typed Rust code for Coherent Spark"
)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Runs the subcommand to completion on a current-thread runtime of its own (what the
    /// `cspark-codegen` binary does). Inside an async program use [`Command::run`] instead.
    pub fn run(self) -> Result<Report> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Generate(format!("cannot start a runtime: {e}")))?
            .block_on(self.command.run())
    }
}

/// The subcommands of `cspark-codegen` (and of `cspark codegen`).
///
/// A doc comment is also the `--help` text; where rustdoc would read it as HTML or a link
/// (`<dir>`, `[version]`, bare URLs), an explicit `help`/`about` holds the plain text.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Generate the platform client from an OpenAPI 3.0.x or 3.1.x document.
    Platform {
        /// The OpenAPI document (e.g. openapi/spark.yaml).
        spec: PathBuf,
        /// The output file (e.g. sdk/src/generated/platform.rs).
        out: PathBuf,
        /// Type of the generated Client's `inner` field.
        #[arg(long, default_value = "crate::hooks::Hooks")]
        inner_type: String,
        /// Emit an empty default `ClientHooks` impl instead of requiring one.
        #[arg(long)]
        optional_hooks: bool,
        /// Emit a client for any crate: it sends through a `cspark::Client` (public hook
        /// state and path encoder) and carries its own `ClientHooks` impl.
        #[arg(long, conflicts_with_all = ["inner_type", "optional_hooks"])]
        standalone: bool,
        /// Write nothing; print a diff and exit 1 if the output file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Generate per-service bindings from a directory of Spark documents.
    Services {
        /// Directory with `<folder>/<service>.swagger.json` / `.schema.json` and `cspark.lock`.
        #[arg(
            help = "Directory with <folder>/<service>.swagger.json / .schema.json and cspark.lock"
        )]
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
    /// Rewrite `<dir>/cspark.lock` from the documents on disk.
    #[command(about = "Rewrite <dir>/cspark.lock from the documents on disk")]
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
        /// How to print the drift: text lines, json (every change classified as breaking or
        /// additive) or markdown (for a pull-request comment); the exit status is the same.
        /// Named `--report` because `cspark codegen` already has a global `--format`.
        #[arg(
            long = "report",
            value_enum,
            default_value_t = DiffFormat::Text,
            hide_possible_values = true
        )]
        report: DiffFormat,
        /// Where to fetch from.
        #[command(flatten)]
        tenant: TenantArgs,
    },
    /// Download services' Swagger documents and schemas from a tenant (or the emulator).
    Fetch {
        /// Services as `folder/service` or `folder/service[version]`.
        #[arg(
            long = "service",
            required = true,
            help = "Services as folder/service or folder/service[version]"
        )]
        services: Vec<ServiceRef>,
        /// The services directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Where to fetch from.
        #[command(flatten)]
        tenant: TenantArgs,
    },
}

/// Where to fetch from. Credentials come from the SDK's environment variables
/// (`CSPARK_API_KEY`, `CSPARK_BEARER_TOKEN`, `CSPARK_CLIENT_ID`/`CSPARK_CLIENT_SECRET`, …).
#[derive(clap::Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantArgs {
    /// Base URL with tenant, e.g. `https://excel.uat.us.coherent.global/my-tenant` or
    /// `http://127.0.0.1:8480/my-tenant` (default: `$CSPARK_BASE_URL`).
    #[arg(
        long,
        help = "Base URL with tenant, e.g. https://excel.uat.us.coherent.global/my-tenant or \
                http://127.0.0.1:8480/my-tenant (default: $CSPARK_BASE_URL)"
    )]
    pub base_url: Option<String>,
}

impl TenantArgs {
    /// A client for `--base-url` (else `$CSPARK_BASE_URL`) with credentials from the
    /// environment.
    pub fn client(&self) -> Result<cspark::Client> {
        let mut builder = cspark::Client::builder();
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        builder.build().map_err(|source| Error::Remote {
            service: "(client configuration)".into(),
            source,
        })
    }
}

impl Command {
    /// The tenant options when this command talks to a tenant (`fetch`, `diff --live`);
    /// `None` for the commands that only read and write local files.
    pub fn tenant(&self) -> Option<&TenantArgs> {
        match self {
            Command::Diff {
                live: true, tenant, ..
            }
            | Command::Diff {
                new: None, tenant, ..
            }
            | Command::Fetch { tenant, .. } => Some(tenant),
            _ => None,
        }
    }

    /// Runs the command; a client, when one is needed, comes from [`TenantArgs::client`].
    pub async fn run(self) -> Result<Report> {
        self.run_with(None).await
    }

    /// Runs the command with `client` for `fetch` and `diff --live` (when `None`, one is
    /// built from [`TenantArgs::client`]). Programs with their own settings (profiles,
    /// headers, …) build the client themselves when [`Command::tenant`] is `Some`.
    pub async fn run_with(self, client: Option<cspark::Client>) -> Result<Report> {
        let client = |tenant: &TenantArgs| match client {
            Some(c) => Ok(c),
            None => tenant.client(),
        };
        match self {
            Command::Platform {
                spec,
                out,
                inner_type,
                optional_hooks,
                standalone,
                check,
            } => {
                let mut b = PlatformBuilder::new();
                b.spec(spec)
                    .out_file(&out)
                    .inner_type(inner_type)
                    .hooks_expected(!optional_hooks);
                if standalone {
                    b.standalone();
                }
                if check {
                    Ok(Report::Checked {
                        outcome: b.check()?,
                        out,
                    })
                } else {
                    Ok(Report::Generated { out: b.generate()? })
                }
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
                    Ok(Report::Checked {
                        outcome: b.check()?,
                        out,
                    })
                } else {
                    Ok(Report::Generated { out: b.generate()? })
                }
            }
            Command::Lock { dir } => Ok(Report::Locked {
                lock: crate::relock(&dir)?,
            }),
            Command::Diff {
                old,
                new,
                live,
                report,
                tenant,
            } => {
                let drifts = match new {
                    Some(new) if !live => crate::fetch::compare_dirs(&old, &new)?,
                    _ => crate::live::diff_live(&client(&tenant)?, &old).await?,
                };
                Ok(Report::Compared {
                    drifts,
                    format: report,
                })
            }
            Command::Fetch {
                services,
                out,
                tenant,
            } => {
                let entries =
                    crate::live::fetch_services(&client(&tenant)?, &services, &out).await?;
                Ok(Report::Fetched { entries })
            }
        }
    }
}

/// What a command did, for the caller to print ([`Report::write`]) and to turn into an exit
/// code ([`Report::exit_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// `platform` or `services` wrote the output file.
    Generated {
        /// The file written.
        out: PathBuf,
    },
    /// `platform --check` or `services --check` compared the output file.
    Checked {
        /// The output file.
        out: PathBuf,
        /// Fresh, stale (with a diff) or missing.
        outcome: Outcome,
    },
    /// `lock` rewrote the lock file.
    Locked {
        /// The new lock file.
        lock: Lockfile,
    },
    /// `diff` compared two services directories (or one with the tenant).
    Compared {
        /// One entry per service; see [`ServiceDrift::is_drift`].
        drifts: Vec<ServiceDrift>,
        /// How [`Report::write`] prints them.
        format: DiffFormat,
    },
    /// `fetch` downloaded documents.
    Fetched {
        /// The lock entries of the services fetched.
        entries: Vec<LockEntry>,
    },
}

impl Report {
    /// True unless a `--check` found the file stale or missing, or `diff` found drift.
    pub fn is_success(&self) -> bool {
        match self {
            Report::Checked { outcome, .. } => outcome.is_fresh(),
            Report::Compared { drifts, .. } => !drifts.iter().any(ServiceDrift::is_drift),
            Report::Generated { .. } | Report::Locked { .. } | Report::Fetched { .. } => true,
        }
    }

    /// The exit code of `cspark-codegen` for this report: 0, or 1 when not
    /// [`is_success`](Report::is_success). (Errors are exit code 2.)
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.is_success())
    }

    /// Writes what `cspark-codegen` prints: diffs and drift to `out`, notes to `err`.
    pub fn write(&self, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Report::Generated { .. } => {}
            Report::Checked { out: file, outcome } => match outcome {
                Outcome::Fresh => writeln!(err, "{} is up to date", file.display())?,
                Outcome::Missing => writeln!(
                    err,
                    "{} does not exist; run without --check to create it",
                    file.display()
                )?,
                Outcome::Stale { diff } => {
                    write!(out, "{diff}")?;
                    out.flush()?;
                    writeln!(
                        err,
                        "{} is out of date; run without --check to regenerate",
                        file.display()
                    )?;
                }
            },
            Report::Locked { lock } => {
                writeln!(err, "locked {} service(s)", lock.services.len())?;
            }
            Report::Compared {
                drifts,
                format: DiffFormat::Json,
            } => {
                let text = serde_json::to_string_pretty(&crate::drift_report::to_json(drifts))
                    .map_err(std::io::Error::other)?;
                writeln!(out, "{text}")?;
            }
            Report::Compared {
                drifts,
                format: DiffFormat::Markdown,
            } => write!(out, "{}", crate::drift_report::to_markdown(drifts))?,
            Report::Compared {
                drifts,
                format: DiffFormat::Text,
            } => {
                for d in drifts {
                    match d {
                        ServiceDrift::Added(s) => writeln!(out, "+ service {s}")?,
                        ServiceDrift::Removed(s) => writeln!(out, "- service {s}")?,
                        ServiceDrift::Changed { service, drift } if !drift.is_empty() => {
                            let breaking = if drift.is_breaking() {
                                " (breaking)"
                            } else {
                                ""
                            };
                            writeln!(out, "~ service {service}{breaking}")?;
                            write!(out, "{drift}")?;
                        }
                        ServiceDrift::Changed { .. } => {}
                    }
                }
            }
            Report::Fetched { entries } => {
                for e in entries {
                    writeln!(
                        err,
                        "fetched {}/{} {} ({})",
                        e.folder,
                        e.service,
                        e.version.as_deref().unwrap_or("?"),
                        e.version_id.as_deref().unwrap_or("?")
                    )?;
                }
            }
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[test]
    fn command_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tenant_only_for_remote_commands() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("cspark-codegen").chain(args.iter().copied()))
                .map(|c| c.command)
        };
        let cmd = parse(&["diff", "a", "b"]).ok();
        assert_eq!(cmd.as_ref().and_then(Command::tenant), None);
        let cmd = parse(&["diff", "a", "--live", "--base-url", "http://x/t"]).ok();
        assert_eq!(
            cmd.as_ref()
                .and_then(Command::tenant)
                .and_then(|t| t.base_url.as_deref()),
            Some("http://x/t")
        );
        let cmd = parse(&["fetch", "--service", "f/s", "--out", "d"]).ok();
        assert!(cmd.as_ref().and_then(Command::tenant).is_some());
        let cmd = parse(&["lock", "d"]).ok();
        assert!(cmd.is_some() && cmd.as_ref().and_then(Command::tenant).is_none());
        assert!(parse(&["diff", "a", "b", "--live"]).is_err());
        assert!(parse(&["diff", "a"]).is_err());
        assert!(parse(&["fetch", "--service", "no-folder", "--out", "d"]).is_err());
    }
}
