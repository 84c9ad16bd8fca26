//! Cell-level access to an IronCalc model: reading values and formats, writing inputs,
//! reading table records, and evaluating without letting an engine panic escape.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ironcalc::base::Model;
use ironcalc::base::cell::CellValue;
use serde_json::{Map, Value};

use super::values::{CellWrite, cell_json};

/// A 1-based cell position in a sheet (IronCalc's indices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CellRef {
    pub sheet: u32,
    pub row: i32,
    pub col: i32,
}

/// Evaluates, turning an engine panic into an error.
pub(crate) fn evaluate_guarded(model: &mut Model<'static>) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| model.evaluate()))
        .map_err(|_| "the calculation engine failed on this workbook".to_string())
}

pub(crate) fn cell_value(model: &Model<'static>, cell: CellRef) -> CellValue {
    model
        .get_cell_value_by_index(cell.sheet, cell.row, cell.col)
        .unwrap_or(CellValue::None)
}

pub(crate) fn number_format(model: &Model<'static>, cell: CellRef) -> String {
    let format = model
        .get_style_for_cell(cell.sheet, cell.row, cell.col)
        .map(|s| s.num_fmt)
        .unwrap_or_default();
    if format.is_empty() || format.eq_ignore_ascii_case("general") {
        "General".to_string()
    } else {
        format
    }
}

/// Writes one cell.
pub(crate) fn write_cell(
    model: &mut Model<'static>,
    cell: CellRef,
    write: &CellWrite,
) -> Result<(), String> {
    let CellRef { sheet, row, col } = cell;
    match write {
        CellWrite::Number(n) => model.update_cell_with_number(sheet, row, col, *n),
        CellWrite::Text(s) => model.update_cell_with_text(sheet, row, col, s),
        CellWrite::Bool(b) => model.update_cell_with_bool(sheet, row, col, *b),
        CellWrite::Clear => {
            if model.is_empty_cell(sheet, row, col)? {
                Ok(())
            } else {
                model.set_user_input(sheet, row, col, String::new())
            }
        }
    }
}

pub(crate) fn is_blank(value: &CellValue) -> bool {
    match value {
        CellValue::None => true,
        CellValue::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Reads records below the heading row as JSON objects, dropping fully blank trailing rows.
/// `date_formats` holds, row-major, the number format of each cell that has a date format.
pub(crate) fn read_records(
    model: &Model<'static>,
    origin: CellRef,
    rows: u32,
    headings: &[String],
    date_formats: &[Option<String>],
) -> Value {
    let width = headings.len();
    let mut records = Vec::with_capacity(rows as usize);
    let mut last_filled = 0;
    for r in 0..rows as usize {
        let mut record = Map::new();
        let mut filled = false;
        for (c, heading) in headings.iter().enumerate() {
            let cell = CellRef {
                sheet: origin.sheet,
                row: origin.row + r as i32,
                col: origin.col + c as i32,
            };
            let value = cell_value(model, cell);
            filled |= !is_blank(&value);
            let format = date_formats.get(r * width + c).and_then(Option::as_deref);
            record.insert(heading.clone(), cell_json(&value, format));
        }
        records.push(Value::Object(record));
        if filled {
            last_filled = r + 1;
        }
    }
    records.truncate(last_filled);
    Value::Array(records)
}
