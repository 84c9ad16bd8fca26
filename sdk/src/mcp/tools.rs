//! Typed arguments for the tools of Coherent's MCP server, one struct per tool, and one
//! method per tool on [`McpClient`].
//!
//! Tool names and argument names are those of the Python client's helpers (`cspark` 0.3.3,
//! `cspark/mcp/_tools.py`); unset optional arguments are left out of the call, as its
//! `omit_none` does. Coherent does not document the shapes of the tools' results, so the
//! methods return the normalised [`ToolOutput`] (decode it with [`ToolOutput::parse`]),
//! except [`McpClient::execute_v3`], whose result is a v3 execute response.

use serde::Serialize;
use serde_json::Value;

use super::McpClient;
use super::error::McpResult;
use super::output::ToolOutput;
use crate::resources::services::execute::ExecuteResponse;

/// The tool names, as the server lists them.
pub mod names {
    /// Executes a service through the v3 execute API.
    pub const EXECUTE_V3: &str = "spark_execute_v3";
    /// Summary of a service (inputs, outputs, versions).
    pub const SERVICE_INFO: &str = "spark_service_info";
    /// A code snippet calling a service.
    pub const GENERATE_SNIPPET: &str = "spark_generate_snippet";
    /// Compares two versions of a service.
    pub const COMPARE_SERVICE_VERSIONS: &str = "spark_compare_service_versions";
    /// Downloads a service's API call history.
    pub const DOWNLOAD_API_HISTORY: &str = "spark_download_api_history";
    /// The template of a testbed for a service.
    pub const DOWNLOAD_TESTBED_TEMPLATE: &str = "spark_download_testbed_template";
    /// Downloads the result of a testbed run.
    pub const DOWNLOAD_TESTBED_RESULT: &str = "spark_download_testbed_result";
    /// Lists the testbeds of a service.
    pub const LIST_TESTBEDS: &str = "spark_list_testbeds";
    /// Lists the results (runs) of a testbed.
    pub const LIST_TESTBED_RESULTS: &str = "spark_list_testbed_results";
    /// Runs a testbed against a version.
    pub const RUN_TESTBED: &str = "spark_run_testbed";
    /// Status of a testbed run.
    pub const RUN_STATUS_TESTBED: &str = "spark_run_status_testbed";
    /// Compares two testbed results.
    pub const COMPARE_TESTBED_RESULTS: &str = "spark_compare_testbed_results";

    /// All twelve, in the order of the Python client's helpers.
    pub const ALL: [&str; 12] = [
        EXECUTE_V3,
        SERVICE_INFO,
        GENERATE_SNIPPET,
        COMPARE_SERVICE_VERSIONS,
        DOWNLOAD_API_HISTORY,
        DOWNLOAD_TESTBED_TEMPLATE,
        DOWNLOAD_TESTBED_RESULT,
        LIST_TESTBEDS,
        LIST_TESTBED_RESULTS,
        RUN_TESTBED,
        RUN_STATUS_TESTBED,
        COMPARE_TESTBED_RESULTS,
    ];
}

