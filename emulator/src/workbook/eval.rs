//! Evaluation: JSON inputs → cells of a pooled model → recalculation → JSON outputs.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::cells::{CellRef, cell_value, evaluate_guarded, read_records, write_cell};
use super::errors;
use super::load::{ColumnPlan, InputPlan, OutputPlan};
use super::validate::check_value;
use super::values::{CellWrite, cell_json, coerce};
use super::{Evaluation, InputError, OutputError, Warning, Workbook};

/// Cell writes for one supplied input.
type Writes = Vec<(CellRef, CellWrite)>;

fn input_error(field: &str, message: String) -> InputError {
    InputError {
        field: field.to_string(),
        message,
    }
}

/// Rows of a table input as given: objects keyed by heading, or `[[headings], [values]…]`.
fn table_rows(value: &Value) -> Result<Vec<Map<String, Value>>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(row) => Ok(vec![row.clone()]),
        Value::Array(items) => {
            if let Some(Value::Array(head)) = items.first() {
                let headings: Vec<String> = head
                    .iter()
                    .map(|h| match h {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                let mut rows = Vec::new();
                for item in &items[1..] {
                    let Value::Array(cells) = item else {
                        return Err(format!("row {item} is not an array"));
                    };
                    rows.push(
                        headings
                            .iter()
                            .cloned()
                            .zip(cells.iter().cloned())
                            .collect(),
                    );
                }
                return Ok(rows);
            }
            items
                .iter()
                .map(|item| match item {
                    Value::Object(row) => Ok(row.clone()),
                    other => Err(format!("row {other} is not an object")),
                })
                .collect()
        }
        other => Err(format!(
            "value {other} is not a table (an array of objects)"
        )),
    }
}

/// Finds the column for a row key: exact heading first, then case-insensitively.
fn column_of(columns: &[ColumnPlan], key: &str) -> Option<usize> {
    columns.iter().position(|c| c.heading == key).or_else(|| {
        columns
            .iter()
            .position(|c| c.heading.eq_ignore_ascii_case(key))
    })
}

/// Most error cells reported for one table output.
const MAX_ERRORS_PER_OUTPUT: usize = 20;

/// Records an [`OutputError`] if the output cell holds an error; true if it did.
fn report_error(
    model: &ironcalc::base::Model<'static>,
    output: &str,
    cell: CellRef,
    found: &mut Vec<OutputError>,
) -> bool {
    let Some(engine) = errors::engine_error_at(model, cell) else {
        return false;
    };
    let error = errors::excel_error(&engine)
        .unwrap_or("#VALUE!")
        .to_string();
    let address = errors::cell_address(model, cell);
    let reason = errors::engine_reason(&engine)
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    found.push(OutputError {
        message: format!("output {output} ({address}) holds the Excel error {error}{reason}"),
        output: output.to_string(),
        cell: address,
        error,
    });
    true
}

struct Prepared {
    writes: Option<Writes>,
    echo: Value,
}

impl Workbook {
    fn find_input(&self, key: &str) -> Option<usize> {
        self.input_exact
            .get(key)
            .or_else(|| self.input_folded.get(&key.to_lowercase()))
            .copied()
    }

    fn find_output(&self, key: &str) -> Option<usize> {
        self.output_exact
            .get(key)
            .or_else(|| self.output_folded.get(&key.to_lowercase()))
            .copied()
    }

