//! The SDK's identification and the header names it uses.

/// SDK version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Compiler version the SDK was built with.
pub const RUSTC_VERSION: &str = env!("CSPARK_RUSTC_VERSION");

/// `Coherent Spark SDK v{version} (Rust/{rustc})`.
pub fn user_agent() -> String {
    format!("Coherent Spark SDK v{SDK_VERSION} (Rust/{RUSTC_VERSION})")
}

/// `agent=spark-rust-sdk/{version}; env=Rust/{rustc}`.
pub fn spark_ua() -> String {
    format!("agent=spark-rust-sdk/{SDK_VERSION}; env=Rust/{RUSTC_VERSION}")
}

/// Header carrying the client-generated request id.
pub const X_REQUEST_ID: &str = "x-request-id";
/// Header carrying the tenant.
pub const X_TENANT_NAME: &str = "x-tenant-name";
/// Header carrying an API key.
pub const X_SYNTHETIC_KEY: &str = "x-synthetic-key";
/// Header carrying the SDK identification.
pub const X_SPARK_UA: &str = "x-spark-ua";
