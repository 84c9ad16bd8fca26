//! Profiles on disk: `profiles.json` (names, URLs, tenants, the active profile) and
//! `credentials.json` (API keys and tokens, created with mode 0600) in the config directory:
//! `$CSPARK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/cspark`, else `~/.config/cspark`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, CliResult, io_err};

/// Overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "CSPARK_CONFIG_DIR";
const PROFILES: &str = "profiles.json";
const CREDENTIALS: &str = "credentials.json";

/// One profile's public part.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    /// Base URL.
    pub base_url: String,
    /// Tenant, when the URL has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// One profile's secrets.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credentials {
    /// API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// OAuth2 client id (client-credentials flow, with `client_secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth2 client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The whole store.
#[derive(Debug, Default)]
pub struct Store {
    dir: PathBuf,
    /// Profiles and the active name.
    pub index: Index,
    /// Secrets by profile name.
    pub secrets: BTreeMap<String, Credentials>,
}

/// `profiles.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Index {
    /// The active profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The config directory.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("cspark"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config").join("cspark"))
}

impl Store {
    /// Loads the store (empty when the files do not exist).
    pub fn load() -> CliResult<Self> {
        let dir = config_dir()
            .ok_or_else(|| CliError::usage("no config directory: set CSPARK_CONFIG_DIR"))?;
        let index = read_json(&dir.join(PROFILES))?.unwrap_or_default();
        let cred_path = dir.join(CREDENTIALS);
        warn_if_loose(&cred_path);
        let secrets = read_json(&cred_path)?.unwrap_or_default();
        Ok(Self {
            dir,
            index,
            secrets,
        })
    }

    /// The config directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The name of the profile `name` names, or of the active one.
    pub fn name_of<'a>(&'a self, name: Option<&'a str>) -> Option<&'a str> {
        name.or(self.index.active.as_deref())
    }

    /// The path of the secrets file.
    pub fn credentials_path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS)
    }

    /// Writes both files (the secrets file with mode 0600).
    pub fn save(&self) -> CliResult {
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let path = self.dir.join(PROFILES);
        let text = serde_json::to_string_pretty(&self.index)
            .map_err(|e| CliError::failed(e.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(io_err(&path))?;
        let path = self.credentials_path();
        let text = serde_json::to_string_pretty(&self.secrets)
            .map_err(|e| CliError::failed(e.to_string()))?;
        write_private(&path, text.as_bytes())
    }

    /// The profile called `name`, or the active one.
    pub fn pick(&self, name: Option<&str>) -> CliResult<Option<(&Profile, Option<&Credentials>)>> {
        let name = match name.or(self.index.active.as_deref()) {
            Some(n) => n,
            None => return Ok(None),
        };
        let profile = self
            .index
            .profiles
            .get(name)
            .ok_or_else(|| CliError::usage(format!("no profile named {name:?}")))?;
        Ok(Some((profile, self.secrets.get(name))))
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> CliResult<Option<T>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> CliResult {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    // An existing file keeps its mode on open: tighten it.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io_err(path))?;
    file.write_all(bytes).map_err(io_err(path))
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> CliResult {
    std::fs::write(path, bytes).map_err(io_err(path))
}

#[cfg(unix)]
fn warn_if_loose(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            "{} is readable by other users; run `chmod 600` on it",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_loose(_path: &Path) {}
