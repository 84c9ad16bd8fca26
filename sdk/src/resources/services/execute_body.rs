//! The request bodies of execute: one serde struct per API version, written straight to bytes
//! (no `serde_json::Value` of the inputs). Key order carries no meaning in JSON objects, so the
//! structs declare their fields in the order the Python SDK builds them.
//!
//! - v3 single execution (python-sdk.md §5.2, spark-platform.md §3.1):
//!   `{"request_data":{"inputs":{…}},"request_meta":{…}}`.
//! - v4 many records (python-sdk.md §5.3, spark-platform.md §4.1): a flat
//!   `{"inputs":[{…},…],"service":…,…}`.
//!
//! [`ExecuteOptions::extra`] keys are merged last and override the SDK's own keys (a `null`
//! removes the key), as the Python SDK's `extras` do; an overridden field is left out of the
//! struct so that no key is written twice.

use std::cell::Cell;
use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::error::{Result, SparkError};
use crate::resources::services::execute::{
    DEFAULT_CALL_PURPOSE, DEFAULT_MANY_CALL_PURPOSE, DEFAULT_SOURCE_SYSTEM, ExecuteOptions,
};
use crate::resources::services::object_only::{Failure, ObjectOnly};
use crate::uri::{Locator, ServiceUri};

/// Writes the v3 body of a single execution of `uri` with `inputs` (python-sdk.md §5.2).
///
/// `inputs` must serialise to a JSON object; `null` (or `()`, `None`) means "no inputs" and is
/// sent as `{}`, which makes Spark use every default.
///
/// ```
/// use cspark::services::ExecuteOptions;
/// use cspark::ServiceUri;
/// let uri = ServiceUri::parse("my-folder/my-service[1.0.0]")?;
/// let body = cspark::services::v3_body(
///     &uri,
///     &serde_json::json!({"x": 1}),
///     &ExecuteOptions::default().echo_inputs(true),
/// )?;
/// let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(body["request_meta"]["version"], "1.0.0");
/// assert_eq!(body["request_meta"]["response_data_inputs"], true);
/// # Ok::<(), cspark::SparkError>(())
/// ```
pub fn v3_body<I: Serialize + ?Sized>(
    uri: &ServiceUri,
    inputs: &I,
    options: &ExecuteOptions,
) -> Result<Vec<u8>> {
    let rejected = Cell::new(None);
    let body = V3Body {
        request_data: V3Data {
            inputs: ObjectOnly {
                value: inputs,
                index: 0,
                null_as_empty: true,
                rejected: &rejected,
            },
        },
        request_meta: V3Meta::new(uri, options, None),
    };
    let mut out = Vec::with_capacity(320);
    match serde_json::to_writer(&mut out, &body) {
        Ok(()) => Ok(out),
        Err(e) => Err(inputs_error(&rejected, e)),
    }
}

/// The v3 body of a validation call (python-sdk.md §5.9): the execute body with default
/// options plus `request_meta.validation_type`, as a `Value` for the generated client.
pub(crate) fn v3_validation_body<I: Serialize + ?Sized>(
    uri: &ServiceUri,
    inputs: &I,
    validation_type: &str,
) -> Result<Value> {
    let rejected = Cell::new(None);
    let options = ExecuteOptions::default();
    let body = V3Body {
        request_data: V3Data {
            inputs: ObjectOnly {
                value: inputs,
                index: 0,
                null_as_empty: true,
                rejected: &rejected,
            },
        },
        request_meta: V3Meta::new(uri, &options, Some(validation_type)),
    };
    serde_json::to_value(&body).map_err(|e| inputs_error(&rejected, e))
}

fn inputs_error(failure: &Failure, e: serde_json::Error) -> SparkError {
    match failure.get() {
        Some((_, Some(kind))) => {
            SparkError::invalid("inputs", kind, "the inputs must be a JSON object")
        }
        _ => SparkError::invalid("inputs", "<unserialisable>", e.to_string()),
    }
}

