//! `cspark impex migrate`: export services from one profile's tenant and import them into
//! another's in one command (Coherent's service-promotion workflow), then list what moved.

use cspark::impex::migrate;
use cspark::impex::{ExportRequest, ImportOptions};
use serde_json::{Value, json};

use super::jobs::import_mappings;
use crate::args::{GlobalArgs, IfPresent};
use crate::error::{CliError, CliResult};
use crate::settings::Settings;

/// What `impex migrate` was asked to do.
pub struct Migrate {
    /// Source profile.
    pub from: String,
    /// Target profile.
    pub to: String,
    /// `SOURCE[=TARGET]` service URIs.
    pub services: Vec<String>,
    /// When a target service exists.
    pub if_present: Option<IfPresent>,
}

/// Runs the migration; exit 1 when no service version was imported.
pub async fn run(job: Migrate, global: &GlobalArgs) -> CliResult {
    if job.from == job.to {
        return Err(CliError::usage(format!(
            "--from and --to name the same profile ({:?})",
            job.from
        )));
    }
    // Each side is one profile, whole: the connection flags (--base-url, --api-key, …) and
    // their CSPARK_* variables would apply to both sides, so they are not used here.
    let side = |profile: &str| {
        Settings::resolve(&GlobalArgs {
            profile: Some(profile.to_owned()),
            headers: global.headers.clone(),
            json: global.json,
            format: global.format,
            ..GlobalArgs::default()
        })
    };
    let (from, to) = (side(&job.from)?, side(&job.to)?);
    let printer = from.printer();
    let (from, to) = (from.client()?, to.client()?);
    let mappings = import_mappings(&job.services)?;
    let sources: Vec<String> = mappings.iter().map(|m| m.source.clone()).collect();
    let export = ExportRequest::default().services(sources);
    let mut options = ImportOptions::default();
    if let Some(if_present) = job.if_present {
        options.if_present = if_present.as_str().to_owned();
    }
    let done = crate::progress::spin(
        format!(
            "Migrating {} service(s) from {} to {}",
            mappings.len(),
            job.from,
            job.to
        ),
        migrate(&from, &to, &export, &mappings, &options),
    )
    .await?;
    let mut moved = Vec::new();
    for import in &done.imports {
        let outputs =
            serde_json::to_value(&import.outputs).map_err(|e| CliError::failed(e.to_string()))?;
        for v in outputs["service_versions"].as_array().into_iter().flatten() {
            moved.push(json!({
                "source": v["service_uri_source"],
                "destination": v["service_uri_destination"],
                "version": v["version_destination"],
                "version_id": v["version_id_destination"],
                "status": v["status"],
            }));
        }
    }
    if moved.is_empty() {
        return Err(CliError::failed(format!(
            "nothing moved: the import into {:?} reported no service versions",
            job.to
        )));
    }
    if printer.is_json() {
        printer.value(&Value::Array(moved));
    } else {
        // Columns in reading order (a JSON object's keys come out sorted).
        let columns = ["source", "destination", "version", "version_id", "status"];
        let rows: Vec<Vec<String>> = moved
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|c| crate::output::cell(&row[*c]))
                    .collect()
            })
            .collect();
        let headers: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        printer.table(&headers, &rows);
    }
    Ok(())
}
