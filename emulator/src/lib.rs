//! cspark-emulator: a local Spark-compatible server that runs real Excel workbooks.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use cspark_emulator::{Emulator, EmulatorConfig};
//! let handle = Emulator::start(EmulatorConfig::default().with_demo_workbooks()).await?;
//! println!("Spark base URL: {}", handle.base_url()); // http://127.0.0.1:PORT/my-tenant
//! handle.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! [`EmulatorConfig::with_demo_workbooks`] publishes the demo workbooks compiled into the
//! crate ([`demo`]); [`EmulatorConfig::with_workbooks_dir`] publishes a folder of your own.
//!
//! The router is [`app`]; [`Emulator::start`] binds it to a socket and returns a handle with
//! the URL, request counters and a fault-plan switch.
//!
//! # Endpoints
//!
//! `{t}` = tenant. Fixed path segments match case-insensitively; folder and service names are
//! URL-decoded and looked up case-insensitively. `/public/` variants need no credentials and
//! serve only the services declared public ([`EmulatorConfig::with_public_service`], Spark's
//! `PublicAPI` property); every other service gets a 401 there. Which routes need
//! credentials is declared in one table (see *Security* below).
//!
//! | method | path |
//! |---|---|
//! | GET | `/health` |
//! | POST | `/auth/realms/{t}/protocol/openid-connect/token` (form, client credentials) |
//! | POST | `/{t}/api/v3[/public]/folders/{f}/services/{s}/execute`, `…/service/{id}`, `…/version/{id}`, `…/execute`; `/{t}/api/v3` (bearer only) |
//! | POST | `/{t}/api/v4[/public]/execute` |
//! | GET/POST | `/{t}/api/v3[/public]/{locator}/metadata`, POST `…/validation` |
//! | GET | `/{t}/api/v3[/public]/{locator}/downloadswagger/{category}/{isDownload}/{versionId?}` |
//! | GET | `/api/v1/product/{f}/engines/get/{s}`, `…/get/{s}/{vid}` (wrapped in `data`), `…/getbyversionid/{s}/{vid}`, `…/getversions/{s}`; POST `/{t}/api/v3/GetEngineDetailByVersionId/versionid/{vid}` |
//! | GET | `/api/v1/product/{f}/engines/{s}/download/{vid?}`; DELETE `/api/v1/product/{f}/engines/delete/{s}` |
//! | GET | `/{t}/api/v3/folders/{f}/services/{s}/exists`; POST `/{t}/api/v3/services/search` |
//! | POST | `…/services/{s}/upload` (multipart), GET `…/getcompilationprogess/{job}`, POST `…/publish`, POST `…/recompileNodgen` |
//! | PUT | `/{t}/api/v3/folders/{f}/services/{s}/updateversion/{vid}` (edit a version); DELETE `…/services/{s}/version/{vid}` (an intermediate version) |
//! | * | `/{t}/api/v4/batch`, `/batch/status`, `/batch/{id}` (GET, PATCH), `/batch/{id}/status`, `/batch/{id}/chunks`, `/batch/{id}/chunkresults?max=` |
//! | GET | `/{t}/api/v3/log/getexecutionhistorybycallid/{call}`; POST `…/services/{s}/download/xml/{call}`; POST `…/log/downloadjson|downloadcsv`, GET `…/status/{job}` |
//! | * | `/{t}/api/v4/export`, `/export/{id}/status`, `/export/status`, `/import`, `/import/{id}/status`, `/import/status` |
//! | * | `/api/v1/product/create|list|GetProduct/{id}|update/{id}|delete/{id}|isproductexists/{name}`, `/api/v1/product/{f}/engines`, `/api/v1/lookup/getcategories`, `…/savecategory`, `…/deletecategory/{key}` (bearer only) |
//! | GET | `/api/v1/config/GetSparkConfiguration` (bearer only) |
//! | * | `/{t}/api/v4/transforms/{folder}/{name}` (POST/GET/DELETE), `/transforms/list/{folder}`, `/transforms/validation` (also singular `transform/…`, the Python SDK's); running a transform → 501 |
//! | POST | `/{t}/mcp`: MCP streamable HTTP (JSON-RPC `initialize`, `tools/list`, `tools/call`), the twelve tools of Coherent's MCP server plus `emulator_upload_testbed`; bearer only (API key → 403) |
//! | GET | `/{t}/api/v3/nodegen[/public]/getnodegenzipbyId/{folders/{f}/services/{s}[{version}] \| service/{sid} \| version/{vid}}` (WASM bundle zip, see below) |
//! | GET | `/version`, `/healthcheck`, `/status` (hybrid runner; no credentials) |
//! | POST | `/api/v3/upload`, `/upload` (hybrid runner bundle upload, multipart `file`; no credentials, but on an emulator started with keys or OAuth clients, only with them may it publish a new version) |
//! | POST | `/{t}/api/v3/metadata`, `/{t}/api/v3/validation` (hybrid runner form: locator in `request_meta`) |
//! | * | `/{t}/api/v3[/public]/proxy/…`, `…/getnodegenzipbyId/proxy/…` → 501 `NOT_SUPPORTED_BY_EMULATOR` |
//! | GET/POST | `/_emulator/counters`, `/_emulator/counters/reset` (no credentials); `/_emulator/files/{vid}`, `/_emulator/downloads/{job}` (the targets of `download_url`s: the caller's credentials, as both public SDKs send them) |
//!
//! # Swagger types
//!
//! `downloadswagger` documents are deterministic (properties sorted by name, bundled workbooks
//! get stable ids): number → `number`, text → `string`, boolean → `boolean`, date → `string` with
//! `format: date`, table → `array` of `object` (one property per column), list validation →
//! `enum`, number validation → `minimum` / `maximum`.
//!
//! # WASM bundles and the hybrid runner
//!
//! There is no Neuron compiler, so a WASM download holds no `.wasm`, `.js`, `.data`,
//! `checksums.md5` or compiler log. The zip (`{service}.zip`) carries what the emulator can
//! produce faithfully, named as in real packages: `ModelMetaData.json` (PascalCase
//! `EngineInformation`, `XInputTable`, `XOutputTable`, `VersionId`),
//! `{service}DefaultValidations.json` (each input's rule and default value) and, in place of
//! the compiled code, the original workbook (`{OriginalFileName}`).
//!
//! The same server plays the hybrid runner at its root, as `cspark::hybrid::Client::connect`
//! addresses it: `/version`, `/healthcheck`, `/status` and the bundle upload need no
//! credentials (runners do not authenticate), and are counted and subject to the fault plan
//! like every other route. An
//! upload loads the bundle's workbook: a version this emulator already has (same id, same
//! workbook) is reused, anything else is published as a new version of its folder/service
//! (so it gets a new version id, returned in the upload response). Real WASM bundles cannot
//! run here (400). The runner's execute paths (`/{t}/api/v3|v4/…`) are Spark's routes and
//! keep their credential check; `/status` lists uploaded models with zero timing statistics.
//!
//! # Security
//!
//! A local test server, not a gateway: see `emulator/SECURITY-notes.md` for what it protects
//! and what it does not. In short:
//!
//! - **Credentials.** Without `--api-key` / `--oauth-client` the emulator is open: any
//!   non-empty `x-synthetic-key` or bearer token is accepted, except the placeholders
//!   `undefined` and `null` (what a client sends when its credential is missing; Spark
//!   refuses them too). With keys, only those keys; with OAuth clients, only tokens this
//!   emulator issued to one of them (with keys alone, the token endpoint issues none).
//! - **Routes.** Authentication is decided per matched route from one declared table: the
//!   open routes (`/health`, the token endpoint, the runner's `/version`, `/healthcheck`,
//!   `/status`, `/_emulator/counters[/reset]`) are listed once; the runner's upload
//!   publishes only for a caller with credentials when credentials are configured; the `/public/` routes check the tenant and serve
//!   public services only; every other route, and every unknown path, checks credentials and
//!   tenant. A tenant segment or folder name never changes that.
//! - **Limits** ([`Limits`], [`EmulatorConfig::limits`]): JSON bodies 32 MiB and uploads
//!   200 MB (413 when over, declared, chunked or once inflated); 25,000 records per v4 call
//!   or batch push (400 `TOO_MANY_RECORDS`); workbooks at most 128 MiB uncompressed, 128
//!   levels of XML and 2,000,000 cells plus shared strings (checked before the engine reads
//!   them); evaluations on a bounded pool of blocking threads (429 with `Retry-After` when it
//!   and its queue are full); connections closed after 30 s without a complete request
//!   head, at most 1,024 at once; shutdown cuts requests still running after 3 s; drafts of
//!   uploads kept an hour, 32 at most.
//!
//! # Faults
//!
//! See [`faults`] for the plan format (`--faults FILE` or [`EmulatorHandle::set_faults`]).
//!
//! # Engine time
//!
//! Off by default, so answers come as fast as the workbook evaluates. [`pacing`] models an
//! engine that spends a set time per record (`--engine-ms-per-record MS`,
//! [`EmulatorConfig::with_engine_time_per_record`], [`EmulatorHandle::set_engine_time`]), for
//! measuring how a client spreads work over Spark's workers.
#![deny(missing_docs)]
#![recursion_limit = "256"]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod access;
mod archive;
mod auth;
mod batch_journal;
mod batches;
mod body_timeout;
mod categories;
pub mod demo;
mod downloads;
pub mod engine;
mod error;
mod eval_pool;
mod exec;
pub mod faults;
mod folders;
pub mod limits;
mod mcp;
mod origin;
pub mod pacing;
mod package;
mod routes;
mod serve;
mod state;
pub mod store;
mod transforms;
mod wire;
pub mod workbook;
mod xlsx_guard;

