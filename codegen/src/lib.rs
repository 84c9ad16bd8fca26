//! cspark-codegen: typed Rust bindings for Coherent Spark services, and the SDK's platform
//! client.
//!
//! Two generators share this crate:
//!
//! * **services** ([`Builder`], [`service`]): a directory of committed Spark documents
//!   (`<folder>/<service>.swagger.json` + `.schema.json`, optional `cspark.lock`) becomes one
//!   Rust file with a module per service: `Inputs`, `Outputs`, table rows, enums for
//!   validation lists, and a marker type implementing `cspark::TypedService`. From what the
//!   workbook already says, `Inputs::workbook_defaults()` (the values Spark uses for inputs
//!   left out; inputs without a known value stay required through a `RequiredInputs`
//!   argument) and `Inputs::validate()` (the Excel data-validation rules, run by the typed
//!   calls before sending): see [`service`] and [`service::model::rules`]. `diff` classifies every change as breaking or additive
//!   ([`drift::Change`]) and prints text, JSON or Markdown ([`drift_report`]).
//! * **platform** ([`PlatformBuilder`], [`platform`]): `openapi/spark.yaml` becomes the
//!   progenitor client committed as `sdk/src/generated/platform.rs`.
//!
//! Both write deterministic, prettyplease-formatted code with an `@generated` header holding
//! the input hashes, and both have a check mode ([`Builder::check`]) that compares with the
//! committed file instead of writing it. The binary `cspark-codegen` is a thin layer over
//! this API: its command line, and the function that runs it, are the `cli` module (feature
//! `cli`), which `cspark codegen` embeds. Features (all default): `live` (fetching from a
//! tenant with the `cspark` SDK) and `cli` (clap; implies `live`). From a `build.rs`:
//!
//! ```no_run
//! cspark_codegen::Builder::new()
//!     .services_dir("spark")
//!     .emit_rerun_if_changed(true)
//!     .generate()?; // writes $OUT_DIR/cspark_services.rs
//! # Ok::<(), cspark_codegen::Error>(())
//! ```
//!
//! and then `include!(concat!(env!("OUT_DIR"), "/cspark_services.rs"));`. The generated code
//! needs `serde` (with `derive`), `chrono` (when a service has dates) and the `cspark` crate.
#![deny(missing_docs)]

pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod drift;
pub mod drift_report;
mod error;
pub mod fetch;
#[cfg(feature = "live")]
pub mod live;
pub mod lock;
pub mod names;
#[cfg(feature = "live")]
pub mod pinned;
pub mod platform;
pub mod service;

use std::path::{Path, PathBuf};

pub use check::Outcome;
pub use drift::{Drift, compare};
pub use error::{Error, Result};
pub use lock::{LockEntry, Lockfile};
pub use service::ServiceDocs;

/// File name used under `$OUT_DIR` when no output file is set.
pub const DEFAULT_OUT_FILE: &str = "cspark_services.rs";

/// Generates per-service bindings; settings are `&mut self` setters (prost-build style).
#[derive(Debug, Clone, Default)]
pub struct Builder {
    services_dir: Option<PathBuf>,
    out_file: Option<PathBuf>,
    options: service::RenderOptions,
    rerun_if_changed: bool,
}

impl Builder {
    /// A builder with default settings (SDK path `::cspark`, untyped fields rejected).
    pub fn new() -> Self {
        Self::default()
    }

    /// The directory holding `<folder>/<service>.{swagger,schema}.json` and `cspark.lock`.
    pub fn services_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.services_dir = Some(dir.into());
        self
    }

    /// Where to write the bindings; defaults to `$OUT_DIR/cspark_services.rs`.
    pub fn out_file(&mut self, file: impl Into<PathBuf>) -> &mut Self {
        self.out_file = Some(file.into());
        self
    }

    /// Path of the SDK crate in the generated code (default `::cspark`; `crate` inside the SDK).
    pub fn sdk_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.options.sdk_path = path.into();
        self
    }

    /// Type fields whose type cannot be determined as `serde_json::Value` instead of failing
    /// (the generated code then also needs `serde_json`).
    pub fn allow_untyped(&mut self, allow: bool) -> &mut Self {
        self.options.allow_untyped = allow;
        self
    }

    /// Print `cargo:rerun-if-changed` for the services directory (for `build.rs`).
    pub fn emit_rerun_if_changed(&mut self, emit: bool) -> &mut Self {
        self.rerun_if_changed = emit;
        self
    }

    fn dir(&self) -> Result<&Path> {
        self.services_dir
            .as_deref()
            .ok_or(Error::Setting("services_dir"))
    }

    /// The output path: the configured one, else `$OUT_DIR/cspark_services.rs`.
    pub fn out_path(&self) -> Result<PathBuf> {
        match (&self.out_file, std::env::var_os("OUT_DIR")) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(out)) => Ok(PathBuf::from(out).join(DEFAULT_OUT_FILE)),
            (None, None) => Err(Error::Setting("out_file (and OUT_DIR is not set)")),
        }
    }

    /// Generates the bindings in memory.
    pub fn render(&self) -> Result<String> {
        let dir = self.dir()?;
        let docs = service::load_dir(dir)?;
        let lock = Lockfile::read_dir(dir)?;
        service::render(&docs, lock.as_ref(), &self.options)
    }

    /// Generates and writes the bindings (only if they changed); returns the path written.
    pub fn generate(&self) -> Result<PathBuf> {
        let text = self.render()?;
        let out = self.out_path()?;
        check::write_if_changed(&out, &text)?;
        if self.rerun_if_changed {
            println!("cargo:rerun-if-changed={}", self.dir()?.display());
        }
        Ok(out)
    }

    /// Generates in memory and compares with the output file; writes nothing.
    pub fn check(&self) -> Result<Outcome> {
        let text = self.render()?;
        check::compare(&self.out_path()?, &text)
    }
}

