//! `cspark services …`

use cspark::services::IntoServiceUri;
use cspark::services::SwaggerOptions;
use cspark::services::VersionUpdate;
use cspark::services::{CreateOptions, RecompileOptions};
use cspark::services::{DownloadKind, DownloadOptions, SearchOptions, ValidationType};
use serde_json::{Value, json};

use super::{parse_inputs, save_file};
use crate::args::{CreateArgs, EditVersionArgs, RecompileArgs, ServicesCmd, WorkbookKind};
use crate::error::{CliError, CliResult, io_err};
use crate::settings::Settings;

/// Runs a `services` subcommand.
pub async fn run(cmd: ServicesCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let services = client.services();
    let printer = settings.printer();
    match cmd {
        ServicesCmd::List {
            folder,
            name_only,
            data,
        } => {
            let options = SearchOptions::default().term("foldername", folder.as_str());
            let options = super::list_data::service_search(data.as_deref(), options)?;
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
            if name_only {
                // Search rows name the service `fileName` (Spark's service-search shape).
                super::print_names(&rows, &["serviceName", "fileName"], printer);
            } else {
                printer.value(&rows);
            }
        }
        ServicesCmd::Versions { uri, latest } => {
            let versions = services.get_versions(uri.as_str()).await?;
            if latest {
                // Spark lists the newest version first (as the Python CLI assumes).
                let newest = versions
                    .first()
                    .ok_or_else(|| CliError::failed(format!("service {uri} has no versions")))?;
                printer.serialized(newest)?;
            } else {
                printer.serialized(&versions)?;
            }
        }
        ServicesCmd::Search {
            terms,
            page,
            page_size,
            show_all,
        } => {
            let mut options = SearchOptions::default().page(page, page_size);
            for (field, value) in &terms {
                options = options.term(field, value.as_str());
            }
            let found = crate::progress::spin("Searching", services.search(&options)).await?;
            let found =
                serde_json::to_value(&found).map_err(|e| CliError::failed(e.to_string()))?;
            if show_all {
                printer.value(&found);
            } else {
                printer.value(&found["response_data"]);
            }
        }
        ServicesCmd::Exists { uri } => {
            let exists = services.exists(uri.as_str()).await?;
            if printer.is_json() {
                printer.value(&json!({"service": uri, "exists": exists}));
            } else {
                printer.line(if exists { "true" } else { "false" });
            }
        }
        ServicesCmd::Recompile(args) => recompile(&client, args, printer).await?,
        ServicesCmd::EditVersion(args) => edit_version(&client, args, printer).await?,
        ServicesCmd::DeleteVersion { uri, version_id } => {
            let result = services
                .delete_version_raw(uri.as_str(), &version_id)
                .await?;
            if printer.is_json() {
                printer
                    .value(&json!({"service": uri, "version_id": version_id, "response": result}));
            } else {
                printer.line(&format!("version deleted: {uri} {version_id}"));
            }
        }
        ServicesCmd::Schema { uri } => printer.value(&services.get_schema_raw(uri.as_str()).await?),
        ServicesCmd::Swagger {
            uri,
            version_id,
            subservice,
            downloadable,
            output,
            force,
        } if downloadable => {
            // The SDK's swagger URL with `isDownload` = True (spark.yaml,
            // getServiceSwagger): Spark answers with a file, fetched as one.
            let url = uri.as_str().into_service_uri()?.swagger_url(
                client.base_url(),
                subservice.as_deref(),
                true,
                version_id.as_deref(),
            )?;
            let file = client.files().download(&url).await?;
            save_file(&file, output.as_deref(), force, printer)?;
        }
        ServicesCmd::Swagger {
            uri,
            version_id,
            subservice,
            output,
            force,
            ..
        } => {
            let mut options = SwaggerOptions::default();
            options.version_id = version_id;
            options.category = subservice;
            let document = services.get_swagger_raw(uri.as_str(), &options).await?;
            match output {
                Some(path) => {
                    let text = serde_json::to_string_pretty(&document)
                        .map_err(|e| CliError::failed(e.to_string()))?;
                    crate::files::write_file(&path, text.as_bytes(), force)?;
                    printer
                        .value(&json!({"file": path.display().to_string(), "bytes": text.len()}));
                }
                None => printer.value(&document),
            }
        }
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
        ServicesCmd::Download {
            uri,
            version_id,
            kind,
            file_name,
            output,
            force,
        } => {
            let mut options = DownloadOptions::default();
            options.version_id = version_id;
            // Without -o the file is saved under --file-name (a plain name only, checked
            // before any request) rather than the server's name.
            let output = match (output, &file_name) {
                (Some(path), _) => Some(path),
                (None, Some(name)) => Some(crate::files::plain_file_name(name)?.into()),
                (None, None) => None,
            };
            options.file_name = file_name;
            options.kind = match kind {
                WorkbookKind::Original => DownloadKind::Original,
                WorkbookKind::Configured => DownloadKind::Configured,
            };
            let file = services.download(uri.as_str(), &options).await?;
            save_file(&file, output.as_deref(), force, printer)?;
        }
        ServicesCmd::Delete { targets, folder } => {
            let uris = delete_targets(folder.as_deref(), &targets)?;
            // One call per service, in order, stopping at the first failure (as Python does);
            // the ones already deleted have been printed by then.
            let mut results = Vec::new();
            for uri in &uris {
                let result = match services.delete_raw(uri.as_str()).await {
                    Ok(result) => result,
                    Err(e) => {
                        if printer.is_json() && !results.is_empty() {
                            printer.value(&Value::Array(results));
                        }
                        return Err(e.into());
                    }
                };
                if printer.is_json() {
                    results.push(json!({"service": uri, "response": result}));
                } else {
                    printer.line(&format!("service deleted: {uri}"));
                }
            }
            if printer.is_json() {
                printer.value(&Value::Array(results));
            }
        }
        ServicesCmd::Create(args) => create(&client, args, printer).await?,
    }
    Ok(())
}

