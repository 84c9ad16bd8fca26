//! Resolves flags, `CSPARK_*` variables (through clap) and the profile into [`Settings`],
//! and builds the SDK client from them. Precedence: flag > environment > profile.

use cspark::Client;

use crate::args::GlobalArgs;
use crate::error::{CliError, CliResult};
use crate::output::Printer;
use crate::profile::Store;

/// Everything a command needs to talk to Spark. Its `Debug` shows no credential and no
/// header value (a `-H 'Authorization: …'` is one).
#[derive(Clone, Default)]
pub struct Settings {
    /// Base URL.
    pub base_url: Option<String>,
    /// Tenant.
    pub tenant: Option<String>,
    /// API key.
    pub api_key: Option<String>,
    /// Bearer token.
    pub token: Option<String>,
    /// OAuth2 client credentials from the profile.
    pub oauth: Option<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Machine output.
    pub json: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "***" } else { "none" };
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("tenant", &self.tenant)
            .field("api_key", &hidden(self.api_key.is_some()))
            .field("token", &hidden(self.token.is_some()))
            .field("oauth_client_id", &self.oauth.as_ref().map(|(id, _)| id))
            .field("headers", &header_names)
            .field("json", &self.json)
            .finish()
    }
}

impl Settings {
    /// Merges the global flags with the chosen profile.
    pub fn resolve(args: &GlobalArgs) -> CliResult<Self> {
        let store = Store::load()?;
        let picked = store.pick(args.profile.as_deref())?;
        let (profile, creds) = match picked {
            Some((p, c)) => (Some(p.clone()), c.cloned()),
            None => (None, None),
        };
        let mut settings = Self {
            base_url: args
                .base_url
                .clone()
                .or_else(|| profile.as_ref().map(|p| p.base_url.clone())),
            tenant: args
                .tenant
                .clone()
                .or_else(|| profile.as_ref().and_then(|p| p.tenant.clone())),
            api_key: args
                .api_key
                .as_ref()
                .map(|s| s.expose().to_owned())
                .or_else(|| creds.as_ref().and_then(|c| c.api_key.clone())),
            token: args
                .token
                .as_ref()
                .map(|s| s.expose().to_owned())
                .or_else(|| creds.as_ref().and_then(|c| c.token.clone())),
            oauth: creds
                .as_ref()
                .and_then(|c| c.client_id.clone().zip(c.client_secret.clone())),
            headers: args
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), value.expose().to_owned()))
                .collect(),
            json: args.wants_json(),
        };
        // A profile with client credentials uses the token `cspark auth login` cached,
        // while it is fresh (no token request per command).
        if settings.token.is_none() && settings.api_key.is_none() && settings.oauth.is_some() {
            let cache = crate::tokens::TokenCache::load(store.dir())?;
            settings.token = store
                .name_of(args.profile.as_deref())
                .and_then(|name| cache.tokens.get(name))
                .filter(|t| t.is_usable())
                .map(|t| t.access_token.clone());
        }
        Ok(settings)
    }

    /// The printer for these settings.
    pub fn printer(&self) -> Printer {
        Printer::new(self.json)
    }

    /// Builds the SDK client.
    pub fn client(&self) -> CliResult<Client> {
        let base_url = self.base_url.as_deref().ok_or_else(|| {
            CliError::usage(
                "no base URL: pass --base-url, set CSPARK_BASE_URL or add a profile \
                 (cspark config add)",
            )
        })?;
        let mut builder = Client::builder().base_url(base_url);
        if let Some(t) = &self.tenant {
            builder = builder.tenant(t);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = &self.token {
            builder = builder.bearer(token);
        } else if let Some(key) = &self.api_key {
            builder = builder.api_key(key);
        } else if let Some((id, secret)) = &self.oauth {
            builder = builder.auth(cspark::Auth::oauth(id, secret));
        }
        builder
            .build()
            .map_err(|e| CliError::usage(format!("invalid configuration: {e}")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod debug_tests {
    use cspark::Secret;

    use super::*;

    /// The settings keep the credentials and header values of the command line, and show
    /// none of them in `Debug`.
    #[test]
    fn credentials_stay_out_of_debug() {
        let global = GlobalArgs {
            base_url: Some("http://127.0.0.1:9/t".into()),
            api_key: Some(Secret::new("canary-api-key")),
            token: Some(Secret::new("canary-bearer")),
            headers: vec![("Authorization".into(), Secret::new("Bearer canary-header"))],
            ..GlobalArgs::default()
        };
        let settings = Settings::resolve(&global).unwrap();
        assert_eq!(settings.token.as_deref(), Some("canary-bearer"));
        let shown = format!("{settings:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("Authorization"), "{shown}");
    }
}
