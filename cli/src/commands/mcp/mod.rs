//! `cspark mcp serve`: the services of a `spark/` directory as MCP tools, over stdio or
//! streamable HTTP.
//!
//! Standard output belongs to the protocol in stdio mode, so this command prints nothing
//! there; messages go to stderr.

mod catalogue;
mod guard;
mod handler;

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::args::{GlobalArgs, McpCmd, McpServeArgs};
use crate::error::{CliError, CliResult};
use crate::settings::Settings;

use self::catalogue::Catalogue;
use self::handler::SparkTools;

/// The HTTP path the MCP endpoint is served at.
const HTTP_PATH: &str = "/mcp";

/// Runs `cspark mcp …`.
pub async fn run(cmd: McpCmd, global: &GlobalArgs) -> CliResult {
    match cmd {
        McpCmd::Serve(args) => serve(args, global).await,
    }
}

async fn serve(args: McpServeArgs, global: &GlobalArgs) -> CliResult {
    let catalogue = Catalogue::load(&args.dir)?;
    let client = Settings::resolve(global)?.client()?;
    let tools = SparkTools::new(catalogue, client);
    match args.http {
        None => serve_stdio(tools).await,
        Some(addr) => {
            let guard = guard::Guard::new(addr, args.http_token)?;
            serve_http(tools, addr, guard).await
        }
    }
}

/// Serves on stdin/stdout until the client closes stdin.
async fn serve_stdio(tools: SparkTools) -> CliResult {
    let running = tools
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CliError::failed(format!("MCP session did not start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| CliError::failed(format!("MCP session failed: {e}")))?;
    Ok(())
}

/// Serves streamable HTTP at `http://ADDR/mcp` until Ctrl-C, behind `guard`.
async fn serve_http(
    tools: SparkTools,
    addr: std::net::SocketAddr,
    guard: guard::Guard,
) -> CliResult {
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(LocalSessionManager::default()),
        guard.config(StreamableHttpServerConfig::default()),
    );
    let router = guard.protect(axum::Router::new().nest_service(HTTP_PATH, service));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::failed(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::failed(format!("cannot listen on {addr}: {e}")))?;
    eprintln!("cspark: MCP server listening on http://{bound}{HTTP_PATH}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            // Without a Ctrl-C handler the server runs until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
        .map_err(|e| CliError::failed(format!("MCP server on {bound} failed: {e}")))
}