/// The service URIs of `services delete`: each target as given, or `FOLDER/NAME` with
/// `--folder` (where a name holding `/` is refused rather than read as another folder).
fn delete_targets(folder: Option<&str>, targets: &[String]) -> CliResult<Vec<String>> {
    let Some(folder) = folder else {
        return Ok(targets.to_vec());
    };
    let folder = folder.trim();
    if folder.is_empty() || folder.contains('/') {
        return Err(CliError::usage(format!(
            "--folder must be a folder name, got {folder:?}"
        )));
    }
    targets
        .iter()
        .map(|name| {
            let name = name.trim();
            if name.is_empty() || name.contains('/') {
                Err(CliError::usage(format!(
                    "with --folder, give service names, not URIs: {name:?}"
                )))
            } else {
                Ok(format!("{folder}/{name}"))
            }
        })
        .collect()
}

/// `services create`: upload, compile (waiting, with a spinner) and publish.
async fn create(
    client: &cspark::Client,
    args: CreateArgs,
    printer: crate::output::Printer,
) -> CliResult {
    let file = &args.file;
    let bytes = std::fs::read(file).map_err(io_err(file))?;
    let mut options = CreateOptions::default();
    options.file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    options.version_difference = args.versioning.map(|b| b.as_str().to_owned());
    options.label = args.label;
    options.release_notes = args.release_notes;
    options.tags = args.tags;
    options.start_date = args.start_date;
    options.end_date = args.end_date;
    options.draft_name = args.draft_name;
    options.track_user = args.track_user;
    let uri = args.uri;
    let created = crate::progress::spin(
        format!("Uploading, compiling and publishing {uri}"),
        client.services().create(uri.as_str(), bytes, &options),
    )
    .await?;
    let version = created.version_id().map(str::to_owned);
    printer.value(&json!({"service": uri, "version_id": version}));
    Ok(())
}

/// `services recompile`: starts the job; with `--wait`, also waits for the compilation.
async fn recompile(
    client: &cspark::Client,
    args: RecompileArgs,
    printer: crate::output::Printer,
) -> CliResult {
    let mut options = RecompileOptions::default();
    options.version_id = args.version_id;
    options.compiler = args.compiler;
    options.upgrade = args.upgrade.map(|b| b.as_str().to_owned());
    options.label = args.label;
    options.release_notes = args.release_notes;
    options.tags = args.tags;
    options.start_date = args.start_date;
    options.end_date = args.end_date;
    let services = client.services();
    if args.wait {
        let (started, compiled) = crate::progress::spin(
            format!("Recompiling {}", args.uri),
            services.recompile_and_wait(args.uri.as_str(), &options, Default::default()),
        )
        .await?;
        printer.serialized(&json!({
            "recompile": serde_json::to_value(&started).map_err(|e| CliError::failed(e.to_string()))?,
            "compilation": serde_json::to_value(&compiled).map_err(|e| CliError::failed(e.to_string()))?,
        }))
    } else {
        let started = services.recompile(args.uri.as_str(), &options).await?;
        printer.serialized(&started)
    }
}

/// `services edit-version`: only the fields given change (the others are sent as `null`).
async fn edit_version(
    client: &cspark::Client,
    args: EditVersionArgs,
    printer: crate::output::Printer,
) -> CliResult {
    let mut edit = VersionUpdate::default();
    edit.description = args.description;
    edit.label = args.label;
    edit.release_note = args.release_notes;
    edit.tags = (!args.tags.is_empty()).then_some(args.tags);
    edit.start_date = args.start_date;
    edit.end_date = args.end_date;
    let edited = client
        .services()
        .update_version(args.uri.as_str(), &args.version_id, &edit)
        .await?;
    printer.serialized(&edited)
}
