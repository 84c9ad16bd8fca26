//! Types of a v3 single execution: options in, envelope out; and the direct body writer
//! (typed calls, and untyped ones whose inputs already write what their `Value` would).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Result, SparkError};
use crate::uri::{Locator, ServiceUri};

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

/// `request_meta` of a v3 call. The fields are declared in sorted key order, the order in
/// which the untyped builder's `serde_json::Map` (a `BTreeMap`) writes them, so both
/// produce the same bytes; unset values are left out as there.
#[derive(Serialize)]
struct RequestMeta<'a> {
    call_purpose: &'a str,
    compiler_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_id: Option<&'a str>,
    excel_file: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_output: Option<String>,
    response_data_inputs: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<&'a str>,
    source_system: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_id: Option<&'a str>,
}

impl<'a> RequestMeta<'a> {
    fn new(uri: &'a ServiceUri, o: &'a ExecuteOptions) -> Self {
        let joined = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
        Self {
            call_purpose: o.call_purpose.as_deref().unwrap_or(DEFAULT_CALL_PURPOSE),
            compiler_type: "Neuron",
            correlation_id: o.correlation_id.as_deref(),
            excel_file: false,
            requested_output: joined(&o.requested_output),
            response_data_inputs: o.response_data_inputs,
            service_category: joined(&o.subservices),
            service_id: match uri.locator() {
                Locator::ServiceId(id) => Some(id),
                _ => None,
            },
            source_system: o.source_system.as_deref().unwrap_or(DEFAULT_SOURCE_SYSTEM),
            transaction_date: o.transaction_date.as_deref(),
            version: o.version.as_deref().or(uri.version()),
            version_id: o.version_id.as_deref().or(uri.version_id_value()),
        }
    }
}

/// Writes the v3 body `{"request_data":{"inputs":…},"request_meta":{…}}` (python-sdk.md §5.2)
/// straight to bytes, without building a `serde_json::Value` of the inputs.
///
/// The bytes are those of [`execute_body`](crate::resources::services::execute_body) +
/// `serde_json::to_vec` when `inputs` writes its keys in sorted order, as the generated
/// input types do (their fields follow the service's sorted input names). `null` inputs
/// mean "no inputs" (`{}`); anything but an object or `null` is rejected.
pub(crate) fn write_execute_body<I: Serialize + ?Sized>(
    uri: &ServiceUri,
    inputs: &I,
    o: &ExecuteOptions,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(320);
    out.extend_from_slice(br#"{"request_data":{"inputs":"#);
    let start = out.len();
    serde_json::to_writer(&mut out, inputs)
        .map_err(|e| SparkError::invalid("inputs", "<unserialisable>", e.to_string()))?;
    match out.get(start) {
        Some(b'{') => {}
        Some(b'n') => {
            out.truncate(start);
            out.extend_from_slice(b"{}");
        }
        first => {
            return Err(SparkError::invalid(
                "inputs",
                json_kind(first.copied()),
                "single execution takes a JSON object of inputs",
            ));
        }
    }
    out.extend_from_slice(br#"},"request_meta":"#);
    let meta = RequestMeta::new(uri, o);
    let written = if o.extra.is_empty() {
        serde_json::to_writer(&mut out, &meta)
    } else {
        // Extra keys may override or (with `null`) remove any key: merge them in a map,
        // which also keeps the sorted order.
        let mut map = match serde_json::to_value(&meta) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (k, v) in &o.extra {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
        serde_json::to_writer(&mut out, &map)
    };
    written.map_err(|e| SparkError::invalid("request_meta", "<json>", e.to_string()))?;
    out.push(b'}');
    Ok(out)
}

/// The JSON kind starting with `first`, for errors.
pub(crate) fn json_kind(first: Option<u8>) -> &'static str {
    match first {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'-' | b'0'..=b'9') => "number",
        _ => "other",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::resources::services::execute_body;

    fn old_bytes(uri: &ServiceUri, inputs: &Value, o: &ExecuteOptions) -> Vec<u8> {
        let map = match inputs {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        serde_json::to_vec(&execute_body(uri, map, o)).unwrap()
    }

    #[derive(Serialize)]
    struct Sorted {
        #[serde(rename = "Height")]
        height: f64,
        #[serde(rename = "Radius")]
        radius: f64,
    }

    #[test]
    fn typed_body_bytes_match_the_untyped_builder() {
        let full = ExecuteOptions::default()
            .version("1.2.3")
            .version_id("vid")
            .transaction_date("2024-01-01")
            .call_purpose("cp \"quoted\"")
            .source_system("src")
            .correlation_id("c")
            .requested_output(["a", "b"])
            .response_data_inputs(true)
            .subservices(["s1", "s2"]);
        let extra = ExecuteOptions::default()
            .extra("zz", Value::from(1))
            .extra("call_purpose", Value::from("override"))
            .extra("excel_file", Value::Null);
        let inputs = Sorted {
            height: 2.5,
            radius: 1e-7,
        };
        let as_value = serde_json::to_value(&inputs).unwrap();
        for uri in [
            "f/s",
            "f/s[1.0]",
            "service/sid[2.0]",
            "version/v-1",
            "public/f/s",
        ] {
            let uri = ServiceUri::parse(uri).unwrap();
            for o in [&ExecuteOptions::default(), &full, &extra] {
                let typed = write_execute_body(&uri, &inputs, o).unwrap();
                assert_eq!(
                    String::from_utf8(typed).unwrap(),
                    String::from_utf8(old_bytes(&uri, &as_value, o)).unwrap()
                );
            }
            let none = write_execute_body(&uri, &Value::Null, &full).unwrap();
            assert_eq!(none, old_bytes(&uri, &Value::Null, &full));
        }
    }

    #[test]
    fn non_object_inputs_are_rejected_by_kind() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let o = ExecuteOptions::default();
        for (inputs, kind) in [
            (serde_json::json!([1]), "array"),
            (serde_json::json!("x"), "string"),
            (serde_json::json!(3), "number"),
            (serde_json::json!(true), "bool"),
        ] {
            match write_execute_body(&uri, &inputs, &o) {
                Err(SparkError::InvalidInput { what, value, .. }) => {
                    assert_eq!((what, value.as_str()), ("inputs", kind));
                }
                other => panic!("{inputs}: {other:?}"),
            }
        }
    }
}
