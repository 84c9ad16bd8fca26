//! A client for Coherent's remote MCP server (feature `mcp`), built on the official Rust
//! MCP SDK (`rmcp`) and its streamable HTTP client transport.
//!
//! The server lives at `https://mcp.{env}.coherent.global/{tenant}/mcp` (Coherent's MCP
//! documentation, docs.coherent.global "Model Context Protocol (MCP)"); its tools reach
//! parts of Spark that no REST catalogue describes: testbeds (Testing Center), version
//! comparison, code snippets. Endpoint rules, as the Python client (`cspark.mcp` 0.3.3,
//! `McpUrl`): the Spark host label becomes `mcp.` (`excel.uat.us.coherent.global/t` →
//! `mcp.uat.us.coherent.global/t/mcp`); any other host (a private domain, the emulator)
//! keeps its origin: `{origin}/{tenant}/mcp`.
//!
//! Credentials: a bearer token or OAuth2 client credentials (the access token is fetched
//! once when the session starts, as the Python client does). An API key is refused with
//! [`McpError::ApiKeyNotSupported`] before anything is sent, and `CSPARK_API_KEY` is never
//! read: with no explicit credentials, `CSPARK_CLIENT_ID`/`CSPARK_CLIENT_SECRET`,
//! `CSPARK_OAUTH_PATH` and `CSPARK_BEARER_TOKEN` are.
//!
//! ```no_run
//! # async fn demo() -> cspark::mcp::McpResult<()> {
//! use cspark::mcp::{McpClient, ServiceInfoArgs};
//! let mcp = McpClient::builder()
//!     .base_url("https://excel.uat.us.coherent.global/my-tenant")
//!     .bearer("my-token")
//!     .connect()
//!     .await?;
//! for tool in mcp.list_tools().await? {
//!     println!("{}: {}", tool.name, tool.description.unwrap_or_default());
//! }
//! let info = mcp.service_info(&ServiceInfoArgs::new("my-folder", "my-service")).await?;
//! println!("{:?}", info.json());
//! mcp.close().await;
//! # Ok(()) }
//! ```
//!
//! Timeouts: [`McpClientBuilder::timeout`] (default 60 s) bounds each attempt of the session
//! start and each request. Retries: the session start (`initialize`, which changes nothing)
//! is retried after a 429, a 5xx or a failed connection, with the REST client's
//! `max_retries` and `retry_interval`; a tool call is not retried (a tool such as
//! `spark_run_testbed` is not idempotent, and the server may have run it). Secrets: `Debug` of every type here prints `***` for tokens, and transport
//! messages are scrubbed of the token before they reach an [`McpError`].

mod endpoint;
mod error;
mod output;
mod start;
mod tools;

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService, ServiceError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::config::DEFAULT_TIMEOUT;
use crate::env;
use crate::secret::Secret;

pub use endpoint::mcp_endpoint;
pub use error::{McpError, McpResult};
pub use output::ToolOutput;
pub use tools::names;
pub use tools::{
    CompareServiceVersionsArgs, CompareTestbedResultsArgs, DownloadApiHistoryArgs,
    DownloadTestbedResultArgs, DownloadTestbedTemplateArgs, ExecuteV3Args, GenerateSnippetArgs,
    ListTestbedResultsArgs, ListTestbedsArgs, RunStatusTestbedArgs, RunTestbedArgs,
    ServiceInfoArgs,
};

/// A tool as the server lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolInfo {
    /// Tool name (e.g. `spark_execute_v3`).
    pub name: String,
    /// What the tool does.
    pub description: Option<String>,
    /// JSON Schema of the arguments.
    pub input_schema: Value,
    /// JSON Schema of the structured result, if the server gives one.
    pub output_schema: Option<Value>,
}

/// Builds an [`McpClient`]; unset values fall back to the `CSPARK_*` environment variables
/// (never `CSPARK_API_KEY`).
pub struct McpClientBuilder {
    rest: crate::ClientBuilder,
    timeout: Duration,
}

