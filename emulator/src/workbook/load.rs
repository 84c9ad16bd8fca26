//! Loading: `.xlsx` bytes → fields, cell plans and a pool of evaluated template models.

use std::collections::HashMap;
use std::panic::catch_unwind;

use ironcalc::base::Model;
use ironcalc::base::cell::CellValue;
use serde_json::Value;

use super::cells::{
    CellRef, cell_value, evaluate_guarded, is_blank, number_format, read_records, write_cell,
};
use super::pool::ModelPool;
use super::validate::{Check, build_check};
use super::values::{CellWrite, cell_json, cell_write_of, infer_type, is_date_format};
use super::xlsx_meta::{self, PackageMeta, column_letters, split_reference};
use super::{DataType, Field, Shape, Warning, Workbook, WorkbookError};
use super::{errors, joins, names};

/// Largest number of cells a single table field may span.
const MAX_TABLE_CELLS: u64 = 1_000_000;

/// One column of a table input.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    pub heading: String,
    pub data_type: DataType,
    pub check: Option<Check>,
}

/// How to write one input.
#[derive(Debug, Clone)]
pub(crate) enum InputPlan {
    /// A single cell.
    Scalar {
        cell: CellRef,
        data_type: DataType,
        check: Option<Check>,
        default: CellWrite,
    },
    /// Records below a heading row.
    Table {
        /// First record cell (below the heading).
        origin: CellRef,
        rows: u32,
        columns: Vec<ColumnPlan>,
        /// Template contents, row-major, `rows × columns`.
        defaults: Vec<CellWrite>,
    },
}

/// How to read one output.
#[derive(Debug, Clone)]
pub(crate) enum OutputPlan {
    /// A single cell; the number format if it is a date format.
    Scalar {
        cell: CellRef,
        date_format: Option<String>,
    },
    /// Records below a heading row.
    Table {
        origin: CellRef,
        rows: u32,
        headings: Vec<String>,
        /// Date format per cell, row-major.
        date_formats: Vec<Option<String>>,
    },
}

fn not_a_service(file: &str, reason: impl Into<String>) -> WorkbookError {
    WorkbookError::NotAService {
        file: file.to_string(),
        reason: reason.into(),
    }
}

