//! `client.transforms()`: transform documents (spark-platform.md §2.5, python-sdk.md §4.4).
//!
//! Paths: Spark and the TS SDK use `api/v4/transforms/…` with a flat list body; Python 0.3.2
//! uses the older `api/v4/transform/…` with the list body wrapped in `request_data`.
//! [`TransformsApi`] picks one; the default is the current plural form.

use serde_json::{Map, Value, json};

use super::paging::{self, Items, Page};
use super::support::{decode_body, json_object};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::generated::types;
use crate::resources::services::execute::{
    DEFAULT_CALL_PURPOSE, DEFAULT_SOURCE_SYSTEM, ExecuteOptions,
};
use crate::resources::services::ops::folder_service;
use crate::resources::services::{IntoServiceUri, Services};
use crate::transport::RequestSpec;

/// What a transform document call's response is called in decode errors.
const WHAT: &str = "transform response";

use crate::generated::types::{TransformInfo, TransformListResponse, TransformResponse};

/// Which transform document [`Services::transform`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransformRef {
    /// A document saved at `{folder}/{name}` (`…/transforms/{folder}/{name}/for/{f}/{s}`).
    Document {
        /// Transform folder.
        folder: String,
        /// Transform name.
        name: String,
    },
    /// A legacy document under `apps/transforms` (`…/transforms/{name}/for/folders/{f}/services/{s}`).
    Legacy(String),
}

impl Services<'_> {
    /// Runs a service through a transform (`POST {BT}/api/v4/transforms/…/for/…`): `inputs`
    /// is sent as is, metadata goes in `x-request-meta` (v3 target) or `x-meta` (v4 target)
    /// as compact JSON wrapped in single quotes, as Spark expects. `using: None` runs the
    /// document saved under the service's own folder and name.
    ///
    /// The answer is whatever the transform's output mapping produces, so the caller names
    /// its type `O` (any `Deserialize` type; [`transform_raw`](Self::transform_raw) returns
    /// it as JSON).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformRef;
    /// #[derive(serde::Deserialize)]
    /// struct Quote { premium: f64 }
    /// let using = TransformRef::Document { folder: "tf".into(), name: "tn".into() };
    /// let quote: Quote = client
    ///     .services()
    ///     .transform("f/s", &serde_json::json!({"x": 1}), Some(&using), false, &Default::default())
    ///     .await?;
    /// println!("{}", quote.premium);
    /// # Ok(()) }
    /// ```
    pub async fn transform<I, O>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        using: Option<&TransformRef>,
        v4: bool,
        options: &ExecuteOptions,
    ) -> Result<O>
    where
        I: serde::Serialize + ?Sized,
        O: serde::de::DeserializeOwned,
    {
        let body = self.transform_raw(uri, inputs, using, v4, options).await?;
        decode_body(&body, "transform output")
    }

    /// [`transform`](Self::transform) returning the transform's output as raw JSON.
    pub async fn transform_raw<I: serde::Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        using: Option<&TransformRef>,
        v4: bool,
        options: &ExecuteOptions,
    ) -> Result<Value> {
        let uri = uri.into_service_uri()?;
        let (f, s) = folder_service(&uri)?;
        let segs: Vec<&str> = match using {
            Some(TransformRef::Legacy(name)) => {
                vec![name, "for", "folders", f, "services", s]
            }
            Some(TransformRef::Document { folder, name }) => vec![folder, name, "for", f, s],
            None => vec![f, s, "for", f, s],
        };
        let mut all = vec!["api", "v4", "transforms"];
        all.extend(segs);
        let url = self.client().base_url().tenant_url(&all);
        let q = |v: &str| Value::String(v.to_owned()).to_string();
        let purpose = q(options
            .call_purpose
            .as_deref()
            .unwrap_or(DEFAULT_CALL_PURPOSE));
        let system = q(options
            .source_system
            .as_deref()
            .unwrap_or(DEFAULT_SOURCE_SYSTEM));
        // Built by hand to keep the reference SDKs' key order.
        let (name, meta) = if v4 {
            let service = q(&format!("{f}/{s}"));
            (
                "x-meta",
                format!(
                    "'{{\"service\":{service},\"call_purpose\":{purpose},\"source_system\":{system}}}'"
                ),
            )
        } else {
            (
                "x-request-meta",
                format!(
                    "'{{\"call_purpose\":{purpose},\"source_system\":{system},\"compiler_type\":\"Neuron\",\"excel_file\":false,\"response_data_inputs\":false}}'"
                ),
            )
        };
        let value = http::HeaderValue::from_str(&meta).map_err(|_| {
            SparkError::invalid(
                "transform metadata",
                meta.clone(),
                "not a valid header value",
            )
        })?;
        let body = match serde_json::to_value(inputs) {
            Ok(Value::Null) => json!({}),
            Ok(v) => v,
            Err(e) => {
                return Err(SparkError::invalid(
                    "inputs",
                    "<unserialisable>",
                    e.to_string(),
                ));
            }
        };
        // Handwritten: the body is any JSON and the metadata travels in a single-quoted
        // header, which spark.yaml marks `x-cspark-handwritten` (runTransform).
        let spec = RequestSpec::post(&url)?
            .header(http::HeaderName::from_static(name), value)
            .json(&body)?;
        self.client()
            .transport
            .send(spec)
            .await?
            .json("transform output")
    }
}

