//! Excel workbook → Spark service: the engine half of the emulator.
//!
//! A [`Workbook`] is parsed once from `.xlsx` bytes (defined names `Xinput_*` / `Xoutput_*`,
//! cell types, data validation lists, subservices) and then evaluated many times, concurrently,
//! without re-reading the file. The HTTP half of the emulator only talks to this module through
//! the types below; wire formats (schema, swagger, envelopes) are built from [`Field`] by the
//! routes, not here.
//!
//! Choices made here (Spark behaviour the spec leaves open):
//!
//! * Prefixes `Xinput_` / `Xoutput_` match case-insensitively; the API name keeps its case.
//!   `Xinput_{sub}.{name}` sets [`Field::subservice`]. Names must be unique per direction,
//!   ignoring case. Fields are sorted by sheet index, then by name (case-insensitively).
//! * Data types: booleans → BOOLEAN, numbers with a date format → DATE (time-only formats stay
//!   NUMBER), numbers → NUMBER, text and blank cells → TEXT (blank date-formatted cells → DATE).
//!   A cell holding an error at upload is typed by its number format, else by its formula's
//!   outermost function (text, logical), else NUMBER.
//!   Dates go in and out as `YYYY-MM-DD` (`YYYY-MM-DDThh:mm:ss` when the format shows a time).
//! * Output numbers are rounded to Excel's 15 significant digits; integral values are JSON
//!   integers. Cell errors come back as their Excel text (`"#DIV/0!"`); the engine's own
//!   `#N/IMPL!` / `#CIRC!` become `#CALC!` and `#ERROR!` becomes `#VALUE!`. Each output cell
//!   holding an error is also named in [`Evaluation::output_errors`].
//! * Defined names that are constants or formulas, and bare table names, are rewritten at
//!   load so that the engine evaluates them (see `names.rs`); so are `TEXTJOIN` and
//!   `CONCAT`, as `REDUCE` folds, so that they take arrays and skip empty strings as Excel
//!   does (see `joins.rs`).
//! * Formulas in input cells are evaluated once at load and replaced by their values.
//! * Data validation: lists (literal, range or named range), whole/decimal bounds (reported in
//!   [`Field::validation`]); date bounds and text length (checked, not reported). Text list
//!   matching ignores case. Other rules (custom, notBetween) are ignored.
//! * Evaluation runs on a pool of IronCalc models cloned from the parsed template; each call
//!   rewrites the inputs it was given and restores the defaults of inputs a previous call on
//!   that model changed, then recalculates the whole workbook (IronCalc 0.9.1 has no partial
//!   recalculation).

use std::collections::HashMap;

use serde_json::{Map, Value};

mod cells;
mod errors;
mod eval;
mod joins;
mod load;
mod names;
mod pool;
mod validate;
mod values;
mod xlsx_meta;

/// A workbook turned into a service: parsed once, then evaluated many times.
///
/// Immutable after [`Workbook::from_xlsx`]; `Send + Sync`. Evaluation borrows an engine model
/// from an internal pool (models are cloned from the parsed template, never re-read from the
/// file), so concurrent [`Workbook::evaluate`] calls run in parallel.
pub struct Workbook {
    file_name: String,
    inputs: Vec<Field>,
    outputs: Vec<Field>,
    input_plans: Vec<load::InputPlan>,
    output_plans: Vec<load::OutputPlan>,
    input_exact: HashMap<String, usize>,
    input_folded: HashMap<String, usize>,
    output_exact: HashMap<String, usize>,
    output_folded: HashMap<String, usize>,
    load_warnings: Vec<Warning>,
    pool: pool::ModelPool,
}

impl std::fmt::Debug for Workbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook")
            .field("file_name", &self.file_name)
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

impl Workbook {
    /// The file name given to [`Workbook::from_xlsx`].
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The `Xinput_*` fields, sorted by sheet index, then by name (case-insensitively).
    pub fn inputs(&self) -> &[Field] {
        &self.inputs
    }

    /// The `Xoutput_*` fields, sorted by sheet index, then by name (case-insensitively).
    pub fn outputs(&self) -> &[Field] {
        &self.outputs
    }

    /// Remarks found when the workbook was loaded: each cell calling a function the engine
    /// does not implement, or a form of one it does not support (`field` is the cell,
    /// `Sheet!A1`). Such a cell computes `#CALC!` (Excel's "not supported"), and an
    /// `IFERROR` around it answers its fallback.
    pub fn load_warnings(&self) -> &[Warning] {
        &self.load_warnings
    }
}