fn unreadable(file: &str, reason: impl Into<String>) -> WorkbookError {
    WorkbookError::Unreadable {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// A parsed `Xinput_`/`Xoutput_` name.
struct Mapping {
    is_input: bool,
    name: String,
    subservice: Option<String>,
    sheet: u32,
    sheet_name: String,
    area: xlsx_meta::Area,
    description: Option<String>,
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn mappings(
    meta: &PackageMeta,
    sheets: &[String],
    file: &str,
) -> Result<Vec<Mapping>, WorkbookError> {
    let mut out = Vec::new();
    for dn in &meta.defined_names {
        let (is_input, rest) = if let Some(rest) = strip_prefix_ci(&dn.name, "Xinput_") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ci(&dn.name, "Xoutput_") {
            (false, rest)
        } else {
            continue;
        };
        let (subservice, name) = match rest.split_once('.') {
            Some((sub, name)) => (Some(sub.to_string()), name.to_string()),
            None => (None, rest.to_string()),
        };
        if name.is_empty() || subservice.as_deref() == Some("") || name.contains('.') {
            return Err(not_a_service(file, format!("malformed name {}", dn.name)));
        }
        let Some((sheet_name, area)) = split_reference(&dn.formula) else {
            return Err(not_a_service(
                file,
                format!(
                    "{} does not refer to a cell range ({})",
                    dn.name, dn.formula
                ),
            ));
        };
        let sheet = match &sheet_name {
            Some(s) => sheets.iter().position(|n| n.eq_ignore_ascii_case(s)),
            None => dn
                .local_sheet
                .map(|i| i as usize)
                .filter(|&i| i < sheets.len()),
        };
        let Some(sheet) = sheet else {
            return Err(not_a_service(
                file,
                format!("{} refers to an unknown sheet ({})", dn.name, dn.formula),
            ));
        };
        let cells = u64::from(area.2 - area.0 + 1) * u64::from(area.3 - area.1 + 1);
        if cells > MAX_TABLE_CELLS {
            return Err(not_a_service(
                file,
                format!("{} spans too many cells", dn.name),
            ));
        }
        out.push(Mapping {
            is_input,
            name,
            subservice,
            sheet: sheet as u32,
            sheet_name: sheets[sheet].clone(),
            area,
            description: dn.comment.clone(),
        });
    }
    Ok(out)
}

fn heading_text(value: &CellValue) -> Option<String> {
    match value {
        CellValue::None => None,
        CellValue::String(s) if s.trim().is_empty() => None,
        CellValue::String(s) => Some(s.clone()),
        CellValue::Number(_) => cell_json(value, None).as_f64().map(|n| n.to_string()),
        CellValue::Boolean(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
    }
}

/// The data type of a cell: from its value, or, when the value is an error, from its number
/// format and formula (an error at upload says nothing about what the cell holds otherwise).
fn type_at(model: &Model<'static>, cell: CellRef, value: &CellValue, format: &str) -> DataType {
    if errors::engine_error_at(model, cell).is_none() {
        return infer_type(value, format);
    }
    let formula = model
        .get_cell_formula(cell.sheet, cell.row, cell.col)
        .ok()
        .flatten();
    errors::type_of_error_cell(format, formula.as_deref(), is_date_format(format))
}

/// Most cells named in the load warnings.
const MAX_LOAD_WARNINGS: usize = 200;

/// A warning per cell that calls a function the engine does not know, or whose value is the
/// engine's "not implemented" error (a known function used in a way it does not support).
fn load_warnings(model: &Model<'static>, own_sheets: usize) -> Vec<Warning> {
    let mut warnings: Vec<Warning> =
        errors::unsupported_functions(model, own_sheets, MAX_LOAD_WARNINGS)
            .into_iter()
            .map(|u| Warning {
                message: format!(
                    "{}: the calculation engine does not implement the function {}; the cell computes #CALC! (IFERROR around it answers its fallback)",
                    u.address, u.function
                ),
                field: Some(u.address),
            })
            .collect();
    for index in model.get_all_cells() {
        if warnings.len() >= MAX_LOAD_WARNINGS {
            break;
        }
        if index.index as usize >= own_sheets {
            continue;
        }
        let cell = CellRef {
            sheet: index.index,
            row: index.row,
            col: index.column,
        };
        if errors::engine_error_at(model, cell).as_deref() != Some("#N/IMPL!") {
            continue;
        }
        let address = errors::cell_address(model, cell);
        if warnings
            .iter()
            .any(|w| w.field.as_deref() == Some(&address))
        {
            continue;
        }
        let formula = model
            .get_cell_formula(cell.sheet, cell.row, cell.col)
            .ok()
            .flatten()
            .unwrap_or_default();
        warnings.push(Warning {
            message: format!(
                "{address}: the calculation engine does not implement this use of a function in {formula}; the cell computes #CALC!"
            ),
            field: Some(address),
        });
    }
    warnings
}

fn date_format_of(model: &Model<'static>, cell: CellRef) -> Option<String> {
    let format = number_format(model, cell);
    is_date_format(&format).then_some(format)
}

fn headings_of(
    model: &Model<'static>,
    m: &Mapping,
    file: &str,
) -> Result<Vec<String>, WorkbookError> {
    let mut headings: Vec<String> = Vec::new();
    for col in m.area.1..=m.area.3 {
        let cell = CellRef {
            sheet: m.sheet,
            row: m.area.0 as i32,
            col: col as i32,
        };
        let Some(heading) = heading_text(&cell_value(model, cell)) else {
            return Err(not_a_service(
                file,
                format!(
                    "table {} has an empty heading in column {}",
                    m.name,
                    column_letters(col)
                ),
            ));
        };
        if headings.iter().any(|h| h == &heading) {
            return Err(not_a_service(
                file,
                format!("table {} repeats the heading {heading:?}", m.name),
            ));
        }
        headings.push(heading);
    }
    Ok(headings)
}

fn address(area: xlsx_meta::Area) -> String {
    let first = format!("{}{}", column_letters(area.1), area.0);
    if area.0 == area.2 && area.1 == area.3 {
        first
    } else {
        format!("{first}:{}{}", column_letters(area.3), area.2)
    }
}

/// Builds the field and plan of one mapping from the evaluated template model.
fn build(
    model: &Model<'static>,
    meta: &PackageMeta,
    m: &Mapping,
    file: &str,
) -> Result<(Field, Option<InputPlan>, Option<OutputPlan>), WorkbookError> {
    let rules = meta
        .validations
        .get(&m.sheet_name)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let top = CellRef {
        sheet: m.sheet,
        row: m.area.0 as i32,
        col: m.area.1 as i32,
    };
    let mut field = Field {
        name: m.name.clone(),
        subservice: m.subservice.clone(),
        sheet: m.sheet_name.clone(),
        sheet_index: m.sheet,
        address: address(m.area),
        row: m.area.0,
        column: m.area.1,
        shape: Shape::Scalar,
        data_type: DataType::Text,
        number_format: number_format(model, top),
        default: Value::Null,
        validation: None,
        description: m.description.clone(),
    };
    let single = m.area.0 == m.area.2 && m.area.1 == m.area.3;
    if single {
        let value = cell_value(model, top);
        field.data_type = type_at(model, top, &value, &field.number_format);
        let date_format = is_date_format(&field.number_format).then(|| field.number_format.clone());
        field.default = cell_json(&value, date_format.as_deref());
        if m.is_input {
            let check = rules
                .iter()
                .find(|r| r.covers(m.area.0, m.area.1))
                .and_then(|r| build_check(r, m.sheet, model, meta, field.data_type));
            field.validation = check.as_ref().and_then(Check::public);
            let plan = InputPlan::Scalar {
                cell: top,
                data_type: field.data_type,
                check,
                default: cell_write_of(&value),
            };
            return Ok((field, Some(plan), None));
        }
        return Ok((
            field,
            None,
            Some(OutputPlan::Scalar {
                cell: top,
                date_format,
            }),
        ));
    }

    let headings = headings_of(model, m, file)?;
    let rows = m.area.2 - m.area.0;
    let origin = CellRef {
        sheet: m.sheet,
        row: top.row + 1,
        col: top.col,
    };
    if rows > 0 {
        field.number_format = number_format(model, origin);
    }
    let at = |r: u32, c: usize| CellRef {
        sheet: m.sheet,
        row: origin.row + r as i32,
        col: origin.col + c as i32,
    };
    let mut columns = Vec::with_capacity(headings.len());
    for (c, heading) in headings.iter().enumerate() {
        let first_filled = (0..rows)
            .map(|r| (r, cell_value(model, at(r, c))))
            .find(|(_, v)| !is_blank(v));
        let format = if rows > 0 {
            number_format(model, at(0, c))
        } else {
            String::new()
        };
        let data_type = match first_filled {
            Some((r, value)) => type_at(model, at(r, c), &value, &format),
            None => infer_type(&CellValue::None, &format),
        };
        let check = if m.is_input && rows > 0 {
            rules
                .iter()
                .find(|r| r.covers(m.area.0 + 1, m.area.1 + c as u32))
                .and_then(|r| build_check(r, m.sheet, model, meta, data_type))
        } else {
            None
        };
        columns.push(ColumnPlan {
            heading: heading.clone(),
            data_type,
            check,
        });
    }
    field.data_type = columns.first().map_or(DataType::Text, |c| c.data_type);
    field.shape = Shape::Table {
        columns: columns
            .iter()
            .map(|c| (c.heading.clone(), c.data_type))
            .collect(),
        rows,
    };
    let width = headings.len();
    let mut date_formats = Vec::with_capacity(rows as usize * width);
    for r in 0..rows {
        for c in 0..width {
            date_formats.push(date_format_of(model, at(r, c)));
        }
    }
    field.default = read_records(model, origin, rows, &headings, &date_formats);
    if m.is_input {
        let mut defaults = Vec::with_capacity(rows as usize * width);
        for r in 0..rows {
            for c in 0..width {
                defaults.push(cell_write_of(&cell_value(model, at(r, c))));
            }
        }
        let plan = InputPlan::Table {
            origin,
            rows,
            columns,
            defaults,
        };
        return Ok((field, Some(plan), None));
    }
    let plan = OutputPlan::Table {
        origin,
        rows,
        headings,
        date_formats,
    };
    Ok((field, None, Some(plan)))
}

/// Replaces formulas in input cells by their values: Spark evaluates them once at upload.
fn freeze_inputs(model: &mut Model<'static>, plans: &[InputPlan]) -> Result<(), String> {
    for plan in plans {
        match plan {
            InputPlan::Scalar { cell, default, .. } => {
                if model
                    .get_cell_formula(cell.sheet, cell.row, cell.col)?
                    .is_some()
                {
                    write_cell(model, *cell, default)?;
                }
            }
            InputPlan::Table {
                origin,
                columns,
                defaults,
                ..
            } => {
                for (i, default) in defaults.iter().enumerate() {
                    let cell = CellRef {
                        sheet: origin.sheet,
                        row: origin.row + (i / columns.len()) as i32,
                        col: origin.col + (i % columns.len()) as i32,
                    };
                    if model
                        .get_cell_formula(cell.sheet, cell.row, cell.col)?
                        .is_some()
                    {
                        write_cell(model, cell, default)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn lookup(fields: &[Field]) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let exact = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    let folded = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.to_lowercase(), i))
        .collect();
    (exact, folded)
}

impl Workbook {
    /// Parses an `.xlsx` file into a service. `file_name` is only kept for reporting.
    ///
    /// Inputs and outputs are sorted by sheet index, then by name (case-insensitively).
    /// Fails with [`WorkbookError::Unreadable`] if the bytes are not a readable `.xlsx`
    /// workbook, and with [`WorkbookError::NotAService`] if it has no `Xinput_` or no
    /// `Xoutput_` names, or a name is malformed (unknown sheet, empty or repeated table
    /// heading, names differing only by case).
    pub fn from_xlsx(bytes: &[u8], file_name: &str) -> Result<Workbook, WorkbookError> {
        let file = file_name;
        let meta = xlsx_meta::read_package(bytes).map_err(|e| unreadable(file, e))?;
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        let loaded =
            catch_unwind(|| ironcalc::import::load_from_xlsx_bytes(bytes, stem, "en", "UTC"))
                .map_err(|_| unreadable(file, "the xlsx reader failed on this file"))?
                .map_err(|e| unreadable(file, e.to_string()))?;
        let (mut model, own_sheets) =
            names::model_with_names(loaded).map_err(|e| unreadable(file, e))?;
        joins::rewrite_joins(&mut model).map_err(|e| unreadable(file, e))?;
        evaluate_guarded(&mut model).map_err(|e| unreadable(file, e))?;
        let sheets: Vec<String> = model
            .workbook
            .worksheets
            .iter()
            .take(own_sheets)
            .map(|w| w.name.clone())
            .collect();

        let mut maps = mappings(&meta, &sheets, file)?;
        maps.sort_by(|a, b| {
            (a.sheet, a.name.to_lowercase(), &a.name).cmp(&(
                b.sheet,
                b.name.to_lowercase(),
                &b.name,
            ))
        });
        let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
        let (mut input_plans, mut output_plans) = (Vec::new(), Vec::new());
        for m in &maps {
            let (field, input, output) = build(&model, &meta, m, file)?;
            let list = if m.is_input {
                &mut inputs
            } else {
                &mut outputs
            };
            if list
                .iter()
                .any(|f: &Field| f.name.eq_ignore_ascii_case(&field.name))
            {
                let kind = if m.is_input { "input" } else { "output" };
                return Err(not_a_service(
                    file,
                    format!("duplicate {kind} name {}", field.name),
                ));
            }
            list.push(field);
            input_plans.extend(input);
            output_plans.extend(output);
        }
        // A service may have no inputs (Spark publishes such services: a rate table, a
        // constant); without outputs there is nothing to call.
        if outputs.is_empty() {
            return Err(not_a_service(file, "no Xoutput_ defined names"));
        }
        freeze_inputs(&mut model, &input_plans).map_err(|e| unreadable(file, e))?;
        evaluate_guarded(&mut model).map_err(|e| unreadable(file, e))?;
        let load_warnings = load_warnings(&model, own_sheets);

        let (input_exact, input_folded) = lookup(&inputs);
        let (output_exact, output_folded) = lookup(&outputs);
        let pool = ModelPool::new(model, inputs.len());
        Ok(Workbook {
            file_name: file.to_string(),
            inputs,
            outputs,
            input_plans,
            output_plans,
            input_exact,
            input_folded,
            output_exact,
            output_folded,
            load_warnings,
            pool,
        })
    }
}
