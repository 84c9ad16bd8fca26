//! `cspark codegen …`: the cspark-codegen library behind the same verbs as its binary.

use cspark_codegen::fetch::ServiceRef;
use cspark_codegen::{Builder, Outcome, PlatformBuilder};
use serde_json::json;

use crate::args::CodegenCmd;
use crate::error::{CliError, CliResult};
use crate::settings::Settings;

fn codegen_err(e: cspark_codegen::Error) -> CliError {
    CliError::failed(e.to_string())
}

/// Runs a `codegen` subcommand.
pub async fn run(cmd: CodegenCmd, settings: &Settings) -> CliResult {
    let printer = settings.printer();
    match cmd {
        CodegenCmd::Services {
            dir,
            out,
            sdk_path,
            allow_untyped,
            check,
        } => {
            let mut builder = Builder::new();
            builder
                .services_dir(dir)
                .out_file(out)
                .sdk_path(sdk_path)
                .allow_untyped(allow_untyped);
            if check {
                report(builder.check().map_err(codegen_err)?, printer)
            } else {
                let path = builder.generate().map_err(codegen_err)?;
                printer.line(&format!("wrote {}", path.display()));
                Ok(())
            }
        }
        CodegenCmd::Platform {
            spec,
            out,
            inner_type,
            optional_hooks,
            check,
        } => {
            let mut builder = PlatformBuilder::new();
            builder
                .spec(spec)
                .out_file(out)
                .inner_type(inner_type)
                .hooks_expected(!optional_hooks);
            if check {
                report(builder.check().map_err(codegen_err)?, printer)
            } else {
                let path = builder.generate().map_err(codegen_err)?;
                printer.line(&format!("wrote {}", path.display()));
                Ok(())
            }
        }
        CodegenCmd::Fetch { dir, services } => {
            let refs = services
                .iter()
                .map(|s| ServiceRef::parse(s).map_err(|e| CliError::usage(e.to_string())))
                .collect::<CliResult<Vec<_>>>()?;
            let client = settings.client()?;
            let entries = cspark_codegen::live::fetch_services(&client, &refs, &dir)
                .await
                .map_err(codegen_err)?;
            let entries =
                serde_json::to_value(&entries).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&entries);
            Ok(())
        }
        CodegenCmd::Diff { dir } => {
            let client = settings.client()?;
            let drifts = cspark_codegen::live::diff_live(&client, &dir)
                .await
                .map_err(codegen_err)?;
            let stale: Vec<String> = drifts
                .iter()
                .filter(|d| d.is_drift())
                .map(|d| format!("{d:?}"))
                .collect();
            printer.value(&json!({"services": drifts.len(), "drifted": stale}));
            if stale.is_empty() {
                Ok(())
            } else {
                Err(CliError::failed(format!(
                    "{} service(s) drifted",
                    stale.len()
                )))
            }
        }
    }
}

fn report(outcome: Outcome, printer: crate::output::Printer) -> CliResult {
    match outcome {
        Outcome::Fresh => {
            printer.line("up to date");
            Ok(())
        }
        Outcome::Stale { diff } => {
            printer.line(&diff);
            Err(CliError::failed("generated code is stale"))
        }
        Outcome::Missing => Err(CliError::failed("generated file is missing")),
    }
}
