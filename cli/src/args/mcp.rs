//! `cspark mcp …`: the Model Context Protocol side of the CLI.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::secret;

/// `cspark mcp …`
#[derive(Subcommand, Debug)]
pub enum McpCmd {
    /// Serve one MCP tool per service of a services directory (the `spark/` that
    /// `cspark codegen fetch` writes), over stdio (the default) or streamable HTTP (`--http`).
    /// Each tool's input schema comes from the service's documents; a call is checked against
    /// it, then runs on the configured tenant (profile, --base-url, credentials).
    Serve(McpServeArgs),
}

/// `cspark mcp serve`
#[derive(Args, Debug)]
pub struct McpServeArgs {
    /// The services directory: `<folder>/<service>.swagger.json` and `.schema.json`, plus the
    /// optional `cspark.lock` whose versions calls are pinned to.
    #[arg(long, value_name = "DIR", default_value = "spark")]
    pub dir: PathBuf,
    /// Serve streamable HTTP at http://ADDR/mcp instead of stdio (port 0 = any free port; the
    /// address is printed on stderr). Without a token, ADDR must be a loopback address and
    /// only loopback host names and browser origins are accepted.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// With --http: the bearer token every request must send (`Authorization: Bearer …`),
    /// 16 characters or more; required to listen on a non-loopback address. Prefer the
    /// variable: a flag's value shows in the process list.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CSPARK_MCP_TOKEN",
        hide_env_values = true,
        value_parser = secret
    )]
    pub http_token: Option<cspark::Secret>,
}
