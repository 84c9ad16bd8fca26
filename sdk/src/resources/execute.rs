//! Types of a v3 single execution: options in, envelope out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Default `request_meta.call_purpose`.
pub const DEFAULT_CALL_PURPOSE: &str = "Single Execution";
/// Default `request_meta.source_system`.
pub const DEFAULT_SOURCE_SYSTEM: &str = "Spark Rust SDK";

/// Metadata options of an execute call (all optional).
///
/// ```no_run
/// let opts = cspark::ExecuteOptions::default()
///     .call_purpose("quote")
///     .correlation_id("order-42")
///     .requested_output(["premium"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ExecuteOptions {
    /// Semantic version to run (overrides a `[version]` in the URI).
    pub version: Option<String>,
    /// Exact version id to run.
    pub version_id: Option<String>,
    /// Picks the version effective at this ISO date-time.
    pub transaction_date: Option<String>,
    /// Logged purpose; default [`DEFAULT_CALL_PURPOSE`].
    pub call_purpose: Option<String>,
    /// Logged caller; default [`DEFAULT_SOURCE_SYSTEM`].
    pub source_system: Option<String>,
    /// Echoed back in `response_meta.correlation_id`.
    pub correlation_id: Option<String>,
    /// Return only these outputs (`requested_output`).
    pub requested_output: Vec<String>,
    /// Echo the inputs in `response_data.inputs` (`response_data_inputs`).
    pub response_data_inputs: bool,
    /// Subservices to run (`service_category`).
    pub subservices: Vec<String>,
    /// Extra `request_meta` keys, merged last (they may override the above).
    pub extra: Map<String, Value>,
}

impl ExecuteOptions {
    /// Sets [`version`](Self::version).
    pub fn version(mut self, v: impl Into<String>) -> Self {
        self.version = Some(v.into());
        self
    }

    /// Sets [`version_id`](Self::version_id).
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }

    /// Sets [`transaction_date`](Self::transaction_date).
    pub fn transaction_date(mut self, v: impl Into<String>) -> Self {
        self.transaction_date = Some(v.into());
        self
    }

    /// Sets [`call_purpose`](Self::call_purpose).
    pub fn call_purpose(mut self, v: impl Into<String>) -> Self {
        self.call_purpose = Some(v.into());
        self
    }

    /// Sets [`source_system`](Self::source_system).
    pub fn source_system(mut self, v: impl Into<String>) -> Self {
        self.source_system = Some(v.into());
        self
    }

    /// Sets [`correlation_id`](Self::correlation_id).
    pub fn correlation_id(mut self, v: impl Into<String>) -> Self {
        self.correlation_id = Some(v.into());
        self
    }

    /// Sets [`requested_output`](Self::requested_output).
    pub fn requested_output<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.requested_output = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`response_data_inputs`](Self::response_data_inputs).
    pub fn response_data_inputs(mut self, yes: bool) -> Self {
        self.response_data_inputs = yes;
        self
    }

    /// Sets [`subservices`](Self::subservices).
    pub fn subservices<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.subservices = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an extra `request_meta` key.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

/// The v3 execute envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExecuteResponse {
    /// `Success` or `Error`.
    #[serde(default)]
    pub status: Option<String>,
    /// Outputs and calculation messages.
    #[serde(default)]
    pub response_data: ResponseData,
    /// Call metadata.
    #[serde(default)]
    pub response_meta: ResponseMeta,
    /// Error object for `status: Error` bodies.
    #[serde(default)]
    pub error: Option<Value>,
}

impl ExecuteResponse {
    /// The outputs.
    pub fn outputs(&self) -> &Map<String, Value> {
        &self.response_data.outputs
    }
}

/// `response_data` of a v3 execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseData {
    /// Output values by name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub outputs: Map<String, Value>,
    /// Calculation warnings (`[{source_path, message}]`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub warnings: Vec<Value>,
    /// Calculation errors (`[{source_path, message, error_category, error_type, …}]`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub errors: Vec<Value>,
    /// Subservice chain, when present.
    #[serde(default)]
    pub service_chain: Option<Value>,
    /// Echoed inputs (with `response_data_inputs`).
    #[serde(default)]
    pub inputs: Option<Value>,
}

/// `response_meta` of a v3 execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// Service id.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Version id that ran.
    #[serde(default)]
    pub version_id: Option<String>,
    /// Semantic version that ran.
    #[serde(default)]
    pub version: Option<String>,
    /// Calculation time in milliseconds.
    #[serde(default)]
    pub process_time: Option<f64>,
    /// Call id (for history / rehydration).
    #[serde(default)]
    pub call_id: Option<String>,
    /// Engine type, e.g. `Neuron`.
    #[serde(default)]
    pub compiler_type: Option<String>,
    /// Compiler version.
    #[serde(default)]
    pub compiler_version: Option<String>,
    /// Echo of `request_meta.correlation_id`.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// Server timestamp of the request.
    #[serde(default)]
    pub request_timestamp: Option<String>,
    /// Every other `response_meta` field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

pub(crate) fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}
