//! `cspark auth login|logout|status` (OAuth2 client credentials of a profile) and the
//! interactive `cspark init`.

use std::io::{BufRead, IsTerminal, Write};

use cspark::transport::RequestSpec;
use serde_json::{Value, json};

use crate::args::{AuthCmd, GlobalArgs};
use crate::error::{CliError, CliResult};
use crate::profile::{Credentials, Profile, Store};
use crate::settings::Settings;
use crate::tokens::{CachedToken, TokenCache, now};

/// Lifetime assumed when the token endpoint gives no `expires_in` (as the SDK does).
const DEFAULT_LIFETIME_SECS: u64 = 300;
/// Longest lifetime trusted from a token response.
const MAX_LIFETIME_SECS: u64 = 24 * 3600;

/// Runs an `auth` subcommand.
pub async fn run(cmd: AuthCmd, global: &GlobalArgs) -> CliResult {
    let store = Store::load()?;
    if let AuthCmd::Status { all: true } = cmd {
        // Every profile, so none need be selected; an empty store lists nothing.
        let cache = TokenCache::load(store.dir())?;
        let rows: Vec<Value> = store
            .index
            .profiles
            .keys()
            .map(|name| status_of(&store, &cache, name, global.verbose))
            .collect();
        crate::output::Printer::new(global.wants_json()).value(&Value::Array(rows));
        return Ok(());
    }
    let name = store
        .name_of(global.profile.as_deref())
        .ok_or_else(|| {
            CliError::usage("no profile: add one with `cspark config add` or `cspark init`")
        })?
        .to_owned();
    if !store.index.profiles.contains_key(&name) {
        return Err(CliError::usage(format!("no profile named {name:?}")));
    }
    let printer = crate::output::Printer::new(global.wants_json());
    let mut cache = TokenCache::load(store.dir())?;
    match cmd {
        AuthCmd::Login => {
            let settings = Settings::resolve(global)?;
            let (id, secret) = settings.oauth.clone().ok_or_else(|| {
                CliError::usage(format!(
                    "profile {name:?} has no OAuth client credentials (cspark config add {name} --client-id … --client-secret …)"
                ))
            })?;
            let token = crate::progress::spin(
                "Requesting an access token",
                fetch_token(&settings, &name, &id, &secret),
            )
            .await?;
            let left = token.seconds_left();
            cache.tokens.insert(name.clone(), token);
            cache.save()?;
            if printer.is_json() {
                printer.value(&json!({"profile": name, "logged_in": true, "expires_in": left}));
            } else {
                printer.line(&format!(
                    "logged in: profile {name} (token valid for {left} s)"
                ));
            }
        }
        AuthCmd::Logout => {
            let removed = cache.tokens.remove(&name).is_some();
            if removed {
                cache.save()?;
            }
            if printer.is_json() {
                printer.value(&json!({"profile": name, "removed": removed}));
            } else if removed {
                printer.line(&format!("logged out: profile {name}"));
            } else {
                printer.line(&format!("profile {name} had no cached token"));
            }
        }
        AuthCmd::Status { .. } => {
            printer.value(&status_of(&store, &cache, &name, global.verbose));
        }
    }
    Ok(())
}

/// One profile's authentication status: method, whether a usable token is cached, and
/// with `verbose` where it points and when the cached token expires (never the token).
fn status_of(store: &Store, cache: &TokenCache, name: &str, verbose: bool) -> Value {
    let creds = store.secrets.get(name);
    let method = match creds {
        Some(c) if c.client_id.is_some() => "oauth",
        Some(c) if c.token.is_some() => "bearer",
        Some(c) if c.api_key.is_some() => "api_key",
        _ => "none",
    };
    let cached = cache.tokens.get(name);
    let token = cached.filter(|t| t.is_usable());
    let mut row = json!({
        "profile": name,
        "method": method,
        "logged_in": token.is_some(),
        "expires_in": token.map(CachedToken::seconds_left),
    });
    if verbose {
        let profile = store.index.profiles.get(name);
        row["active"] = json!(store.index.active.as_deref() == Some(name));
        row["base_url"] = json!(profile.map(|p| p.base_url.as_str()));
        row["tenant"] = json!(profile.and_then(|p| p.tenant.as_deref()));
        row["token_cached"] = json!(cached.is_some());
        row["expires_at"] = json!(cached.map(|t| t.expires_at));
    }
    row
}

