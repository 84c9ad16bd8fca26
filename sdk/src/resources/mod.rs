//! Thin resource wrappers: each method builds a [`RequestSpec`](crate::transport::RequestSpec)
//! and hands it to the transport.

pub mod batches;
pub mod execute;
pub mod execute_many;
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
pub mod platform;
pub mod service_ops;
pub mod service_types;
pub mod services;
pub mod support;
pub mod transforms;
pub mod wasm;
