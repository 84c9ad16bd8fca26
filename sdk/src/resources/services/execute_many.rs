//! v4 execution of many records in one call (`POST {base}/api/v4/execute`, python-sdk.md §5.3).
//!
//! The body is flat: `inputs` (records) plus metadata; the response carries arrays parallel to
//! the inputs (`outputs`, `process_time`, `warnings`, `errors`) and one `call_id`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::resources::services::execute::{ExecuteOptions, null_as_default};
use crate::resources::services::execute_body::v4_body;
// Batch creation addresses its service as v4 execute does.
use crate::error::{Result, SparkError};
pub(crate) use crate::resources::services::execute_body::v4_target;
use crate::resources::services::{IntoServiceUri, Services};
use crate::transport::RequestSpec;

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
    /// (`folder/service[version]`), `active_since` becomes `version_by_timestamp`,
    /// `subservices` `subservice` and `selected_outputs` `output`; the v3-only options
    /// (`tables_as_array`, `outputs_filter`, `compiler_type`, `debug_solve`, `downloadable`,
    /// `echo_inputs`) have no v4 field and are not sent. The body is
    /// [`v4_body`].
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
        let body = v4_body(&uri, records, options)?;
        let url = crate::uri::v4_execute_url(self.client().base_url(), uri.is_public());
        let spec = RequestSpec::post(&url)?
            .json_bytes(body)
            .compressible()
            .deadline_if(options.deadline);
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
