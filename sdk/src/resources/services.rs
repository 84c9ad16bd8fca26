//! `client.services()`: service calls.

use serde::Serialize;
use serde_json::{Map, Value};

use super::execute::{
    DEFAULT_CALL_PURPOSE, DEFAULT_SOURCE_SYSTEM, ExecuteOptions, ExecuteResponse,
    write_execute_body,
};
use super::value_form::{in_value_form, maps_sort_keys};
use crate::client::Client;
use crate::error::{Result, SparkError};
use crate::transport::RequestSpec;
use crate::uri::{Locator, ServiceUri};

/// Anything that names a service: `&str`, `String`, [`ServiceUri`].
pub trait IntoServiceUri {
    /// Converts, validating strings.
    fn into_service_uri(self) -> Result<ServiceUri>;
}

impl IntoServiceUri for &str {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(self)
    }
}

impl IntoServiceUri for String {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(&self)
    }
}

impl IntoServiceUri for &String {
    fn into_service_uri(self) -> Result<ServiceUri> {
        ServiceUri::parse(self)
    }
}

impl IntoServiceUri for ServiceUri {
    fn into_service_uri(self) -> Result<ServiceUri> {
        Ok(self)
    }
}

impl IntoServiceUri for &ServiceUri {
    fn into_service_uri(self) -> Result<ServiceUri> {
        Ok(self.clone())
    }
}

/// Service operations, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Services<'c> {
    client: &'c Client,
}

impl<'c> Services<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Runs a service once (API v3) with default metadata.
    ///
    /// ```no_run
    /// # async fn demo(client: cspark::Client) -> cspark::Result<()> {
    /// let out = client.services().execute("my-folder/my-service", &serde_json::json!({"x": 1})).await?;
    /// println!("{:?} in {:?} ms", out.outputs(), out.response_meta.process_time);
    /// # Ok(()) }
    /// ```
    pub async fn execute<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
    ) -> Result<ExecuteResponse> {
        self.execute_with(uri, inputs, &ExecuteOptions::default())
            .await
    }

    /// Runs a service once (API v3) with metadata options.
    pub async fn execute_with<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResponse> {
        self.execute_traced(uri, inputs, options)
            .await
            .map(|(r, _)| r)
    }

    /// Like [`execute_with`](Self::execute_with), also returning the `x-request-id`.
    pub(crate) async fn execute_traced<I: Serialize + ?Sized>(
        &self,
        uri: impl IntoServiceUri,
        inputs: &I,
        options: &ExecuteOptions,
    ) -> Result<(ExecuteResponse, String)> {
        let uri = uri.into_service_uri()?;
        let body = write_untyped_execute_body(&uri, inputs, options)?;
        // Handwritten on purpose: the v3 execute hot path (request compression, one
        // serialisation, no generated-client detour) and every locator form incl. proxies.
        let spec = RequestSpec::post(&uri.execute_url(self.client.base_url()))?
            .json_bytes(body)
            .compressible();
        let response = self.client.transport.send(spec).await?;
        Ok((
            response.json("execute response")?,
            response.request_id().to_owned(),
        ))
    }
}

/// Writes the v3 body of an untyped call: the bytes of [`execute_body`] + `to_vec`, straight
/// from `inputs` when they already write what their `Value` would (a `Value`, a map, a
/// struct with its fields in sorted order), through `serde_json::to_value` otherwise.
fn write_untyped_execute_body<I: Serialize + ?Sized>(
    uri: &ServiceUri,
    inputs: &I,
    options: &ExecuteOptions,
) -> Result<Vec<u8>> {
    if maps_sort_keys() && in_value_form(inputs) {
        // On an error (inputs not an object…), the `Value` path below reports it as it
        // always has.
        if let Ok(body) = write_execute_body(uri, inputs, options) {
            return Ok(body);
        }
    }
    let inputs = match serde_json::to_value(inputs) {
        Ok(Value::Object(map)) => map,
        Ok(Value::Null) => Map::new(),
        Ok(other) => {
            return Err(SparkError::invalid(
                "inputs",
                type_name(&other),
                "single execution takes a JSON object of inputs",
            ));
        }
        Err(e) => {
            return Err(SparkError::invalid(
                "inputs",
                "<unserialisable>",
                e.to_string(),
            ));
        }
    };
    serde_json::to_vec(&execute_body(uri, inputs, options))
        .map_err(|e| SparkError::invalid("request body", "<json>", e.to_string()))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "other",
    }
}

