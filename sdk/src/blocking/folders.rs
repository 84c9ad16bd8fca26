//! `client.folders()` of the [blocking client](super::Client): folders and categories.

use std::future::Future;

use bytes::Bytes;
use serde_json::Value;

use super::Engine;
use crate::error::Result;
use crate::resources::folders::types::{FindFolders, FolderFields};
use crate::types::{FolderCategory, FolderInfo, FolderListResponse, FolderResponse, V1Response};

/// Blocking twin of [`crate::resources::folders::Folders`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::folders::FolderFields;
/// let folders = client.folders();
/// let created = folders.create("pricing", &FolderFields::default().description("rates"))?;
/// let id = created.data.and_then(|f| f.id).unwrap_or_default();
/// folders.delete(&id)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Folders<'c> {
    engine: &'c Engine,
    inner: crate::resources::folders::Folders<'c>,
}

impl<'c> Folders<'c> {
    pub(crate) fn new(engine: &'c Engine, inner: crate::resources::folders::Folders<'c>) -> Self {
        Self { engine, inner }
    }

    fn async_handle(&self) -> &crate::resources::folders::Folders<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    /// Blocking twin of [`crate::resources::folders::Folders::find_all`]: every folder,
    /// page after page, as an iterator.
    pub fn find_all(&self, options: &FindFolders) -> super::Paged<'c, FolderInfo> {
        super::Paged::new(self.engine, self.inner.find_all(options))
    }

    blocking_twins! { "crate::resources::folders::Folders" =>
        fn find(options: &FindFolders) -> FolderListResponse;
        fn find_raw(options: &FindFolders) -> Value;
        fn create(name: &str, fields: &FolderFields) -> FolderResponse;
        fn create_raw(name: &str, fields: &FolderFields) -> Value;
        fn update(id: &str, fields: &FolderFields) -> V1Response;
        fn delete(id: &str) -> V1Response;
        fn exists(name: &str) -> bool;
        fn upload_cover(id: &str, image: impl Into<Bytes>, file_name: Option<&str>) -> V1Response;
        fn categories() -> Vec<FolderCategory>;
        fn categories_raw() -> Value;
        fn save_category(name: &str, key: Option<&str>, icon: Option<&str>) -> Vec<FolderCategory>;
        fn delete_category(key: &str) -> Vec<FolderCategory>;
    }
}
