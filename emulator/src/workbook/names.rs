//! Names IronCalc 0.9 cannot evaluate, rewritten when a workbook loads.
//!
//! Pricing models keep their assumptions in defined names that are constants or formulas
//! (`TaxRate = 0.21`, `MonthlyRate = Inputs!$B$2/12`) and look up bare table names
//! (`VLOOKUP(age, RatesTbl, 3, TRUE)`). IronCalc only evaluates names that are references
//! (anything else is `#NAME?`) and has no value for a bare table name. So, before the
//! formulas are parsed:
//!
//! * each constant or formula name is materialised into a cell of a very hidden sheet
//!   appended after the workbook's own sheets, and the name is redefined as a reference to
//!   that cell (so it is recalculated with the rest of the workbook, inputs included);
//! * each table gets a workbook-scoped name equal to its own name, referring to its data
//!   body (without the heading and totals rows), which is what Excel means by a bare table
//!   name. Structured references (`RatesTbl[Age]`) are left to the engine, which reads them.
//!
//! Sheet indices of the workbook's own sheets do not change.

use ironcalc::base::Model;
use ironcalc::base::types::{DefinedName, SheetState, Workbook as Book};

use super::xlsx_meta::{column_letters, parse_area};

/// Name of the very hidden sheet holding materialised names (made unique if taken).
const NAMES_SHEET: &str = "_CSparkNames";

/// What a defined name's formula is, for the engine.
#[derive(Debug, PartialEq)]
enum NameKind {
    /// A cell, range, whole-column or whole-row reference: the engine evaluates it.
    Reference,
    /// Anything the engine cannot take and we must not touch (LAMBDA, `#REF!`, external
    /// links, Excel's own `_xlnm.` names).
    Leave,
    /// A constant or a formula: materialised into a hidden cell.
    Formula,
}

/// `A1`, `$A$1:$C$9`, `$A:$C`, `$2:$5` (no sheet).
fn is_area(text: &str) -> bool {
    if parse_area(text).is_some() {
        return true;
    }
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let strip = |s: &str| s.trim().replace('$', "");
    let (a, b) = (strip(a), strip(b));
    let letters =
        |s: &str| !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_alphabetic());
    let digits = |s: &str| !s.is_empty() && s.len() <= 7 && s.chars().all(|c| c.is_ascii_digit());
    text.contains(':') && ((letters(&a) && letters(&b)) || (digits(&a) && digits(&b)))
}

fn classify(name: &str, formula: &str) -> NameKind {
    let formula = formula.trim();
    let formula = formula.strip_prefix('=').unwrap_or(formula).trim();
    let upper = formula.to_ascii_uppercase();
    if name.starts_with("_xlnm.")
        || formula.is_empty()
        || upper.contains("#REF!")
        || upper.starts_with("LAMBDA(")
        || upper.starts_with("_XLFN.LAMBDA(")
        || formula.starts_with('[')
    {
        return NameKind::Leave;
    }
    let area = match formula.rfind('!') {
        Some(pos) => {
            let sheet = &formula[..pos];
            let plain = !sheet.is_empty()
                && !sheet.contains(['(', ')', '+', '*', '/', ',', '&', '"', '[', ' '])
                && !sheet.starts_with('-');
            let quoted = sheet.len() >= 2 && sheet.starts_with('\'') && sheet.ends_with('\'');
            if !(plain || quoted) {
                return NameKind::Formula;
            }
            &formula[pos + 1..]
        }
        None => formula,
    };
    if is_area(area) {
        NameKind::Reference
    } else {
        NameKind::Formula
    }
}

fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// `"A1:C10"` with `header` and `totals` rows removed → absolute `'Sheet'!$A$2:$C$10`.
fn table_body(sheet: &str, reference: &str, header: u32, totals: u32) -> Option<String> {
    let (r1, c1, r2, c2) = parse_area(reference)?;
    let first = r1.checked_add(header)?;
    let last = r2.checked_sub(totals)?;
    (first <= last).then(|| {
        format!(
            "{}!${}${first}:${}${last}",
            quote_sheet(sheet),
            column_letters(c1),
            column_letters(c2)
        )
    })
}

