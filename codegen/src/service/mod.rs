//! Per-service typed bindings: a directory of Spark documents → one Rust file.
//!
//! Layout of the input directory (the sqlx `.sqlx/` analog, committed next to the code):
//!
//! ```text
//! spark/
//! ├── cspark.lock                        optional: versions + sha256 of every document
//! └── <folder>/
//!     ├── <service>.swagger.json         from `downloadswagger` (Swagger 2.0)
//!     └── <service>.schema.json          from `/api/v1/product/<folder>/engines/get/<service>`
//! ```
//!
//! A service needs at least one of the two documents; with both, types are merged as
//! described in [`model`]. Output: one `pub mod <folder>_<service>` per service, ordered by
//! folder then service, each with `Inputs`, `Outputs`, row structs, choice enums and a marker
//! type implementing `cspark::TypedService`.
//!
//! The same documents also give JSON Schemas of each service's inputs and outputs at run
//! time ([`json_schema::service_schemas`]), and [`json_check`] checks a value against them:
//! what `cspark mcp serve` describes its tools with and checks their calls against. Both the
//! schemas and the bindings read Excel's validation rules and the workbook's values from one
//! place, the model ([`model::rules`]), so a tool's schema and `Inputs::validate()` agree.
//!
//! # What the workbook already says about the inputs
//!
//! * `Inputs::workbook_defaults()`: Spark keeps the workbook's value for an input left out of
//!   a call; this builds the same record in Rust (`Inputs { radius: 2.0,
//!   ..Inputs::workbook_defaults() }`). Values come from the schema's cell `value`, else the
//!   swagger's body `example`, checked against the field's type at generation time, so the
//!   generated code cannot fail. An input whose value is unknown (or does not fit its type)
//!   is never invented: such inputs are the fields of a generated `RequiredInputs` that
//!   `workbook_defaults(required)` takes, so the compiler asks for exactly them, by name; a
//!   nullable input without a value is `None` (left out, so Spark uses its own value). When
//!   no input has a value, neither is generated (it would only repeat `Inputs`).
//! * `Inputs::validate()`: the Excel data-validation rules of [`model::rules`] (whole-number,
//!   decimal, text-length and date bounds, non-text lists), checked through
//!   `cspark::bindings::InputChecks`. The marker's `TypedService::validate` forwards to it,
//!   and the typed calls refuse broken inputs before sending
//!   (`cspark::SparkError::InputRules`) unless `ExecuteOptions::skip_input_rules` is set.

mod doc;
pub mod emit;
mod flat;
mod inputs_impl;
pub mod json_check;
pub mod json_schema;
pub mod model;
pub mod schema;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::lock::{Lockfile, sha256_hex};
use crate::names::{Namer, snake_ident};

/// Suffix of swagger documents in a services directory.
pub const SWAGGER_SUFFIX: &str = ".swagger.json";
/// Suffix of schema documents in a services directory.
pub const SCHEMA_SUFFIX: &str = ".schema.json";

/// The documents of one service, as read from disk or fetched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceDocs {
    /// Spark folder.
    pub folder: String,
    /// Spark service.
    pub service: String,
    /// The swagger document, when present.
    pub swagger: Option<Value>,
    /// The schema document, when present.
    pub schema: Option<Value>,
    /// sha256 of the swagger file's bytes.
    pub swagger_sha256: Option<String>,
    /// sha256 of the schema file's bytes.
    pub schema_sha256: Option<String>,
}

