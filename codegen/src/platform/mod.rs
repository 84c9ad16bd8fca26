//! The platform client: `openapi/spark.yaml` → pre-pass → progenitor → prettyplease.
//!
//! Settings: positional interface (required parameters are checked at compile time), merged
//! tags, an inner type on `Client` (the SDK's shared state) and [`progenitor::HooksMode`]
//! `Expected` by default, so the SDK must `impl progenitor_client::ClientHooks<Inner> for
//! Client` (auth in `pre`, retries in `exec`) and forgetting it is a compile error.

mod locate;
pub mod normalise;
pub mod open_enums;
pub mod prepass;

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::lock::sha256_hex;

/// Settings for [`render`].
#[derive(Debug, Clone)]
pub struct PlatformOptions {
    /// Type of the `inner` field of the generated `Client` (the SDK's shared state). When it
    /// is a `…::Hooks` (the SDK's, [`STANDALONE_INNER`] or `crate::hooks::Hooks`), the
    /// generator also emits `send_rules(operation_id)`, returning the per-operation
    /// `SendRules` that type's module defines.
    pub inner_type: String,
    /// Require a `ClientHooks` impl (`true`, default) or emit an empty default impl.
    pub hooks_expected: bool,
    /// Label of the spec in the header (e.g. `openapi/spark.yaml`).
    pub spec_label: String,
    /// Function that percent-encodes path parameters in place of progenitor's
    /// `encode_path`, whose set leaves `[ ] ^ | \` unescaped (a `\` then turns into a path
    /// separator when reqwest parses the URL). `None` keeps `encode_path`.
    pub path_encoder: Option<String>,
}

impl Default for PlatformOptions {
    fn default() -> Self {
        PlatformOptions {
            inner_type: "crate::hooks::Hooks".to_string(),
            hooks_expected: true,
            spec_label: "openapi/spark.yaml".to_string(),
            path_encoder: Some("crate::uri::encode::segment".to_string()),
        }
    }
}

impl PlatformOptions {
    /// Settings for a client that compiles in any crate against `cspark`'s public API: the
    /// inner type is [`STANDALONE_INNER`], path parameters are encoded with
    /// `::cspark::transport::path_segment`, and [`render`] appends the `ClientHooks` impl that
    /// hands every request to the SDK's transport (see [`standalone_hooks`]).
    pub fn standalone() -> Self {
        PlatformOptions {
            inner_type: STANDALONE_INNER.to_string(),
            hooks_expected: true,
            spec_label: "openapi.yaml".to_string(),
            path_encoder: Some("::cspark::transport::path_segment".to_string()),
        }
    }
}

/// Inner type of a standalone client: the SDK's public hooks.
pub const STANDALONE_INNER: &str = "::cspark::hooks::Hooks";

/// Extension declaring whether an operation may be replayed after it may have reached the
/// server (a search or status read sent as POST: `x-cspark-idempotent: true`).
pub const IDEMPOTENT: &str = "x-cspark-idempotent";

/// The `send_rules` function appended to a client whose inner type is `{hooks}::Hooks`:
/// for each operation whose rules differ from the defaults (credentials sent; replayed by
/// method), the rules its description declares. `security: []` sends no credentials;
/// [`IDEMPOTENT`] overrides the method's replay rule. The table is keyed by the operation
/// ids progenitor gives the hooks (its method names); each must occur in `body`.
fn send_rules(spec: &openapiv3::OpenAPI, label: &str, hooks: &str, body: &str) -> Result<String> {
    let mut rules = std::collections::BTreeMap::new();
    for (path, item) in spec.paths.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let anonymous = op.security.as_ref().is_some_and(Vec::is_empty);
            let idempotent = match op.extensions.get(IDEMPOTENT) {
                None => None,
                Some(serde_json::Value::Bool(yes)) => Some(*yes),
                Some(other) => {
                    return Err(Error::Spec {
                        path: label.into(),
                        reason: format!(
                            "at /paths/{}/{method}: {IDEMPOTENT} must be true or false, not {other}",
                            normalise::escape(path)
                        ),
                    });
                }
            };
            if !anonymous && idempotent.is_none() {
                continue;
            }
            let Some(id) = &op.operation_id else {
                continue;
            };
            let name = progenitor_method_name(id);
            if !body.contains(&format!("operation_id: \"{name}\"")) {
                return Err(Error::Generate(format!(
                    "operation {id}: progenitor named it otherwise than {name:?}"
                )));
            }
            rules.insert(name, (anonymous, idempotent));
        }
    }
    let mut out = format!(
        "\n/// How the SDK's transport sends each operation, as the description declares it:\n\
         /// `security: []` sends no credentials; `{IDEMPOTENT}` says whether the request may\n\
         /// be replayed after it may have reached the server. Any other operation: credentials\n\
         /// sent, replayed by method (GET, HEAD, PUT, DELETE, OPTIONS).\n\
         pub fn send_rules(operation_id: &str) -> {hooks}::SendRules {{\n    match operation_id {{\n"
    );
    for (name, (anonymous, idempotent)) in &rules {
        out.push_str(&format!(
            "        \"{name}\" => {hooks}::SendRules {{ anonymous: {anonymous}, idempotent: {idempotent:?} }},\n"
        ));
    }
    out.push_str(&format!(
        "        _ => {hooks}::SendRules {{ anonymous: false, idempotent: None }},\n    }}\n}}\n"
    ));
    Ok(out)
}

