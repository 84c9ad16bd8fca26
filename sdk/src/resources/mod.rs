//! Thin resource wrappers, one folder or file per feature of the client:
//!
//! | module | reached through | what it does |
//! |---|---|---|
//! | [`services`] | `client.services()` | execute (v3, v4), inspect (versions, schema, Swagger, metadata), lifecycle (upload, compile, publish, recompile), version edit and delete, search, download, delete |
//! | [`batches`] | `client.batches()` | the asynchronous Batch API |
//! | [`folders`] | `client.folders()` | folders and categories |
//! | [`history`] | `client.history()` | call history, rehydration, log downloads |
//! | [`impex`] | `client.impex()` | export and import of services |
//! | [`transforms`] | `client.transforms()` | transform documents |
//! | [`platform`] | `client.platform_config()`, `services().download_wasm` | platform configuration, WASM bundles |
//! | [`health`] | `client.health()` | the host's health check |
//! | [`files`] | `client.files()` | downloading a file by URL: the one leaf every download goes through |
//! | [`wasm`] | `cspark::hybrid` | the self-hosted hybrid runner |
//!
//! [`paging`] turns the listings into streams; [`support`] holds what several resources
//! share (multipart bodies, bounded polling, dates).
//!
//! JSON calls go through the generated platform client ([`crate::generated`]), whose hooks
//! hand each request to the SDK's transport; multipart uploads, binary downloads, absolute
//! URLs from Spark and the execute hot paths build a
//! [`RequestSpec`](crate::transport::RequestSpec) by hand (each says why).

pub mod batches;
pub mod files;
pub mod folders;
pub(crate) mod health;
pub mod history;
pub mod impex;
pub mod paging;
pub(crate) mod platform;
pub mod services;
pub(crate) mod support;
pub mod transforms;
pub mod wasm;
