//! The contract between generated per-service bindings and the client.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::resources::services::execute::{ExecuteResponse, null_as_default};
use crate::resources::services::execute_body::{v3_body, v4_body};
use crate::resources::services::execute_many::ExecuteManyResponse;
use crate::transport::RequestSpec;

/// A Spark service with statically known inputs and outputs.
///
/// `cspark-codegen services` emits one marker type per service that implements this trait,
/// and links it to the service's `Inputs` both ways ([`ServiceInputs`]): the client's typed
/// calls take the inputs (`client.execute_typed(&Inputs { .. })`), infer the service and its
/// outputs from their type, and so cannot send one service's inputs to another service.
pub trait TypedService {
    /// The service's input record (one Rust field per Excel input).
    type Inputs: ServiceInputs<Service = Self>;
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

    /// Checks `inputs` against the workbook's data-validation rules (whole/decimal bounds,
    /// text length, date ranges, non-text lists) that the bindings were generated with.
    /// Generated markers forward to their `Inputs::validate`; the typed calls run it before
    /// sending unless [`ExecuteOptions::skip_input_rules`](crate::services::ExecuteOptions::skip_input_rules)
    /// is set. The default accepts everything (a hand-written service has no rules).
    fn validate(inputs: &Self::Inputs) -> Result<(), crate::bindings::InvalidInputs> {
        let _ = inputs;
        Ok(())
    }
}

/// Refuses `inputs` that break `S`'s rules, before anything is sent.
fn check_rules<S: TypedService>(
    inputs: &S::Inputs,
    record: Option<usize>,
    options: &crate::services::ExecuteOptions,
) -> crate::Result<()> {
    if options.skip_input_rules {
        return Ok(());
    }
    S::validate(inputs).map_err(|source| crate::SparkError::InputRules {
        service: format!("{}/{}", S::FOLDER, S::SERVICE),
        record,
        source,
    })
}

/// [`check_rules`] for every record of a many-records call, naming the first record at fault.
pub(crate) fn check_records<S: TypedService>(
    records: &[S::Inputs],
    options: &crate::services::ExecuteOptions,
) -> crate::Result<()> {
    if options.skip_input_rules {
        return Ok(());
    }
    records
        .iter()
        .enumerate()
        .try_for_each(|(i, r)| check_rules::<S>(r, Some(i), options))
}

/// The input record of exactly one [`TypedService`]: the link that lets a typed call infer
/// the service (folder, name, pinned version) and the outputs type from the inputs alone.
///
/// `cspark-codegen services` implements it for every generated `Inputs`; implement it by
/// hand only next to a hand-written [`TypedService`] whose `Inputs` is this type.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Clone, Serialize, Deserialize)]
/// struct Inputs { x: f64 }
/// #[derive(Clone, Serialize, Deserialize)]
/// struct Outputs { y: Option<f64> }
/// struct Square;
/// impl cspark::TypedService for Square {
///     type Inputs = Inputs;
///     type Outputs = Outputs;
///     const FOLDER: &'static str = "demo";
///     const SERVICE: &'static str = "square";
///     const VERSION: &'static str = "1.0.0";
///     const VERSION_ID: Option<&'static str> = None;
/// }
/// impl cspark::ServiceInputs for Inputs {
///     type Service = Square;
/// }
/// ```
pub trait ServiceInputs: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// The service these inputs run.
    type Service: TypedService<Inputs = Self>;
}

/// The outputs type of the service that `I` are the inputs of.
pub(crate) type OutputsOf<I> = <<I as ServiceInputs>::Service as TypedService>::Outputs;

/// Outputs of a typed execution plus the call's metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Typed<O> {
    /// The decoded outputs.
    pub outputs: O,
    /// `response_meta` (call id, version id, process time, correlation id, …).
    pub meta: crate::resources::services::execute::ResponseMeta,
    /// Calculation warnings.
    pub warnings: Vec<serde_json::Value>,
    /// Calculation errors reported with a successful status.
    pub errors: Vec<serde_json::Value>,
    /// Outputs whose value did not fit the generated type (an Excel error such as
    /// `"#VALUE!"` in a `NUMBER` cell): each reads as `None` in [`outputs`](Self::outputs)
    /// and is listed here with the value sent. Empty in the normal case.
    pub mismatches: Vec<crate::bindings::OutputMismatch>,
    /// The `x-request-id` sent.
    pub request_id: String,
}

