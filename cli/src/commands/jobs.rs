//! `cspark export …`, `import …` (v4 ImpEx jobs), `wasm download`, `files download`.

use std::path::{Path, PathBuf};

use cspark::files::DownloadedFile;
use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use serde_json::json;

use super::save_file;
use crate::args::{ExportCmd, ExportRunArgs, FilesCmd, ImportCmd, ImportRunArgs, WasmCmd};
use crate::error::{CliError, CliResult, io_err};
use crate::output::Printer;
use crate::progress::spin;
use crate::settings::Settings;

/// `cspark export …`
pub async fn export(cmd: ExportCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let printer = settings.printer();
    let impex = client.impex();
    match cmd {
        ExportCmd::Run(args) => export_run(&client, args, printer).await,
        ExportCmd::Describe => printer.serialized(&impex.describe_exports().await?),
        ExportCmd::Status { job } => {
            // One status request; `wait_export` would poll until the job ends.
            printer.serialized(&impex.export_status(&job).await?)
        }
        ExportCmd::Cancel { job } => printer.serialized(&impex.cancel_export(&job).await?),
    }
}

async fn export_run(client: &cspark::Client, args: ExportRunArgs, printer: Printer) -> CliResult {
    if args.services.is_empty() && args.folders.is_empty() && args.version_ids.is_empty() {
        return Err(CliError::usage(
            "nothing to export: pass --folder, --service or --version-id",
        ));
    }
    let mut request = ExportRequest::default()
        .services(args.services)
        .folders(args.folders)
        .version_ids(args.version_ids);
    if let Some(filter) = args.file_filter {
        request.file_filter = filter;
    }
    if let Some(filter) = args.version_filter {
        request.version_filter = filter;
    }
    request.source_system = args.source_system;
    request.correlation_id = args.correlation_id;
    let files = spin("Exporting", client.impex().export(&request)).await?;
    let paths = export_paths(&files, args.output.as_deref())?;
    let mut saved = Vec::with_capacity(files.len());
    for (file, path) in files.iter().zip(&paths) {
        crate::files::write_file(path, &file.bytes, args.force)?;
        saved.push(json!({"file": path.display().to_string(), "bytes": file.bytes.len()}));
    }
    printer.value(&serde_json::Value::Array(saved));
    Ok(())
}

/// Where each exported file goes: `-o` for one file, `STEM_N.EXT` beside `-o` for several,
/// else the server's names reduced to plain names (`export_N.zip` when it gave none).
fn export_paths(files: &[DownloadedFile], output: Option<&Path>) -> CliResult<Vec<PathBuf>> {
    let numbered = |output: &Path, n: usize| {
        let stem = output
            .file_stem()
            .map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
        let name = match output.extension() {
            Some(ext) => format!("{stem}_{n}.{}", ext.to_string_lossy()),
            None => format!("{stem}_{n}"),
        };
        output.with_file_name(name)
    };
    let mut paths: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let path = match output {
            Some(out) if files.len() == 1 => out.to_path_buf(),
            Some(out) => numbered(out, i + 1),
            None => PathBuf::from(
                crate::files::plain_file_name(&file.file_name)
                    .unwrap_or_else(|_| format!("export_{}.zip", i + 1)),
            ),
        };
        if paths.contains(&path) {
            return Err(CliError::failed(format!(
                "the export produced several files named {}; pass --output FILE",
                path.display()
            )));
        }
        paths.push(path);
    }
    Ok(paths)
}

/// `cspark import …`
pub async fn import(cmd: ImportCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let printer = settings.printer();
    match cmd {
        ImportCmd::Run(args) => import_run(&client, args, printer).await,
        ImportCmd::Describe => printer.serialized(&client.impex().describe_imports().await?),
        ImportCmd::Status { job } => {
            // One status request, no polling.
            printer.serialized(&client.impex().import_status(&job).await?)
        }
    }
}

/// `-d URI` or `-d SOURCE=TARGET`.
pub fn import_mappings(destinations: &[String]) -> CliResult<Vec<ImportMapping>> {
    destinations
        .iter()
        .map(|d| {
            let mapping = match d.split_once('=') {
                Some((source, target)) => ImportMapping::to(source.trim(), target.trim()),
                None => ImportMapping::same(d.trim()),
            };
            if mapping.source.is_empty() || mapping.target.is_empty() {
                return Err(CliError::usage(format!(
                    "--destination {d:?}: expected URI or SOURCE=TARGET"
                )));
            }
            Ok(mapping)
        })
        .collect()
}

async fn import_run(client: &cspark::Client, args: ImportRunArgs, printer: Printer) -> CliResult {
    let mappings = import_mappings(&args.destinations)?;
    let zip = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(&args.file).map_err(io_err(&args.file))?
    };
    let mut options = ImportOptions::default();
    if let Some(if_present) = args.if_present {
        options.if_present = if_present.as_str().to_owned();
    }
    options.source_system = args.source_system;
    options.correlation_id = args.correlation_id;
    let done = spin(
        format!("Importing {}", args.file.display()),
        client.impex().import(&mappings, zip, &options),
    )
    .await?;
    printer.serialized(&done)
}

/// `cspark wasm download`
pub async fn wasm(cmd: WasmCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let WasmCmd::Download {
        uri,
        public,
        output,
        force,
    } = cmd;
    // The SDK reads a `public/` prefix as "use the /public endpoints" (sdk/src/uri).
    let locator = if public && !uri.starts_with("public/") {
        format!("public/{uri}")
    } else {
        uri.clone()
    };
    let file = spin(
        format!("Downloading the WASM package of {uri}"),
        client.services().download_wasm(locator.as_str()),
    )
    .await?;
    save_file(&file, output.as_deref(), force, settings.printer())
}

/// `cspark files download`
pub async fn files(cmd: FilesCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let FilesCmd::Download { url, output, force } = cmd;
    let file = spin(format!("Downloading {url}"), client.files().download(&url)).await?;
    save_file(&file, output.as_deref(), force, settings.printer())
}
