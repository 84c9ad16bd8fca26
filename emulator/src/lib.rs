//! cspark-emulator: a local Spark-compatible server that runs real Excel workbooks.
#![deny(missing_docs)]

pub mod workbook;