impl crate::Client {
    /// Runs the service that `inputs` belong to and decodes its typed outputs: the service
    /// (and so the outputs type) is inferred from the inputs' type, no turbofish needed. The
    /// call pins `request_meta.version` to the version the bindings came from unless
    /// [`execute_typed_with`](Self::execute_typed_with) sets a version or version id.
    ///
    /// ```no_run
    /// # async fn demo<I: cspark::ServiceInputs>(client: cspark::Client, inputs: I) -> cspark::Result<()> {
    /// // With generated bindings: `client.execute_typed(&volume::Inputs { radius: 2.5, height: 10.0 })`.
    /// let result = client.execute_typed(&inputs).await?;
    /// println!("call {:?}", result.meta.call_id);
    /// # Ok(()) }
    /// ```
    pub async fn execute_typed<I: ServiceInputs>(
        &self,
        inputs: &I,
    ) -> crate::Result<Typed<OutputsOf<I>>> {
        self.execute_typed_with(inputs, crate::services::ExecuteOptions::default())
            .await
    }

    /// [`execute_typed`](Self::execute_typed) with metadata options.
    pub async fn execute_typed_with<I: ServiceInputs>(
        &self,
        inputs: &I,
        options: crate::services::ExecuteOptions,
    ) -> crate::Result<Typed<OutputsOf<I>>> {
        self.execute_service::<I::Service>(inputs, options).await
    }

    /// The v3 call of [`execute_typed_with`](Self::execute_typed_with), generic over the
    /// service the inputs belong to.
    async fn execute_service<S: TypedService>(
        &self,
        inputs: &S::Inputs,
        mut options: crate::services::ExecuteOptions,
    ) -> crate::Result<Typed<S::Outputs>> {
        check_rules::<S>(inputs, None, &options)?;
        pin_version::<S>(&mut options);
        let route = self
            .transport
            .routes
            .typed(self.base_url(), S::FOLDER, S::SERVICE)?;
        let body = v3_body(&route.uri, inputs, &options)?;
        let spec = RequestSpec::to_url(http::Method::POST, route.execute_url.clone())
            .json_bytes(body)
            .compressible()
            .deadline_if(options.deadline);
        let response = self.transport.send(spec).await?;
        // Straight into the generated type; anything unexpected goes through the general
        // envelope, which reports precisely what does not match.
        if let Ok(envelope) = serde_json::from_slice::<Envelope<S::Outputs>>(response.body()) {
            return Ok(Typed {
                outputs: envelope.response_data.outputs,
                meta: envelope.response_meta,
                warnings: envelope.response_data.warnings,
                errors: envelope.response_data.errors,
                mismatches: Vec::new(),
                request_id: response.request_id().to_owned(),
            });
        }
        let request_id = response.request_id().to_owned();
        let response: ExecuteResponse = response.json("execute response")?;
        let decoded = crate::bindings::decode_outputs::<S::Outputs>(response.response_data.outputs);
        let (outputs, mismatches) = decoded.map_err(|e| crate::SparkError::Decode {
            what: "typed outputs",
            request_id: request_id.clone(),
            reason: format!(
                "outputs of {}/{} do not match the generated type: {e}",
                S::FOLDER,
                S::SERVICE
            ),
        })?;
        Ok(Typed {
            outputs,
            meta: response.response_meta,
            warnings: response.response_data.warnings,
            errors: response.response_data.errors,
            mismatches,
            request_id,
        })
    }
}

/// Pins the bindings' version unless the options choose a version or version id.
fn pin_version<S: TypedService>(options: &mut crate::services::ExecuteOptions) {
    if options.version.is_none() && options.version_id.is_none() && !S::VERSION.is_empty() {
        options.version = Some(S::VERSION.to_owned());
    }
}

/// A v3 envelope with typed outputs (the fields a [`Typed`] keeps).
#[derive(Deserialize)]
struct Envelope<O> {
    response_data: EnvelopeData<O>,
    #[serde(default)]
    response_meta: crate::resources::services::execute::ResponseMeta,
}

#[derive(Deserialize)]
struct EnvelopeData<O> {
    outputs: O,
    #[serde(default, deserialize_with = "null_as_default")]
    warnings: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    errors: Vec<serde_json::Value>,
}

/// A v4 response with typed outputs (the fields a [`TypedMany`] keeps).
#[derive(Deserialize)]
struct ManyEnvelope<O> {
    outputs: Vec<O>,
    #[serde(default, deserialize_with = "null_as_default")]
    process_time: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    warnings: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    errors: Vec<serde_json::Value>,
    #[serde(default)]
    call_id: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    version_id: Option<String>,
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
    /// Outputs of this record whose value did not fit the generated type (read as `None`);
    /// see [`Typed::mismatches`].
    pub mismatches: Vec<crate::bindings::OutputMismatch>,
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
    /// Runs the service that the records belong to once per record in a single v4 call,
    /// with typed inputs and outputs (the service is inferred from the records' type). Pins
    /// the bindings' version like [`execute_typed`](Self::execute_typed).
    ///
    /// ```no_run
    /// # async fn demo<I: cspark::ServiceInputs>(client: cspark::Client, batch: Vec<I>) -> cspark::Result<()> {
    /// let results = client.execute_typed_many(&batch).await?;
    /// assert_eq!(results.records.len(), batch.len());
    /// # Ok(()) }
    /// ```
    pub async fn execute_typed_many<I: ServiceInputs>(
        &self,
        records: &[I],
    ) -> crate::Result<TypedMany<OutputsOf<I>>> {
        self.execute_typed_many_with(records, crate::services::ExecuteOptions::default())
            .await
    }