/// Which transform document API to call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransformsApi {
    /// `api/v4/transforms/…`, flat list body (Spark, TS SDK, emulator).
    #[default]
    Current,
    /// `api/v4/transform/…`, list body in `request_data` (Python SDK 0.3.2).
    Legacy,
}

/// A transform document (`transform_content`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TransformDoc {
    /// JSONata: `input_body_transform` / `output_body_transform` for a v3 or v4 target.
    Jsonata {
        /// `v3` or `v4`.
        target_api_version: String,
        /// JSONata applied to the request.
        input: Option<String>,
        /// JSONata applied to the response.
        output: Option<String>,
    },
    /// Node.js code (`Nodejs22_v1.0.0`).
    Node {
        /// `async function handler(event) {…}`.
        code: String,
    },
    /// A document sent as given.
    Raw(Map<String, Value>),
}

impl TransformDoc {
    /// The wire document; checks the target API version of JSONata documents.
    pub fn to_value(&self) -> Result<Value> {
        Ok(match self {
            Self::Jsonata {
                target_api_version,
                input,
                output,
            } => {
                if !matches!(target_api_version.as_str(), "v3" | "v4") {
                    return Err(SparkError::invalid(
                        "target_api_version",
                        target_api_version.clone(),
                        "must be either 'v3' or 'v4'",
                    ));
                }
                json!({"transform_type": "JSONtransforms_v1.0.1", "target_api_version": target_api_version,
                       "input_body_transform": input, "output_body_transform": output})
            }
            Self::Node { code } => {
                json!({"transform_type": "Nodejs22_v1.0.0", "transform_code": code})
            }
            Self::Raw(map) => Value::Object(map.clone()),
        })
    }

    /// `{"transform_content": "<JSON string>"}`.
    fn body(&self) -> Result<Value> {
        Ok(json!({ "transform_content": self.to_value()?.to_string() }))
    }

    /// [`body`](Self::body) as the generated request type.
    fn content(&self) -> Result<types::TransformContent> {
        Ok(types::TransformContent {
            transform_content: Some(self.to_value()?.to_string()),
        })
    }
}

/// Transform document operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Transforms<'c> {
    client: &'c Client,
    api: TransformsApi,
}

impl<'c> Transforms<'c> {
    /// Uses another path family (see [`TransformsApi`]).
    pub fn api(mut self, api: TransformsApi) -> Self {
        self.api = api;
        self
    }

    fn url(&self, segs: &[&str]) -> String {
        let root = match self.api {
            TransformsApi::Current => "transforms",
            TransformsApi::Legacy => "transform",
        };
        let mut all = vec!["api", "v4", root];
        all.extend_from_slice(segs);
        self.client.base_url().tenant_url(&all)
    }

    /// The [`TransformsApi::Legacy`] paths (Python's singular `transform/…`) are not in
    /// spark.yaml, so they are sent by hand; the current paths use the generated client.
    async fn send(&self, spec: RequestSpec) -> Result<Value> {
        self.client.transport.send(spec).await?.json(WHAT)
    }