pub use auth::AuthConfig;
pub use faults::{Fault, FaultPlan, FaultRule};
pub use limits::Limits;
pub use state::{AppState, Counters};

/// Build the complete router (every resource router plus the request gate) over `state`.
pub fn app(state: AppState) -> axum::Router {
    routes::app(state)
}

/// [`app`] without its v3 execute fast path: every request goes through axum's routing.
/// For tests that prove both answer alike.
#[doc(hidden)]
pub fn app_without_fast_path(state: AppState) -> axum::Router {
    routes::app_without_fast_path(state)
}

/// The route patterns the router registers (for tests that walk every route, e.g. without
/// credentials). Read from the router itself, so a route added anywhere is included.
#[doc(hidden)]
pub fn route_patterns() -> Vec<String> {
    routes::patterns()
}

/// Default number of calls kept in the call history ring buffer.
pub const DEFAULT_HISTORY_CAPACITY: usize = 10_000;

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The tenant served (first path segment of v3/v4 URLs).
    pub tenant: String,
    /// Publish `DIR/{folder}/{service}.xlsx` as `folder/service` at start.
    pub workbooks_dir: Option<PathBuf>,
    /// Publish the embedded demo workbooks ([`demo::WORKBOOKS`]) at start, after
    /// `workbooks_dir`: a service already published from the data or workbooks directory
    /// keeps that version.
    pub demo_workbooks: bool,
    /// Persist uploaded services and versions here (JSON + stored xlsx files).
    pub data_dir: Option<PathBuf>,
    /// Accepted API keys; empty (with no OAuth clients) = any non-empty key.
    pub api_keys: Vec<String>,
    /// Accepted OAuth clients `(id, secret)`; empty = any client.
    pub oauth_clients: Vec<(String, String)>,
    /// Initial fault plan.
    pub faults: Option<FaultPlan>,
    /// Lifetime of issued OAuth tokens (`expires_in`); default one hour.
    pub token_lifetime: Duration,
    /// Calls kept in the history ring buffer (oldest dropped first); 0 disables history.
    pub history_capacity: usize,
    /// Modelled engine compute time per record, added as wall time to every evaluation
    /// (see [`pacing`]); `None` (the default) answers as fast as the workbook evaluates.
    pub engine_time_per_record: Option<Duration>,
    /// Services (`folder/service`) that answer on the `/public/` routes without credentials,
    /// as Spark serves services whose `PublicAPI` book property is `True`. None by default:
    /// a public route refuses every other service with a 401.
    pub public_services: Vec<String>,
    /// Request, workbook, evaluation and connection limits ([`limits`]).
    pub limits: Limits,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenant: "my-tenant".into(),
            workbooks_dir: None,
            demo_workbooks: false,
            data_dir: None,
            api_keys: Vec::new(),
            oauth_clients: Vec::new(),
            faults: None,
            token_lifetime: Duration::from_secs(3600),
            history_capacity: DEFAULT_HISTORY_CAPACITY,
            engine_time_per_record: None,
            public_services: Vec::new(),
            limits: Limits::default(),
        }
    }
}