/// Builds `{"request_data":{"inputs":…},"request_meta":{…}}` (python-sdk.md §5.2).
pub fn execute_body(uri: &ServiceUri, inputs: Map<String, Value>, o: &ExecuteOptions) -> Value {
    let mut meta = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            meta.insert(k.to_owned(), v);
        }
    };
    let s = |v: &Option<String>| v.clone().map(Value::String);
    let joined = |v: &[String]| (!v.is_empty()).then(|| Value::String(v.join(",")));
    put(
        "service_id",
        match uri.locator() {
            Locator::ServiceId(id) => Some(Value::String(id.clone())),
            _ => None,
        },
    );
    let version_id = o
        .version_id
        .clone()
        .or_else(|| uri.version_id_value().map(str::to_owned));
    put("version_id", version_id.map(Value::String));
    put(
        "version",
        s(&o.version).or_else(|| uri.version().map(|v| Value::String(v.to_owned()))),
    );
    put("transaction_date", s(&o.transaction_date));
    put(
        "call_purpose",
        Some(Value::String(
            o.call_purpose
                .clone()
                .unwrap_or_else(|| DEFAULT_CALL_PURPOSE.to_owned()),
        )),
    );
    put(
        "source_system",
        Some(Value::String(
            o.source_system
                .clone()
                .unwrap_or_else(|| DEFAULT_SOURCE_SYSTEM.to_owned()),
        )),
    );
    put("correlation_id", s(&o.correlation_id));
    put("compiler_type", Some(Value::String("Neuron".to_owned())));
    put("excel_file", Some(Value::Bool(false)));
    put("requested_output", joined(&o.requested_output));
    put(
        "response_data_inputs",
        Some(Value::Bool(o.response_data_inputs)),
    );
    put("service_category", joined(&o.subservices));
    for (k, v) in &o.extra {
        if v.is_null() {
            meta.remove(k);
        } else {
            meta.insert(k.clone(), v.clone());
        }
    }
    serde_json::json!({ "request_data": { "inputs": inputs }, "request_meta": meta })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The body as the untyped call wrote it before the direct path.
    fn via_value<I: Serialize + ?Sized>(
        uri: &ServiceUri,
        inputs: &I,
        o: &ExecuteOptions,
    ) -> Vec<u8> {
        let map = match serde_json::to_value(inputs).unwrap() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        serde_json::to_vec(&execute_body(uri, map, o)).unwrap()
    }

    #[derive(Serialize)]
    struct Unsorted {
        radius: f32,
        height: f64,
    }

    #[derive(Serialize)]
    struct Sorted {
        #[serde(rename = "Height")]
        height: f64,
        #[serde(rename = "Radius")]
        radius: f64,
    }

    #[test]
    fn untyped_body_bytes_are_those_of_the_value_builder() {
        let options = [
            ExecuteOptions::default(),
            ExecuteOptions::default()
                .version("1.2.3")
                .version_id("vid")
                .transaction_date("2024-01-01")
                .call_purpose("cp \"quoted\"")
                .source_system("src")
                .correlation_id("c")
                .requested_output(["a", "b"])
                .response_data_inputs(true)
                .subservices(["s1", "s2"]),
            ExecuteOptions::default()
                .extra("zz", Value::from(1))
                .extra("call_purpose", Value::from("override"))
                .extra("excel_file", Value::Null),
        ];
        let value = json!({"b": [1, {"d": null, "c": "x"}], "a": 1.5, "é": "\u{1}"});
        let sorted = Sorted {
            height: 2.5,
            radius: 1e-7,
        };
        // Not in `Value` form: through `to_value`, keys sorted and the f32 widened.
        let unsorted = Unsorted {
            radius: 0.1,
            height: 2.0,
        };
        for uri in [
            "f/s",
            "f/s[1.0]",
            "service/sid[2.0]",
            "version/v-1",
            "public/f/s",
        ] {
            let uri = ServiceUri::parse(uri).unwrap();
            for o in &options {
                assert_same(&uri, &value, o);
                assert_same(&uri, &Value::Null, o);
                assert_same(&uri, &sorted, o);
                assert_same(&uri, &unsorted, o);
            }
        }
    }

    fn assert_same<I: Serialize + ?Sized>(uri: &ServiceUri, inputs: &I, o: &ExecuteOptions) {
        assert_eq!(
            String::from_utf8(write_untyped_execute_body(uri, inputs, o).unwrap()).unwrap(),
            String::from_utf8(via_value(uri, inputs, o)).unwrap()
        );
    }

    #[test]
    fn untyped_body_errors_are_those_of_the_value_builder() {
        let uri = ServiceUri::parse("f/s").unwrap();
        let o = ExecuteOptions::default();
        for (inputs, kind) in [
            (json!([1]), "array"),
            (json!("x"), "string"),
            (json!(3), "number"),
            (json!(true), "bool"),
        ] {
            match write_untyped_execute_body(&uri, &inputs, &o) {
                Err(SparkError::InvalidInput { what, value, .. }) => {
                    assert_eq!((what, value.as_str()), ("inputs", kind));
                }
                other => panic!("{inputs}: {other:?}"),
            }
        }
        #[derive(Serialize)]
        struct Wide {
            x: u128,
        }
        match write_untyped_execute_body(&uri, &Wide { x: u128::MAX }, &o) {
            Err(SparkError::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), ("inputs", "<unserialisable>"));
            }
            other => panic!("{other:?}"),
        }
    }
}
