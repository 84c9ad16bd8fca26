//! The contract between generated per-service bindings and the client.

use serde::{Serialize, de::DeserializeOwned};

/// A Spark service with statically known inputs and outputs.
///
/// `cspark-codegen services` emits one marker type per service that implements this trait;
/// the client's typed calls (`execute_typed::<S>(&inputs)` and friends) are generic over it,
/// so passing one service's inputs to another service is a compile error.
pub trait TypedService {
    /// The service's input record (one Rust field per Excel input).
    type Inputs: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The service's output record (one Rust field per Excel output).
    type Outputs: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// Folder the service lives in.
    const FOLDER: &'static str;
    /// Service name.
    const SERVICE: &'static str;
    /// Semantic version the bindings were generated from (e.g. `"0.1.0"`).
    const VERSION: &'static str;
    /// Version id (UUID) the bindings were generated from, if known.
    const VERSION_ID: Option<&'static str>;
}

/// Outputs of a typed execution plus the call's metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Typed<O> {
    /// The decoded outputs.
    pub outputs: O,
    /// `response_meta` (call id, version id, process time, correlation id, …).
    pub meta: crate::resources::execute::ResponseMeta,
    /// Calculation warnings.
    pub warnings: Vec<serde_json::Value>,
    /// Calculation errors reported with a successful status.
    pub errors: Vec<serde_json::Value>,
    /// The `x-request-id` sent.
    pub request_id: String,
}

impl crate::Client {
    /// Runs `S` with typed inputs and decodes typed outputs. The call pins
    /// `request_meta.version = S::VERSION` (the version the bindings came from) unless
    /// [`execute_typed_with`](Self::execute_typed_with) sets a version or version id.
    ///
    /// ```no_run
    /// # use cspark::TypedService;
    /// # async fn demo<S: TypedService>(client: cspark::Client, inputs: S::Inputs) -> cspark::Result<()> {
    /// let result = client.execute_typed::<S>(&inputs).await?;
    /// println!("call {:?}", result.meta.call_id);
    /// # Ok(()) }
    /// ```
    pub async fn execute_typed<S: TypedService>(
        &self,
        inputs: &S::Inputs,
    ) -> crate::Result<Typed<S::Outputs>> {
        self.execute_typed_with::<S>(inputs, crate::ExecuteOptions::default())
            .await
    }

    /// [`execute_typed`](Self::execute_typed) with metadata options.
    pub async fn execute_typed_with<S: TypedService>(
        &self,
        inputs: &S::Inputs,
        mut options: crate::ExecuteOptions,
    ) -> crate::Result<Typed<S::Outputs>> {
        if options.version.is_none() && options.version_id.is_none() && !S::VERSION.is_empty() {
            options.version = Some(S::VERSION.to_owned());
        }
        let uri = crate::ServiceUri::new(S::FOLDER, S::SERVICE)?;
        let (response, request_id) = self
            .services()
            .execute_traced(uri, inputs, &options)
            .await?;
        let outputs_value = serde_json::Value::Object(response.response_data.outputs);
        let outputs = serde_json::from_value::<S::Outputs>(outputs_value).map_err(|e| {
            crate::SparkError::Decode {
                what: "typed outputs",
                request_id: request_id.clone(),
                reason: format!(
                    "outputs of {}/{} do not match the generated type: {e}",
                    S::FOLDER,
                    S::SERVICE
                ),
            }
        })?;
        Ok(Typed {
            outputs,
            meta: response.response_meta,
            warnings: response.response_data.warnings,
            errors: response.response_data.errors,
            request_id,
        })
    }
}

/// One record's result in a [`TypedMany`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordResult<O> {
    /// The decoded outputs of this record.
    pub outputs: O,
    /// Milliseconds Spark spent on this record, when reported.
    pub process_time: Option<f64>,
    /// Warnings for this record (empty when none).
    pub warnings: Vec<serde_json::Value>,
    /// Errors for this record (empty when none).
    pub errors: Vec<serde_json::Value>,
}

/// Typed results of a v4 many-records execution, in input order, plus the call's metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TypedMany<O> {
    /// One result per input record, in input order.
    pub records: Vec<RecordResult<O>>,
    /// One id for the whole call.
    pub call_id: Option<String>,
    /// Semantic version that ran.
    pub version: Option<String>,
    /// Id of the version that ran.
    pub version_id: Option<String>,
    /// The `x-request-id` sent.
    pub request_id: String,
}

impl<O> TypedMany<O> {
    /// The outputs alone, in input order.
    pub fn outputs(&self) -> impl Iterator<Item = &O> {
        self.records.iter().map(|r| &r.outputs)
    }
}

impl crate::Client {
    /// Runs `S` once per record in a single v4 call, with typed inputs and outputs.
    /// Pins `S::VERSION` like [`execute_typed`](Self::execute_typed).
    ///
    /// ```no_run
    /// # use cspark::TypedService;
    /// # async fn demo<S: TypedService>(client: cspark::Client, batch: Vec<S::Inputs>) -> cspark::Result<()> {
    /// let results = client.execute_typed_many::<S>(&batch).await?;
    /// assert_eq!(results.records.len(), batch.len());
    /// # Ok(()) }
    /// ```
    pub async fn execute_typed_many<S: TypedService>(
        &self,
        records: &[S::Inputs],
    ) -> crate::Result<TypedMany<S::Outputs>> {
        self.execute_typed_many_with::<S>(records, crate::ExecuteOptions::default())
            .await
    }

    /// [`execute_typed_many`](Self::execute_typed_many) with metadata options.
    pub async fn execute_typed_many_with<S: TypedService>(
        &self,
        records: &[S::Inputs],
        mut options: crate::ExecuteOptions,
    ) -> crate::Result<TypedMany<S::Outputs>> {
        if options.version.is_none() && options.version_id.is_none() && !S::VERSION.is_empty() {
            options.version = Some(S::VERSION.to_owned());
        }
        let uri = crate::ServiceUri::new(S::FOLDER, S::SERVICE)?;
        let (response, request_id) = self
            .services()
            .execute_many_traced(uri, records, &options)
            .await?;
        let list = |values: &[serde_json::Value], i: usize| match values.get(i) {
            Some(serde_json::Value::Array(items)) => items.clone(),
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        let mut out = Vec::with_capacity(response.outputs.len());
        for (i, value) in response.outputs.iter().enumerate() {
            let outputs = serde_json::from_value::<S::Outputs>(value.clone()).map_err(|e| {
                crate::SparkError::Decode {
                    what: "typed outputs",
                    request_id: request_id.clone(),
                    reason: format!(
                        "record #{i} of {}/{} does not match the generated type: {e}",
                        S::FOLDER,
                        S::SERVICE
                    ),
                }
            })?;
            out.push(RecordResult {
                outputs,
                process_time: response
                    .process_time
                    .get(i)
                    .and_then(serde_json::Value::as_f64),
                warnings: list(&response.warnings, i),
                errors: list(&response.errors, i),
            });
        }
        Ok(TypedMany {
            records: out,
            call_id: response.call_id,
            version: response.version,
            version_id: response.version_id,
            request_id,
        })
    }
}
