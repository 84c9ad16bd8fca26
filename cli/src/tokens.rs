//! OAuth access tokens cached by `cspark auth login`: `oauth-tokens.json` beside
//! `credentials.json` in the config directory, mode 0600, one entry per profile. A profile
//! with client credentials uses its cached token while it has more than [`MARGIN_SECS`] left,
//! so a series of commands costs one token request instead of one each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, CliResult, io_err};

const TOKENS: &str = "oauth-tokens.json";
/// A cached token is not used when it expires within this many seconds.
pub const MARGIN_SECS: u64 = 60;

/// One profile's cached token.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CachedToken {
    /// The access token (a secret).
    pub access_token: String,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: u64,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl CachedToken {
    /// Seconds left before expiry (0 when expired).
    pub fn seconds_left(&self) -> u64 {
        self.expires_at.saturating_sub(now())
    }

    /// Whether it is still worth sending.
    pub fn is_usable(&self) -> bool {
        self.seconds_left() > MARGIN_SECS
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cached tokens of every profile, in `dir`.
#[derive(Debug, Default)]
pub struct TokenCache {
    path: PathBuf,
    /// Tokens by profile name.
    pub tokens: BTreeMap<String, CachedToken>,
}

impl TokenCache {
    /// Loads the cache of the config directory `dir` (empty when there is none).
    pub fn load(dir: &Path) -> CliResult<Self> {
        let path = dir.join(TOKENS);
        let tokens = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(io_err(&path)(e)),
        };
        Ok(Self { path, tokens })
    }

    /// Writes the cache (mode 0600).
    pub fn save(&self) -> CliResult {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let text = serde_json::to_string_pretty(&self.tokens)
            .map_err(|e| CliError::failed(e.to_string()))?;
        crate::profile::write_private(&self.path, text.as_bytes())
    }
}