/// Writes the flat v4 body of one execution of `uri` per record (python-sdk.md §5.3). Each
/// record must serialise to a JSON object.
///
/// A proxy locator has no v4 form and is refused.
///
/// ```
/// use cspark::services::ExecuteOptions;
/// use cspark::ServiceUri;
/// let uri = ServiceUri::parse("my-folder/my-service")?;
/// let records = [serde_json::json!({"x": 1}), serde_json::json!({"x": 2})];
/// let body = cspark::services::v4_body(
///     &uri,
///     &records,
///     &ExecuteOptions::default().active_since("2024-01-01"),
/// )?;
/// let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(body["service"], "my-folder/my-service");
/// assert_eq!(body["version_by_timestamp"], "2024-01-01");
/// # Ok::<(), cspark::SparkError>(())
/// ```
pub fn v4_body<I: Serialize>(
    uri: &ServiceUri,
    records: &[I],
    options: &ExecuteOptions,
) -> Result<Vec<u8>> {
    let rejected = Cell::new(None);
    let body = V4Body::new(uri, records, options, &rejected)?;
    let mut out = Vec::with_capacity(256 + 48 * records.len());
    match serde_json::to_writer(&mut out, &body) {
        Ok(()) => Ok(out),
        Err(e) => Err(match rejected.get() {
            Some((index, Some(kind))) => SparkError::invalid(
                "record",
                format!("#{index}: {kind}"),
                "each record must serialise to a JSON object",
            ),
            Some((index, None)) => {
                SparkError::invalid("record", format!("#{index}"), e.to_string())
            }
            None => SparkError::invalid("request body", "<json>", e.to_string()),
        }),
    }
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

#[derive(Serialize)]
struct V3Body<'a, I: ?Sized> {
    request_data: V3Data<'a, I>,
    request_meta: V3Meta<'a>,
}

#[derive(Serialize)]
struct V3Data<'a, I: ?Sized> {
    inputs: ObjectOnly<'a, I>,
}

/// `request_meta` (python-sdk.md §5.2 table; spark-platform.md §3.1 for the fields' effect).
/// `None` fields are left out.
#[derive(Serialize)]
struct V3Meta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_purpose: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_system: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    array_outputs: Option<Joined<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiler_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    debug_solve: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excel_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_output: Option<Joined<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_output_regex: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_data_inputs: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_category: Option<Joined<'a>>,
    /// Validation calls only.
    #[serde(skip_serializing_if = "Option::is_none")]
    validation_type: Option<&'a str>,
    #[serde(flatten)]
    extra: Extra<'a>,
}

impl<'a> V3Meta<'a> {
    fn new(uri: &'a ServiceUri, o: &'a ExecuteOptions, validation_type: Option<&'a str>) -> Self {
        let extra = Extra {
            map: &o.extra,
            reserved: None,
        };
        let own = |key: &str| !extra.overrides(key);
        let sid = match uri.locator() {
            Locator::ServiceId(id) => Some(id.as_str()),
            _ => None,
        };
        Self {
            service_id: sid.filter(|_| own("service_id")),
            version_id: (o.version_id.as_deref())
                .or(uri.version_id_value())
                .filter(|_| own("version_id")),
            version: (o.version.as_deref())
                .or(uri.version())
                .filter(|_| own("version")),
            transaction_date: o
                .active_since
                .as_deref()
                .filter(|_| own("transaction_date")),
            call_purpose: own("call_purpose")
                .then(|| o.call_purpose.as_deref().unwrap_or(DEFAULT_CALL_PURPOSE)),
            source_system: own("source_system")
                .then(|| o.source_system.as_deref().unwrap_or(DEFAULT_SOURCE_SYSTEM)),
            correlation_id: o
                .correlation_id
                .as_deref()
                .filter(|_| own("correlation_id")),
            array_outputs: Joined::of(&o.tables_as_array).filter(|_| own("array_outputs")),
            compiler_type: own("compiler_type").then(|| o.compiler_type.as_str()),
            debug_solve: o.debug_solve.filter(|_| own("debug_solve")),
            excel_file: own("excel_file").then_some(o.downloadable),
            requested_output: Joined::of(&o.selected_outputs).filter(|_| own("requested_output")),
            requested_output_regex: (o.outputs_filter.as_deref())
                .filter(|_| own("requested_output_regex")),
            response_data_inputs: own("response_data_inputs").then_some(o.echo_inputs),
            service_category: Joined::of(&o.subservices).filter(|_| own("service_category")),
            validation_type: validation_type.filter(|_| own("validation_type")),
            extra,
        }
    }
}

