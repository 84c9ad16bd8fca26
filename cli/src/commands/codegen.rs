//! `cspark codegen …`: `cspark-codegen`'s own subcommands (`cspark_codegen::cli`), run with
//! a client from cspark's settings and printed through cspark's printer.

use cspark_codegen::Outcome;
use cspark_codegen::cli::{Command, Report};
use serde_json::{Value, json};

use crate::args::GlobalArgs;
use crate::error::{CliError, CliResult};
use crate::output::Printer;
use crate::settings::Settings;

/// Runs a `codegen` subcommand: `fetch` and `diff --live` use the profile, flags and
/// variables like every other command (a `--base-url` after the subcommand wins).
pub async fn run(cmd: Command, global: &GlobalArgs) -> CliResult {
    let printer = Printer::new(global.json);
    let client = match cmd.tenant() {
        Some(tenant) => {
            let mut global = global.clone();
            if let Some(url) = &tenant.base_url {
                global.base_url = Some(url.clone());
            }
            Some(Settings::resolve(&global)?.client()?)
        }
        None => None,
    };
    let report = cmd
        .run_with(client)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    // Notes go to stderr either way; stdout has the text of `cspark-codegen`, or JSON.
    let mut stderr = std::io::stderr();
    if printer.is_json() {
        let _ = report.write(&mut std::io::sink(), &mut stderr);
        printer.value(&to_json(&report));
    } else {
        printer.raw(|out| {
            let _ = report.write(out, &mut stderr);
        });
    }
    match &report {
        _ if report.is_success() => Ok(()),
        Report::Checked {
            outcome: Outcome::Missing,
            ..
        } => Err(CliError::failed("generated file is missing")),
        Report::Compared { drifts, .. } => Err(CliError::failed(format!(
            "{} service(s) drifted",
            drifts.iter().filter(|d| d.is_drift()).count()
        ))),
        _ => Err(CliError::failed("generated code is stale")),
    }
}

/// The `--json` form of a report.
fn to_json(report: &Report) -> Value {
    match report {
        Report::Generated { out } => json!({ "wrote": out.display().to_string() }),
        Report::Checked { out, outcome } => {
            let file = out.display().to_string();
            match outcome {
                Outcome::Fresh => json!({ "file": file, "status": "fresh" }),
                Outcome::Missing => json!({ "file": file, "status": "missing" }),
                Outcome::Stale { diff } => json!({ "file": file, "status": "stale", "diff": diff }),
            }
        }
        Report::Locked { lock } => serde_json::to_value(lock).unwrap_or(Value::Null),
        Report::Compared { drifts, .. } => cspark_codegen::drift_report::to_json(drifts),
        Report::Fetched { entries } => serde_json::to_value(entries).unwrap_or(Value::Null),
    }
}
