//! [`McpError`]: what can go wrong talking to an MCP server.
//!
//! Kept apart from [`SparkError`](crate::SparkError) because MCP failures have their own
//! stages (session start, JSON-RPC errors, tool errors reported in the result) that REST
//! calls never meet. No variant holds a token or a client secret: every message that comes
//! from the transport is passed through [`redact`] first.

use std::time::Duration;

use serde_json::Value;

use crate::error::SparkError;

/// Result alias of the MCP client.
pub type McpResult<T> = std::result::Result<T, McpError>;

/// Everything that can go wrong in an MCP session or tool call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// The client was configured with an API key; Coherent's MCP server accepts only a
    /// bearer token or OAuth2 client credentials (as the Python client, `cspark.mcp`).
    #[error(
        "the MCP client does not support API key authentication; provide a bearer token \
         (Auth::bearer / CSPARK_BEARER_TOKEN) or OAuth2 client credentials \
         (Auth::oauth / CSPARK_CLIENT_ID + CSPARK_CLIENT_SECRET)"
    )]
    ApiKeyNotSupported,
    /// No credentials at all ([`Auth::Open`](crate::Auth::Open)): the MCP server needs a
    /// bearer token or OAuth2 client credentials.
    #[error(
        "the MCP client needs a bearer token or OAuth2 client credentials; open (no credentials) access is not supported"
    )]
    CredentialsRequired,
    /// Configuration or credential problems found by the REST client machinery (invalid
    /// base URL, OAuth token request refused, …).
    #[error(transparent)]
    Spark(#[from] SparkError),
    /// The MCP session could not be started (connect, `initialize` handshake).
    #[error("cannot start an MCP session with {endpoint}: {reason}")]
    Connect {
        /// The MCP endpoint URL (no credentials in it).
        endpoint: String,
        /// What failed.
        reason: String,
    },
    /// No answer within the configured timeout.
    #[error("timed out after {after:?}: {operation}")]
    Timeout {
        /// `initialize`, `tools/list` or `tools/call {name}`.
        operation: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The server answered a request with a JSON-RPC error (unknown tool, invalid
    /// arguments, …).
    #[error("MCP server rejected {operation}: {message} (JSON-RPC code {code})")]
    Rpc {
        /// `tools/list` or `tools/call {name}`.
        operation: String,
        /// JSON-RPC error code (`-32602` invalid params, `-32601` method not found, …).
        code: i32,
        /// The server's message.
        message: String,
        /// The server's `data`, if any.
        data: Option<Value>,
    },
    /// The tool ran and reported a failure (`isError: true` in its result).
    #[error("MCP tool {tool} failed: {message}")]
    Tool {
        /// Tool name.
        tool: String,
        /// The text the tool returned (its content blocks joined by new lines).
        message: String,
        /// The structured content the tool returned with its failure, if any.
        details: Option<Value>,
    },
    /// The session broke or the server answered something that is not MCP.
    #[error("MCP {operation} failed: {reason}")]
    Transport {
        /// What was being done.
        operation: String,
        /// What failed.
        reason: String,
    },
    /// A tool result could not be decoded into the requested type.
    #[error("cannot decode the result of MCP tool {tool}: {reason}")]
    Decode {
        /// Tool name.
        tool: String,
        /// Decoder message.
        reason: String,
    },
    /// Arguments given to a typed tool method could not be encoded (never happens for the
    /// built-in argument types; possible for user types passed to `call_tool_with`).
    #[error("invalid arguments for MCP tool {tool}: {reason}")]
    InvalidArguments {
        /// Tool name.
        tool: String,
        /// What is wrong.
        reason: String,
    },
}

impl McpError {
    /// The JSON-RPC error code, for [`McpError::Rpc`].
    pub fn rpc_code(&self) -> Option<i32> {
        match self {
            Self::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Replaces every occurrence of `secret` in `text` with `***` (transport messages may
/// quote headers or request lines; a token must never reach an error).
pub(crate) fn redact(text: impl Into<String>, secret: Option<&str>) -> String {
    let text = text.into();
    match secret.filter(|s| s.len() >= 4) {
        Some(s) => text.replace(s, "***"),
        None => text,
    }
}
