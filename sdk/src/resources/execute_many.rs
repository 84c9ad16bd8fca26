//! v4 execution of many records in one call (`POST {base}/api/v4/execute`, python-sdk.md §5.3).
//!
//! The body is flat: `inputs` (records) plus metadata; the response carries arrays parallel to
//! the inputs (`outputs`, `process_time`, `warnings`, `errors`) and one `call_id`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::execute::{DEFAULT_SOURCE_SYSTEM, ExecuteOptions, null_as_default};
use super::services::{IntoServiceUri, Services};
use super::value_form::{in_value_form, maps_sort_keys};
use crate::error::{Result, SparkError};
use crate::transport::RequestSpec;
use crate::uri::{Locator, ServiceUri};

/// Default `call_purpose` of a v4 call, as the reference SDKs send it.
pub const DEFAULT_MANY_CALL_PURPOSE: &str = "Sync Batch Execution";

/// The response of a v4 execution: per-record arrays plus the call's metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExecuteManyResponse {
    /// One output object per input record, in input order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub outputs: Vec<Value>,
    /// Milliseconds per record.
    #[serde(default, deserialize_with = "null_as_default")]
    pub process_time: Vec<Value>,
    /// Warnings per record (`null` when none).
    #[serde(default, deserialize_with = "null_as_default")]
    pub warnings: Vec<Value>,
    /// Errors per record (`null` when none).
    #[serde(default, deserialize_with = "null_as_default")]
    pub errors: Vec<Value>,
    /// Id of the service that ran.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Id of the version that ran.
    #[serde(default)]
    pub version_id: Option<String>,
    /// Semantic version that ran.
    #[serde(default)]
    pub version: Option<String>,
    /// One id for the whole call.
    #[serde(default)]
    pub call_id: Option<String>,
    /// Compiler version of the service.
    #[serde(default)]
    pub compiler_version: Option<String>,
    /// Echo of the request's `correlation_id`.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// When Spark received the request.
    #[serde(default)]
    pub request_timestamp: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Services<'_> {
    /// Runs a service once per record in a single v4 call.
    ///
    /// Uses the same [`ExecuteOptions`] as v3: `version` goes into `service`
    /// (`folder/service[version]`), `transaction_date` becomes `version_by_timestamp`,
    /// `subservices` `subservice` and `requested_output` `output`; `response_data_inputs` has
    /// no v4 equivalent and is not sent.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let records = vec![serde_json::json!({"x": 1}), serde_json::json!({"x": 2})];
    /// let out = client
    ///     .services()
    ///     .execute_many("my-folder/my-service", &records, &Default::default())
    ///     .await?;
    /// assert_eq!(out.outputs.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn execute_many<I: Serialize>(
        &self,
        uri: impl IntoServiceUri,
        records: &[I],
        options: &ExecuteOptions,
    ) -> Result<ExecuteManyResponse> {
        self.execute_many_traced(uri, records, options)
            .await
            .map(|(r, _)| r)
    }

    pub(crate) async fn execute_many_traced<I: Serialize>(
        &self,
        uri: impl IntoServiceUri,
        records: &[I],
        options: &ExecuteOptions,
    ) -> Result<(ExecuteManyResponse, String)> {
        let uri = uri.into_service_uri()?;
        let body = write_untyped_execute_many_body(&uri, records, options)?;
        let url = crate::uri::v4_execute_url(self.client().base_url(), uri.is_public());
        let spec = RequestSpec::post(&url)?.json_bytes(body).compressible();
        let response = self.client().transport.send(spec).await?;
        let parsed: ExecuteManyResponse = response.json("v4 execute response")?;
        if parsed.outputs.len() != records.len() {
            return Err(SparkError::Decode {
                what: "v4 execute response",
                request_id: response.request_id().to_owned(),
                reason: format!(
                    "{} outputs for {} records: the arrays must line up with the inputs",
                    parsed.outputs.len(),
                    records.len()
                ),
            });
        }
        Ok((parsed, response.request_id().to_owned()))
    }
}

/// Writes the v4 body of an untyped call: the bytes of [`execute_many_body`] + `to_vec`,
/// straight from `records` when each already writes what its `Value` would, through a
/// `serde_json::to_value` per record otherwise.
fn write_untyped_execute_many_body<I: Serialize>(
    uri: &ServiceUri,
    records: &[I],
    options: &ExecuteOptions,
) -> Result<Vec<u8>> {
    if maps_sort_keys() && records.iter().all(in_value_form) {
        // On an error (a record not an object, a proxy URI…), the `Value` path below
        // reports it as it always has.
        if let Ok(body) = write_execute_many_body(uri, records, options) {
            return Ok(body);
        }
    }
    let mut inputs = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        inputs.push(record_value(index, record)?);
    }
    let body = execute_many_body(uri, inputs, options)?;
    serde_json::to_vec(&body)
        .map_err(|e| SparkError::invalid("request body", "<json>", e.to_string()))
}

