//! `cspark init -f FILE` / `cspark init --config JSON`: a profile from a JSON or YAML
//! document instead of the wizard, for scripts and CI. The keys are those of the Python CLI
//! 0.2.0's profile (`cspark/cli/_utils.py`, `Profile.from_dict`): `name`, `base_url`,
//! `api_key`, `token`, `client_id`, `client_secret`, plus our `tenant`. As in Python the
//! profile is added (or replaced) and made active. Unlike Python, an unknown key or a
//! value that is not a string is an error naming the key; the Python keys our profiles do
//! not hold (`oauth_path`, `timeout`, `max_retries`, `retry_interval`, `logger`) are
//! ignored with a warning, so one file serves both CLIs.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{CliError, CliResult};
use crate::profile::{Credentials, Profile, Store};

/// Python profile keys that have no counterpart in our profiles.
const IGNORED: &[&str] = &[
    "oauth_path",
    "timeout",
    "max_retries",
    "retry_interval",
    "logger",
];

/// Reads the document and saves the profile it describes.
pub fn run(
    file: Option<&Path>,
    config: Option<&str>,
    printer: crate::output::Printer,
) -> CliResult {
    let document = match (file, config) {
        (Some(path), _) => read_file(path)?,
        (None, Some(text)) => serde_json::from_str(text)
            .map_err(|e| CliError::usage(format!("--config: invalid JSON: {e}")))?,
        (None, None) => return Err(CliError::usage("init: give -f FILE or --config JSON")),
    };
    let Value::Object(fields) = document else {
        return Err(CliError::usage(
            "init: the configuration must be an object of profile keys",
        ));
    };
    let (name, profile, creds) = profile_of(fields)?;
    let mut store = Store::load()?;
    store.index.profiles.insert(name.clone(), profile);
    if creds == Credentials::default() {
        store.secrets.remove(&name);
    } else {
        store.secrets.insert(name.clone(), creds);
    }
    store.index.active = Some(name.clone());
    store.save()?;
    // A cached OAuth token belonged to the credentials just replaced.
    let mut cache = crate::tokens::TokenCache::load(store.dir())?;
    if cache.tokens.remove(&name).is_some() {
        cache.save()?;
    }
    printer.line(&format!("profile {name:?} saved and set as active"));
    Ok(())
}

/// JSON, or YAML when the name ends in `.yml`/`.yaml` (as Python decides).
fn read_file(path: &Path) -> CliResult<Value> {
    let text = read_small(path).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
    if yaml {
        serde_yaml::from_str(&text)
            .map_err(|e| CliError::usage(format!("{}: invalid YAML: {e}", path.display())))
    } else {
        serde_json::from_str(&text)
            .map_err(|e| CliError::usage(format!("{}: invalid JSON: {e}", path.display())))
    }
}

/// Profiles are a few hundred bytes; this bound keeps `-f /dev/zero` from eating memory.
const MAX_FILE_BYTES: u64 = 1 << 20;

fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_FILE_BYTES} bytes: not a profile"
        )));
    }
    Ok(text)
}

fn profile_of(fields: Map<String, Value>) -> CliResult<(String, Profile, Credentials)> {
    let mut name = None;
    let mut base_url = None;
    let mut profile = Profile::default();
    let mut creds = Credentials::default();
    for (key, value) in fields {
        if IGNORED.contains(&key.as_str()) {
            eprintln!(
                "cspark: warning: init: key {key:?} is not kept in cspark-rs profiles; ignored"
            );
            continue;
        }
        if value.is_null() {
            continue;
        }
        let slot = match key.as_str() {
            "name" => &mut name,
            "base_url" => &mut base_url,
            "tenant" => &mut profile.tenant,
            "api_key" => &mut creds.api_key,
            "token" => &mut creds.token,
            "client_id" => &mut creds.client_id,
            "client_secret" => &mut creds.client_secret,
            _ => {
                return Err(CliError::usage(format!(
                    "init: unknown key {key:?} (expected name, base_url, tenant, api_key, \
                     token, client_id, client_secret)"
                )));
            }
        };
        // The value is never quoted back: it may be a secret.
        let Value::String(text) = value else {
            return Err(CliError::usage(format!(
                "init: key {key:?} must be a string"
            )));
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(CliError::usage(format!("init: key {key:?} is empty")));
        }
        *slot = Some(text.to_owned());
    }
    let name = name.ok_or_else(|| CliError::usage("init: the profile needs a \"name\""))?;
    profile.base_url =
        base_url.ok_or_else(|| CliError::usage("init: the profile needs a \"base_url\""))?;
    if creds.client_id.is_some() != creds.client_secret.is_some() {
        return Err(CliError::usage(
            "init: client_id and client_secret go together (OAuth client credentials)",
        ));
    }
    Ok((name, profile, creds))
}