impl EmulatorConfig {
    /// Publish the demo workbooks at start (`demo/volume-cylinder`, `demo/insurance-quote`,
    /// `demo/loan-calc`). They are compiled into the crate ([`demo`]), so this works from an
    /// installed binary or a moved build as well as from a checkout, and reads no files.
    /// Combines with [`with_workbooks_dir`](Self::with_workbooks_dir): both are published.
    pub fn with_demo_workbooks(mut self) -> Self {
        self.demo_workbooks = true;
        self
    }

    /// Publish the workbooks under `dir` (`DIR/{folder}/{service}.xlsx`) at start.
    pub fn with_workbooks_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.workbooks_dir = Some(dir.into());
        self
    }

    /// Accept only this API key (may be called repeatedly).
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Accept only this OAuth client (may be called repeatedly).
    pub fn with_oauth_client(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.oauth_clients.push((id.into(), secret.into()));
        self
    }

    /// Serve `folder/service` on the `/public/` routes (may be called repeatedly); see
    /// [`EmulatorConfig::public_services`].
    pub fn with_public_service(mut self, service: impl Into<String>) -> Self {
        self.public_services.push(service.into());
        self
    }

    /// Serve this tenant.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = tenant.into();
        self
    }

    /// Model an engine that spends `per_record` computing each record (see [`pacing`]).
    pub fn with_engine_time_per_record(mut self, per_record: Duration) -> Self {
        self.engine_time_per_record = Some(per_record);
        self
    }
}