/// The client-credentials exchange, through the SDK's transport (its TLS, proxy, retry and
/// header settings) at the SDK's token URL (`BaseUrl::token_url`, Keycloak's
/// `…/auth/realms/{tenant}/protocol/openid-connect/token`). Neither the answer nor an error
/// body is ever printed: both may hold the token.
async fn fetch_token(
    settings: &Settings,
    profile: &str,
    id: &str,
    secret: &str,
) -> CliResult<CachedToken> {
    // A client without credentials ("open", the SDK's public-API auth); the form carries
    // them and the request is sent `without_auth` anyway.
    let bare = Settings {
        token: None,
        api_key: Some("open".to_owned()),
        oauth: None,
        ..settings.clone()
    };
    let client = bare.client()?;
    let spec = RequestSpec::post(&client.base_url().token_url())?
        .without_auth()
        .idempotent(true)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ]);
    let response = client.transport().send(spec).await.map_err(|e| {
        let status = e
            .status()
            .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
        CliError::failed(format!(
            "the token endpoint refused the client credentials of profile {profile:?} ({status})"
        ))
    })?;
    let body: Value = serde_json::from_slice(response.body()).map_err(|_| {
        CliError::failed("the token endpoint's answer is not JSON (not shown: it may hold secrets)")
    })?;
    let access_token = body["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CliError::failed("the token endpoint's answer has no access_token"))?;
    let lifetime = body["expires_in"]
        .as_u64()
        .unwrap_or(DEFAULT_LIFETIME_SECS)
        .min(MAX_LIFETIME_SECS);
    Ok(CachedToken {
        access_token: access_token.to_owned(),
        expires_at: now() + lifetime,
    })
}

/// `cspark init`: asks for a profile on the terminal and saves it (the first becomes active).
pub fn init(printer: crate::output::Printer) -> CliResult {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "cspark init is interactive and standard input is not a terminal; \
             use `cspark config add NAME --url URL --key KEY` (or --bearer, or --client-id and --client-secret)",
        ));
    }
    let mut store = Store::load()?;
    let name = ask("Profile name", Some("default"))?;
    let url = ask(
        "Base URL (e.g. https://excel.uat.us.coherent.global/my-tenant)",
        None,
    )?;
    let tenant = ask("Tenant (empty when the URL has one)", Some(""))?;
    let method = ask("Authentication: key, bearer or oauth", Some("key"))?;
    let mut creds = Credentials::default();
    match method.as_str() {
        "key" => creds.api_key = Some(ask_secret("API key")?),
        "bearer" => creds.token = Some(ask_secret("Bearer token")?),
        "oauth" => {
            creds.client_id = Some(ask("Client id", None)?);
            creds.client_secret = Some(ask_secret("Client secret")?);
        }
        other => {
            return Err(CliError::usage(format!(
                "authentication {other:?}: expected key, bearer or oauth"
            )));
        }
    }
    store.index.profiles.insert(
        name.clone(),
        Profile {
            base_url: url,
            tenant: Some(tenant).filter(|t| !t.is_empty()),
        },
    );
    store.secrets.insert(name.clone(), creds);
    if store.index.active.is_none() {
        store.index.active = Some(name.clone());
    }
    store.save()?;
    printer.line(&format!(
        "profile {name:?} saved (secrets in {}, mode 0600)",
        store.credentials_path().display()
    ));
    Ok(())
}

/// One answer on the terminal; `default` when empty (required when there is none).
fn ask(question: &str, default: Option<&str>) -> CliResult<String> {
    let mut err = std::io::stderr();
    match default {
        Some(d) if !d.is_empty() => {
            let _ = write!(err, "{question} [{d}]: ");
        }
        _ => {
            let _ = write!(err, "{question}: ");
        }
    }
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    let answer = line.trim();
    match (answer.is_empty(), default) {
        (false, _) => Ok(answer.to_owned()),
        (true, Some(d)) => Ok(d.to_owned()),
        (true, None) => Err(CliError::usage(format!("{question}: an answer is needed"))),
    }
}

/// A secret, read without echo.
fn ask_secret(question: &str) -> CliResult<String> {
    let term = console::Term::stderr();
    let _ = term.write_str(&format!("{question} (not shown): "));
    let secret = term
        .read_secure_line()
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    let secret = secret.trim().to_owned();
    if secret.is_empty() {
        return Err(CliError::usage(format!("{question}: an answer is needed")));
    }
    Ok(secret)
}