/// The flat v4 body (python-sdk.md §5.3 table). `None` fields are left out.
#[derive(Serialize)]
struct V4Body<'a, I> {
    inputs: Records<'a, I>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_by_timestamp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subservice: Option<Joined<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Joined<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_purpose: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_system: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_id: Option<&'a str>,
    #[serde(flatten)]
    extra: Extra<'a>,
}

impl<'a, I> V4Body<'a, I> {
    fn new(
        uri: &ServiceUri,
        records: &'a [I],
        o: &'a ExecuteOptions,
        rejected: &'a Failure,
    ) -> Result<Self> {
        let (service, version_id) =
            v4_target(uri, o.version.as_deref(), o.version_id.as_deref(), "API v4")?;
        // The records are the body's reason to be: an extra key never replaces them.
        let extra = Extra {
            map: &o.extra,
            reserved: Some("inputs"),
        };
        let own = |key: &str| !extra.overrides(key);
        Ok(Self {
            inputs: Records { records, rejected },
            service: service.filter(|_| own("service")),
            version_id: version_id.filter(|_| own("version_id")),
            version_by_timestamp: (o.active_since.as_deref())
                .filter(|_| own("version_by_timestamp")),
            subservice: Joined::of(&o.subservices).filter(|_| own("subservice")),
            output: Joined::of(&o.selected_outputs).filter(|_| own("output")),
            call_purpose: own("call_purpose").then(|| {
                o.call_purpose
                    .as_deref()
                    .unwrap_or(DEFAULT_MANY_CALL_PURPOSE)
            }),
            source_system: own("source_system")
                .then(|| o.source_system.as_deref().unwrap_or(DEFAULT_SOURCE_SYSTEM)),
            correlation_id: o
                .correlation_id
                .as_deref()
                .filter(|_| own("correlation_id")),
            extra,
        })
    }
}

/// A list of names written as one comma-joined string (`"a,b"`), without joining them first.
#[derive(Clone, Copy)]
struct Joined<'a>(&'a [String]);

impl<'a> Joined<'a> {
    fn of(names: &'a [String]) -> Option<Self> {
        (!names.is_empty()).then_some(Self(names))
    }
}

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The caller's extra keys, flattened into the body; `null` ones are left out (they only
/// remove the SDK's own key).
struct Extra<'a> {
    map: &'a Map<String, Value>,
    /// A key extras may not set.
    reserved: Option<&'static str>,
}

impl Extra<'_> {
    /// Whether the extras replace (or remove) the SDK's own `key`.
    fn overrides(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
}

impl Serialize for Extra<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.map {
            if !v.is_null() && Some(k.as_str()) != self.reserved {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// The v4 `inputs` array; each record must be a JSON object.
struct Records<'a, I> {
    records: &'a [I],
    rejected: &'a Failure,
}

impl<I: Serialize> Serialize for Records<'_, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.records
                .iter()
                .enumerate()
                .map(|(index, value)| ObjectOnly {
                    value,
                    index,
                    null_as_empty: false,
                    rejected: self.rejected,
                }),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn v3(uri: &str, inputs: &impl Serialize, o: &ExecuteOptions) -> Value {
        let uri = ServiceUri::parse(uri).unwrap();
        serde_json::from_slice(&v3_body(&uri, inputs, o).unwrap()).unwrap()
    }

    fn v4<I: Serialize>(uri: &str, records: &[I], o: &ExecuteOptions) -> Value {
        let uri = ServiceUri::parse(uri).unwrap();
        serde_json::from_slice(&v4_body(&uri, records, o).unwrap()).unwrap()
    }

    #[test]
    fn v3_minimal_body_is_the_reference_sdks() {
        // python-sdk.md §5.2 "captured minimal body", with this SDK's source system.
        assert_eq!(
            v3("f/s", &Value::Null, &ExecuteOptions::default()),
            json!({"request_data": {"inputs": {}}, "request_meta": {
                "call_purpose": "Single Execution", "source_system": "Spark Rust SDK",
                "compiler_type": "Neuron", "excel_file": false, "response_data_inputs": false}})
        );
    }

