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