fn unique_sheet_name(book: &Book) -> String {
    let taken = |n: &str| {
        book.worksheets
            .iter()
            .any(|w| w.name.eq_ignore_ascii_case(n))
    };
    let mut name = NAMES_SHEET.to_string();
    let mut n = 1;
    while taken(&name) {
        n += 1;
        name = format!("{NAMES_SHEET}{n}");
    }
    name
}

/// Builds the evaluation model of a loaded workbook, rewriting the names IronCalc cannot
/// evaluate (see the module documentation). Returns the model and the number of sheets
/// that belong to the workbook itself (the hidden sheet, if any, comes after them).
pub(crate) fn model_with_names(book: Book) -> Result<(Model<'static>, usize), String> {
    let own_sheets = book.worksheets.len();
    let formulas: Vec<usize> = book
        .defined_names
        .iter()
        .enumerate()
        .filter(|(_, dn)| classify(&dn.name, &dn.formula) == NameKind::Formula)
        .map(|(i, _)| i)
        .collect();
    let mut tables: Vec<DefinedName> = Vec::new();
    for table in book.tables.values() {
        let name = if table.display_name.is_empty() {
            &table.name
        } else {
            &table.display_name
        };
        let clash = book
            .defined_names
            .iter()
            .any(|dn| dn.name.eq_ignore_ascii_case(name));
        if clash {
            continue;
        }
        if let Some(body) = table_body(
            &table.sheet_name,
            &table.reference,
            table.header_row_count,
            table.totals_row_count,
        ) {
            tables.push(DefinedName {
                name: name.clone(),
                formula: body,
                sheet_id: None,
            });
        }
    }
    if formulas.is_empty() && tables.is_empty() {
        return Ok((Model::from_workbook(book, "en")?, own_sheets));
    }

    let mut book = if formulas.is_empty() {
        book
    } else {
        let sheet_name = unique_sheet_name(&book);
        let texts: Vec<String> = formulas
            .iter()
            .map(|&i| {
                let f = book.defined_names[i].formula.trim();
                format!("={}", f.strip_prefix('=').unwrap_or(f))
            })
            .collect();
        let mut model = Model::from_workbook(book, "en")?;
        model.add_sheet(&sheet_name)?;
        let sheet = own_sheets as u32;
        for (row, text) in texts.into_iter().enumerate() {
            model.set_user_input(sheet, row as i32 + 1, 1, text)?;
        }
        model.set_sheet_state(sheet, SheetState::VeryHidden)?;
        let mut book = model.workbook;
        for (row, &i) in formulas.iter().enumerate() {
            book.defined_names[i].formula = format!("{}!$A${}", quote_sheet(&sheet_name), row + 1);
        }
        book
    };
    book.defined_names.extend(tables);
    Ok((Model::from_workbook(book, "en")?, own_sheets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_names() {
        assert_eq!(classify("A", "Sheet1!$B$2"), NameKind::Reference);
        assert_eq!(classify("A", "'My sheet'!$B$2:$C$9"), NameKind::Reference);
        assert_eq!(classify("A", "Data!$A:$C"), NameKind::Reference);
        assert_eq!(classify("A", "Data!$2:$4"), NameKind::Reference);
        assert_eq!(classify("A", "0.21"), NameKind::Formula);
        assert_eq!(classify("A", "Inputs!$B$2/12"), NameKind::Formula);
        assert_eq!(classify("A", "\"GBP\""), NameKind::Formula);
        assert_eq!(classify("A", "SUM(Data!$A$1:$A$3)"), NameKind::Formula);
        assert_eq!(classify("A", "#REF!"), NameKind::Leave);
        assert_eq!(classify("A", "LAMBDA(x, x+1)"), NameKind::Leave);
        assert_eq!(
            classify("_xlnm.Print_Area", "Sheet1!$A$1:$B$2"),
            NameKind::Leave
        );
        assert_eq!(
            table_body("T's", "A1:C10", 1, 1).as_deref(),
            Some("'T''s'!$A$2:$C$9")
        );
        assert_eq!(table_body("S", "A1:C1", 1, 0), None);
    }
}
