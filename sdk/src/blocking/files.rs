//! `client.files()` of the [blocking client](super::Client): files behind URLs Spark returns.

use std::future::Future;

use super::Engine;
use crate::error::Result;
use crate::resources::files::DownloadedFile;

/// Blocking twin of [`crate::resources::files::Files`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client, url: &str) -> cspark::Result<()> {
/// let file = client.files().download(url)?;
/// println!("{} ({} bytes)", file.file_name, file.bytes.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Files<'c> {
    engine: &'c Engine,
    inner: crate::resources::files::Files<'c>,
}

impl<'c> Files<'c> {
    pub(crate) fn new(engine: &'c Engine, inner: crate::resources::files::Files<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::resources::files::Files<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    blocking_twins! { "crate::resources::files::Files" =>
        fn download(url: &str) -> DownloadedFile;
    }
}
