//! `cspark mcp …`: the Model Context Protocol side of the CLI.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// address is printed on stderr). Only loopback host names are accepted in requests.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
}
