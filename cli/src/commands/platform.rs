//! `cspark health`, `folders …`, `logs …`, `impex …`.

use cspark::folders::{FindFolders, FolderFields};
use cspark::history::LogDownload;
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use serde_json::{Value, json};

use super::save_file;
use crate::args::{FolderFieldArgs, FoldersCmd, HealthCmd, ImpexCmd, LogsCmd};
use crate::error::{CliError, CliResult, io_err};
use crate::settings::Settings;

/// `cspark health [check|ok]`: exit 1 when the platform is not up.
pub async fn health(cmd: HealthCmd, settings: &Settings) -> CliResult {
    let status = settings.client()?.health().await?;
    let printer = settings.printer();
    match cmd {
        HealthCmd::Check => printer.value(&json!({"status": status.status})),
        HealthCmd::Ok if printer.is_json() => printer.value(&json!({"ok": status.is_up()})),
        HealthCmd::Ok => printer.line(if status.is_up() { "true" } else { "false" }),
    }
    if status.is_up() {
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "platform status: {}",
            status.status.as_deref().unwrap_or("(none)")
        )))
    }
}

/// `cspark folders …`
pub async fn folders(cmd: FoldersCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let folders = client.folders();
    let printer = settings.printer();
    match cmd {
        FoldersCmd::List {
            name,
            name_only,
            data,
        } => {
            let mut options = FindFolders::default();
            if let Some(name) = name {
                options = options.name(name);
            }
            let options = super::list_data::folder_find(data.as_deref(), options)?;
            let found = folders.find_raw(&options).await?;
            let rows = match &found["data"] {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|f| json!({"id": f["id"], "name": f["name"], "status": f["status"]}))
                        .collect(),
                ),
                _ => found,
            };
            if name_only {
                super::print_names(&rows, &["name"], printer);
            } else {
                printer.value(&rows);
            }
        }
        FoldersCmd::Create {
            name,
            fields,
            status,
        } => {
            let mut fields = folder_fields(fields);
            fields.status = status;
            printer.value(&folders.create_raw(&name, &fields).await?);
        }
        FoldersCmd::Update { id, fields } => {
            let fields = folder_fields(fields);
            if fields == FolderFields::default() {
                return Err(CliError::usage(
                    "nothing to update: pass --description, --category, --start-date or --launch-date",
                ));
            }
            printer.serialized(&folders.update(&id, &fields).await?)?;
        }
        FoldersCmd::Exists { name } => {
            let exists = folders.exists(&name).await?;
            if printer.is_json() {
                printer.value(&json!({"folder": name, "exists": exists}));
            } else {
                printer.line(if exists { "true" } else { "false" });
            }
        }
        FoldersCmd::Delete { id } => {
            let done = folders.delete(&id).await?;
            let done = serde_json::to_value(&done).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&done);
        }
    }
    Ok(())
}

fn folder_fields(args: FolderFieldArgs) -> FolderFields {
    let mut fields = FolderFields::default();
    fields.description = args.description;
    fields.category = args.category;
    fields.start_date = args.start_date;
    fields.launch_date = args.launch_date;
    fields
}

/// `cspark logs …`
pub async fn logs(cmd: LogsCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let printer = settings.printer();
    match cmd {
        LogsCmd::Get { call_id } => printer.value(&client.history().get_raw(&call_id).await?),
        LogsCmd::Download {
            uri,
            csv,
            version_id,
            start_date,
            end_date,
            timezone_offset,
            mut call_ids,
            source_system,
            correlation_id,
            output,
            force,
        } => {
            // Spark takes source systems and correlation ids in `call_ids` (the Python SDK's
            // `history.download` puts them there too).
            call_ids.extend(source_system);
            call_ids.extend(correlation_id);
            let mut options = LogDownload::default().call_ids(call_ids);
            if csv {
                options = options.csv();
            }
            options.version_id = version_id;
            options.start_date = start_date;
            options.end_date = end_date;
            options.timezone_offset = timezone_offset;
            let file = crate::progress::spin(
                format!("Downloading the logs of {uri}"),
                client.history().download(uri.as_str(), &options),
            )
            .await?;
            save_file(&file, output.as_deref(), force, printer)?;
        }
        LogsCmd::Rehydrate {
            uri,
            call_id,
            index,
            legacy,
            output,
            force,
        } => {
            let file = crate::progress::spin(
                format!("Rehydrating call {call_id}"),
                client
                    .history()
                    .rehydrate(uri.as_str(), &call_id, index, legacy),
            )
            .await?;
            save_file(&file, output.as_deref(), force, printer)?;
        }
    }
    Ok(())
}

/// `cspark impex …`
pub async fn impex(cmd: ImpexCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let printer = settings.printer();
    match cmd {
        ImpexCmd::Export {
            services,
            folders,
            out_dir,
            force,
        } => {
            if services.is_empty() && folders.is_empty() {
                return Err(CliError::usage(
                    "nothing to export: pass --service or --folder",
                ));
            }
            let request = ExportRequest::default().services(services).folders(folders);
            let files = crate::progress::spin("Exporting", client.impex().export(&request)).await?;
            std::fs::create_dir_all(&out_dir).map_err(io_err(&out_dir))?;
            for file in &files {
                let name = crate::files::plain_file_name(&file.file_name)
                    .unwrap_or_else(|_| "export.zip".to_owned());
                save_file(file, Some(&out_dir.join(name)), force, printer)?;
            }
        }
        ImpexCmd::Import { file, mappings } => {
            let zip = std::fs::read(&file).map_err(io_err(&file))?;
            let mappings: Vec<ImportMapping> = mappings
                .iter()
                .map(|m| match m.split_once('=') {
                    Some((source, target)) => ImportMapping::to(source, target),
                    None => ImportMapping::same(m.as_str()),
                })
                .collect();
            let done = crate::progress::spin(
                format!("Importing {}", file.display()),
                client
                    .impex()
                    .import(&mappings, zip, &ImportOptions::default()),
            )
            .await?;
            let outputs =
                serde_json::to_value(&done.outputs).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&outputs);
        }
        ImpexCmd::Migrate { .. } => {
            return Err(CliError::usage(
                "impex migrate resolves two profiles itself",
            ));
        }
    }
    Ok(())
}
