//! The contract between generated per-service bindings and the client.

use serde::{Serialize, de::DeserializeOwned};

/// A Spark service with statically known inputs and outputs.
///
/// `cspark-codegen services` emits one marker type per service that implements this trait;
/// the client's typed calls (`execute_typed::<S>(&inputs)` and friends) are generic over it,
/// so passing one service's inputs to another service is a compile error.
pub trait TypedService {
    /// The service's input record (one Rust field per Excel input).
    type Inputs: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The service's output record (one Rust field per Excel output).
    type Outputs: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// Folder the service lives in.
    const FOLDER: &'static str;
    /// Service name.
    const SERVICE: &'static str;
    /// Semantic version the bindings were generated from (e.g. `"0.1.0"`).
    const VERSION: &'static str;
    /// Version id (UUID) the bindings were generated from, if known.
    const VERSION_ID: Option<&'static str>;
}
