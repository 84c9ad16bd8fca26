//! `client.services()`: service calls.

use serde::Serialize;
use serde_json::{Map, Value};

use super::execute::{
    DEFAULT_CALL_PURPOSE, DEFAULT_SOURCE_SYSTEM, ExecuteOptions, ExecuteResponse,
};
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
        let body = execute_body(&uri, inputs, options);
        // Handwritten on purpose: the v3 execute hot path (request compression, one
        // serialisation, no generated-client detour) and every locator form incl. proxies.
        let spec = RequestSpec::post(&uri.execute_url(self.client.base_url()))?
            .json(&body)?
            .compressible();
        let response = self.client.transport.send(spec).await?;
        Ok((
            response.json("execute response")?,
            response.request_id().to_owned(),
        ))
    }
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