    #[test]
    fn v3_locators_go_into_request_meta() {
        let o = ExecuteOptions::default();
        let meta = |uri| v3(uri, &json!({}), &o)["request_meta"].clone();
        assert_eq!(meta("service/sid[2.0]")["service_id"], "sid");
        assert_eq!(meta("service/sid[2.0]")["version"], "2.0");
        assert_eq!(meta("version/v-1")["version_id"], "v-1");
        assert!(meta("f/s").get("service_id").is_none());
        let pinned = v3(
            "f/s[1.0]",
            &json!({}),
            &ExecuteOptions::default().version("3.0").version_id("vid"),
        );
        assert_eq!(pinned["request_meta"]["version"], "3.0");
        assert_eq!(pinned["request_meta"]["version_id"], "vid");
    }

    #[test]
    fn extras_override_and_remove_own_keys_without_duplicates() {
        let o = ExecuteOptions::default()
            .call_purpose("mine")
            .extra("call_purpose", json!("theirs"))
            .extra("excel_file", Value::Null)
            .extra("zz", json!(1));
        let uri = ServiceUri::parse("f/s").unwrap();
        let text = String::from_utf8(v3_body(&uri, &json!({}), &o).unwrap()).unwrap();
        assert_eq!(text.matches("call_purpose").count(), 1, "{text}");
        let meta = &v3("f/s", &json!({}), &o)["request_meta"];
        assert_eq!(meta["call_purpose"], "theirs");
        assert!(meta.get("excel_file").is_none());
        assert_eq!(meta["zz"], 1);

        let o = ExecuteOptions::default()
            .extra("inputs", json!([]))
            .extra("source_system", Value::Null)
            .extra("service", json!("other/svc"));
        let body = v4("f/s", &[json!({"x": 1})], &o);
        assert_eq!(body["inputs"], json!([{"x": 1}]));
        assert!(body.get("source_system").is_none());
        assert_eq!(body["service"], "other/svc");
    }

    #[test]
    fn non_object_inputs_are_rejected_by_kind() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let o = ExecuteOptions::default();
        for (inputs, kind) in [
            (json!([1]), "array"),
            (json!("x"), "string"),
            (json!(3), "number"),
            (json!(true), "bool"),
        ] {
            match v3_body(&uri, &inputs, &o) {
                Err(SparkError::InvalidInput { what, value, .. }) => {
                    assert_eq!((what, value.as_str()), ("inputs", kind));
                }
                other => panic!("{inputs}: {other:?}"),
            }
        }
        // Options, newtypes and unit all reach the object test.
        #[derive(Serialize)]
        struct Wrapped(Option<Map<String, Value>>);
        assert_eq!(
            v3("f/s", &Wrapped(None), &o)["request_data"]["inputs"],
            json!({})
        );
        assert_eq!(v3("f/s", &(), &o)["request_data"]["inputs"], json!({}));
    }

    #[test]
    fn non_object_records_are_rejected_with_their_index() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let o = ExecuteOptions::default();
        let records = [json!({"x": 1}), json!([1, 2])];
        match v4_body(&uri, &records, &o) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("record", "#1: array"));
            }
            other => panic!("{other:?}"),
        }
        // A record whose own `Serialize` fails (a map with non-string keys) is named too.
        let bad_keys: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        match v4_body(&uri, std::slice::from_ref(&bad_keys), &o) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("record", "#0"));
            }
            other => panic!("{other:?}"),
        }
        match v3_body(&uri, &bad_keys, &o) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("inputs", "<unserialisable>"));
            }
            other => panic!("{other:?}"),
        }
        match v4_body(&uri, &[Value::Null], &o) {
            Err(SparkError::InvalidInput { value, .. }) => assert_eq!(value, "#0: null"),
            other => panic!("{other:?}"),
        }
        let proxy = ServiceUri::parse("proxy/custom-endpoint").unwrap();
        match v4_body(&proxy, &records[..1], &o) {
            Err(SparkError::InvalidInput { what, .. }) => assert_eq!(what, "service URI"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn joined_lists_are_comma_separated_strings() {
        let o = ExecuteOptions::default()
            .selected_outputs(["a", "b \"c\""])
            .subservices(["s"]);
        let body = v4("f/s", &[json!({})], &o);
        assert_eq!(body["output"], "a,b \"c\"");
        assert_eq!(body["subservice"], "s");
    }
}
