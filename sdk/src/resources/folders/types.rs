//! Search and field options of [`Folders`](crate::resources::folders::Folders).

use bytes::Bytes;
use serde_json::Value;

/// Search and paging of [`Folders::find`](crate::resources::folders::Folders::find).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindFolders {
    /// Folder name filter.
    pub name: Option<String>,
    /// Starred (`isstarred`) filter; `Some(false)` is sent too (Python drops it).
    pub favorite: Option<bool>,
    /// Other `{field, value}` filters (`status`, `category`, `id`…), sent first.
    pub filters: Vec<(String, Value)>,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Sort key.
    pub sort: String,
}

impl Default for FindFolders {
    fn default() -> Self {
        Self {
            name: None,
            favorite: None,
            filters: Vec::new(),
            page: 1,
            size: 100,
            sort: "-updated".into(),
        }
    }
}

impl FindFolders {
    /// Folders with this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a `{field, value}` filter.
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.filters.push((field.into(), value.into()));
        self
    }

    /// Starred folders only (or only unstarred ones).
    pub fn favorite(mut self, yes: bool) -> Self {
        self.favorite = Some(yes);
        self
    }

    /// Page and page size.
    pub fn page(mut self, page: u32, size: u32) -> Self {
        self.page = page;
        self.size = size;
        self
    }
}

/// Fields of [`Folders::create`](crate::resources::folders::Folders::create) and [`Folders::update`](crate::resources::folders::Folders::update).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FolderFields {
    /// Description (create default: `Created by Spark Rust SDK`).
    pub description: Option<String>,
    /// Category (create default: `Other`).
    pub category: Option<String>,
    /// Start date, naive ISO (create default: now).
    pub start_date: Option<String>,
    /// Launch date, naive ISO (create default: start + 10 years).
    pub launch_date: Option<String>,
    /// Status (create only; default `Design`).
    pub status: Option<String>,
    /// Cover image bytes, uploaded with [`Folders::upload_cover`](crate::resources::folders::Folders::upload_cover).
    pub cover: Option<Bytes>,
}

impl FolderFields {
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Sets the category.
    pub fn category(mut self, c: impl Into<String>) -> Self {
        self.category = Some(c.into());
        self
    }

    /// Sets the cover image.
    pub fn cover(mut self, image: impl Into<Bytes>) -> Self {
        self.cover = Some(image.into());
        self
    }
}
