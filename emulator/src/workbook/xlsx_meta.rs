//! What IronCalc does not keep from the `.xlsx` file, read from the package XML directly:
//! defined names with their comments (`xl/workbook.xml`) and data validations
//! (`<dataValidations>` and the Excel 2010 `x14:dataValidations` extension of each worksheet).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// A 1-based rectangle `(first_row, first_col, last_row, last_col)`.
pub(crate) type Area = (u32, u32, u32, u32);

/// Largest XML part read from a package (guards against zip bombs).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// One `<definedName>` of `xl/workbook.xml`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DefinedName {
    /// The name as written (`Xinput_Radius`).
    pub name: String,
    /// The formula text (`Sheet1!$B$2`).
    pub formula: String,
    /// Zero-based sheet index for sheet-scoped names.
    pub local_sheet: Option<u32>,
    /// The `comment` attribute.
    pub comment: Option<String>,
}

/// One data-validation rule of a worksheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RawValidation {
    /// `type` attribute: `list`, `whole`, `decimal`, `date`, `textLength`, `custom`, …
    pub kind: String,
    /// `operator` attribute (default `between`).
    pub operator: String,
    /// `allowBlank="1"`.
    pub allow_blank: bool,
    /// The cells covered, as `(first_row, first_col, last_row, last_col)`, 1-based.
    pub areas: Vec<Area>,
    /// `formula1` text.
    pub formula1: Option<String>,
    /// `formula2` text.
    pub formula2: Option<String>,
    /// Custom error-alert text (`error` attribute), with its title.
    pub error_message: Option<String>,
}

impl RawValidation {
    /// Whether the rule covers the 1-based cell.
    pub(crate) fn covers(&self, row: u32, column: u32) -> bool {
        self.areas
            .iter()
            .any(|&(r1, c1, r2, c2)| (r1..=r2).contains(&row) && (c1..=c2).contains(&column))
    }
}

/// Package metadata IronCalc does not expose.
#[derive(Debug, Default)]
pub(crate) struct PackageMeta {
    /// All defined names.
    pub defined_names: Vec<DefinedName>,
    /// Data validations per sheet name.
    pub validations: HashMap<String, Vec<RawValidation>>,
}

fn read_part<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<Vec<u8>>, String> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(Some(bytes))
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        if a.key.local_name().as_ref() == key {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        } else {
            None
        }
    })
}

/// Reads the package metadata from the raw `.xlsx` bytes.
pub(crate) fn read_package(bytes: &[u8]) -> Result<PackageMeta, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let workbook_xml =
        read_part(&mut archive, "xl/workbook.xml")?.ok_or("no xl/workbook.xml in the package")?;
    let (sheets, defined_names) = parse_workbook_xml(&workbook_xml)?;
    let rels = match read_part(&mut archive, "xl/_rels/workbook.xml.rels")? {
        Some(xml) => parse_rels(&xml)?,
        None => HashMap::new(),
    };
    let mut meta = PackageMeta {
        defined_names,
        validations: HashMap::new(),
    };
    for (name, rel_id) in &sheets {
        let Some(target) = rels.get(rel_id) else {
            continue;
        };
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{target}"),
        };
        if let Some(xml) = read_part(&mut archive, &path)? {
            let rules = parse_validations(&xml)?;
            if !rules.is_empty() {
                meta.validations.insert(name.clone(), rules);
            }
        }
    }
    Ok(meta)
}

type SheetList = Vec<(String, String)>;

/// Text of an element, with entity references resolved.
fn push_text(event: &Event<'_>, out: &mut String) {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(t),
        Event::GeneralRef(r) => {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                out.push(c);
            } else {
                let name = r.xml10_content();
                if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                    out.push_str(s);
                }
            }
        }
        _ => {}
    }
}

fn parse_workbook_xml(xml: &[u8]) -> Result<(SheetList, Vec<DefinedName>), String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    let mut current: Option<DefinedName> = None;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("xl/workbook.xml: {e}"))?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sheet" => {
                    let name = attr(e, "name").unwrap_or_default();
                    let id = attr(e, "id").unwrap_or_default();
                    sheets.push((name, id));
                }
                "definedName" => {
                    let dn = DefinedName {
                        name: attr(e, "name").unwrap_or_default(),
                        formula: String::new(),
                        local_sheet: attr(e, "localSheetId").and_then(|s| s.parse().ok()),
                        comment: attr(e, "comment").filter(|c| !c.is_empty()),
                    };
                    if matches!(event, Event::Start(_)) {
                        current = Some(dn);
                    } else {
                        names.push(dn);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "definedName" => {
                if let Some(dn) = current.take() {
                    names.push(dn);
                }
            }
            other => {
                if let Some(dn) = current.as_mut() {
                    push_text(other, &mut dn.formula);
                }
            }
        }
        buf.clear();
    }
    Ok((sheets, names))
}

fn parse_rels(xml: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut rels = HashMap::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("xl/_rels/workbook.xml.rels: {e}"))?
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    rels.insert(id, target);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(rels)
}

/// Which text-holding element we are inside of, within a `dataValidation`.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    None,
    Formula1,
    Formula2,
    Sqref,
}