    /// [`execute_typed_many`](Self::execute_typed_many) with metadata options.
    pub async fn execute_typed_many_with<I: ServiceInputs>(
        &self,
        records: &[I],
        options: crate::services::ExecuteOptions,
    ) -> crate::Result<TypedMany<OutputsOf<I>>> {
        self.execute_many_service::<I::Service>(records, options)
            .await
    }

    /// The v4 call of [`execute_typed_many_with`](Self::execute_typed_many_with), generic
    /// over the service the records belong to.
    async fn execute_many_service<S: TypedService>(
        &self,
        records: &[S::Inputs],
        mut options: crate::services::ExecuteOptions,
    ) -> crate::Result<TypedMany<S::Outputs>> {
        check_records::<S>(records, &options)?;
        pin_version::<S>(&mut options);
        let route = self
            .transport
            .routes
            .typed(self.base_url(), S::FOLDER, S::SERVICE)?;
        let body = v4_body(&route.uri, records, &options)?;
        let url = self.transport.routes.v4_execute(self.base_url())?;
        let spec = RequestSpec::to_url(http::Method::POST, url)
            .json_bytes(body)
            .compressible()
            .deadline_if(options.deadline);
        let response = self.transport.send(spec).await?;
        let request_id = response.request_id().to_owned();
        let misaligned = |outputs: usize| crate::SparkError::Decode {
            what: "v4 execute response",
            request_id: request_id.clone(),
            reason: format!(
                "{outputs} outputs for {} records: the arrays must line up with the inputs",
                records.len()
            ),
        };
        let list = |values: &mut Vec<serde_json::Value>, i: usize| match values.get_mut(i) {
            Some(serde_json::Value::Array(items)) => std::mem::take(items),
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(other) => vec![other.take()],
        };
        // Straight into the generated type; anything unexpected goes through the general
        // response, which reports precisely what does not match.
        if let Ok(mut envelope) =
            serde_json::from_slice::<ManyEnvelope<S::Outputs>>(response.body())
        {
            if envelope.outputs.len() != records.len() {
                return Err(misaligned(envelope.outputs.len()));
            }
            let outputs = std::mem::take(&mut envelope.outputs);
            let mut out = Vec::with_capacity(outputs.len());
            for (i, outputs) in outputs.into_iter().enumerate() {
                out.push(RecordResult {
                    outputs,
                    process_time: envelope
                        .process_time
                        .get(i)
                        .and_then(serde_json::Value::as_f64),
                    warnings: list(&mut envelope.warnings, i),
                    errors: list(&mut envelope.errors, i),
                    mismatches: Vec::new(),
                });
            }
            return Ok(TypedMany {
                records: out,
                call_id: envelope.call_id,
                version: envelope.version,
                version_id: envelope.version_id,
                request_id,
            });
        }
        let mut response: ExecuteManyResponse = response.json("v4 execute response")?;
        if response.outputs.len() != records.len() {
            return Err(misaligned(response.outputs.len()));
        }
        let outputs = std::mem::take(&mut response.outputs);
        let mut out = Vec::with_capacity(outputs.len());
        for (i, value) in outputs.into_iter().enumerate() {
            let decoded = match value {
                serde_json::Value::Object(map) => {
                    crate::bindings::decode_outputs::<S::Outputs>(map)
                }
                other => serde_json::from_value::<S::Outputs>(other).map(|o| (o, Vec::new())),
            };
            let (outputs, mismatches) = decoded.map_err(|e| crate::SparkError::Decode {
                what: "typed outputs",
                request_id: request_id.clone(),
                reason: format!(
                    "record #{i} of {}/{} does not match the generated type: {e}",
                    S::FOLDER,
                    S::SERVICE
                ),
            })?;
            out.push(RecordResult {
                outputs,
                process_time: response
                    .process_time
                    .get(i)
                    .and_then(serde_json::Value::as_f64),
                warnings: list(&mut response.warnings, i),
                errors: list(&mut response.errors, i),
                mismatches,
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
