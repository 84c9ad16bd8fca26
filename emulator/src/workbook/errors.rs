//! Excel error values: errors found in output cells, functions the engine does not
//! implement, and the data type of a cell whose value at upload is an error. (The mapping of
//! the engine's own error strings to Excel's set, [`excel_error`], lives with the other value
//! conversions in `values.rs`.)

use std::collections::HashMap;

use ironcalc::base::Model;
use ironcalc::base::cell::CellValue;
use ironcalc::base::types::CellType;

use super::DataType;
use super::cells::{CellRef, cell_value};
pub(crate) use super::values::excel_error;
use super::xlsx_meta::column_letters;

/// Why the engine produced an error, in words, for the `errors` entry of an execute call.
pub(crate) fn engine_reason(engine_error: &str) -> Option<&'static str> {
    match engine_error {
        "#N/IMPL!" => {
            Some("the calculation engine does not implement this function or this use of it")
        }
        "#CIRC!" => Some("circular reference"),
        "#ERROR!" => Some("the calculation engine could not read this formula"),
        _ => None,
    }
}

/// `Sheet!A1` for a cell.
pub(crate) fn cell_address(model: &Model<'static>, cell: CellRef) -> String {
    let sheet = model
        .workbook
        .worksheets
        .get(cell.sheet as usize)
        .map_or("?", |w| w.name.as_str());
    format!("{sheet}!{}{}", column_letters(cell.col as u32), cell.row)
}

/// The engine's error string if the cell holds an error value.
pub(crate) fn engine_error_at(model: &Model<'static>, cell: CellRef) -> Option<String> {
    match model.get_cell_type(cell.sheet, cell.row, cell.col) {
        Ok(CellType::ErrorValue) => match cell_value(model, cell) {
            CellValue::String(text) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

/// Function names called in a formula (upper-cased, without `_xlfn.`/`_xlws.` prefixes),
/// outside string literals.
fn called_functions(formula: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut token = String::new();
    let mut in_string = false;
    for c in formula.chars() {
        if in_string {
            if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                token.clear();
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => token.push(c),
            '(' => {
                let name = token.to_ascii_uppercase();
                let name = name
                    .trim_start_matches("_XLFN.")
                    .trim_start_matches("_XLWS.");
                if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    names.push(name.to_string());
                }
                token.clear();
            }
            _ => token.clear(),
        }
    }
    names
}

/// One cell calling a function the engine does not know.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unsupported {
    pub address: String,
    pub function: String,
}

/// Cells of the workbook's own sheets that call a function IronCalc does not implement
/// (names of defined names are not functions: a LAMBDA name may be called like one).
pub(crate) fn unsupported_functions(
    model: &Model<'static>,
    own_sheets: usize,
    limit: usize,
) -> Vec<Unsupported> {
    let Ok(language) = ironcalc::base::language::get_language("en") else {
        return Vec::new();
    };
    let defined: Vec<String> = model
        .workbook
        .defined_names
        .iter()
        .map(|d| d.name.to_ascii_uppercase())
        .collect();
    let mut found = Vec::new();
    let mut seen: HashMap<String, bool> = HashMap::new();
    for index in model.get_all_cells() {
        if index.index as usize >= own_sheets {
            continue;
        }
        let Ok(Some(formula)) = model.get_cell_formula(index.index, index.row, index.column) else {
            continue;
        };
        let cell = CellRef {
            sheet: index.index,
            row: index.row,
            col: index.column,
        };
        for name in called_functions(&formula) {
            // The engine's lookup scans its whole list: remember each answer.
            let known = *seen.entry(name.clone()).or_insert_with(|| {
                language.functions.lookup(&name).is_some()
                    || defined.contains(&name)
                    || matches!(name.as_str(), "LAMBDA" | "LET")
            });
            if !known {
                found.push(Unsupported {
                    address: cell_address(model, cell),
                    function: name,
                });
                if found.len() >= limit {
                    return found;
                }
            }
        }
    }
    found
}

/// The data type of a cell whose value is an error: from its number format, else from the
/// outermost function of its formula (text and logical functions), else NUMBER, which is
/// what a calculated cell in a pricing model most often holds.
pub(crate) fn type_of_error_cell(format: &str, formula: Option<&str>, is_date: bool) -> DataType {
    if is_date {
        return DataType::Date;
    }
    if format == "@" {
        return DataType::Text;
    }
    if format != "General" {
        return DataType::Number;
    }
    let Some(formula) = formula else {
        return DataType::Number;
    };
    const TEXT: &[&str] = &[
        "CONCAT",
        "CONCATENATE",
        "TEXTJOIN",
        "TEXT",
        "LEFT",
        "RIGHT",
        "MID",
        "UPPER",
        "LOWER",
        "PROPER",
        "TRIM",
        "SUBSTITUTE",
        "REPLACE",
        "REPT",
        "CHAR",
        "FIXED",
        "DOLLAR",
        "CLEAN",
        "TEXTBEFORE",
        "TEXTAFTER",
        "T",
    ];
    const LOGICAL: &[&str] = &[
        "AND",
        "OR",
        "NOT",
        "XOR",
        "ISBLANK",
        "ISERROR",
        "ISERR",
        "ISNA",
        "ISNUMBER",
        "ISTEXT",
        "ISLOGICAL",
        "ISEVEN",
        "ISODD",
        "EXACT",
        "TRUE",
        "FALSE",
    ];
    let body = formula.trim_start_matches('=').trim();
    let first = called_functions(body).into_iter().next();
    let outermost = first.filter(|f| {
        body.to_ascii_uppercase()
            .trim_start_matches("_XLFN.")
            .starts_with(&format!("{f}("))
    });
    match outermost.as_deref() {
        Some(f) if TEXT.contains(&f) => DataType::Text,
        Some(f) if LOGICAL.contains(&f) => DataType::Boolean,
        _ if body.contains('&') => DataType::Text,
        _ => DataType::Number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_engine_errors() {
        assert_eq!(excel_error("#N/IMPL!"), Some("#CALC!"));
        assert_eq!(excel_error("#CIRC!"), Some("#CALC!"));
        assert_eq!(excel_error("#ERROR!"), Some("#VALUE!"));
        assert_eq!(excel_error("#DIV/0!"), Some("#DIV/0!"));
        assert_eq!(excel_error("hello"), None);
    }

    #[test]
    fn finds_called_functions() {
        assert_eq!(
            called_functions("IFERROR(_xlfn.FOO(A1,\"BAR(\"),SUM(B1:B2))"),
            vec!["IFERROR", "FOO", "SUM"]
        );
        assert_eq!(
            type_of_error_cell("General", Some("=A1/B1"), false),
            DataType::Number
        );
        assert_eq!(
            type_of_error_cell("General", Some("=LEFT(A1,2)"), false),
            DataType::Text
        );
        assert_eq!(
            type_of_error_cell("General", Some("=AND(A1,B1)"), false),
            DataType::Boolean
        );
        assert_eq!(
            type_of_error_cell("0.00", Some("=LEFT(A1,2)"), false),
            DataType::Number
        );
        assert_eq!(type_of_error_cell("General", None, true), DataType::Date);
    }
}