    /// Turns one supplied value into cell writes, recording errors and warnings.
    fn prepare(&self, index: usize, value: &Value, ev: &mut Evaluation) -> Prepared {
        let name = &self.inputs[index].name;
        let default = || Prepared {
            writes: None,
            echo: self.inputs[index].default.clone(),
        };
        match &self.input_plans[index] {
            InputPlan::Scalar {
                cell,
                data_type,
                check,
                ..
            } => match coerce(value, *data_type) {
                Ok((write, echo)) => {
                    if let Some(check) = check
                        && let Err(message) = check_value(check, name, &write)
                    {
                        ev.errors.push(input_error(name, message));
                    }
                    Prepared {
                        writes: Some(vec![(*cell, write)]),
                        echo,
                    }
                }
                Err(message) => {
                    ev.errors
                        .push(input_error(name, format!("{name}: {message}")));
                    default()
                }
            },
            InputPlan::Table {
                origin,
                rows,
                columns,
                ..
            } => {
                let given = match table_rows(value) {
                    Ok(given) => given,
                    Err(message) => {
                        ev.errors
                            .push(input_error(name, format!("{name}: {message}")));
                        return default();
                    }
                };
                if given.len() > *rows as usize {
                    ev.errors.push(input_error(
                        name,
                        format!(
                            "{name}: the table has room for {rows} rows but {} were given; the extra rows were ignored",
                            given.len()
                        ),
                    ));
                }
                let width = columns.len();
                let mut writes = Vec::with_capacity(*rows as usize * width);
                let mut echo_rows = Vec::new();
                let mut unknown = BTreeSet::new();
                for r in 0..*rows as usize {
                    let mut cells = vec![CellWrite::Clear; width];
                    if let Some(row) = given.get(r) {
                        let mut echo = Map::new();
                        for (key, cell_value) in row {
                            let Some(c) = column_of(columns, key) else {
                                unknown.insert(key.clone());
                                continue;
                            };
                            let column = &columns[c];
                            match coerce(cell_value, column.data_type) {
                                Ok((write, shown)) => {
                                    if let Some(check) = &column.check
                                        && let Err(message) =
                                            check_value(check, &column.heading, &write)
                                    {
                                        ev.errors.push(input_error(
                                            name,
                                            format!("{name} row {}: {message}", r + 1),
                                        ));
                                    }
                                    cells[c] = write;
                                    echo.insert(column.heading.clone(), shown);
                                }
                                Err(message) => ev.errors.push(input_error(
                                    name,
                                    format!(
                                        "{name} row {} column {}: {message}",
                                        r + 1,
                                        column.heading
                                    ),
                                )),
                            }
                        }
                        echo_rows.push(Value::Object(echo));
                    }
                    for (c, write) in cells.into_iter().enumerate() {
                        let cell = CellRef {
                            sheet: origin.sheet,
                            row: origin.row + r as i32,
                            col: origin.col + c as i32,
                        };
                        writes.push((cell, write));
                    }
                }
                for key in unknown {
                    ev.warnings.push(Warning {
                        field: Some(name.clone()),
                        message: format!("{name}: unknown column {key:?} ignored"),
                    });
                }
                Prepared {
                    writes: Some(writes),
                    echo: Value::Array(echo_rows),
                }
            }
        }
    }

    /// A copy of the workbook holding `inputs` in its input cells, recalculated, as `.xlsx`
    /// bytes written by IronCalc (the rehydrated file of a call). Inputs coerce as in
    /// [`Workbook::evaluate`]; unknown or uncoercible ones leave the default in place.
    pub fn with_inputs_xlsx(&self, inputs: &Map<String, Value>) -> Result<Vec<u8>, String> {
        let mut ev = Evaluation::default();
        let mut model = self.pool.fresh()?;
        for (key, value) in inputs {
            let Some(i) = self.find_input(key) else {
                continue;
            };
            for (cell, write) in self.prepare(i, value, &mut ev).writes.iter().flatten() {
                write_cell(&mut model, *cell, write)?;
            }
        }
        evaluate_guarded(&mut model)?;
        let file = ironcalc::export::save_xlsx_to_writer(&model, std::io::Cursor::new(Vec::new()))
            .map_err(|e| format!("cannot write the workbook: {e}"))?;
        Ok(file.into_inner())
    }

    /// The cells holding the workbook default of an input.
    fn default_writes(&self, index: usize) -> Writes {
        match &self.input_plans[index] {
            InputPlan::Scalar { cell, default, .. } => vec![(*cell, default.clone())],
            InputPlan::Table {
                origin,
                columns,
                defaults,
                ..
            } => defaults
                .iter()
                .enumerate()
                .map(|(i, write)| {
                    let cell = CellRef {
                        sheet: origin.sheet,
                        row: origin.row + (i / columns.len()) as i32,
                        col: origin.col + (i % columns.len()) as i32,
                    };
                    (cell, write.clone())
                })
                .collect(),
        }
    }

