//! `cspark config add|use|list|remove`.

use serde_json::json;

use crate::args::{ConfigCmd, ProfileKey};
use crate::error::{CliError, CliResult};
use crate::output::Printer;
use crate::profile::{Credentials, Profile, Store};

/// Runs a `config` subcommand; `profile` is the `--profile` flag (set/get).
pub fn run(cmd: ConfigCmd, profile: Option<&str>, printer: Printer) -> CliResult {
    let mut store = Store::load()?;
    match cmd {
        ConfigCmd::Set { pairs } => {
            let name = named_profile(&store, profile)?;
            let creds = store.secrets.entry(name.clone()).or_default();
            let mut url = None;
            let mut tenant = None;
            for (key, value) in pairs {
                let value = Some(value.expose().to_owned()).filter(|v| !v.is_empty());
                match key {
                    ProfileKey::Url => {
                        url = Some(value.ok_or_else(|| CliError::usage("url cannot be empty"))?)
                    }
                    ProfileKey::Tenant => tenant = Some(value),
                    ProfileKey::Key => creds.api_key = value,
                    ProfileKey::Bearer => creds.token = value,
                    ProfileKey::ClientId => creds.client_id = value,
                    ProfileKey::ClientSecret => creds.client_secret = value,
                }
            }
            if creds.client_id.is_some() != creds.client_secret.is_some() {
                return Err(CliError::usage(
                    "client_id and client_secret go together: set both, or clear both",
                ));
            }
            if *creds == Credentials::default() {
                store.secrets.remove(&name);
            }
            if let Some(p) = store.index.profiles.get_mut(&name) {
                if let Some(url) = url {
                    p.base_url = url;
                }
                if let Some(tenant) = tenant {
                    p.tenant = tenant;
                }
            }
            store.save()?;
            forget_token(&store, &name)?;
            printer.line(&format!("profile {name:?} updated"));
        }
        ConfigCmd::Get { key } => {
            let name = named_profile(&store, profile)?;
            let p = store.index.profiles.get(&name).cloned().unwrap_or_default();
            let creds = store.secrets.get(&name).cloned().unwrap_or_default();
            let mask = |s: Option<String>| s.map(|_| "***".to_owned());
            let value = match key {
                ProfileKey::Url => Some(p.base_url),
                ProfileKey::Tenant => p.tenant,
                ProfileKey::Key => mask(creds.api_key),
                ProfileKey::Bearer => mask(creds.token),
                ProfileKey::ClientId => creds.client_id,
                ProfileKey::ClientSecret => mask(creds.client_secret),
            };
            match value {
                Some(v) if printer.is_json() => {
                    printer.value(&json!({"profile": name, "value": v}))
                }
                Some(v) => printer.line(&v),
                None => {
                    return Err(CliError::failed(format!(
                        "profile {name:?} has no such value set"
                    )));
                }
            }
        }
        ConfigCmd::Add {
            name,
            url,
            tenant,
            key,
            bearer,
            client_id,
            client_secret,
        } => {
            store.index.profiles.insert(
                name.clone(),
                Profile {
                    base_url: url,
                    tenant,
                },
            );
            let creds = Credentials {
                api_key: key.map(|s| s.expose().to_owned()),
                token: bearer.map(|s| s.expose().to_owned()),
                client_id,
                client_secret: client_secret.map(|s| s.expose().to_owned()),
            };
            if creds == Credentials::default() {
                store.secrets.remove(&name);
            } else {
                store.secrets.insert(name.clone(), creds);
            }
            if store.index.active.is_none() {
                store.index.active = Some(name.clone());
            }
            store.save()?;
            forget_token(&store, &name)?;
            printer.line(&format!("profile {name:?} saved"));
        }
        ConfigCmd::Use { name } => {
            if !store.index.profiles.contains_key(&name) {
                return Err(CliError::usage(format!("no profile named {name:?}")));
            }
            store.index.active = Some(name.clone());
            store.save()?;
            printer.line(&format!("active profile: {name}"));
        }
        ConfigCmd::List { .. } => {
            let mask = |s: &Option<String>| s.as_ref().map(|_| "***");
            let rows: Vec<serde_json::Value> = store
                .index
                .profiles
                .iter()
                .map(|(name, p)| {
                    let creds = store.secrets.get(name).cloned().unwrap_or_default();
                    json!({
                        "active": store.index.active.as_deref() == Some(name),
                        "name": name,
                        "base_url": p.base_url,
                        "tenant": p.tenant,
                        "api_key": mask(&creds.api_key),
                        "token": mask(&creds.token),
                        "oauth": creds.client_id.as_ref().map(|id| format!("{id}:***")),
                    })
                })
                .collect();
            if rows.is_empty() && !printer.is_json() {
                printer.line("no profiles (add one with `cspark config add`)");
            } else {
                printer.value(&serde_json::Value::Array(rows));
            }
        }
        ConfigCmd::Remove { name } => {
            if store.index.profiles.remove(&name).is_none() {
                return Err(CliError::usage(format!("no profile named {name:?}")));
            }
            store.secrets.remove(&name);
            if store.index.active.as_deref() == Some(name.as_str()) {
                store.index.active = None;
            }
            store.save()?;
            forget_token(&store, &name)?;
            printer.line(&format!("profile {name:?} removed"));
        }
    }
    Ok(())
}

/// The profile `--profile` names, or the active one; it must exist.
fn named_profile(store: &Store, profile: Option<&str>) -> CliResult<String> {
    let name = store
        .name_of(profile)
        .ok_or_else(|| CliError::usage("no profile: add one with `cspark config add`"))?;
    if !store.index.profiles.contains_key(name) {
        return Err(CliError::usage(format!("no profile named {name:?}")));
    }
    Ok(name.to_owned())
}

/// Drops the profile's cached OAuth token: it belongs to the credentials and URL just
/// replaced or removed.
fn forget_token(store: &Store, name: &str) -> CliResult {
    let mut cache = crate::tokens::TokenCache::load(store.dir())?;
    if cache.tokens.remove(name).is_some() {
        cache.save()?;
    }
    Ok(())
}