/// Entry point: start a server.
pub struct Emulator;

/// A problem found while loading workbooks at start (the others still serve).
#[derive(Debug, Clone)]
pub struct LoadProblem {
    /// The file (for an embedded demo workbook, `{folder}/{file name}`).
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

impl Emulator {
    /// Build the state for `config`: load the data directory and publish the workbooks.
    /// Returns the state and the files that failed to load.
    pub fn prepare(config: &EmulatorConfig) -> (AppState, Vec<LoadProblem>) {
        let state = AppState::new(
            &config.tenant,
            config.data_dir.clone(),
            AuthConfig {
                api_keys: config.api_keys.clone(),
                oauth_clients: config.oauth_clients.clone(),
                token_lifetime: config.token_lifetime,
            },
            config.faults.clone(),
            config.history_capacity,
        );
        state.set_engine_time(config.engine_time_per_record);
        state.set_limits(config.limits);
        state
            .store()
            .set_draft_policy(config.limits.draft_lifetime, config.limits.max_drafts);
        let mut problems = Vec::new();
        for name in &config.public_services {
            match name.trim_matches('/').split_once('/') {
                Some((folder, service)) if !folder.is_empty() && !service.is_empty() => {
                    state.declare_public_service(folder, service)
                }
                _ => problems.push((
                    PathBuf::from(name),
                    "a public service is named FOLDER/SERVICE".to_string(),
                )),
            }
        }
        problems.extend(state.store().load_data_dir());
        problems.extend(state.inner.batches.load(state.store()));
        if let Some(dir) = &config.workbooks_dir {
            problems.extend(store::publish_dir(state.store(), dir));
        }
        if config.demo_workbooks {
            problems.extend(demo::publish(state.store()));
        }
        let problems = problems
            .into_iter()
            .map(|(path, reason)| LoadProblem { path, reason })
            .collect();
        (state, problems)
    }

    /// Bind `config.addr` and serve in a background task. Workbooks that fail to load are
    /// logged (tracing) and listed by [`EmulatorHandle::load_problems`].
    pub async fn start(config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
        let (state, problems) = Self::prepare(&config);
        for p in &problems {
            tracing::warn!(path = %p.path.display(), reason = %p.reason, "workbook not loaded");
        }
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        // The application without the outer `Router` of [`app`], which would only forward to it.
        let app = routes::service(state.clone());
        let task = tokio::spawn(serve::serve(listener, app, config.limits, rx));
        Ok(EmulatorHandle {
            addr,
            tenant: config.tenant,
            state,
            problems,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server too (without waiting).
pub struct EmulatorHandle {
    addr: SocketAddr,
    tenant: String,
    state: AppState,
    problems: Vec<LoadProblem>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/{tenant}`: the SDK base URL.
    pub fn base_url(&self) -> String {
        format!("{}/{}", self.url(), self.tenant)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tenant served.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// A snapshot of the request counters (also at `GET /_emulator/counters`).
    pub fn counters(&self) -> Counters {
        self.state.counters()
    }

    /// Reset the counters.
    pub fn reset_counters(&self) {
        self.state.reset_counters()
    }

    /// Replace the fault plan; `None` disables faults.
    pub fn set_faults(&self, plan: impl Into<Option<FaultPlan>>) {
        self.state.set_faults(plan.into())
    }

    /// Set the modelled engine time per record (`None` = off), effective for calls that
    /// arrive afterwards; see [`pacing`].
    pub fn set_engine_time(&self, per_record: Option<Duration>) {
        self.state.set_engine_time(per_record)
    }

    /// Invalidate every issued OAuth token (the next bearer call gets a 401).
    pub fn revoke_tokens(&self) {
        self.state.inner.tokens.revoke_all()
    }

    /// Publish a workbook as a new version of `folder/service` without going through HTTP
    /// (`difference`: `major`, `minor` or `patch`); returns the new version id.
    pub fn publish_workbook(
        &self,
        folder: &str,
        service: &str,
        file_name: &str,
        bytes: Vec<u8>,
        difference: &str,
    ) -> Result<String, String> {
        let engine = engine::load_xlsx(&bytes, file_name)?;
        let version = self.state.store().publish(
            folder,
            service,
            engine,
            bytes::Bytes::from(bytes),
            file_name,
            difference,
            (None, None),
            (None, None, None),
            false,
        );
        Ok(version.info.id.clone())
    }

    /// Workbooks that failed to load at start.
    pub fn load_problems(&self) -> &[LoadProblem] {
        &self.problems
    }

    /// The shared state (store access for tests and embedding).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stop accepting connections, let requests in flight finish for the shutdown grace
    /// ([`Limits::shutdown_grace`]), cut the rest, and wait for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
