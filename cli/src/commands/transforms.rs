//! `cspark transforms …`: transform documents of a folder.

use cspark::transforms::TransformDoc;
use serde_json::Value;

use super::read_stdin;
use crate::args::{TransformDocArgs, TransformsCmd};
use crate::error::{CliError, CliResult, io_err};
use crate::settings::Settings;

/// Runs a `transforms` subcommand.
pub async fn run(cmd: TransformsCmd, settings: &Settings) -> CliResult {
    let client = settings.client()?;
    let transforms = client.transforms();
    let printer = settings.printer();
    match cmd {
        TransformsCmd::List {
            folder,
            page,
            page_size,
        } => printer.serialized(&transforms.list(&folder, page, page_size).await?),
        TransformsCmd::Get { uri } => {
            let (folder, name) = split_uri(&uri)?;
            printer.serialized(&transforms.get(folder, name).await?)
        }
        TransformsCmd::Save { folder, name, doc } => {
            let doc = read_doc(&doc)?;
            printer.serialized(&transforms.save(&folder, &name, &doc).await?)
        }
        TransformsCmd::Validate { doc } => {
            let doc = read_doc(&doc)?;
            printer.serialized(&transforms.validate(&doc).await?)
        }
        TransformsCmd::Delete { uri } => {
            let (folder, name) = split_uri(&uri)?;
            printer.serialized(&transforms.delete(folder, name).await?)
        }
    }
}

/// `folder/name`, both non-empty.
fn split_uri(uri: &str) -> CliResult<(&str, &str)> {
    match uri.trim_matches('/').split_once('/') {
        Some((folder, name)) if !folder.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((folder, name))
        }
        _ => Err(CliError::usage(format!(
            "transform URI {uri:?}: expected FOLDER/NAME"
        ))),
    }
}

/// The document of `--data JSON`, `--file FILE` or `--file -`: a JSON object sent as given.
fn read_doc(args: &TransformDocArgs) -> CliResult<TransformDoc> {
    let (text, origin) = match (&args.data, &args.file) {
        (Some(data), _) => (data.clone(), "--data".to_owned()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            (read_stdin("--file")?, "standard input".to_owned())
        }
        (None, Some(path)) => (
            std::fs::read_to_string(path).map_err(io_err(path))?,
            path.display().to_string(),
        ),
        (None, None) => {
            return Err(CliError::usage(
                "a transform document is needed: pass --data JSON or --file FILE",
            ));
        }
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(TransformDoc::Raw(map)),
        Ok(_) => Err(CliError::usage(format!(
            "{origin}: a transform document must be a JSON object"
        ))),
        Err(e) => Err(CliError::usage(format!("{origin}: invalid JSON: {e}"))),
    }
}
