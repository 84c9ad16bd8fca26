//! cspark-codegen: typed bindings for Spark services (filled by the codegen issue).
#![deny(missing_docs)]