/// Builds the flat v4 body (python-sdk.md §5.3): `inputs` first, then metadata; unset
/// values are left out.
pub fn execute_many_body(
    uri: &ServiceUri,
    inputs: Vec<Value>,
    o: &ExecuteOptions,
) -> Result<Value> {
    let mut body = Map::new();
    body.insert("inputs".into(), Value::Array(inputs));
    let (service, version_id) =
        v4_target(uri, o.version.as_deref(), o.version_id.as_deref(), "API v4")?;
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            body.insert(k.to_owned(), Value::String(v));
        }
    };
    let joined = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    put("service", service);
    put("version_id", version_id);
    put("version_by_timestamp", o.transaction_date.clone());
    put("subservice", joined(&o.subservices));
    put("output", joined(&o.requested_output));
    put(
        "call_purpose",
        Some(
            o.call_purpose
                .clone()
                .unwrap_or_else(|| DEFAULT_MANY_CALL_PURPOSE.to_owned()),
        ),
    );
    put(
        "source_system",
        Some(
            o.source_system
                .clone()
                .unwrap_or_else(|| DEFAULT_SOURCE_SYSTEM.to_owned()),
        ),
    );
    put("correlation_id", o.correlation_id.clone());
    for (k, v) in &o.extra {
        if v.is_null() {
            body.remove(k);
        } else {
            body.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(body))
}

/// The `service` and `version_id` values of a flat v4 body (execute, batch create):
/// `folder/service[version]` or a service id, plus a version id from the options or the URI.
/// `what` names the call in the error for proxy locators, which v4 cannot address.
pub(crate) fn v4_target(
    uri: &ServiceUri,
    version: Option<&str>,
    version_id: Option<&str>,
    what: &str,
) -> Result<(Option<String>, Option<String>)> {
    let service = match uri.locator() {
        Locator::FolderService { folder, service } => Some(match version.or(uri.version()) {
            Some(v) => format!("{folder}/{service}[{v}]"),
            None => format!("{folder}/{service}"),
        }),
        Locator::ServiceId(id) => Some(id.clone()),
        Locator::VersionId(_) => None,
        Locator::Proxy(_) => {
            return Err(SparkError::invalid(
                "service URI",
                uri.to_string(),
                format!("a proxy endpoint cannot be used with {what}"),
            ));
        }
    };
    let version_id = version_id
        .map(str::to_owned)
        .or_else(|| uri.version_id_value().map(str::to_owned));
    Ok((service, version_id))
}

/// Writes the flat v4 body of [`execute_many_body`] straight to bytes, without a
/// `serde_json::Value` per record. Keys come in the sorted order the untyped builder's map
/// gives them, so the bytes are the same when each record writes its keys in sorted order
/// (as the generated input types do). Each record must be a JSON object.
pub(crate) fn write_execute_many_body<I: Serialize>(
    uri: &ServiceUri,
    records: &[I],
    o: &ExecuteOptions,
) -> Result<Vec<u8>> {
    if !o.extra.is_empty() {
        // Extra keys may override or remove any key: the map-based builder handles that.
        let mut values = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            values.push(record_value(index, record)?);
        }
        let body = execute_many_body(uri, values, o)?;
        return serde_json::to_vec(&body)
            .map_err(|e| SparkError::invalid("request body", "<json>", e.to_string()));
    }
    let (service, version_id) =
        v4_target(uri, o.version.as_deref(), o.version_id.as_deref(), "API v4")?;
    let joined = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    let mut w = JsonObjectWriter::new(64 + 48 * records.len());
    w.string(
        "call_purpose",
        Some(
            o.call_purpose
                .as_deref()
                .unwrap_or(DEFAULT_MANY_CALL_PURPOSE),
        ),
    )?;
    w.string("correlation_id", o.correlation_id.as_deref())?;
    w.key("inputs");
    w.out.push(b'[');
    for (index, record) in records.iter().enumerate() {
        if index > 0 {
            w.out.push(b',');
        }
        let start = w.out.len();
        serde_json::to_writer(&mut w.out, record)
            .map_err(|e| SparkError::invalid("record", format!("#{index}"), e.to_string()))?;
        if w.out.get(start) != Some(&b'{') {
            let text = String::from_utf8_lossy(&w.out[start..]).into_owned();
            return Err(SparkError::invalid(
                "record",
                format!("#{index}: {text}"),
                "each record must serialise to a JSON object",
            ));
        }
    }
    w.out.push(b']');
    w.string("output", joined(&o.requested_output).as_deref())?;
    w.string("service", service.as_deref())?;
    w.string(
        "source_system",
        Some(o.source_system.as_deref().unwrap_or(DEFAULT_SOURCE_SYSTEM)),
    )?;
    w.string("subservice", joined(&o.subservices).as_deref())?;
    w.string("version_by_timestamp", o.transaction_date.as_deref())?;
    w.string("version_id", version_id.as_deref())?;
    Ok(w.finish())
}

fn record_value<I: Serialize>(index: usize, record: &I) -> Result<Value> {
    match serde_json::to_value(record) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(other) => Err(SparkError::invalid(
            "record",
            format!("#{index}: {other}"),
            "each record must serialise to a JSON object",
        )),
        Err(e) => Err(SparkError::invalid(
            "record",
            format!("#{index}"),
            e.to_string(),
        )),
    }
}

