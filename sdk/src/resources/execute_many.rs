//! v4 execution of many records in one call (`POST {base}/api/v4/execute`, python-sdk.md §5.3).
//!
//! The body is flat: `inputs` (records) plus metadata; the response carries arrays parallel to
//! the inputs (`outputs`, `process_time`, `warnings`, `errors`) and one `call_id`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::execute::{DEFAULT_SOURCE_SYSTEM, ExecuteOptions, null_as_default};
use super::services::{IntoServiceUri, Services};
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
        let mut inputs = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            match serde_json::to_value(record) {
                Ok(v @ Value::Object(_)) => inputs.push(v),
                Ok(other) => {
                    return Err(SparkError::invalid(
                        "record",
                        format!("#{index}: {other}"),
                        "each record must serialise to a JSON object",
                    ));
                }
                Err(e) => {
                    return Err(SparkError::invalid(
                        "record",
                        format!("#{index}"),
                        e.to_string(),
                    ));
                }
            }
        }
        let body = execute_many_body(&uri, inputs, options)?;
        let url = crate::uri::v4_execute_url(self.client().base_url(), uri.is_public());
        let spec = RequestSpec::post(&url)?.json(&body)?.compressible();
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
