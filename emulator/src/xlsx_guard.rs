//! A hostile workbook is refused before the engine sees it. The checks stream every part of
//! the package once, holding one small buffer: the total uncompressed size (zip bombs: the
//! sizes a zip declares are not trusted, the bytes are counted as they inflate), the XML
//! nesting depth of every part (a parser that recurses would overflow its stack) and the
//! number of cells and shared strings (each costs the engine memory).
//!
//! The limits are fixed (see the constants): every load goes through
//! [`crate::engine::load_xlsx`], at start as for uploads, and a workbook any real pricing
//! model produces stays far below them.

use std::io::{BufReader, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// Largest total uncompressed size of a workbook's parts.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 128 * 1024 * 1024;
/// Deepest element nesting in any XML part (Excel writes fewer than 20 levels).
pub const MAX_XML_DEPTH: usize = 128;
/// Most cells (`<c>`) plus shared strings (`<si>`) in one workbook.
pub const MAX_CELLS: usize = 2_000_000;
/// Most parts in one package.
pub const MAX_PARTS: usize = 10_000;

/// Check `bytes` (an `.xlsx` package) against the limits; the error names the limit. Bytes
/// that are not a zip pass: the loader reports what is wrong with them.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    check_within(bytes, MAX_CELLS)
}

fn check_within(bytes: &[u8], max_cells: usize) -> Result<(), String> {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    if archive.len() > MAX_PARTS {
        return Err(format!(
            "the workbook has {} parts; at most {MAX_PARTS} are accepted",
            archive.len()
        ));
    }
    let mut budget = Budget {
        bytes: 0,
        cells: 0,
        max_cells,
    };
    for index in 0..archive.len() {
        let mut part = archive
            .by_index(index)
            .map_err(|e| format!("unreadable workbook part #{index}: {e}"))?;
        if part.is_dir() {
            continue;
        }
        let name = part
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("part #{index}"));
        if part.size() > MAX_UNCOMPRESSED_BYTES.saturating_sub(budget.bytes) {
            return Err(too_large());
        }
        let is_xml = [".xml", ".rels", ".vml"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext));
        let counted = Counted {
            inner: &mut part,
            read: 0,
            allowed: MAX_UNCOMPRESSED_BYTES - budget.bytes,
        };
        let read = if is_xml {
            check_xml(counted, &name, &mut budget)?
        } else {
            drain(counted)?
        };
        budget.bytes += read;
    }
    Ok(())
}

struct Budget {
    bytes: u64,
    cells: usize,
    max_cells: usize,
}

fn too_large() -> String {
    format!(
        "the workbook is larger than {} MiB uncompressed",
        MAX_UNCOMPRESSED_BYTES / (1024 * 1024)
    )
}

/// A reader that counts what it inflates and fails once past what the budget allows.
struct Counted<R> {
    inner: R,
    read: u64,
    allowed: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.allowed {
            return Err(std::io::Error::other(too_large()));
        }
        Ok(n)
    }
}

fn drain<R: Read>(mut counted: Counted<R>) -> Result<u64, String> {
    std::io::copy(&mut counted, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok(counted.read)
}

/// Walk one XML part's events: depth and cells. A part that is not well-formed is still
/// drained (so its size counts); the loader reports the syntax error.
fn check_xml<R: Read>(counted: Counted<R>, name: &str, budget: &mut Budget) -> Result<u64, String> {
    let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, counted));
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(quick_xml::Error::Io(e)) => return Err(e.to_string()),
            Err(_) => break,
        };
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(format!(
                        "{name} nests XML elements deeper than {MAX_XML_DEPTH} levels"
                    ));
                }
                count_cell(e.local_name().as_ref(), name, budget)?;
            }
            Event::Empty(e) => count_cell(e.local_name().as_ref(), name, budget)?,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    let mut rest = reader.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok(rest.get_ref().read)
}

fn count_cell(local: &str, part: &str, budget: &mut Budget) -> Result<(), String> {
    if local == "c" || local == "si" {
        budget.cells += 1;
        if budget.cells > budget.max_cells {
            return Err(format!(
                "the workbook has more than {} cells and shared strings (at {part})",
                budget.max_cells
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            out.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn depth_cells_and_size_are_bounded() {
        let ok = package(&[("xl/a.xml", b"<a><b><c r=\"A1\"/></b></a>")]);
        assert_eq!(check(&ok), Ok(()));
        let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        let err = check(&package(&[("xl/deep.xml", deep.as_bytes())])).unwrap_err();
        assert!(err.contains("deeper than 128"), "{err}");
        let cells = package(&[("xl/s.xml", "<s><c/><c/><c/></s>".as_bytes())]);
        assert_eq!(check_within(&cells, 3), Ok(()));
        let err = check_within(&cells, 2).unwrap_err();
        assert!(err.contains("more than 2 cells"), "{err}");
        let strings = package(&[("xl/sharedStrings.xml", b"<sst><si/><si><t>x</t></si></sst>")]);
        let err = check_within(&strings, 1).unwrap_err();
        assert!(err.contains("shared strings"), "{err}");
        assert_eq!(check(b"not a zip"), Ok(()));
    }
}
