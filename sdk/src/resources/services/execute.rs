//! Options of an execute call (single, v3, or many records, v4) and the v3 response types.
//! The request bodies they turn into are written in [`execute_body`](crate::resources::services::execute_body).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Result, SparkError};

/// Default `request_meta.call_purpose`.
pub const DEFAULT_CALL_PURPOSE: &str = "Single Execution";
/// Default `call_purpose` of a v4 (many records) call, as the reference SDKs send it.
pub const DEFAULT_MANY_CALL_PURPOSE: &str = "Sync Batch Execution";
/// Default `request_meta.source_system`.
pub const DEFAULT_SOURCE_SYSTEM: &str = "Spark Rust SDK";

/// Options of an execute call, one setter per option of the Python SDK's `services.execute`
/// (python-sdk.md §5, §5.4), all optional.
///
/// The same options serve single executions (API v3, a `request_meta` object) and
/// many-record executions (API v4, a flat body). Where each one goes:
///
/// | setter | v3 `request_meta` | v4 body |
/// |---|---|---|
/// | [`version`](Self::version) | `version` | inside `service` (`f/s[version]`) |
/// | [`version_id`](Self::version_id) | `version_id` | `version_id` |
/// | [`active_since`](Self::active_since) | `transaction_date` | `version_by_timestamp` |
/// | [`call_purpose`](Self::call_purpose) | `call_purpose` | `call_purpose` |
/// | [`source_system`](Self::source_system) | `source_system` | `source_system` |
/// | [`correlation_id`](Self::correlation_id) | `correlation_id` | `correlation_id` |
/// | [`subservices`](Self::subservices) | `service_category` | `subservice` |
/// | [`selected_outputs`](Self::selected_outputs) | `requested_output` | `output` |
/// | [`tables_as_array`](Self::tables_as_array) | `array_outputs` | — |
/// | [`outputs_filter`](Self::outputs_filter) | `requested_output_regex` | — |
/// | [`compiler_type`](Self::compiler_type) | `compiler_type` | — |
/// | [`debug_solve`](Self::debug_solve) | `debug_solve` | — |
/// | [`downloadable`](Self::downloadable) | `excel_file` | — |
/// | [`echo_inputs`](Self::echo_inputs) | `response_data_inputs` | — |
/// | [`extra`](Self::extra) | any key | any key but `inputs` |
///
/// The options marked "—" have no v4 field (Spark's v4 description lists them as v3-only);
/// v4 calls leave them out, as the Python and TypeScript SDKs do.
///
/// ```no_run
/// use cspark::services::CompilerType;
/// let opts = cspark::services::ExecuteOptions::default()
///     .call_purpose("quote")
///     .correlation_id("order-42")
///     .selected_outputs(["premium"])
///     .outputs_filter("^Metadata\\.")
///     .compiler_type(CompilerType::Type3)
///     .echo_inputs(true);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ExecuteOptions {
    /// Semantic version to run (overrides a `[version]` in the URI).
    pub version: Option<String>,
    /// Exact version id to run (overrides a version id in the URI).
    pub version_id: Option<String>,
    /// Runs the version effective at this ISO 8601 date-time (v3 `transaction_date`, v4
    /// `version_by_timestamp`); sent as given.
    pub active_since: Option<String>,
    /// Logged purpose; default [`DEFAULT_CALL_PURPOSE`] (v3) or
    /// [`DEFAULT_MANY_CALL_PURPOSE`] (v4).
    pub call_purpose: Option<String>,
    /// Logged caller; default [`DEFAULT_SOURCE_SYSTEM`].
    pub source_system: Option<String>,
    /// Echoed back in the response's `correlation_id`.
    pub correlation_id: Option<String>,
    /// Subservices to run (v3 `service_category`, v4 `subservice`, comma-joined).
    pub subservices: Vec<String>,
    /// Return only these outputs (v3 `requested_output`, v4 `output`, comma-joined).
    pub selected_outputs: Vec<String>,
    /// Table outputs returned as JSON arrays, header row first (v3 `array_outputs`).
    pub tables_as_array: Vec<String>,
    /// Return only outputs whose names match this regular expression, evaluated by Spark
    /// (v3 `requested_output_regex`).
    pub outputs_filter: Option<String>,
    /// Engine to run the service with (v3 `compiler_type`, always sent; default Neuron).
    pub compiler_type: CompilerType,
    /// Debug Xsolve (v3 `debug_solve`); not sent unless set.
    pub debug_solve: Option<bool>,
    /// Also produce a rehydrated Excel file for this call (v3 `excel_file`, always sent).
    pub downloadable: bool,
    /// Echo the inputs in `response_data.inputs` (v3 `response_data_inputs`, always sent).
    pub echo_inputs: bool,
    /// Extra keys (Python's `extras`), merged last: in v3 into `request_meta`, in v4 into the
    /// body. They override the SDK's own keys; a `null` removes the key.
    pub extra: Map<String, Value>,
    /// Typed calls only: send the inputs even if they break the workbook's data-validation
    /// rules that the generated bindings carry (`TypedService::validate`). By default such
    /// inputs are refused with [`SparkError::InputRules`]
    /// before anything is sent; skip the check when a rule is dynamic in the workbook (it
    /// depends on other inputs) and the bindings' copy of it is too strict.
    pub skip_input_rules: bool,
    /// The operation deadline of this call (every attempt and back-off), instead of the
    /// client's (`ClientBuilder::deadline`, default 180 s). Applies to the execute calls
    /// (v3, v4, typed, many records, and each request of a chunked call).
    pub deadline: Option<std::time::Duration>,
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

    /// Sets [`active_since`](Self::active_since) (Python's `active_since`), e.g.
    /// `"2024-01-01T00:00:00Z"`.
    pub fn active_since(mut self, v: impl Into<String>) -> Self {
        self.active_since = Some(v.into());
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

    /// Sets [`subservices`](Self::subservices) (`#Default#` is the default subservice).
    pub fn subservices<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.subservices = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`selected_outputs`](Self::selected_outputs) (Python's `selected_outputs`).
    pub fn selected_outputs<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.selected_outputs = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`tables_as_array`](Self::tables_as_array) (v3 only).
    pub fn tables_as_array<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.tables_as_array = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`outputs_filter`](Self::outputs_filter), a regular expression Spark matches
    /// against output names (v3 only).
    pub fn outputs_filter(mut self, regex: impl Into<String>) -> Self {
        self.outputs_filter = Some(regex.into());
        self
    }

    /// Sets [`compiler_type`](Self::compiler_type) (v3 only).
    pub fn compiler_type(mut self, compiler: CompilerType) -> Self {
        self.compiler_type = compiler;
        self
    }

    /// Sets [`debug_solve`](Self::debug_solve) (v3 only).
    pub fn debug_solve(mut self, yes: bool) -> Self {
        self.debug_solve = Some(yes);
        self
    }

    /// Sets [`downloadable`](Self::downloadable) (v3 only).
    pub fn downloadable(mut self, yes: bool) -> Self {
        self.downloadable = yes;
        self
    }

    /// Sets [`echo_inputs`](Self::echo_inputs) (v3 only).
    pub fn echo_inputs(mut self, yes: bool) -> Self {
        self.echo_inputs = yes;
        self
    }

    /// Sets [`deadline`](Self::deadline): this call gives up after `deadline`, retries
    /// included (a zero deadline is refused).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets [`skip_input_rules`](Self::skip_input_rules) (typed calls only).
    pub fn skip_input_rules(mut self, yes: bool) -> Self {
        self.skip_input_rules = yes;
        self
    }

    /// Adds an extra key (see [`extra`](Self::extra)); for anything the setters above do
    /// not cover, e.g. `parameterset_version_id`.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