/// The method name progenitor 0.15 gives an operation (and passes to the hooks as
/// `OperationInfo::operation_id`): quotes dropped, other non-identifier characters made
/// word breaks, snake case.
fn progenitor_method_name(operation_id: &str) -> String {
    use heck::ToSnakeCase;
    operation_id
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_snake_case()
}

/// The `ClientHooks` impl appended to a standalone client, and a constructor from a
/// `cspark::Client`. The crate needs the dependencies `cspark`, `progenitor-client`,
/// `reqwest` (feature `json`), `serde` (feature `derive`) and `serde_json`, plus `chrono`
/// and `uuid` (feature `serde`) when the description uses `date`/`date-time`/`uuid` formats.
pub fn standalone_hooks() -> &'static str {
    r#"
/// Every request goes through the `cspark` client's one request path: its credentials
/// (with the OAuth refresh), standard headers, retries and timeout, under the operation's
/// [`send_rules`].
impl ClientHooks<::cspark::hooks::Hooks> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().exec(request, send_rules(info.operation_id)).await
    }
}

impl Client {
    /// A client that sends through `client` (base URL, credentials, retries of the SDK).
    /// Paths in the description start at the host, so the origin of the base URL is used.
    /// Errors convert into `cspark::SparkError` with `?` (status, request id, attempts,
    /// method, path).
    pub fn from_cspark(client: &::cspark::Client) -> Self {
        Self::new_with_client(
            client.base_url().origin(),
            reqwest::Client::new(),
            ::cspark::hooks::Hooks::from(client),
        )
    }
}
"#
}

/// Parses YAML or JSON OpenAPI text into a JSON value.
pub fn parse_spec(text: &str, label: &str) -> Result<Value> {
    serde_yaml::from_str::<Value>(text).map_err(|e| Error::Spec {
        path: label.into(),
        reason: format!("not valid YAML/JSON: {e}"),
    })
}

/// What the passes before progenitor did to the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// What [`normalise::apply`] changed.
    pub notes: normalise::Notes,
    /// What [`prepass::apply`] removed or repaired.
    pub report: prepass::Report,
}

/// Parses an OpenAPI 3.0.x or 3.1.x document, normalises it to 3.0 and applies the pre-pass,
/// returning the typed document and what was changed. Errors name the JSON pointer of the
/// offending node.
pub fn load(text: &str, label: &str) -> Result<(openapiv3::OpenAPI, Loaded)> {
    let spec_error = |reason: String| Error::Spec {
        path: label.into(),
        reason,
    };
    let mut doc = parse_spec(text, label)?;
    let notes = normalise::apply(&mut doc).map_err(|e| spec_error(e.to_string()))?;
    let report = prepass::apply(&mut doc).map_err(spec_error)?;
    let spec: openapiv3::OpenAPI = match serde_json::from_value(doc.clone()) {
        Ok(spec) => spec,
        Err(e) => {
            let (pointer, message) =
                locate::refused_node(&doc).unwrap_or_else(|| (String::new(), e.to_string()));
            return Err(spec_error(format!(
                "at {}: not an OpenAPI 3.0 node: {message}",
                normalise::display_pointer(&pointer)
            )));
        }
    };
    Ok((spec, Loaded { notes, report }))
}

/// Runs `f`, turning a panic into the panic message, printed nowhere: progenitor and typify
/// assert on inputs they do not support, and their panic text and backtrace must not reach
/// the user. (The panic hook is process-wide; it is swapped only for the call.)
fn quietly<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

