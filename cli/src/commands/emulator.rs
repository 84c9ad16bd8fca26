//! `cspark emulator`: the local Spark emulator, until Ctrl-C.

use cspark_emulator::{Emulator, EmulatorConfig};

use crate::args::EmulatorArgs;
use crate::error::{CliError, CliResult};
use crate::output::Printer;

/// Starts the emulator, prints `listening on URL`, serves until Ctrl-C.
pub async fn run(args: EmulatorArgs) -> CliResult {
    let mut config = match args.workbooks {
        Some(dir) => EmulatorConfig::default().with_workbooks_dir(dir),
        None => EmulatorConfig::default().with_demo_workbooks(),
    }
    .with_tenant(args.tenant);
    config.addr = args.addr;
    config.engine_time_per_record = args.engine_ms_per_record.filter(|d| !d.is_zero());
    let handle = Emulator::start(config).await.map_err(|e| {
        CliError::failed(format!("cannot start the emulator on {}: {e}", args.addr))
    })?;
    for problem in handle.load_problems() {
        eprintln!(
            "cspark: skipped {}: {}",
            problem.path.display(),
            problem.reason
        );
    }
    let printer = Printer::new(false);
    printer.line(&format!("listening on {}", handle.url()));
    printer.line(&format!("base URL: {}", handle.base_url()));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::failed(format!("cannot wait for Ctrl-C: {e}")))?;
    handle.shutdown().await;
    Ok(())
}