/// The engine a v3 execution runs on (`request_meta.compiler_type`; spark-platform.md §3.1,
/// the values the Python and TypeScript SDKs accept).
///
/// ```
/// use cspark::services::CompilerType;
/// assert_eq!("xconnector".parse::<CompilerType>().unwrap(), CompilerType::Xconnector);
/// assert_eq!(CompilerType::Type3.as_str(), "Type3");
/// assert!("Excel".parse::<CompilerType>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompilerType {
    /// `Neuron`, the default.
    #[default]
    Neuron,
    /// `Type3`.
    Type3,
    /// `Type2`.
    Type2,
    /// `Type1`.
    Type1,
    /// `Xconnector` (remote services).
    Xconnector,
}

impl CompilerType {
    const ALL: [CompilerType; 5] = [
        Self::Neuron,
        Self::Type3,
        Self::Type2,
        Self::Type1,
        Self::Xconnector,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Neuron => "Neuron",
            Self::Type3 => "Type3",
            Self::Type2 => "Type2",
            Self::Type1 => "Type1",
            Self::Xconnector => "Xconnector",
        }
    }
}

impl fmt::Display for CompilerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompilerType {
    type Err = SparkError;

    /// Case-insensitive, as in the reference SDKs; unlike them, an unknown name is an error
    /// rather than a silent `Neuron`.
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                SparkError::invalid(
                    "compiler type",
                    s,
                    "expected one of Neuron, Type3, Type2, Type1, Xconnector",
                )
            })
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
