//! `client.transforms()` of the [blocking client](super::Client): transform documents.

use std::future::Future;

use serde_json::Value;

use super::Engine;
use crate::error::Result;
use crate::resources::transforms::{TransformDoc, TransformList, TransformsApi};
use crate::types::{TransformInfo, TransformListResponse, TransformResponse};

/// Blocking twin of [`crate::resources::transforms::Transforms`].
///
/// ```no_run
/// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
/// use cspark::transforms::TransformDoc;
/// let doc = TransformDoc::Jsonata {
///     target_api_version: "v3".into(),
///     input: Some("{\"inputs\": $}".into()),
///     output: Some("$".into()),
/// };
/// let transforms = client.transforms();
/// transforms.save("my-folder", "wrap", &doc)?;
/// println!("{:?}", transforms.list("my-folder", 1, 20)?.count);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Transforms<'c> {
    engine: &'c Engine,
    inner: crate::resources::transforms::Transforms<'c>,
}

impl<'c> Transforms<'c> {
    pub(crate) fn new(
        engine: &'c Engine,
        inner: crate::resources::transforms::Transforms<'c>,
    ) -> Self {
        Self { engine, inner }
    }

    /// See [`crate::resources::transforms::Transforms::api`]: uses another path family.
    ///
    /// ```no_run
    /// # fn demo(client: cspark::blocking::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformsApi;
    /// let legacy = client.transforms().api(TransformsApi::Legacy);
    /// println!("{:?}", legacy.get("my-folder", "wrap")?.outputs);
    /// # Ok(()) }
    /// ```
    pub fn api(mut self, api: TransformsApi) -> Self {
        self.inner = self.inner.api(api);
        self
    }

    fn async_handle(&self) -> &crate::resources::transforms::Transforms<'c> {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.engine.block_on(f)
    }

    /// Blocking twin of [`crate::resources::transforms::Transforms::list_all`]: every
    /// transform of a folder, page after page, as an iterator.
    pub fn list_all(
        &self,
        folder: &str,
        options: &TransformList,
    ) -> super::Paged<'c, TransformInfo> {
        super::Paged::new(self.engine, self.inner.list_all(folder, options))
    }

    blocking_twins! { "crate::resources::transforms::Transforms" =>
        fn list(folder: &str, page: u32, size: u32) -> TransformListResponse;
        fn list_with(folder: &str, options: &TransformList) -> TransformListResponse;
        fn list_with_raw(folder: &str, options: &TransformList) -> Value;
        fn get(folder: &str, name: &str) -> TransformResponse;
        fn get_raw(folder: &str, name: &str) -> Value;
        fn save(folder: &str, name: &str, doc: &TransformDoc) -> TransformResponse;
        fn save_raw(folder: &str, name: &str, doc: &TransformDoc) -> Value;
        fn delete(folder: &str, name: &str) -> TransformResponse;
        fn delete_raw(folder: &str, name: &str) -> Value;
        fn validate(doc: &TransformDoc) -> TransformResponse;
        fn validate_raw(doc: &TransformDoc) -> Value;
    }
}
