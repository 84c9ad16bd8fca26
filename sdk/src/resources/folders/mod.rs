//! `client.folders()`: folders ("products") and categories (python-sdk.md §4.2). All v1,
//! origin-relative (no tenant in the path); Spark accepts only bearer tokens here.

pub(crate) mod types;

use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::paging::{self, Items, Page};
use super::support::{Multipart, conflict, decode_body, json_object, window};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::transport::RequestSpec;

/// Folder operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Folders<'c> {
    client: &'c Client,
}

pub use crate::resources::folders::types::{FindFolders, FolderFields};
use crate::types::{
    CategoriesResponse, FolderCategory, FolderInfo, FolderListResponse, FolderResponse, V1Response,
};

impl<'c> Folders<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    fn url(&self, segs: &[&str]) -> String {
        let mut all = vec!["api", "v1"];
        all.extend_from_slice(segs);
        self.client.base_url().origin_url(&all)
    }

    /// The multipart calls (create, cover upload) stay handwritten: progenitor cannot send
    /// multipart bodies. Every JSON call goes through the generated platform client.
    async fn send_json(&self, spec: RequestSpec, what: &'static str) -> Result<Value> {
        self.client.transport.send(spec).await?.json(what)
    }

    /// Lists folders (`POST /api/v1/product/list`): one page, `{status, count, data:[…]}`.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::folders::FindFolders;
    /// let page = client.folders().find(&FindFolders::default().name("demo")).await?;
    /// for folder in page.data.unwrap_or_default() {
    ///     println!("{:?} {:?}", folder.id, folder.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find(&self, options: &FindFolders) -> Result<FolderListResponse> {
        let body = self.find_raw(options).await?;
        decode_body(&body, "folder list")
    }

    /// Every folder [`find`](Self::find) matches, page after page from `options.page`
    /// (each next page is requested when the previous one is used up).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::folders::FindFolders;
    /// use futures::StreamExt;
    /// let mut folders = client.folders().find_all(&FindFolders::default());
    /// while let Some(folder) = folders.next().await {
    ///     println!("{:?}", folder?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn find_all(&self, options: &FindFolders) -> Items<'c, FolderInfo> {
        let folders = *self;
        let options = options.clone();
        paging::items(options.page.max(1), move |page| {
            let mut asked = options.clone();
            asked.page = page;
            async move {
                let found = folders.find(&asked).await?;
                let items = found.data.unwrap_or_default();
                Ok(Page::counted(items, page, asked.size, found.count))
            }
        })
    }

    /// [`find`](Self::find) as the raw JSON Spark sent (escape hatch).
    pub async fn find_raw(&self, options: &FindFolders) -> Result<Value> {
        let mut search: Vec<Value> = options
            .filters
            .iter()
            .map(|(f, v)| json!({"field": f, "value": v}))
            .collect();
        if let Some(name) = &options.name {
            search.push(json!({"field": "name", "value": name}));
        }
        if let Some(fav) = options.favorite {
            search.push(json!({"field": "isstarred", "value": fav}));
        }
        let body = json!({
            "search": search, "page": options.page, "pageSize": options.size,
            "sort": options.sort, "shouldFetchActiveServicesCount": true,
        });
        let body = json_object(body, "folder list request")?;
        // A listing changes nothing: safe to replay.
        let api = self.client.platform();
        let outcome = api.list_folders(&body).await;
        Ok(outcome?.into_inner())
    }

    /// Creates a folder (`POST /api/v1/product/create`, multipart as in the TS SDK; Python
    /// sends a URL-encoded form with the same fields), uploads the cover if any, then
    /// returns the folder fetched from the server-given `get_product_url`.
    /// A duplicate name is an [`ApiErrorKind::Conflict`](crate::ApiErrorKind::Conflict)
    /// error, although Spark reports it in a 2xx body.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::folders::FolderFields;
    /// let folder = client.folders().create("pricing", &FolderFields::default().category("Term")).await?;
    /// println!("{:?}", folder.data.and_then(|f| f.id));
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, name: &str, fields: &FolderFields) -> Result<FolderResponse> {
        let body = self.create_raw(name, fields).await?;
        let mut folder: FolderResponse = decode_body(&body, "folder")?;
        // Without a `get_product_url` the creation answer itself comes back: its
        // `data.folderId` is the new folder's id.
        if let Some(info) = folder.data.as_mut()
            && info.id.is_none()
            && let Some(Value::String(id)) = info.extra.get("folderId")
        {
            info.id = Some(id.clone());
        }
        Ok(folder)
    }

    /// [`create`](Self::create) returning the raw JSON Spark sent (escape hatch).
    pub async fn create_raw(&self, name: &str, fields: &FolderFields) -> Result<Value> {
        let name = name.trim();
        if name.is_empty() {
            return Err(SparkError::invalid(
                "folder name",
                name,
                "must not be empty",
            ));
        }
        let (start, launch) = window(fields.start_date.as_deref(), fields.launch_date.as_deref());
        let body = Multipart::default()
            .text("Name", name)
            .text(
                "Description",
                fields
                    .description
                    .as_deref()
                    .unwrap_or("Created by Spark Rust SDK"),
            )
            .text("Category", fields.category.as_deref().unwrap_or("Other"))
            .text("StartDate", start)
            .text("LaunchDate", launch)
            .text("Status", fields.status.as_deref().unwrap_or("Design"))
            .into_body()?;
        let spec = RequestSpec::post(&self.url(&["product", "create"]))?.body(body);
        let path = spec.path().to_owned();
        let response = self.client.transport.send(spec).await?;
        let created: Value = response.json("folder creation")?;
        if created["status"] != "Success" {
            let code = created["errorCode"].as_str().unwrap_or("UNKNOWN");
            if code == "PRODUCT_ALREADY_EXISTS" {
                return Err(conflict(
                    &response,
                    &path,
                    code,
                    format!("folder name <{name}> already exists"),
                ));
            }
            return Err(SparkError::invalid(
                "folder",
                name,
                format!("creation failed: {code}"),
            ));
        }
        let id = created["data"]["folderId"].as_str().unwrap_or_default();
        if let Some(cover) = &fields.cover {
            self.upload_cover(id, cover.clone(), None).await?;
        }
        match created["data"]["get_product_url"].as_str() {
            Some(url) => super::files::fetch(self.client, url).await?.json("folder"),
            None => Ok(created),
        }
    }

    /// Updates a folder (`POST /api/v1/product/update/{id}`); a cover is uploaded first.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client, id: &str) -> cspark::Result<()> {
    /// use cspark::folders::FolderFields;
    /// client.folders().update(id, &FolderFields::default().description("new")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, id: &str, fields: &FolderFields) -> Result<V1Response> {
        if let Some(cover) = &fields.cover {
            self.upload_cover(id, cover.clone(), None).await?;
        }
        let mut body = Map::new();
        body.insert("shouldTrackUserAction".into(), json!(true));
        for (k, v) in [
            ("description", &fields.description),
            ("category", &fields.category),
            ("startDate", &fields.start_date),
            ("launchDate", &fields.launch_date),
            ("status", &fields.status),
        ] {
            if let Some(v) = v {
                body.insert(k.into(), json!(v));
            }
        }
        let api = self.client.platform();
        let outcome = api.update_folder(id, &body).await;
        crate::generated::decode_as(outcome?, "folder update")
    }

    /// Deletes a folder and every service in it (`DELETE /api/v1/product/delete/{id}`).
    pub async fn delete(&self, id: &str) -> Result<V1Response> {
        let api = self.client.platform();
        let outcome = api.delete_folder(id).await;
        crate::generated::decode_as(outcome?, "folder deletion")
    }

    /// Whether a folder name is taken (`POST /api/v1/product/isproductexists/{name}`).
    pub async fn exists(&self, name: &str) -> Result<bool> {
        // A read despite the POST: safe to replay.
        let api = self.client.platform();
        let outcome = api.folder_exists(name).await;
        let body = outcome?.into_inner();
        Ok(body["data"] == Value::Bool(true))
    }

    /// Uploads a cover image (`POST /api/v1/product/uploadcoverimage`, multipart `id` +
    /// `coverImage`; file name `upload` unless given).
    pub async fn upload_cover(
        &self,
        id: &str,
        image: impl Into<Bytes>,
        file_name: Option<&str>,
    ) -> Result<V1Response> {
        let name = file_name.unwrap_or("upload");
        let mime = match name
            .rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("svg") => "image/svg+xml",
            _ => "application/octet-stream",
        };
        let body = Multipart::default()
            .text("id", id)
            .file("coverImage", name, mime, image.into())
            .into_body()?;
        let spec = RequestSpec::post(&self.url(&["product", "uploadcoverimage"]))?.body(body);
        let body = self.send_json(spec, "cover upload").await?;
        decode_body(&body, "cover upload")
    }

    /// Folder categories (`GET /api/v1/lookup/getcategories`): the `data` list.
    pub async fn categories(&self) -> Result<Vec<FolderCategory>> {
        let body = self.categories_raw().await?;
        let answer: CategoriesResponse = decode_body(&body, "categories")?;
        Ok(answer.data.unwrap_or_default())
    }

    /// [`categories`](Self::categories) as the raw envelope Spark sent (escape hatch).
    pub async fn categories_raw(&self) -> Result<Value> {
        let api = self.client.platform();
        let outcome = api.list_folder_categories().await;
        Ok(outcome?.into_inner())
    }

    /// Saves a category (`POST /api/v1/lookup/savecategory`); `key` defaults to a new UUID
    /// and `icon` to `other.svg`. Returns the categories with lower-cased keys.
    pub async fn save_category(
        &self,
        name: &str,
        key: Option<&str>,
        icon: Option<&str>,
    ) -> Result<Vec<FolderCategory>> {
        let key = key.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        let body = json_object(
            json!({"value": name, "key": key, "icon": icon.unwrap_or("other.svg")}),
            "category",
        )?;
        let api = self.client.platform();
        let outcome = api.save_folder_category(&body).await;
        lower_categories(outcome?.into_inner())
    }

    /// Deletes a category (`DELETE /api/v1/lookup/deletecategory/{key}`); returns the
    /// remaining categories.
    pub async fn delete_category(&self, key: &str) -> Result<Vec<FolderCategory>> {
        let api = self.client.platform();
        let outcome = api.delete_folder_category(key).await;
        lower_categories(outcome?.into_inner())
    }
}

/// `data["Metadata.ProductCategories"]` with `Key/Value/Icon` lower-cased (a `data` list
/// as is; no `data` is no category).
fn lower_categories(mut body: Value) -> Result<Vec<FolderCategory>> {
    let list = match body["data"]["Metadata.ProductCategories"].take() {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(map) => Value::Object(
                        map.into_iter()
                            .map(|(k, v)| (k.to_lowercase(), v))
                            .collect(),
                    ),
                    other => other,
                })
                .collect(),
        ),
        _ => body["data"].take(),
    };
    if list.is_null() {
        return Ok(Vec::new());
    }
    decode_body(&list, "categories")
}

impl Client {
    /// Folder and category calls (v1; bearer tokens only on Spark).
    pub fn folders(&self) -> Folders<'_> {
        Folders::new(self)
    }
}
