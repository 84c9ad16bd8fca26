//! Reading a zip a client uploaded (a hybrid runner bundle, an ImpEx package): open it once,
//! look through its entry names, read the entries it needs by name.

use std::io::{Cursor, Read};

/// Largest entry read out of an uploaded zip: the size of the largest accepted upload.
/// A zip can claim any uncompressed size, so this bounds what one crafted entry can make the
/// emulator allocate.
const MAX_ENTRY_BYTES: u64 = 200 * 1024 * 1024;

/// An uploaded zip, opened for reading, with its entry names in archive order.
pub(crate) struct UploadedZip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
}

impl<'a> UploadedZip<'a> {
    /// Opens `bytes` as a zip; the error says why it is not one.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<UploadedZip<'a>, String> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        // An entry whose name does not decode could not be read by name anyway: left out.
        let names = archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        Ok(UploadedZip { archive, names })
    }

    /// Every entry name (directories included, as `dir/`).
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The uncompressed bytes of entry `name`; the error names the entry and the reason.
    pub(crate) fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        let entry = self
            .archive
            .by_name(name)
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        let mut bytes = Vec::new();
        entry
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(format!(
                "cannot read {name}: larger than {} MB uncompressed",
                MAX_ENTRY_BYTES / (1024 * 1024)
            ));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn lists_and_reads_entries() {
        let bytes = zip_of(&[("a/manifest.json", b"{}"), ("a/b.xlsx", b"book")]);
        let mut zip = UploadedZip::open(&bytes).unwrap();
        assert_eq!(zip.names(), ["a/manifest.json", "a/b.xlsx"]);
        assert_eq!(zip.read("a/b.xlsx").as_deref(), Ok(&b"book"[..]));
        let missing = zip.read("nope").unwrap_err();
        assert!(missing.starts_with("cannot read nope: "), "{missing}");
    }

    #[test]
    fn anything_else_is_not_a_zip() {
        assert!(UploadedZip::open(b"definitely not a zip").is_err());
        assert!(UploadedZip::open(b"").is_err());
    }
}