impl ServiceDocs {
    /// `folder/service`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.folder, self.service)
    }

    /// Builds from raw document bytes (as fetched over HTTP or read from disk).
    pub fn from_bytes(
        folder: &str,
        service: &str,
        swagger: Option<&[u8]>,
        schema: Option<&[u8]>,
    ) -> Result<Self> {
        let parse = |bytes: &[u8], suffix: &str| {
            serde_json::from_slice::<Value>(bytes).map_err(|source| Error::Json {
                path: Path::new(folder).join(format!("{service}{suffix}")),
                source,
            })
        };
        Ok(ServiceDocs {
            folder: folder.to_string(),
            service: service.to_string(),
            swagger: swagger.map(|b| parse(b, SWAGGER_SUFFIX)).transpose()?,
            schema: schema.map(|b| parse(b, SCHEMA_SUFFIX)).transpose()?,
            swagger_sha256: swagger.map(sha256_hex),
            schema_sha256: schema.map(sha256_hex),
        })
    }

    /// Resolves both sides of the service (see [`model`] for the rules).
    pub fn resolve(&self, allow_untyped: bool) -> Result<model::ResolvedService> {
        model::resolve_service(
            &self.label(),
            self.swagger.as_ref(),
            self.schema.as_ref(),
            allow_untyped,
        )
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

fn sorted_entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// Reads every service of a services directory, sorted by folder then service.
pub fn load_dir(dir: &Path) -> Result<Vec<ServiceDocs>> {
    let mut out = Vec::new();
    for folder_entry in sorted_entries(dir)? {
        let folder_path = folder_entry.path();
        if !folder_path.is_dir() {
            continue;
        }
        let Some(folder) = folder_entry.file_name().to_str().map(str::to_string) else {
            return Err(Error::Layout {
                path: folder_path,
                reason: "folder name is not UTF-8".into(),
            });
        };
        let mut services: Vec<String> = Vec::new();
        for file in sorted_entries(&folder_path)? {
            let name = file.file_name();
            let Some(name) = name.to_str() else { continue };
            let service = name
                .strip_suffix(SWAGGER_SUFFIX)
                .or_else(|| name.strip_suffix(SCHEMA_SUFFIX));
            if let Some(s) = service.filter(|s| !s.is_empty())
                && !services.iter().any(|x| x == s)
            {
                services.push(s.to_string());
            }
        }
        services.sort();
        for service in services {
            let load = |suffix: &str| -> Result<Option<Vec<u8>>> {
                let p = folder_path.join(format!("{service}{suffix}"));
                if p.is_file() {
                    read(&p).map(Some)
                } else {
                    Ok(None)
                }
            };
            let swagger = load(SWAGGER_SUFFIX)?;
            let schema = load(SCHEMA_SUFFIX)?;
            out.push(ServiceDocs::from_bytes(
                &folder,
                &service,
                swagger.as_deref(),
                schema.as_deref(),
            )?);
        }
    }
    if out.is_empty() {
        return Err(Error::Layout {
            path: dir.to_path_buf(),
            reason: format!(
                "no `<folder>/<service>{SWAGGER_SUFFIX}` or `{SCHEMA_SUFFIX}` files found"
            ),
        });
    }
    Ok(out)
}

/// Settings for [`render`].
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Path of the SDK crate (`::cspark`, or `crate` inside the SDK itself).
    pub sdk_path: String,
    /// Type unknown fields as `serde_json::Value` instead of failing.
    pub allow_untyped: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            sdk_path: "::cspark".to_string(),
            allow_untyped: false,
        }
    }
}

/// Checks the lock's hashes against the documents and returns `(version, version id)`.
fn identity(docs: &ServiceDocs, lock: Option<&Lockfile>) -> Result<(String, Option<String>)> {
    let (schema_version, schema_vid) = docs
        .schema
        .as_ref()
        .map(schema::schema_version)
        .unwrap_or_default();
    let Some(entry) = lock.and_then(|l| l.get(&docs.folder, &docs.service)) else {
        return Ok((schema_version.unwrap_or_default(), schema_vid));
    };
    for (kind, locked, actual) in [
        ("swagger", &entry.swagger_sha256, &docs.swagger_sha256),
        ("schema", &entry.schema_sha256, &docs.schema_sha256),
    ] {
        if let (Some(l), Some(a)) = (locked, actual)
            && !l.eq_ignore_ascii_case(a)
        {
            return Err(Error::Lock {
                path: crate::lock::LOCK_FILE.into(),
                reason: format!(
                    "{} {kind} document has sha256 {a}, the lock says {l}; re-fetch or run `cspark-codegen lock`",
                    docs.label()
                ),
            });
        }
    }
    Ok((
        entry.version.clone().or(schema_version).unwrap_or_default(),
        entry.version_id.clone().or(schema_vid),
    ))
}

