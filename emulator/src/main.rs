//! `cspark-emulator`: run the Spark emulator from the command line.
//!
//! The first line on stdout is `listening on http://HOST:PORT`; the process then serves
//! until SIGINT / SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cspark_emulator::{Emulator, EmulatorConfig, FaultPlan};

/// An execute allocates and frees a few dozen small JSON values and buffers on whichever
/// worker runs it; glibc's allocator spent about a fifth of the server's CPU on them
/// (BENCHMARKS.md, P4), mimalloc's thread-local free lists much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local Coherent Spark compatible server that runs real Excel workbooks.
#[derive(Parser, Debug)]
#[command(name = "cspark-emulator", version)]
struct Args {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:8480")]
    addr: SocketAddr,
    /// Tenant name served.
    #[arg(long, default_value = "my-tenant")]
    tenant: String,
    /// Publish DIR/{folder}/{service}.xlsx as folder/service at start.
    #[arg(long, value_name = "DIR")]
    workbooks: Option<PathBuf>,
    /// Publish the demo workbooks built into this binary (demo/volume-cylinder,
    /// demo/insurance-quote, demo/loan-calc); with --workbooks, services there take precedence.
    #[arg(long)]
    demo_workbooks: bool,
    /// Persist uploaded services and versions in DIR.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Accept only this API key (repeatable). Without any, every non-empty key is accepted.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
    /// Accept only this OAuth client, as ID:SECRET (repeatable).
    #[arg(long = "oauth-client", value_name = "ID:SECRET", value_parser = parse_client)]
    oauth_clients: Vec<(String, String)>,
    /// Serve FOLDER/SERVICE on the /public/ routes without credentials (repeatable), as
    /// Spark serves services whose PublicAPI property is True. Others get a 401 there.
    #[arg(long = "public-service", value_name = "FOLDER/SERVICE")]
    public_services: Vec<String>,
    /// Fault plan (JSON) to apply from the start.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Model an engine that computes each record in MS milliseconds (wall time, no CPU):
    /// v3/v4 answers and batch chunk results wait that long per record, as on Spark where
    /// one worker evaluates a call's records in turn. 0 (the default) = off.
    #[arg(long, value_name = "MS", value_parser = cspark_emulator::pacing::parse_ms)]
    engine_ms_per_record: Option<std::time::Duration>,
}

fn parse_client(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((id, secret)) if !id.is_empty() => Ok((id.to_string(), secret.to_string())),
        _ => Err(format!("expected ID:SECRET, got {text:?}")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let args = Args::parse();
    let faults = match &args.faults {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| FaultPlan::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(plan) => Some(plan),
            Err(e) => {
                eprintln!(
                    "cspark-emulator: cannot read fault plan {}: {e}",
                    path.display()
                );
                return ExitCode::from(2);
            }
        },
    };
    let config = EmulatorConfig {
        addr: args.addr,
        tenant: args.tenant,
        workbooks_dir: args.workbooks,
        demo_workbooks: args.demo_workbooks,
        data_dir: args.data,
        api_keys: args.api_keys,
        oauth_clients: args.oauth_clients,
        faults,
        engine_time_per_record: args.engine_ms_per_record.filter(|d| !d.is_zero()),
        public_services: args.public_services,
        ..EmulatorConfig::default()
    };
    let handle = match Emulator::start(config).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("cspark-emulator: cannot listen on {}: {e}", args.addr);
            return ExitCode::from(1);
        }
    };
    for problem in handle.load_problems() {
        eprintln!(
            "cspark-emulator: skipped {}: {}",
            problem.path.display(),
            problem.reason
        );
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", handle.url());
    let _ = stdout.flush();
    shutdown_signal().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