    /// Evaluates the workbook with the given inputs.
    ///
    /// * Input keys match input names exactly, else case-insensitively (Spark's names are
    ///   unique regardless of case, which [`Workbook::from_xlsx`] enforces).
    /// * Inputs not supplied keep the workbook default and add a [`Warning`]; unknown keys add
    ///   a [`Warning`] and are ignored.
    /// * Values are coerced as Spark does (numeric strings for NUMBER, `"true"`/`"false"` for
    ///   BOOLEAN, `YYYY-MM-DD` strings or serials for DATE, `null` clears the cell); a value that
    ///   cannot be coerced gives an [`InputError`] and the default is used. Data-validation
    ///   failures give an [`InputError`] but the value is still used and outputs are computed.
    /// * Table inputs take an array of objects keyed by heading (or `[[headings], [row]…]`);
    ///   unused rows of the range are cleared.
    /// * `requested_outputs`: `None` = all outputs; names match like input names; unknown names
    ///   add a [`Warning`].
    ///
    /// Safe to call from many threads at once: each call borrows its own engine model from a
    /// pool built from the parsed template.
    pub fn evaluate(
        &self,
        inputs: &Map<String, Value>,
        requested_outputs: Option<&[String]>,
    ) -> Evaluation {
        let mut ev = Evaluation::default();
        let mut given: Vec<Option<&Value>> = vec![None; self.inputs.len()];
        for (key, value) in inputs {
            match self.find_input(key) {
                Some(i) if given[i].is_none() => given[i] = Some(value),
                Some(i) => ev.warnings.push(Warning {
                    field: Some(self.inputs[i].name.clone()),
                    message: format!("input {key:?} given twice; the later value was ignored"),
                }),
                None => ev.warnings.push(Warning {
                    field: Some(key.clone()),
                    message: format!("unknown input {key:?} ignored"),
                }),
            }
        }
        let mut writes: Vec<Option<Writes>> = Vec::with_capacity(self.inputs.len());
        for (i, field) in self.inputs.iter().enumerate() {
            match given[i] {
                Some(value) => {
                    let prepared = self.prepare(i, value, &mut ev);
                    ev.inputs.insert(field.name.clone(), prepared.echo);
                    writes.push(prepared.writes);
                }
                None => {
                    ev.warnings.push(Warning {
                        field: Some(field.name.clone()),
                        message: format!(
                            "input {:?} not supplied; the workbook default {} was used",
                            field.name, field.default
                        ),
                    });
                    ev.inputs.insert(field.name.clone(), field.default.clone());
                    writes.push(None);
                }
            }
        }

        let mut slot = match self.pool.take() {
            Ok(slot) => slot,
            Err(message) => {
                ev.errors
                    .push(input_error("", format!("calculation engine: {message}")));
                return ev;
            }
        };
        for (i, planned) in writes.into_iter().enumerate() {
            let (cells, dirty) = match planned {
                Some(cells) => (cells, true),
                None if slot.dirty[i] => (self.default_writes(i), false),
                None => continue,
            };
            for (cell, write) in &cells {
                if let Err(message) = write_cell(&mut slot.model, *cell, write) {
                    let name = &self.inputs[i].name;
                    ev.errors.push(input_error(
                        name,
                        format!("{name}: cannot write cell: {message}"),
                    ));
                }
            }
            slot.dirty[i] = dirty;
        }
        if let Err(message) = evaluate_guarded(&mut slot.model) {
            ev.errors.push(input_error("", message));
            return ev; // the model may be inconsistent: not returned to the pool
        }

        let selected: Vec<usize> = match requested_outputs {
            None => (0..self.outputs.len()).collect(),
            Some(names) => names
                .iter()
                .filter_map(|name| {
                    let found = self.find_output(name);
                    if found.is_none() {
                        ev.warnings.push(Warning {
                            field: Some(name.clone()),
                            message: format!("unknown output {name:?} requested"),
                        });
                    }
                    found
                })
                .collect(),
        };
        for i in selected {
            let name = &self.outputs[i].name;
            let value = match &self.output_plans[i] {
                OutputPlan::Scalar { cell, date_format } => {
                    report_error(&slot.model, name, *cell, &mut ev.output_errors);
                    cell_json(&cell_value(&slot.model, *cell), date_format.as_deref())
                }
                OutputPlan::Table {
                    origin,
                    rows,
                    headings,
                    date_formats,
                } => {
                    let mut found = 0;
                    'cells: for r in 0..*rows as i32 {
                        for c in 0..headings.len() as i32 {
                            let cell = CellRef {
                                sheet: origin.sheet,
                                row: origin.row + r,
                                col: origin.col + c,
                            };
                            if report_error(&slot.model, name, cell, &mut ev.output_errors) {
                                found += 1;
                                if found >= MAX_ERRORS_PER_OUTPUT {
                                    break 'cells;
                                }
                            }
                        }
                    }
                    read_records(&slot.model, *origin, *rows, headings, date_formats)
                }
            };
            ev.outputs.insert(name.clone(), value);
        }
        self.pool.give(slot);
        ev
    }
}