/// The field identifiers generation gives `docs`, keeping those in `recorded` (from
/// `cspark.lock`) where they still apply; what `lock` and `fetch` record.
pub fn field_names(
    docs: &ServiceDocs,
    recorded: &emit::FieldNames,
    opts: &RenderOptions,
) -> Result<emit::FieldNames> {
    let sdk_path: syn::Path = syn::parse_str(&opts.sdk_path)
        .map_err(|e| Error::Generate(format!("invalid sdk path {:?}: {e}", opts.sdk_path)))?;
    let resolved = docs.resolve(opts.allow_untyped)?;
    let id = emit::Identity {
        folder: &docs.folder,
        service: &docs.service,
        version: "",
        version_id: None,
    };
    let emit_opts = emit::EmitOptions { sdk_path };
    let (_, names) = emit::service_module_with_names("m", &id, &resolved, &emit_opts, recorded);
    Ok(names)
}

/// Generates the bindings file for `services` (any order; output is sorted).
pub fn render(
    services: &[ServiceDocs],
    lock: Option<&Lockfile>,
    opts: &RenderOptions,
) -> Result<String> {
    let sdk_path: syn::Path = syn::parse_str(&opts.sdk_path)
        .map_err(|e| Error::Generate(format!("invalid sdk path {:?}: {e}", opts.sdk_path)))?;
    let emit_opts = emit::EmitOptions { sdk_path };
    let mut sorted: Vec<&ServiceDocs> = services.iter().collect();
    sorted.sort_by(|a, b| (&a.folder, &a.service).cmp(&(&b.folder, &b.service)));

    let mut modules = Namer::snake();
    let mut items = proc_macro2::TokenStream::new();
    let mut header = vec![
        "// @generated by cspark-codegen services; do not edit.".to_string(),
        "// Regenerate with `cspark-codegen services <dir> --out <file>`; inputs (sha256):"
            .to_string(),
    ];
    for docs in sorted {
        let label = docs.label();
        let module = modules.unique(snake_ident(&format!("{} {}", docs.folder, docs.service)));
        let (version, version_id) = identity(docs, lock)?;
        let resolved = docs.resolve(opts.allow_untyped)?;
        let id = emit::Identity {
            folder: &docs.folder,
            service: &docs.service,
            version: &version,
            version_id: version_id.as_deref(),
        };
        let recorded = lock
            .and_then(|l| l.get(&docs.folder, &docs.service))
            .map(|e| e.names.clone())
            .unwrap_or_default();
        let (tokens, _) =
            emit::service_module_with_names(&module, &id, &resolved, &emit_opts, &recorded);
        items.extend(tokens);
        for (suffix, hash) in [
            (SWAGGER_SUFFIX, &docs.swagger_sha256),
            (SCHEMA_SUFFIX, &docs.schema_sha256),
        ] {
            if let Some(h) = hash {
                header.push(format!("//   {label}{suffix} {h}"));
            }
        }
    }
    let file: syn::File = syn::parse2(items)
        .map_err(|e| Error::Generate(format!("generated service code does not parse: {e}")))?;
    let body = prettyplease::unparse(&file);
    // Control characters and newlines in names must not break the comment lines.
    let header: Vec<String> = header
        .into_iter()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect()
        })
        .collect();
    Ok(format!("{}\n\n{body}", header.join("\n")))
}