impl std::fmt::Debug for McpClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpClientBuilder")
            .field("rest", &self.rest)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The process environment without `CSPARK_API_KEY` (the MCP client must not pick it up).
fn env_without_api_key(name: &str) -> Option<String> {
    if name == env::CSPARK_API_KEY {
        return None;
    }
    std::env::var(name).ok()
}

impl Default for McpClientBuilder {
    fn default() -> Self {
        Self {
            rest: crate::Client::builder().env_lookup(env_without_api_key),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl McpClientBuilder {
    /// The Spark base URL with tenant (`https://excel.{env}.coherent.global/{tenant}`, or
    /// `http://127.0.0.1:8080/my-tenant` for the emulator); the MCP endpoint is derived
    /// from it ([`mcp_endpoint`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.rest = self.rest.base_url(url);
        self
    }

    /// Spark environment (e.g. `uat.us`), with [`tenant`](Self::tenant).
    pub fn env(mut self, env: impl Into<String>) -> Self {
        self.rest = self.rest.env(env);
        self
    }

    /// Tenant, when the base URL has none.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.rest = self.rest.tenant(tenant);
        self
    }

    /// Credentials: [`Auth::Bearer`] or [`Auth::OAuth`]; an API key makes
    /// [`connect`](Self::connect) fail with [`McpError::ApiKeyNotSupported`].
    pub fn auth(mut self, auth: Auth) -> Self {
        self.rest = self.rest.auth(auth);
        self
    }

    /// Shorthand for `auth(Auth::bearer(token))`.
    pub fn bearer(self, token: impl Into<String>) -> Self {
        self.auth(Auth::bearer(token))
    }

    /// Shorthand for `auth(Auth::oauth(client_id, client_secret))`.
    pub fn oauth(self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.auth(Auth::oauth(client_id, client_secret))
    }

    /// Bounds the session start and each request (default 60 s). Must be positive.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.rest = self.rest.timeout(timeout);
        self.timeout = timeout;
        self
    }

    /// Retries of the session start after a 429, a 5xx or a failed connection (default 2;
    /// 0 disables them). Tool calls are never retried.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.rest = self.rest.max_retries(n);
        self
    }

    /// First wait between session-start attempts (default 1 s), doubled at each retry.
    pub fn retry_interval(mut self, interval: std::time::Duration) -> Self {
        self.rest = self.rest.retry_interval(interval);
        self
    }

    /// Replaces the process environment as the source of `CSPARK_*` values
    /// (`CSPARK_API_KEY` is still ignored).
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.rest = self
            .rest
            .env_lookup(move |name: &str| (name != env::CSPARK_API_KEY).then(|| lookup(name))?);
        self
    }

    /// Uses your own `reqwest::ClientBuilder` (proxies, TLS, …) for the token request and the
    /// MCP session; as for the REST client, the SDK turns redirects off on it, so credentials
    /// never reach another origin.
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.rest = self.rest.http_client(builder);
        self
    }

    /// Validates the settings, fetches an OAuth token if needed, and starts the session
    /// (`initialize` handshake).
    pub async fn connect(self) -> McpResult<McpClient> {
        let client = self.rest.build()?;
        McpClient::connect_with(&client, self.timeout).await
    }
}

/// A live MCP session. Cheap to clone (the clones share the session); calls may run
/// concurrently.
#[derive(Clone)]
pub struct McpClient {
    inner: Arc<Session>,
}

struct Session {
    service: RunningService<RoleClient, ()>,
    endpoint: String,
    token: Secret,
    timeout: Duration,
}

