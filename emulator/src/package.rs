//! A workbook's `.xlsx` package read and edited as a file, outside the engine: the statistics
//! an upload reports, and the "configured" download (`type=withmetadata`).

use std::io::{Cursor, Read, Write};

use quick_xml::Reader;
use quick_xml::events::Event;

/// Largest XML part read from a package (guards against zip bombs).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// What an upload's `response_data` reports about the file (`no_of_sheets`,
/// `no_of_formulas`, `no_of_cellswithdata`: spark-platform.md §2.3, the SDKs' upload types).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Statistics {
    /// `<sheet>` entries of `xl/workbook.xml` (hidden sheets included).
    pub sheets: usize,
    /// Cells holding a formula (`<f>`), shared-formula cells included.
    pub formulas: usize,
    /// Cells holding a value or a formula (`<v>`, `<is>` or `<f>`); styled empty cells excluded.
    pub cells_with_data: usize,
}

fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
) -> Result<(String, Vec<u8>), String> {
    let file = archive.by_index(index).map_err(|e| e.to_string())?;
    let name = file.name().map_err(|e| e.to_string())?.into_owned();
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok((name, bytes))
}

fn part_name(archive: &zip::ZipArchive<Cursor<&[u8]>>, index: usize) -> Option<String> {
    archive
        .name_for_index(index)
        .and_then(Result::ok)
        .map(|n| n.into_owned())
}

/// Count sheets, formulas and cells with data in an `.xlsx` file.
pub fn statistics(xlsx: &[u8]) -> Result<Statistics, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).map_err(|e| e.to_string())?;
    let mut stats = Statistics::default();
    for index in 0..archive.len() {
        let is_sheet = part_name(&archive, index).is_some_and(|name| {
            name == "xl/workbook.xml"
                || (name.starts_with("xl/worksheets/") && name.ends_with(".xml"))
        });
        if !is_sheet {
            continue;
        }
        let (name, xml) = read_part(&mut archive, index)?;
        if name == "xl/workbook.xml" {
            stats.sheets = count_elements(&xml, "sheet").map_err(|e| format!("{name}: {e}"))?;
        } else {
            let (formulas, cells) = count_cells(&xml).map_err(|e| format!("{name}: {e}"))?;
            stats.formulas += formulas;
            stats.cells_with_data += cells;
        }
    }
    Ok(stats)
}

fn count_elements(xml: &[u8], local: &str) -> Result<usize, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut count = 0;
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Eof => return Ok(count),
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == local => {
                count += 1;
            }
            _ => {}
        }
        buf.clear();
    }
}

/// `(formula cells, cells with data)` of one worksheet part.
fn count_cells(xml: &[u8]) -> Result<(usize, usize), String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut formulas, mut cells) = (0, 0);
    let (mut in_cell, mut has_data, mut has_formula) = (false, false, false);
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Eof => return Ok((formulas, cells)),
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "c" => (in_cell, has_data, has_formula) = (true, false, false),
                "v" | "is" if in_cell => has_data = true,
                "f" if in_cell => (has_data, has_formula) = (true, true),
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "c" => {
                cells += usize::from(has_data);
                formulas += usize::from(has_formula);
                in_cell = false;
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Namespace of the service-properties part the emulator adds to a configured download.
pub const PROPERTIES_NAMESPACE: &str = "urn:cspark-emulator:service-properties";
/// Path of that part inside the package.
pub const PROPERTIES_PART: &str = "customXml/cspark-service-properties.xml";

/// The "configured" file: the original package, byte for byte in every part, plus a custom XML
/// part holding the service's properties (`name`, `value` pairs), linked from the workbook's
/// relationships. Spark's own layout of that part is not public; this one is the emulator's
/// (see the crate README).
pub fn configured(xlsx: &[u8], properties: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).map_err(|e| e.to_string())?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let rels_name = "xl/_rels/workbook.xml.rels";
    let mut linked = false;
    for index in 0..archive.len() {
        let name = part_name(&archive, index).unwrap_or_default();
        if name == PROPERTIES_PART {
            continue;
        }
        if name == rels_name {
            let (_, rels) = read_part(&mut archive, index)?;
            let rels = String::from_utf8(rels).map_err(|e| format!("{rels_name}: {e}"))?;
            let link = format!(
                "<Relationship Id=\"rIdCsparkServiceProperties\" \
                 Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml\" \
                 Target=\"../{PROPERTIES_PART}\"/></Relationships>"
            );
            let edited = match rels.rfind("</Relationships>") {
                Some(at) if !rels.contains("rIdCsparkServiceProperties") => {
                    format!(
                        "{}{link}{}",
                        &rels[..at],
                        &rels[at + "</Relationships>".len()..]
                    )
                }
                _ => rels,
            };
            out.start_file(rels_name, options)
                .map_err(|e| e.to_string())?;
            out.write_all(edited.as_bytes())
                .map_err(|e| e.to_string())?;
            linked = true;
            continue;
        }
        let file = archive.by_index_raw(index).map_err(|e| e.to_string())?;
        out.raw_copy_file(file).map_err(|e| e.to_string())?;
    }
    if !linked {
        return Err(format!("no {rels_name} in the package"));
    }
    out.start_file(PROPERTIES_PART, options)
        .map_err(|e| e.to_string())?;
    out.write_all(properties_xml(properties).as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}

fn properties_xml(properties: &[(&str, String)]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <ServiceProperties xmlns=\"{PROPERTIES_NAMESPACE}\">"
    );
    for (name, value) in properties {
        xml.push_str(&format!(
            "<Property name=\"{}\">{}</Property>",
            quick_xml::escape::escape(*name),
            quick_xml::escape::escape(value.as_str())
        ));
    }
    xml.push_str("</ServiceProperties>");
    xml
}