/// The first operation that progenitor cannot generate on its own, as
/// `(JSON pointer, message)`; found by generating each operation alone after a failure.
fn culprit(
    spec: &openapiv3::OpenAPI,
    settings: &progenitor::GenerationSettings,
) -> Option<(String, String)> {
    for (path, item) in spec.paths.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, _) in item.iter() {
            let mut alone = spec.clone();
            let mut only = item.clone();
            for (m, slot) in [
                ("get", &mut only.get),
                ("put", &mut only.put),
                ("post", &mut only.post),
                ("delete", &mut only.delete),
                ("options", &mut only.options),
                ("head", &mut only.head),
                ("patch", &mut only.patch),
                ("trace", &mut only.trace),
            ] {
                if m != method {
                    *slot = None;
                }
            }
            alone.paths.paths = [(path.clone(), openapiv3::ReferenceOr::Item(only))]
                .into_iter()
                .collect();
            let failure =
                match quietly(|| progenitor::Generator::new(settings).generate_tokens(&alone)) {
                    Err(panic) => Some(panic),
                    Ok(Err(e)) => Some(e.to_string()),
                    Ok(Ok(_)) => None,
                };
            if let Some(message) = failure {
                // progenitor appends `Debug` dumps of the node to some messages: keep the
                // first line, without the dump's opening (`Cookie {`).
                let line = message.lines().next().unwrap_or_default();
                let message = match line.strip_suffix(" {") {
                    Some(head) => head
                        .rsplit_once(' ')
                        .map_or(head, |(before, _)| before)
                        .to_string(),
                    None => line.to_string(),
                };
                let pointer = format!("/paths/{}/{method}", normalise::escape(path));
                return Some((pointer, message));
            }
        }
    }
    None
}

/// Generates the platform client source from spec text.
pub fn render(text: &str, opts: &PlatformOptions) -> Result<String> {
    let (spec, Loaded { notes, report }) = load(text, &opts.spec_label)?;
    let open = open_enums::collect(&parse_spec(text, &opts.spec_label)?)?;
    let inner: proc_macro2::TokenStream = opts
        .inner_type
        .parse()
        .map_err(|e| Error::Generate(format!("invalid inner type {:?}: {e}", opts.inner_type)))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(inner)
        .with_hooks(if opts.hooks_expected {
            progenitor::HooksMode::Expected
        } else {
            progenitor::HooksMode::Optional
        })
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap");
    for e in &open {
        // typify refers to the open enum by name; `open_enums::place` defines it in `types`.
        let impls = [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr];
        settings.with_replacement(&e.name, &e.name, impls.into_iter());
    }
    // progenitor and typify assert on inputs they do not support; turn that into an error
    // that names the operation.
    let failed = |message: String| {
        let located = culprit(&spec, &settings)
            .map(|(pointer, why)| format!("at {pointer}: {why}"))
            .unwrap_or(message);
        Error::Spec {
            path: opts.spec_label.clone().into(),
            reason: format!("progenitor cannot generate this description: {located}"),
        }
    };
    let tokens = match quietly(|| progenitor::Generator::new(&settings).generate_tokens(&spec)) {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => return Err(failed(e.to_string())),
        Err(panic) => return Err(failed(panic)),
    };
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::Generate(format!("progenitor output does not parse: {e}")))?;
    open_enums::place(&mut file, open_enums::items(&open)?)?;
    let mut body = prettyplease::unparse(&file);
    if let Some(encoder) = &opts.path_encoder {
        // Generated paths read `encode_path(&value.to_string())`; the import stays (unused).
        body = body.replace("encode_path(", &format!("{encoder}("));
    }
    if let Some(hooks) = opts.inner_type.strip_suffix("::Hooks") {
        body.push_str(&send_rules(&spec, &opts.spec_label, hooks, &body)?);
    }
    if opts.inner_type == STANDALONE_INNER && opts.hooks_expected {
        body.push_str(standalone_hooks());
    }
    let mut header = vec![format!(
        "// @generated by cspark-codegen from {} (sha256: {}); do not edit.",
        opts.spec_label,
        sha256_hex(text.as_bytes())
    )];
    header.push(if opts.spec_label == PlatformOptions::default().spec_label {
        "// Regenerate with `cspark-codegen platform openapi/spark.yaml sdk/src/generated/platform.rs`."
            .to_string()
    } else {
        format!(
            "// Regenerate with `cspark-codegen platform {} <this file>{}`.",
            opts.spec_label,
            if opts.inner_type == STANDALONE_INNER { " --standalone" } else { "" }
        )
    });
    if notes.from_3_1 {
        header
            .push("// Read as OpenAPI 3.0 (converted from 3.1 by the normalisation pass).".into());
    }
    if !notes.derived_ids.is_empty() {
        header.push(
            "// operationIds derived from method and path (the description has none):".into(),
        );
        header.extend(notes.derived_ids.iter().map(|r| format!("//   {r}")));
    }
    if !report.removed.is_empty() {
        header.push("// Handwritten in the SDK (removed by the pre-pass):".to_string());
        header.extend(report.removed.iter().map(|r| format!("//   {r}")));
    }
    if !report.unsupported.is_empty() {
        header.push(
            "// NOT GENERATED: progenitor 0.15 cannot build these request bodies; send them with \
             reqwest directly:"
                .into(),
        );
        header.extend(report.unsupported.iter().map(|r| format!("//   {r}")));
    }
    Ok(format!("{}\n\n{body}", header.join("\n")))
}
