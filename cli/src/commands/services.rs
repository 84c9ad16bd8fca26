//! `cspark services …`

use cspark::resources::inspect::SwaggerOptions;
use cspark::resources::lifecycle_types::CreateOptions;
use cspark::resources::service_types::{DownloadOptions, SearchOptions, ValidationType};
use serde_json::{Value, json};

use super::{parse_inputs, save_file};
use crate::args::ServicesCmd;
use crate::error::{CliError, CliResult, io_err};
use crate::settings::Settings;

/// Runs a `services` subcommand.
pub async fn run(cmd: ServicesCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let services = client.services();
    let printer = settings.printer();
    match cmd {
        ServicesCmd::List { folder } => {
            let options = SearchOptions::default().term("foldername", folder.as_str());
            let found = services.search_raw(&options).await?;
            let rows = found["response_data"].clone();
            let rows = match rows {
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .filter(|i| {
                            i["foldername"]
                                .as_str()
                                .is_none_or(|f| f.eq_ignore_ascii_case(&folder))
                        })
                        .collect(),
                ),
                other => other,
            };
            printer.value(&rows);
        }
        ServicesCmd::Versions { uri } => {
            let versions = services.get_versions(uri.as_str()).await?;
            let rows =
                serde_json::to_value(&versions).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&rows);
        }
        ServicesCmd::Schema { uri } => printer.value(&services.get_schema_raw(uri.as_str()).await?),
        ServicesCmd::Swagger { uri } => printer.value(
            &services
                .get_swagger_raw(uri.as_str(), &SwaggerOptions::default())
                .await?,
        ),
        ServicesCmd::Metadata { uri } => {
            printer.value(&services.get_metadata_raw(uri.as_str()).await?)
        }
        ServicesCmd::Execute {
            uri,
            inputs,
            show_all,
        } => {
            let inputs = parse_inputs(&inputs)?;
            let response = services.execute(uri.as_str(), &inputs).await?;
            if show_all {
                let all =
                    serde_json::to_value(&response).map_err(|e| CliError::failed(e.to_string()))?;
                printer.value(&all);
            } else {
                printer.value(&Value::Object(response.outputs().clone()));
            }
        }
        ServicesCmd::Validate {
            uri,
            inputs,
            dynamic,
        } => {
            let inputs = parse_inputs(&inputs)?;
            let kind = if dynamic {
                ValidationType::Dynamic
            } else {
                ValidationType::Static
            };
            printer.value(&services.validate_raw(uri.as_str(), &inputs, kind).await?);
        }
        ServicesCmd::Download { uri, output, force } => {
            let file = services
                .download(uri.as_str(), &DownloadOptions::default())
                .await?;
            save_file(&file, output.as_deref(), force, printer)?;
        }
        ServicesCmd::Delete { uri } => {
            let result = services.delete_raw(uri.as_str()).await?;
            if printer.is_json() {
                printer.value(&result);
            } else {
                printer.line(&format!("service deleted: {uri}"));
            }
        }
        ServicesCmd::Create { uri, file } => {
            let bytes = std::fs::read(&file).map_err(io_err(&file))?;
            let mut options = CreateOptions::default();
            options.file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            let created = services.create(uri.as_str(), bytes, &options).await?;
            let version = created.version_id().map(str::to_owned);
            printer.value(&json!({"service": uri, "version_id": version}));
        }
    }
    Ok(())
}