impl std::fmt::Debug for McpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpClient")
            .field("endpoint", &self.inner.endpoint)
            .field("token", &self.inner.token)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl McpClient {
    /// Starts a builder.
    pub fn builder() -> McpClientBuilder {
        McpClientBuilder::default()
    }

    /// Starts a session with the MCP server of an existing REST client's tenant, with its
    /// credentials and HTTP client; `timeout` bounds the start and each request.
    pub async fn connect_with(client: &crate::Client, timeout: Duration) -> McpResult<Self> {
        let endpoint = mcp_endpoint(client.base_url());
        let token = match &client.config().auth {
            Auth::Bearer(token) => token.clone(),
            Auth::OAuth(creds) => client.transport().fetch_token(creds).await?.access_token,
            Auth::ApiKey(_) => return Err(McpError::ApiKeyNotSupported),
            Auth::Open => return Err(McpError::CredentialsRequired),
        };
        let config = client.config();
        let service = start::start(start::Start {
            http: client.transport().http.clone(),
            endpoint: &endpoint,
            token: &token,
            timeout,
            max_retries: config.max_retries,
            retry_interval: config.retry_interval,
        })
        .await?;
        tracing::debug!(%endpoint, "MCP session initialized");
        Ok(Self {
            inner: Arc::new(Session {
                service,
                endpoint,
                token,
                timeout,
            }),
        })
    }

    /// The MCP endpoint URL of this session.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// Lists the server's tools (every page).
    pub async fn list_tools(&self) -> McpResult<Vec<ToolInfo>> {
        let operation = "tools/list";
        let tools = self
            .bounded(operation, self.inner.service.peer().list_all_tools())
            .await?;
        Ok(tools
            .into_iter()
            .map(|t| ToolInfo {
                name: t.name.into_owned(),
                description: t.description.map(|d| d.into_owned()),
                input_schema: Value::Object((*t.input_schema).clone()),
                output_schema: t.output_schema.map(|s| Value::Object((*s).clone())),
            })
            .collect())
    }

    /// Calls a tool with arguments given as a JSON object, and normalises its result
    /// ([`ToolOutput`]); a result flagged `isError` becomes [`McpError::Tool`].
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: Map<String, Value>,
    ) -> McpResult<ToolOutput> {
        let operation = format!("tools/call {name}");
        tracing::debug!(tool = name, "calling MCP tool");
        let params = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
        let result = self
            .bounded(&operation, self.inner.service.call_tool(params))
            .await?;
        output::normalise(name, result)
    }

    /// Calls a tool with arguments from any serialisable value that is a JSON object.
    pub async fn call_tool_with<A: Serialize + ?Sized>(
        &self,
        name: &str,
        arguments: &A,
    ) -> McpResult<ToolOutput> {
        let invalid = |reason: String| McpError::InvalidArguments {
            tool: name.to_owned(),
            reason,
        };
        match serde_json::to_value(arguments).map_err(|e| invalid(e.to_string()))? {
            Value::Object(map) => self.call_tool(name, map).await,
            other => Err(invalid(format!(
                "arguments must be a JSON object, not {}",
                json_kind(&other)
            ))),
        }
    }

    /// Ends the session (the server is told when it keeps sessions).
    pub async fn close(self) {
        if let Ok(session) = Arc::try_unwrap(self.inner) {
            let _ = session.service.cancel().await;
        }
    }

    /// Runs a request under the session's timeout and maps its failure.
    async fn bounded<T>(
        &self,
        operation: &str,
        request: impl Future<Output = Result<T, ServiceError>>,
    ) -> McpResult<T> {
        match tokio::time::timeout(self.inner.timeout, request).await {
            Err(_) => Err(McpError::Timeout {
                operation: operation.to_owned(),
                after: self.inner.timeout,
            }),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(self.service_error(operation, e)),
        }
    }

    fn service_error(&self, operation: &str, error: ServiceError) -> McpError {
        let token = Some(self.inner.token.expose());
        match error {
            ServiceError::McpError(data) => McpError::Rpc {
                operation: operation.to_owned(),
                code: data.code.0,
                message: error::redact(data.message.into_owned(), token),
                data: data.data,
            },
            ServiceError::Timeout { timeout } => McpError::Timeout {
                operation: operation.to_owned(),
                after: timeout,
            },
            other => McpError::Transport {
                operation: operation.to_owned(),
                reason: error::redact(other.to_string(), token),
            },
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