/// Writes a JSON object key by key (keys are the SDK's own, plain ASCII).
struct JsonObjectWriter {
    out: Vec<u8>,
}

impl JsonObjectWriter {
    fn new(capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        out.push(b'{');
        Self { out }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// `"key":"value"`, or nothing for `None`.
    fn string(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        if let Some(value) = value {
            self.key(key);
            serde_json::to_writer(&mut self.out, value)
                .map_err(|e| SparkError::invalid("request body", key, e.to_string()))?;
        }
        Ok(())
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sorted {
        #[serde(rename = "Height")]
        height: f64,
        #[serde(rename = "Radius")]
        radius: f64,
    }

    #[test]
    fn typed_many_body_bytes_match_the_untyped_builder() {
        let records: Vec<Sorted> = (0..5)
            .map(|i| Sorted {
                height: f64::from(i) + 0.5,
                radius: 1e-9 * f64::from(i),
            })
            .collect();
        let values: Vec<Value> = records
            .iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect();
        let full = ExecuteOptions::default()
            .version("1.2.3")
            .version_id("vid")
            .transaction_date("2024-01-01")
            .call_purpose("cp \"q\"")
            .source_system("src")
            .correlation_id("c")
            .requested_output(["a", "b"])
            .subservices(["s1", "s2"]);
        let extra = ExecuteOptions::default()
            .extra("zz", Value::from(1))
            .extra("source_system", Value::Null);
        for uri in [
            "f/s",
            "f/s[1.0]",
            "service/sid",
            "version/v-1",
            "public/f/s",
        ] {
            let uri = ServiceUri::parse(uri).unwrap();
            for o in [&ExecuteOptions::default(), &full, &extra] {
                for n in [0, 1, 5] {
                    let typed = write_execute_many_body(&uri, &records[..n], o).unwrap();
                    let old = execute_many_body(&uri, values[..n].to_vec(), o).unwrap();
                    assert_eq!(
                        String::from_utf8(typed).unwrap(),
                        serde_json::to_string(&old).unwrap()
                    );
                }
            }
        }
    }

    #[test]
    fn non_object_records_are_rejected_with_their_index() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let records = [serde_json::json!({"x": 1}), serde_json::json!([1, 2])];
        match write_execute_many_body(&uri, &records, &ExecuteOptions::default()) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("record", "#1: [1,2]"));
            }
            other => panic!("{other:?}"),
        }
        let proxy = ServiceUri::parse("proxy/p").unwrap();
        assert!(
            write_execute_many_body(&proxy, &records[..1], &ExecuteOptions::default()).is_err()
        );
    }

    #[derive(Serialize)]
    struct Unsorted {
        radius: f32,
        height: f64,
    }

    /// The body as the untyped call wrote it before the direct path.
    fn via_values<I: Serialize>(uri: &ServiceUri, records: &[I], o: &ExecuteOptions) -> String {
        let values = records
            .iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect();
        serde_json::to_string(&execute_many_body(uri, values, o).unwrap()).unwrap()
    }

    fn untyped<I: Serialize>(uri: &ServiceUri, records: &[I], o: &ExecuteOptions) -> String {
        String::from_utf8(write_untyped_execute_many_body(uri, records, o).unwrap()).unwrap()
    }

    #[test]
    fn untyped_many_body_bytes_are_those_of_the_value_builder() {
        let values = [
            serde_json::json!({"b": [1, {"d": null, "c": "x"}], "a": 1.5}),
            serde_json::json!({}),
        ];
        // Not in `Value` form: through `to_value`, keys sorted and the f32 widened.
        let unsorted = [Unsorted {
            radius: 0.1,
            height: 2.0,
        }];
        let extra = ExecuteOptions::default()
            .call_purpose("cp")
            .extra("zz", Value::from(1))
            .extra("source_system", Value::Null);
        for uri in ["f/s", "f/s[1.0]", "service/sid", "version/v-1"] {
            let uri = ServiceUri::parse(uri).unwrap();
            for o in [&ExecuteOptions::default(), &extra] {
                assert_eq!(untyped(&uri, &values, o), via_values(&uri, &values, o));
                assert_eq!(untyped(&uri, &unsorted, o), via_values(&uri, &unsorted, o));
                let none: [Value; 0] = [];
                assert_eq!(untyped(&uri, &none, o), via_values(&uri, &none, o));
            }
        }
    }

    #[test]
    fn untyped_many_body_errors_are_those_of_the_value_builder() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let o = ExecuteOptions::default();
        let records = [serde_json::json!({"x": 1}), serde_json::json!([1, 2])];
        match write_untyped_execute_many_body(&uri, &records, &o) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("record", "#1: [1,2]"));
            }
            other => panic!("{other:?}"),
        }
        let proxy = ServiceUri::parse("proxy/custom-endpoint").unwrap();
        match write_untyped_execute_many_body(&proxy, &records[..1], &o) {
            Err(SparkError::InvalidInput { what, .. }) => assert_eq!(what, "service URI"),
            other => panic!("{other:?}"),
        }
    }
}
