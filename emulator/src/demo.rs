//! The demo workbooks, compiled into the crate.
//!
//! The `.xlsx` files under `emulator/workbooks/demo/` (see that folder's README for their
//! inputs and outputs) are embedded with `include_bytes!`, so an installed binary
//! (`cargo install`) or a build whose source tree has moved serves them without reading the
//! source folder. [`crate::EmulatorConfig::with_demo_workbooks`] publishes them at start.
//!
//! ```
//! let cylinder = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
//! assert_eq!(cylinder.file_name, "volume-cylinder.xlsx");
//! assert!(cylinder.bytes.starts_with(b"PK")); // an xlsx is a zip
//! ```

use std::path::PathBuf;

use bytes::Bytes;

use crate::store::{self, Store};

/// One embedded workbook, published as `folder/service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoWorkbook {
    /// Folder it is published in.
    pub folder: &'static str,
    /// Service name.
    pub service: &'static str,
    /// The workbook's file name (`{service}.xlsx`), reported as its original file name.
    pub file_name: &'static str,
    /// The workbook, byte for byte as in `emulator/workbooks/`.
    pub bytes: &'static [u8],
}

/// One [`DemoWorkbook`] per file of `workbooks/demo/`, embedded at compile time.
macro_rules! demo {
    ($service:literal) => {
        DemoWorkbook {
            folder: "demo",
            service: $service,
            file_name: concat!($service, ".xlsx"),
            bytes: include_bytes!(concat!("../workbooks/demo/", $service, ".xlsx")),
        }
    };
}

/// Every demo workbook, in the order they are published.
pub const WORKBOOKS: &[DemoWorkbook] = &[
    demo!("insurance-quote"),
    demo!("loan-calc"),
    demo!("volume-cylinder"),
];

/// The demo workbook published as `folder/service` (names compared case-insensitively).
pub fn workbook(folder: &str, service: &str) -> Option<&'static DemoWorkbook> {
    WORKBOOKS
        .iter()
        .find(|w| w.folder.eq_ignore_ascii_case(folder) && w.service.eq_ignore_ascii_case(service))
}

/// Publish every demo workbook whose service does not exist yet (as [`store::publish_dir`]
/// does for a folder). Failures name the workbook as `{folder}/{file_name}`.
pub(crate) fn publish(store: &Store) -> Vec<(PathBuf, String)> {
    WORKBOOKS
        .iter()
        .filter_map(|w| {
            store::publish_workbook(
                store,
                w.folder,
                w.service,
                w.file_name,
                Bytes::from_static(w.bytes),
            )
            .err()
            .map(|reason| (PathBuf::from(w.folder).join(w.file_name), reason))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the folder is embedded, and nothing else: a workbook added to the folder
    /// but not to [`WORKBOOKS`] would silently stop being served.
    #[test]
    fn embeds_every_demo_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/workbooks/demo");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".xlsx"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = WORKBOOKS.iter().map(|w| w.file_name).collect();
        assert_eq!(on_disk, embedded);
        for w in WORKBOOKS {
            let file = std::fs::read(format!("{dir}/{}", w.file_name)).unwrap_or_default();
            assert_eq!(file, w.bytes, "{}", w.file_name);
        }
    }

    #[test]
    fn looks_workbooks_up_case_insensitively() {
        assert!(workbook("Demo", "Loan-Calc").is_some());
        assert!(workbook("demo", "nope").is_none());
    }
}
