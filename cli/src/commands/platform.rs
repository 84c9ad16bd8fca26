//! `cspark health`, `folders …`, `logs …`, `impex …`.

use cspark::resources::folder_types::{FindFolders, FolderFields};
use cspark::resources::history_types::LogDownload;
use cspark::resources::impex_types::{ExportRequest, ImportMapping, ImportOptions};
use serde_json::{Value, json};

use super::save_file;
use crate::args::{FoldersCmd, ImpexCmd, LogsCmd};
use crate::error::{CliError, CliResult, io_err};
use crate::settings::Settings;

/// `cspark health`: exit 1 when the platform is not up.
pub async fn health(settings: &Settings) -> CliResult {
    let status = settings.client()?.health().await?;
    settings.printer().value(&json!({"status": status.status}));
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
        FoldersCmd::List { name } => {
            let mut options = FindFolders::default();
            if let Some(name) = name {
                options = options.name(name);
            }
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
            printer.value(&rows);
        }
        FoldersCmd::Create { name } => {
            printer.value(&folders.create_raw(&name, &FolderFields::default()).await?);
        }
        FoldersCmd::Delete { id } => {
            let done = folders.delete(&id).await?;
            let done = serde_json::to_value(&done).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&done);
        }
    }
    Ok(())
}

/// `cspark logs …`
pub async fn logs(cmd: LogsCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let printer = settings.printer();
    match cmd {
        LogsCmd::Get { call_id } => printer.value(&client.history().get_raw(&call_id).await?),
        LogsCmd::Download { uri, csv, output } => {
            let mut options = LogDownload::default();
            if csv {
                options = options.csv();
            }
            let file = client.history().download(uri.as_str(), &options).await?;
            save_file(&file, output.as_deref(), printer)?;
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
        } => {
            if services.is_empty() && folders.is_empty() {
                return Err(CliError::usage(
                    "nothing to export: pass --service or --folder",
                ));
            }
            let request = ExportRequest::default().services(services).folders(folders);
            let files = client.impex().export(&request).await?;
            std::fs::create_dir_all(&out_dir).map_err(io_err(&out_dir))?;
            for file in &files {
                let name = std::path::Path::new(&file.file_name)
                    .file_name()
                    .map_or_else(|| "export.zip".into(), |n| n.to_os_string());
                save_file(file, Some(&out_dir.join(name)), printer)?;
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
            let done = client
                .impex()
                .import(&mappings, zip, &ImportOptions::default())
                .await?;
            let outputs =
                serde_json::to_value(&done.outputs).map_err(|e| CliError::failed(e.to_string()))?;
            printer.value(&outputs);
        }
    }
    Ok(())
}
