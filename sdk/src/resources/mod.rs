//! Thin resource wrappers. JSON calls go through the generated platform client
//! ([`crate::generated`]), whose hooks hand each request to the SDK's transport; multipart
//! uploads, binary downloads, absolute URLs from Spark and the execute hot paths build a
//! [`RequestSpec`](crate::transport::RequestSpec) by hand (each says why).

pub mod batches;
pub mod execute;
pub mod execute_body;
pub mod execute_many;
pub mod files;
pub mod folder_types;
pub mod folders;
pub mod health;
pub mod history;
pub mod history_types;
pub mod impex;
pub mod impex_types;
pub mod inspect;
pub mod lifecycle;
pub mod lifecycle_types;
mod object_only;
pub mod paging;
pub mod platform;
pub mod service_ops;
pub mod service_types;
pub mod services;
pub mod support;
pub mod transforms;
pub mod versions;
pub mod wasm;