    fn legacy(&self) -> bool {
        self.api == TransformsApi::Legacy
    }

    fn tenant(&self) -> &str {
        self.client.base_url().tenant()
    }

    /// Lists the transforms of a folder (newest first).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let list = client.transforms().list("my-folder", 1, 100).await?;
    /// for doc in list.result.unwrap_or_default() {
    ///     println!("{:?} {:?}", doc.name, doc.transform_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, folder: &str, page: u32, size: u32) -> Result<TransformListResponse> {
        self.list_with(folder, &TransformList::default().page(page, size))
            .await
    }

    /// Lists the transforms of a folder with paging, sort order and search filters
    /// (`search: [{"field", "value"}, …]`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformList;
    /// let only_jsonata = TransformList::default().filter("transform_type", "JSONtransforms_v1.0.1");
    /// let list = client.transforms().list_with("my-folder", &only_jsonata).await?;
    /// println!("{:?}", list.count);
    /// # Ok(()) }
    /// ```
    pub async fn list_with(
        &self,
        folder: &str,
        options: &TransformList,
    ) -> Result<TransformListResponse> {
        let body = self.list_with_raw(folder, options).await?;
        decode_body(&body, "transform list")
    }

    /// Every transform of a folder, page after page from `options.page` (each next page is
    /// requested when the previous one is used up).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformList;
    /// use futures::TryStreamExt;
    /// let docs: Vec<_> = client
    ///     .transforms()
    ///     .list_all("my-folder", &TransformList::default())
    ///     .try_collect()
    ///     .await?;
    /// println!("{} transforms", docs.len());
    /// # Ok(()) }
    /// ```
    pub fn list_all(&self, folder: &str, options: &TransformList) -> Items<'c, TransformInfo> {
        let transforms = *self;
        let folder = folder.to_owned();
        let options = options.clone();
        paging::items(options.page.max(1), move |page| {
            let mut asked = options.clone();
            asked.page = page;
            let folder = folder.clone();
            async move {
                let found = transforms.list_with(&folder, &asked).await?;
                let items = found.result.unwrap_or_default();
                Ok(Page::counted(items, page, asked.size, found.count))
            }
        })
    }

    /// [`list_with`](Self::list_with) as the raw JSON Spark sent (escape hatch).
    pub async fn list_with_raw(&self, folder: &str, options: &TransformList) -> Result<Value> {
        let search: Vec<Value> = options
            .search
            .iter()
            .map(|(field, value)| json!({"field": field, "value": value}))
            .collect();
        let inner = json!({"page": options.page, "pageSize": options.size, "sort": options.sort, "search": search});
        if self.legacy() {
            let spec = RequestSpec::post(&self.url(&["list", folder]))?
                .json(&json!({ "request_data": inner }))?
                .idempotent(true);
            return self.send(spec).await;
        }
        let body = json_object(inner, "transform list")?;
        // A listing changes nothing: safe to replay.
        let api = self.client.platform();
        let outcome = api.list_transforms(self.tenant(), folder, &body).await;
        Ok(outcome?.into_inner())
    }

    /// Fetches a transform document (`outputs.transform_document`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let doc = client.transforms().get("my-folder", "my-transform").await?;
    /// println!("{:?}", doc.outputs.and_then(|o| o.transform_document));
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, folder: &str, name: &str) -> Result<TransformResponse> {
        let body = self.get_raw(folder, name).await?;
        decode_body(&body, WHAT)
    }

    /// [`get`](Self::get) as the raw JSON Spark sent (escape hatch).
    pub async fn get_raw(&self, folder: &str, name: &str) -> Result<Value> {
        if self.legacy() {
            return self
                .send(RequestSpec::get(&self.url(&[folder, name]))?)
                .await;
        }
        let api = self.client.platform();
        let outcome = api.get_transform(self.tenant(), folder, name).await;
        Ok(outcome?.into_inner())
    }

    /// Saves (creates or replaces) a transform document.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformDoc;
    /// let doc = TransformDoc::Jsonata { target_api_version: "v3".into(),
    ///     input: Some("{\"inputs\": $}".into()), output: Some("$".into()) };
    /// client.transforms().save("my-folder", "my-transform", &doc).await?;
    /// # Ok(()) }
    /// ```
    pub async fn save(
        &self,
        folder: &str,
        name: &str,
        doc: &TransformDoc,
    ) -> Result<TransformResponse> {
        let body = self.save_raw(folder, name, doc).await?;
        decode_body(&body, WHAT)
    }

    /// [`save`](Self::save) as the raw JSON Spark sent (escape hatch).
    pub async fn save_raw(&self, folder: &str, name: &str, doc: &TransformDoc) -> Result<Value> {
        if self.legacy() {
            let spec = RequestSpec::post(&self.url(&[folder, name]))?.json(&doc.body()?)?;
            return self.send(spec).await;
        }
        let api = self.client.platform();
        let outcome = api
            .save_transform(self.tenant(), folder, name, &doc.content()?)
            .await;
        Ok(outcome?.into_inner())
    }

    /// Deletes a transform document.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// client.transforms().delete("my-folder", "my-transform").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, folder: &str, name: &str) -> Result<TransformResponse> {
        let body = self.delete_raw(folder, name).await?;
        decode_body(&body, WHAT)
    }

    /// [`delete`](Self::delete) as the raw JSON Spark sent (escape hatch).
    pub async fn delete_raw(&self, folder: &str, name: &str) -> Result<Value> {
        if self.legacy() {
            let url = self.url(&[folder, name]);
            return self
                .send(RequestSpec::new(http::Method::DELETE, &url)?)
                .await;
        }
        let api = self.client.platform();
        let outcome = api.delete_transform(self.tenant(), folder, name).await;
        Ok(outcome?.into_inner())
    }

    /// Validates a document on the server (`outputs.isValid`, `outputs.error`).
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// use cspark::transforms::TransformDoc;
    /// let doc = TransformDoc::Jsonata { target_api_version: "v4".into(), input: Some("$".into()), output: None };
    /// let verdict = client.transforms().validate(&doc).await?;
    /// println!("{:?}", verdict.outputs.and_then(|o| o.is_valid));
    /// # Ok(()) }
    /// ```
    pub async fn validate(&self, doc: &TransformDoc) -> Result<TransformResponse> {
        let body = self.validate_raw(doc).await?;
        decode_body(&body, WHAT)
    }

    /// [`validate`](Self::validate) as the raw JSON Spark sent (escape hatch).
    pub async fn validate_raw(&self, doc: &TransformDoc) -> Result<Value> {
        if self.legacy() {
            let spec = RequestSpec::post(&self.url(&["validation"]))?
                .json(&doc.body()?)?
                .idempotent(true);
            return self.send(spec).await;
        }
        // Validation stores nothing: safe to replay.
        let api = self.client.platform();
        let outcome = api.validate_transform(self.tenant(), &doc.content()?).await;
        Ok(outcome?.into_inner())
    }
}

/// Paging, order and filters of [`Transforms::list_with`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TransformList {
    /// Page number (from 1).
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Sort key (`-updatedAt` = newest first).
    pub sort: String,
    /// `(field, value)` filters, sent as `{"field", "value"}` items of `search`.
    pub search: Vec<(String, Value)>,
}

impl Default for TransformList {
    fn default() -> Self {
        Self {
            page: 1,
            size: 100,
            sort: "-updatedAt".into(),
            search: Vec::new(),
        }
    }
}

impl TransformList {
    /// Page `page` of `size` documents.
    pub fn page(mut self, page: u32, size: u32) -> Self {
        self.page = page;
        self.size = size;
        self
    }

    /// Sort key, e.g. `name` or `-updatedAt`.
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = sort.into();
        self
    }

    /// Adds a `{"field", "value"}` filter, e.g. `("transform_type", "Nodejs22_v1.0.0")`.
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.search.push((field.into(), value.into()));
        self
    }
}

impl Client {
    /// Transform documents (v4).
    pub fn transforms(&self) -> Transforms<'_> {
        Transforms {
            client: self,
            api: TransformsApi::default(),
        }
    }
}
