//! Blocking twin of [`crate::mcp::McpClient`] (features `blocking` and `mcp`).

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::Engine;
use crate::mcp::{self as asynch, McpResult, ToolInfo, ToolOutput};
use crate::resources::services::execute::ExecuteResponse;

/// A blocking MCP session: the async [`McpClient`](crate::mcp::McpClient) plus a runtime
/// that keeps its transport running between calls. Do not use it inside an async runtime
/// (every call then fails with a configuration error instead of panicking).
///
/// ```no_run
/// use cspark::mcp::{McpClient as AsyncMcp, ServiceInfoArgs};
/// let mcp = cspark::blocking::McpClient::connect(
///     AsyncMcp::builder().base_url("https://excel.uat.us.coherent.global/my-tenant").bearer("token"),
/// )?;
/// println!("{} tools", mcp.list_tools()?.len());
/// let info = mcp.service_info(&ServiceInfoArgs::new("my-folder", "my-service"))?;
/// # Ok::<(), cspark::mcp::McpError>(())
/// ```
#[derive(Debug, Clone)]
pub struct McpClient {
    inner: asynch::McpClient,
    engine: Arc<Engine>,
}

/// Blocking twins of the typed tool methods, each running its async original.
macro_rules! tool_twins {
    ($($name:ident($args:ty) -> $ret:ty;)*) => {$(
        #[doc = concat!("Blocking twin of [`McpClient::", stringify!($name), "`](crate::mcp::McpClient::", stringify!($name), ").")]
        pub fn $name(&self, args: &$args) -> McpResult<$ret> {
            self.engine.block_on(self.inner.$name(args))?
        }
    )*};
}

impl McpClient {
    /// Starts a session (see [`McpClientBuilder::connect`](crate::mcp::McpClientBuilder::connect)).
    pub fn connect(builder: asynch::McpClientBuilder) -> McpResult<Self> {
        let engine = Engine::new()?;
        let inner = engine.block_on(builder.connect())??;
        Ok(Self { inner, engine })
    }

    /// The async session (its clones share the session).
    pub fn inner(&self) -> &asynch::McpClient {
        &self.inner
    }

    /// The MCP endpoint URL.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// Blocking twin of [`McpClient::list_tools`](crate::mcp::McpClient::list_tools).
    pub fn list_tools(&self) -> McpResult<Vec<ToolInfo>> {
        self.engine.block_on(self.inner.list_tools())?
    }

    /// Blocking twin of [`McpClient::call_tool`](crate::mcp::McpClient::call_tool).
    pub fn call_tool(&self, name: &str, arguments: Map<String, Value>) -> McpResult<ToolOutput> {
        self.engine
            .block_on(self.inner.call_tool(name, arguments))?
    }

    /// Blocking twin of [`McpClient::call_tool_with`](crate::mcp::McpClient::call_tool_with).
    pub fn call_tool_with<A: Serialize + ?Sized>(
        &self,
        name: &str,
        arguments: &A,
    ) -> McpResult<ToolOutput> {
        self.engine
            .block_on(self.inner.call_tool_with(name, arguments))?
    }

    tool_twins! {
        execute_v3(asynch::ExecuteV3Args) -> ExecuteResponse;
        service_info(asynch::ServiceInfoArgs) -> ToolOutput;
        generate_snippet(asynch::GenerateSnippetArgs) -> ToolOutput;
        compare_service_versions(asynch::CompareServiceVersionsArgs) -> ToolOutput;
        download_api_history(asynch::DownloadApiHistoryArgs) -> ToolOutput;
        download_testbed_template(asynch::DownloadTestbedTemplateArgs) -> ToolOutput;
        download_testbed_result(asynch::DownloadTestbedResultArgs) -> ToolOutput;
        list_testbeds(asynch::ListTestbedsArgs) -> ToolOutput;
        list_testbed_results(asynch::ListTestbedResultsArgs) -> ToolOutput;
        run_testbed(asynch::RunTestbedArgs) -> ToolOutput;
        run_status_testbed(asynch::RunStatusTestbedArgs) -> ToolOutput;
        compare_testbed_results(asynch::CompareTestbedResultsArgs) -> ToolOutput;
    }

    /// Ends the session.
    pub fn close(self) -> McpResult<()> {
        let Self { inner, engine } = self;
        engine.block_on(inner.close())?;
        Ok(())
    }
}
