//! `cspark config add|use|list|remove`.

use serde_json::json;

use crate::args::ConfigCmd;
use crate::error::{CliError, CliResult};
use crate::output::Printer;
use crate::profile::{Credentials, Profile, Store};

/// Runs a `config` subcommand.
pub fn run(cmd: ConfigCmd, printer: Printer) -> CliResult {
    let mut store = Store::load()?;
    match cmd {
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
                api_key: key,
                token: bearer,
                client_id,
                client_secret,
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
        ConfigCmd::List => {
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
            // Its cached OAuth token goes with it.
            let mut cache = crate::tokens::TokenCache::load(store.dir())?;
            if cache.tokens.remove(&name).is_some() {
                cache.save()?;
            }
            printer.line(&format!("profile {name:?} removed"));
        }
    }
    Ok(())
}
