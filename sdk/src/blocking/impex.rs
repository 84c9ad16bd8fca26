//! `client.impex()` of the [blocking client](super::Client): export and import of services,
//! and [`migrate`] between two tenants.

use std::future::Future;

use bytes::Bytes;
use serde_json::Value;

use super::Engine;
use crate::PollOptions;
use crate::error::Result;
use crate::resources::files::DownloadedFile;
use crate::resources::impex::types::{ExportRequest, ImportMapping, ImportOptions, Migration};
use crate::types::{ImpexDescription, ImpexResult, JobCreated};

/// Blocking twin of [`crate::resources::impex::Impex`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
/// let impex = client.impex();
/// let zips = impex.export(&ExportRequest::default().services(["my-folder/my-service"]))?;
/// for zip in zips {
///     let mapping = [ImportMapping::to("my-folder/my-service", "copies/my-service")];
///     impex.import(&mapping, zip.bytes, &ImportOptions::default())?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Impex<'c> {
    engine: &'c Engine,
    inner: crate::resources::impex::Impex<'c>,
}

impl<'c> Impex<'c> {
    pub(crate) fn new(engine: &'c Engine, inner: crate::resources::impex::Impex<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::resources::impex::Impex<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    blocking_twins! { "crate::resources::impex::Impex" =>
        fn start_export(request: &ExportRequest) -> JobCreated;
        fn export_status(id: &str) -> ImpexResult;
        fn export_status_raw(id: &str) -> Value;
        fn import_status(id: &str) -> ImpexResult;
        fn import_status_raw(id: &str) -> Value;
        fn wait_url(status_url: &str, options: PollOptions) -> ImpexResult;
        fn wait_url_raw(status_url: &str, options: PollOptions) -> Value;
        fn wait_export(id: &str, options: PollOptions) -> ImpexResult;
        fn wait_export_raw(id: &str, options: PollOptions) -> Value;
        fn cancel_export(id: &str) -> ImpexResult;
        fn describe_exports() -> ImpexDescription;
        fn describe_exports_raw() -> Value;
        fn describe_imports() -> ImpexDescription;
        fn describe_imports_raw() -> Value;
        fn export(request: &ExportRequest) -> Vec<DownloadedFile>;
        fn start_import(
            destination: &[ImportMapping],
            zip: impl Into<Bytes>,
            options: &ImportOptions,
        ) -> JobCreated;
        fn wait_import(id: &str, options: PollOptions) -> ImpexResult;
        fn wait_import_raw(id: &str, options: PollOptions) -> Value;
        fn import(destination: &[ImportMapping], zip: impl Into<Bytes>, options: &ImportOptions) -> ImpexResult;
    }
}

/// Blocking twin of [`crate::resources::impex::migrate`]: exports from `from` and imports
/// every exported zip into `to` (run on `from`'s runtime).
///
/// ```no_run
/// # fn demo(dev: cspark::blocking::Client, prod: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
/// let done = cspark::blocking::migrate(&dev, &prod, &ExportRequest::default().services(["f/s"]),
///     &[ImportMapping::same("f/s")], &ImportOptions::default())?;
/// println!("{} imports", done.imports.len());
/// # Ok(()) }
/// ```
pub fn migrate(
    from: &super::Client,
    to: &super::Client,
    export: &ExportRequest,
    destination: &[ImportMapping],
    options: &ImportOptions,
) -> Result<Migration> {
    from.block_on(crate::resources::impex::migrate(
        from.inner(),
        to.inner(),
        export,
        destination,
        options,
    ))?
}