#[allow(dead_code)]
fn assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Workbook>();
}

/// What kind of value a field holds, as Spark reports it (`dataType` in the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// A number (Spark `NUMBER`).
    Number,
    /// Text (Spark `TEXT`).
    Text,
    /// TRUE/FALSE (Spark `BOOLEAN`).
    Boolean,
    /// A date, from a date number format; sent and returned as `YYYY-MM-DD` (Spark `DATE`).
    Date,
}

/// Shape of a field: one cell, or a multi-cell range read as a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A single cell: a scalar JSON value.
    Scalar,
    /// A range: the first row holds the column headings, each later row is one record,
    /// sent and returned as an array of objects keyed by heading.
    Table {
        /// Column headings in sheet order, with the data type of each column.
        columns: Vec<(String, DataType)>,
        /// Number of record rows in the range (excluding the heading row).
        rows: u32,
    },
}

/// An Excel data-validation rule attached to an input cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Validation {
    /// A list of allowed values (Excel "List" validation).
    List(Vec<Value>),
    /// Whole number or decimal between optional bounds.
    Number {
        /// Lower bound, if any.
        min: Option<f64>,
        /// Upper bound, if any.
        max: Option<f64>,
        /// True for "Whole number", false for "Decimal".
        whole: bool,
    },
}

/// One `Xinput_*` or `Xoutput_*` defined name.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// API name: the text after the prefix and after the subservice dot, case kept.
    pub name: String,
    /// Subservice name for `Xinput_{sub}.{name}`, else `None`.
    pub subservice: Option<String>,
    /// Sheet holding the cell(s).
    pub sheet: String,
    /// Zero-based sheet index.
    pub sheet_index: u32,
    /// A1 address of the first cell (`"C7"`), or of the range (`"B4:D9"`).
    pub address: String,
    /// 1-based row of the first cell.
    pub row: u32,
    /// 1-based column of the first cell.
    pub column: u32,
    /// Scalar or table.
    pub shape: Shape,
    /// Data type of a scalar (for a table: of its first column).
    pub data_type: DataType,
    /// Excel number format of the (first) cell, e.g. `"General"`, `"yyyy-mm-dd"`, `"0.00"`.
    pub number_format: String,
    /// The value in the workbook as uploaded (a table: array of row objects).
    pub default: Value,
    /// Data validation on the input cell, if the file has one.
    pub validation: Option<Validation>,
    /// Comment on the defined name, if any.
    pub description: Option<String>,
}

/// A non-fatal remark about an evaluation, such as an input left at its default.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Field concerned, if any.
    pub field: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

/// An input that failed its data validation, or could not be written to its cell.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The offending input's name.
    pub field: String,
    /// Human-readable explanation naming the value.
    pub message: String,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Output values keyed by output name (tables as arrays of row objects).
    pub outputs: Map<String, Value>,
    /// The inputs actually used (given values plus defaults for the missing ones).
    pub inputs: Map<String, Value>,
    /// Inputs left at their default, unknown inputs ignored, and similar remarks.
    pub warnings: Vec<Warning>,
    /// Validation failures; outputs are still computed, as Spark does.
    pub errors: Vec<InputError>,
    /// Output cells holding an Excel error value (`#DIV/0!`, `#N/A`…) after the calculation;
    /// the value itself stays in [`Evaluation::outputs`].
    pub output_errors: Vec<OutputError>,
}

/// An output cell holding an Excel error value after an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputError {
    /// The output's name.
    pub output: String,
    /// The cell, `Sheet!A1`.
    pub cell: String,
    /// The Excel error value, as in the outputs (`#DIV/0!`).
    pub error: String,
    /// Human-readable explanation naming the output and the cell.
    pub message: String,
}

/// Why a workbook could not become a service.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The bytes are not a readable `.xlsx` file.
    #[error("cannot read workbook {file}: {reason}")]
    Unreadable {
        /// File name as given.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// The workbook has no `Xinput_`/`Xoutput_` names, or a name is malformed.
    #[error("workbook {file} is not a Spark service: {reason}")]
    NotAService {
        /// File name as given.
        file: String,
        /// What is wrong, naming the defined name.
        reason: String,
    },
}