fn parse_validations(xml: &[u8]) -> Result<Vec<RawValidation>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut rules = Vec::new();
    let mut current: Option<RawValidation> = None;
    let mut slot = Slot::None;
    let mut text = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("worksheet: {e}"))?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "dataValidation" => {
                    let mut rule = RawValidation {
                        kind: attr(e, "type").unwrap_or_else(|| "none".into()),
                        operator: attr(e, "operator").unwrap_or_else(|| "between".into()),
                        allow_blank: matches!(attr(e, "allowBlank").as_deref(), Some("1" | "true")),
                        error_message: attr(e, "error").filter(|m| !m.is_empty()),
                        ..RawValidation::default()
                    };
                    if let Some(sqref) = attr(e, "sqref") {
                        rule.areas = parse_sqref(&sqref);
                    }
                    if matches!(event, Event::Start(_)) {
                        current = Some(rule);
                    } else {
                        rules.push(rule);
                    }
                }
                "formula1" if current.is_some() => {
                    slot = Slot::Formula1;
                    text.clear();
                }
                "formula2" if current.is_some() => {
                    slot = Slot::Formula2;
                    text.clear();
                }
                "sqref" if current.is_some() => {
                    slot = Slot::Sqref;
                    text.clear();
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "dataValidation" => {
                    if let Some(rule) = current.take() {
                        rules.push(rule);
                    }
                }
                "formula1" | "formula2" | "sqref" => {
                    if let Some(rule) = current.as_mut() {
                        let value = std::mem::take(&mut text).trim().to_string();
                        match slot {
                            Slot::Formula1 => rule.formula1 = Some(value),
                            Slot::Formula2 => rule.formula2 = Some(value),
                            Slot::Sqref => rule.areas = parse_sqref(&value),
                            Slot::None => {}
                        }
                    }
                    slot = Slot::None;
                }
                _ => {}
            },
            other => {
                if slot != Slot::None {
                    push_text(other, &mut text);
                }
            }
        }
        buf.clear();
    }
    Ok(rules)
}

/// `"B5 D3:D9"` → areas.
fn parse_sqref(sqref: &str) -> Vec<Area> {
    sqref.split_whitespace().filter_map(parse_area).collect()
}

/// `"$B$4:$D$9"` or `"C7"` (no sheet) → `(r1, c1, r2, c2)`, 1-based, normalised.
pub(crate) fn parse_area(text: &str) -> Option<Area> {
    let (a, b) = match text.split_once(':') {
        Some((a, b)) => (a, b),
        None => (text, text),
    };
    let (r1, c1) = parse_cell(a)?;
    let (r2, c2) = parse_cell(b)?;
    Some((r1.min(r2), c1.min(c2), r1.max(r2), c1.max(c2)))
}

/// `"$C$7"` → `(7, 3)`.
pub(crate) fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut column: u32 = 0;
    for c in letters.chars() {
        column = column * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || row > 1_048_576 || column > 16_384 {
        return None;
    }
    Some((row, column))
}

/// 1-based column number → letters (`3` → `"C"`).
pub(crate) fn column_letters(mut column: u32) -> String {
    let mut out = Vec::new();
    while column > 0 {
        let rem = ((column - 1) % 26) as u8;
        out.push((b'A' + rem) as char);
        column = (column - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A reference `Sheet!$A$1:$B$2` / `'My sheet'!A1` / `A1:B2` split into sheet and area.
pub(crate) fn split_reference(formula: &str) -> Option<(Option<String>, Area)> {
    let formula = formula.trim().trim_start_matches('=');
    match formula.rfind('!') {
        Some(pos) => {
            let sheet = &formula[..pos];
            let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                Some(quoted) => quoted.replace("''", "'"),
                None => sheet.to_string(),
            };
            Some((Some(sheet), parse_area(&formula[pos + 1..])?))
        }
        None => Some((None, parse_area(formula)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_cell("$C$7"), Some((7, 3)));
        assert_eq!(parse_cell("AA10"), Some((10, 27)));
        assert_eq!(parse_cell("7C"), None);
        assert_eq!(parse_area("B4:D9"), Some((4, 2, 9, 4)));
        assert_eq!(column_letters(27), "AA");
        assert_eq!(
            split_reference("'It''s'!$A$1:$A$3"),
            Some((Some("It's".to_string()), (1, 1, 3, 1)))
        );
        assert_eq!(split_reference("#REF!"), None);
    }

    #[test]
    fn validations_both_flavours() {
        let xml = br#"<worksheet><dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="B5 C1:C3"><formula1>"a,b"</formula1></dataValidation></dataValidations>
        <extLst><ext><x14:dataValidations><x14:dataValidation type="whole" operator="greaterThan"><x14:formula1><xm:f>Lists!$A$1</xm:f></x14:formula1><xm:sqref>D4</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"#;
        let rules = parse_validations(xml).unwrap_or_default();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].formula1.as_deref(), Some("\"a,b\""));
        assert!(rules[0].covers(2, 3));
        assert_eq!(rules[1].kind, "whole");
        assert_eq!(rules[1].formula1.as_deref(), Some("Lists!$A$1"));
        assert!(rules[1].covers(4, 4));
    }
}