/// Declares an argument struct: required `String` fields, then optional fields that are
/// left out of the call when `None`. Also a `new` taking the required fields.
macro_rules! tool_args {
    (
        $(#[$doc:meta])*
        $name:ident {
            required { $($req:ident $(as $req_wire:literal)?),* $(,)? }
            optional { $($(#[$odoc:meta])* $opt:ident $(as $opt_wire:literal)? : $oty:ty),* $(,)? }
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct $name {
            $(
                #[allow(missing_docs)]
                $(#[serde(rename = $req_wire)])?
                pub $req: String,
            )*
            $(
                $(#[$odoc])*
                $(#[serde(rename = $opt_wire)])?
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $opt: Option<$oty>,
            )*
        }

        impl $name {
            /// The required arguments; the optional ones are unset.
            pub fn new($($req: impl Into<String>),*) -> Self {
                Self { $($req: $req.into(),)* $($opt: None,)* }
            }
        }
    };
}

tool_args! {
    /// Arguments of `spark_execute_v3`.
    ExecuteV3Args {
        required { folder, service }
        optional {
            /// Semantic version (full or partial).
            version: String,
            /// Version UUID.
            version_id: String,
            /// The v3 request body (`{"request_data": {"inputs": …}, "request_meta": …}`).
            request_payload as "requestPayload": Value,
            /// `request_meta.call_purpose`.
            call_purpose: String,
            /// `request_meta.source_system`.
            source_system: String,
            /// `request_meta.correlation_id`.
            correlation_id: String,
            /// Subservices to run.
            service_category: String,
            /// Picks the version effective at this instant.
            transaction_date: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_service_info`.
    ServiceInfoArgs {
        required { folder, service }
        optional {
            /// Semantic version (default: the latest).
            version: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_generate_snippet`.
    GenerateSnippetArgs {
        required { folder, service }
        optional {
            /// Semantic version.
            version: String,
            /// Language, e.g. `rust`, `python`, `typescript`, `curl`.
            language_code: String,
            /// Variant of the language (library or style).
            language_variant: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_compare_service_versions`.
    CompareServiceVersionsArgs {
        required { folder, service }
        optional {
            /// The older version.
            version_1: String,
            /// The newer version.
            version_2: String,
            /// A comparison job started earlier.
            job_id: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_download_api_history`.
    DownloadApiHistoryArgs {
        required { folder, service }
        optional {
            /// Semantic version.
            version: String,
            /// Earliest call (ISO 8601).
            start_date: String,
            /// Latest call (ISO 8601).
            end_date: String,
            /// Only these calls (a list of call ids).
            call_ids: Value,
            /// Only calls with this purpose.
            call_purpose: String,
            /// Only calls by this user.
            username: String,
            /// Only calls with (or without) warnings.
            has_warnings: bool,
            /// Only calls with (or without) errors.
            has_errors: bool,
            /// Include the inputs.
            include_inputs: bool,
            /// Include the outputs.
            include_outputs: bool,
            /// Only these outputs (a list of names).
            requested_outputs: Value,
            /// Column order of the download.
            heading_order: String,
            /// A download job started earlier.
            job_id: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_download_testbed_template`.
    DownloadTestbedTemplateArgs {
        required { folder, service }
        optional {}
    }
}

tool_args! {
    /// Arguments of `spark_download_testbed_result`.
    DownloadTestbedResultArgs {
        required { folder, service, testbed, testbed_result }
        optional {}
    }
}

tool_args! {
    /// Arguments of `spark_list_testbeds`.
    ListTestbedsArgs {
        required { folder, service }
        optional {
            /// Only this testbed.
            testbed: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_list_testbed_results`.
    ListTestbedResultsArgs {
        required { folder, service, testbed }
        optional {
            /// Only results with this name.
            testbed_result_name: String,
        }
    }
}

tool_args! {
    /// Arguments of `spark_run_testbed`.
    RunTestbedArgs {
        required { folder, service, testbed }
        optional {
            /// Semantic version to run against.
            revision: String,
            /// Version UUID to run against.
            version_id: String,
            /// Subservices to run.
            service_category: String,
            /// Name of the result.
            testbed_result: String,
            /// Description of the result.
            testbed_result_description: String,
            /// Pages of testbeds to search for `testbed`.
            testbed_list_max_pages: u32,
        }
    }
}

tool_args! {
    /// Arguments of `spark_run_status_testbed`.
    RunStatusTestbedArgs {
        required { run_id, testbed }
        optional {
            /// Wait until the run completes.
            wait_for_complete: bool,
            /// Seconds between polls while waiting.
            poll_interval_seconds: f64,
            /// Most polls while waiting.
            max_iterations: u32,
            /// Folder of the service.
            folder: String,
            /// Service name.
            service: String,
            /// Semantic version.
            revision: String,
            /// Version UUID.
            version_id: String,
            /// Subservices.
            service_category: String,
            /// Name of the result.
            testbed_result: String,
            /// Description of the result.
            testbed_result_description: String,
            /// Pages of testbeds to search for `testbed`.
            testbed_list_max_pages: u32,
        }
    }
}

tool_args! {
    /// Arguments of `spark_compare_testbed_results`.
    CompareTestbedResultsArgs {
        required { folder, service, testbed, testbed_result_1, testbed_result_2 }
        optional {}
    }
}

impl McpClient {
    /// `spark_execute_v3`: runs a service; the result is a v3 execute response.
    pub async fn execute_v3(&self, args: &ExecuteV3Args) -> McpResult<ExecuteResponse> {
        self.call_tool_with(names::EXECUTE_V3, args)
            .await?
            .parse(names::EXECUTE_V3)
    }

    /// `spark_service_info`.
    pub async fn service_info(&self, args: &ServiceInfoArgs) -> McpResult<ToolOutput> {
        self.call_tool_with(names::SERVICE_INFO, args).await
    }

    /// `spark_generate_snippet`.
    pub async fn generate_snippet(&self, args: &GenerateSnippetArgs) -> McpResult<ToolOutput> {
        self.call_tool_with(names::GENERATE_SNIPPET, args).await
    }

    /// `spark_compare_service_versions`.
    pub async fn compare_service_versions(
        &self,
        args: &CompareServiceVersionsArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::COMPARE_SERVICE_VERSIONS, args)
            .await
    }

    /// `spark_download_api_history`.
    pub async fn download_api_history(
        &self,
        args: &DownloadApiHistoryArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::DOWNLOAD_API_HISTORY, args).await
    }

    /// `spark_download_testbed_template`.
    pub async fn download_testbed_template(
        &self,
        args: &DownloadTestbedTemplateArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::DOWNLOAD_TESTBED_TEMPLATE, args)
            .await
    }

    /// `spark_download_testbed_result`.
    pub async fn download_testbed_result(
        &self,
        args: &DownloadTestbedResultArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::DOWNLOAD_TESTBED_RESULT, args)
            .await
    }

    /// `spark_list_testbeds`.
    pub async fn list_testbeds(&self, args: &ListTestbedsArgs) -> McpResult<ToolOutput> {
        self.call_tool_with(names::LIST_TESTBEDS, args).await
    }

    /// `spark_list_testbed_results`.
    pub async fn list_testbed_results(
        &self,
        args: &ListTestbedResultsArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::LIST_TESTBED_RESULTS, args).await
    }

    /// `spark_run_testbed`.
    pub async fn run_testbed(&self, args: &RunTestbedArgs) -> McpResult<ToolOutput> {
        self.call_tool_with(names::RUN_TESTBED, args).await
    }

    /// `spark_run_status_testbed`.
    pub async fn run_status_testbed(&self, args: &RunStatusTestbedArgs) -> McpResult<ToolOutput> {
        self.call_tool_with(names::RUN_STATUS_TESTBED, args).await
    }

    /// `spark_compare_testbed_results`.
    pub async fn compare_testbed_results(
        &self,
        args: &CompareTestbedResultsArgs,
    ) -> McpResult<ToolOutput> {
        self.call_tool_with(names::COMPARE_TESTBED_RESULTS, args)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_options_are_left_out_and_wire_names_kept() {
        let mut args = ExecuteV3Args::new("demo", "volume-cylinder");
        args.request_payload = Some(json!({"request_data": {"inputs": {"Radius": 1}}}));
        let wire = serde_json::to_value(&args).ok();
        assert_eq!(
            wire,
            Some(json!({"folder": "demo", "service": "volume-cylinder",
                        "requestPayload": {"request_data": {"inputs": {"Radius": 1}}}}))
        );
        let status = RunStatusTestbedArgs::new("run-1", "tb");
        assert_eq!(
            serde_json::to_value(&status).ok(),
            Some(json!({"run_id": "run-1", "testbed": "tb"}))
        );
    }
}