/// Generates the platform client from an OpenAPI 3.0.x or 3.1.x document.
#[derive(Debug, Clone, Default)]
pub struct PlatformBuilder {
    spec: Option<PathBuf>,
    out_file: Option<PathBuf>,
    options: platform::PlatformOptions,
}

impl PlatformBuilder {
    /// A builder with default settings (inner type `crate::hooks::Hooks`, hooks expected).
    pub fn new() -> Self {
        Self::default()
    }

    /// The OpenAPI document (YAML or JSON); its path as given is also the header label.
    pub fn spec(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        let path = path.into();
        self.options.spec_label = path.display().to_string().replace('\\', "/");
        self.spec = Some(path);
        self
    }

    /// Where to write the client.
    pub fn out_file(&mut self, file: impl Into<PathBuf>) -> &mut Self {
        self.out_file = Some(file.into());
        self
    }

    /// Type of the generated `Client`'s `inner` field (the SDK state the hooks read).
    pub fn inner_type(&mut self, ty: impl Into<String>) -> &mut Self {
        self.options.inner_type = ty.into();
        self
    }

    /// A client for any crate (see [`platform::PlatformOptions::standalone`]): it uses
    /// `cspark`'s public hook state and path encoder and carries its own `ClientHooks` impl.
    /// Overrides [`inner_type`](Self::inner_type) and [`hooks_expected`](Self::hooks_expected).
    pub fn standalone(&mut self) -> &mut Self {
        let label = std::mem::take(&mut self.options.spec_label);
        self.options = platform::PlatformOptions {
            spec_label: label,
            ..platform::PlatformOptions::standalone()
        };
        self
    }

    /// `true` (default): the SDK must implement `ClientHooks` for `Client`; `false`: an empty
    /// default impl is generated.
    pub fn hooks_expected(&mut self, expected: bool) -> &mut Self {
        self.options.hooks_expected = expected;
        self
    }

    fn out(&self) -> Result<&Path> {
        self.out_file.as_deref().ok_or(Error::Setting("out_file"))
    }

    /// Generates the client in memory.
    pub fn render(&self) -> Result<String> {
        let spec = self.spec.as_deref().ok_or(Error::Setting("spec"))?;
        let text = std::fs::read_to_string(spec).map_err(|e| Error::Io {
            path: spec.into(),
            source: e,
        })?;
        platform::render(&text, &self.options)
    }

    /// Generates and writes the client (only if it changed); returns the path written.
    pub fn generate(&self) -> Result<PathBuf> {
        let text = self.render()?;
        let out = self.out()?;
        check::write_if_changed(out, &text)?;
        Ok(out.to_path_buf())
    }

    /// Generates in memory and compares with the output file; writes nothing.
    pub fn check(&self) -> Result<Outcome> {
        let text = self.render()?;
        check::compare(self.out()?, &text)
    }
}

/// Rewrites `dir/cspark.lock` from the documents on disk, keeping known versions and
/// version ids (taking them from the schema's `bookSummary` when the lock has none), and
/// recording the field identifiers (keeping those already recorded). Untyped fields are
/// allowed here, so a service the generator would refuse still gets its entry.
pub fn relock(dir: &Path) -> Result<Lockfile> {
    let docs = service::load_dir(dir)?;
    let old = Lockfile::read_dir(dir)?.unwrap_or_default();
    let mut lock = Lockfile::default();
    let opts = service::RenderOptions {
        allow_untyped: true,
        ..Default::default()
    };
    for d in &docs {
        let prev = old.get(&d.folder, &d.service);
        let recorded = prev.map(|p| p.names.clone()).unwrap_or_default();
        let names = service::field_names(d, &recorded, &opts).unwrap_or(recorded);
        let (sv, svid) = d
            .schema
            .as_ref()
            .map(service::schema::schema_version)
            .unwrap_or_default();
        lock.upsert(LockEntry {
            folder: d.folder.clone(),
            service: d.service.clone(),
            version: prev.and_then(|p| p.version.clone()).or(sv),
            version_id: prev.and_then(|p| p.version_id.clone()).or(svid),
            swagger_sha256: d.swagger_sha256.clone(),
            schema_sha256: d.schema_sha256.clone(),
            names,
        });
    }
    check::write_if_changed(&dir.join(lock::LOCK_FILE), &lock.to_json())?;
    Ok(lock)
}
