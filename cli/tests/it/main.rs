//! Integration tests of the `cspark` binary against the in-process emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

mod auth;
mod basics;
mod batch;
mod codegen;
mod common;
mod config;
mod hostile;
mod init_file;
mod jobs;
mod list_flags;
mod mcp_serve;
mod migrate;
mod parity;
mod platform;
mod services;
