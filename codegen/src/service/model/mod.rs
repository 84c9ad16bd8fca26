//! From the two Spark documents to a typed model of one service.
//!
//! # Why the structs are emitted by hand and not through typify
//!
//! The per-service bindings are generated from this model by [`super::emit`], not by a typify
//! `TypeSpace`. typify only sees one JSON Schema, while the type of a Spark cell comes from
//! *two* documents that must be merged (the schema's Excel `dataType` is often more precise
//! than the swagger's value-derived `type`). It also panics on symbol-only enum values (`>=`,
//! typify#948), emits duplicate fields after snake_casing (`is-smoker` / `is_smoker`), merges
//! same-named types silently and ignores `x-nullable`: each would need a pre- or post-pass.
//! The Spark shapes are small (scalars, tables of scalars, string lists), so a direct emitter
//! is shorter than those passes, never panics, and lets us pick names ([`crate::names`]),
//! ordering and docs precisely. One service is one Rust module, so same-named fields or
//! tables in two services can never merge.
//!
//! # Type precedence when the swagger and the schema disagree
//!
//! Checked in this order; the first rule that matches wins:
//!
//! 1. **Table**: the swagger property is an `array`, or the schema lists the name under
//!    `tables` → `Vec<Row>` with one struct per table (columns from the swagger `items`, plus
//!    any heading from `headerSpecs` the swagger lacks). An array of scalars → `Vec<T>`.
//! 2. **Date**: schema `dataType` `DATE`, or swagger `format: date`/`date-time` →
//!    `chrono::NaiveDate` (wire `YYYY-MM-DD`). The schema wins over a swagger `string`.
//! 3. **Boolean**: schema `BOOLEAN` or swagger `boolean` → `bool`.
//! 4. **Number**: schema `NUMBER`, or swagger `integer`/`number` → `f64`. Excel stores every
//!    number as a double, so a swagger `integer` (derived from an example value such as 42)
//!    never yields an integer type; a `TEXT`-formatted cell whose value Spark reports as a
//!    number is typed as a number too (the swagger describes what is on the wire).
//! 5. **Text**: schema `TEXT` or swagger `string` → `String`; an *input* with a List data
//!    validation (schema `validation`) or a swagger `enum` of strings becomes a Rust `enum`.
//! 6. **Object** (checked right after Table, before any scalar rule): the swagger property
//!    is an `object`, or the schema lists the name under `solves`/`reports` (Spark's
//!    `Xsolve_` / `Xreport_` blocks). With swagger `properties` it becomes a struct of its own
//!    (members typed by these same rules); without, `serde_json::Value`: the documents say it
//!    is an object but not what it holds, so any Rust struct would be invented.
//! 7. Anything else is an error naming the service and field, unless untyped fields are
//!    allowed ([`crate::Builder::allow_untyped`]), in which case it is `serde_json::Value`.
//!
//! Inputs are required fields (`T`), except where the swagger marks them nullable
//! (`x-nullable` or a `null` type) → `Option<T>`, omitted when `None`. **Every output is
//! `Option<T>`**: Excel leaves cells empty and Spark returns `null` for them.

pub mod rules;

use std::collections::BTreeMap;

use serde_json::Value;

use super::schema::{Cell, Side, schema_cells, swagger_fields};
use crate::error::{Error, Result};

/// The resolved type of one field, before any Rust name is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `f64`.
    Number,
    /// `String`.
    Text,
    /// `bool`.
    Boolean,
    /// `chrono::NaiveDate`.
    Date,
    /// A closed list of strings (Excel List validation) → a Rust enum.
    Choice(Vec<String>),
    /// A table: an array of rows, each row one struct.
    Table(BTreeMap<String, Resolved>),
    /// A JSON object with known members (swagger `object` with `properties`) → one struct.
    Record(BTreeMap<String, Resolved>),
    /// An array of scalars (or of other arrays).
    List(Box<Kind>),
    /// No type could be derived and untyped fields are allowed.
    Json,
}

impl Kind {
    /// A short, stable description used in drift reports (`number`, `table{a: text}`…).
    pub fn describe(&self) -> String {
        match self {
            Kind::Number => "number".into(),
            Kind::Text => "text".into(),
            Kind::Boolean => "boolean".into(),
            Kind::Date => "date".into(),
            Kind::Choice(opts) => format!("choice[{}]", opts.join("|")),
            Kind::Table(cols) => {
                let inner: Vec<String> = cols
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.kind.describe()))
                    .collect();
                format!("table{{{}}}", inner.join(", "))
            }
            Kind::Record(members) => {
                let inner: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.kind.describe()))
                    .collect();
                format!("record{{{}}}", inner.join(", "))
            }
            Kind::List(k) => format!("list[{}]", k.describe()),
            Kind::Json => "json".into(),
        }
    }
}

/// One field (input, output or table column) with its type and documentation sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The resolved type.
    pub kind: Kind,
    /// The swagger allows `null` (`x-nullable` or a `null` type).
    pub nullable: bool,
    /// The Excel comment or swagger description.
    pub description: Option<String>,
    /// `Sheet!A1` when known.
    pub location: Option<String>,
    /// Excel `dataType` when known.
    pub data_type: Option<String>,
    /// A note on how a swagger/schema disagreement was settled.
    pub note: Option<String>,
    /// The value in the uploaded workbook (what Spark uses when an input is omitted).
    pub workbook_value: Option<Value>,
    /// List-validation values that could not become an enum (numbers, mixed lists).
    pub allowed: Option<Vec<Value>>,
    /// The input's Excel data-validation rules (see [`rules`]); empty for outputs.
    pub rules: Vec<rules::Rule>,
}

/// Both sides of one service, resolved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResolvedService {
    /// Inputs by wire name.
    pub inputs: BTreeMap<String, Resolved>,
    /// Outputs by wire name.
    pub outputs: BTreeMap<String, Resolved>,
}

/// Resolves both sides of a service from its swagger and/or schema document.
///
/// `label` is `folder/service`, used in errors. At least one document must be given.
pub fn resolve_service(
    label: &str,
    swagger: Option<&Value>,
    schema: Option<&Value>,
    allow_untyped: bool,
) -> Result<ResolvedService> {
    if swagger.is_none() && schema.is_none() {
        return Err(Error::schema(
            label,
            None,
            "neither a swagger nor a schema document",
        ));
    }
    // A document that cannot describe the service is refused, not read as an empty one
    // (which would give `Inputs {}` / `Outputs {}` and a call that sends nothing).
    let problems: Vec<String> = [
        (
            super::SWAGGER_SUFFIX,
            swagger.and_then(super::schema::swagger_problem),
        ),
        (
            super::SCHEMA_SUFFIX,
            schema.and_then(super::schema::schema_problem),
        ),
    ]
    .into_iter()
    .filter_map(|(suffix, problem)| problem.map(|p| format!("{label}{suffix}: {p}")))
    .collect();
    if !problems.is_empty() {
        return Err(Error::schema(label, None, problems.join("; ")));
    }
    let ctx = Ctx {
        label,
        doc: swagger.unwrap_or(&Value::Null),
        allow_untyped,
        examples: swagger.and_then(super::schema::swagger_example_inputs),
    };
    let resolved = ResolvedService {
        inputs: ctx.side(swagger, schema, Side::Inputs)?,
        outputs: ctx.side(swagger, schema, Side::Outputs)?,
    };
    if resolved.inputs.is_empty() && resolved.outputs.is_empty() {
        let files: Vec<String> = [
            (super::SWAGGER_SUFFIX, swagger.is_some()),
            (super::SCHEMA_SUFFIX, schema.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(suffix, _)| format!("{label}{suffix}"))
        .collect();
        return Err(Error::schema(
            label,
            None,
            format!("{} describe(s) no input and no output", files.join(" and ")),
        ));
    }
    Ok(resolved)
}

/// How deeply tables may nest (guards against recursive `$ref`s in hostile documents).
const MAX_DEPTH: usize = 16;

/// Settings shared while resolving one service.
struct Ctx<'a> {
    label: &'a str,
    doc: &'a Value,
    allow_untyped: bool,
    /// The swagger's example inputs: the workbook values when the schema gives none.
    examples: Option<&'a serde_json::Map<String, Value>>,
}

/// The non-null JSON type names of a swagger property (`type` may be a string or an array).
fn json_types(prop: &Value) -> (Vec<String>, bool) {
    let mut nullable = prop
        .get("x-nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || prop
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
    let mut types = Vec::new();
    match prop.get("type") {
        Some(Value::String(t)) => types.push(t.clone()),
        Some(Value::Array(ts)) => {
            for t in ts.iter().filter_map(Value::as_str) {
                if t == "null" {
                    nullable = true;
                } else {
                    types.push(t.to_string());
                }
            }
        }
        _ => {}
    }
    (types, nullable)
}

impl Ctx<'_> {
    fn side(
        &self,
        swagger: Option<&Value>,
        schema: Option<&Value>,
        side: Side,
    ) -> Result<BTreeMap<String, Resolved>> {
        let props = swagger
            .and_then(|s| swagger_fields(s, side))
            .unwrap_or_default();
        let cells = schema.map(|s| schema_cells(s, side)).unwrap_or_default();
        let mut names: Vec<&String> = props.keys().chain(cells.keys()).collect();
        names.sort();
        names.dedup();
        let mut out = BTreeMap::new();
        for name in names {
            let field = self.field(name, props.get(name), cells.get(name), side)?;
            out.insert(name.clone(), field);
        }
        Ok(out)
    }

    fn field(
        &self,
        path: &str,
        prop: Option<&Value>,
        cell: Option<&Cell>,
        side: Side,
    ) -> Result<Resolved> {
        let depth = path.matches(['.', '[']).count();
        if depth > MAX_DEPTH {
            return Err(Error::schema(
                self.label,
                Some(path),
                format!("tables nested more than {MAX_DEPTH} levels deep (a recursive `$ref`?)"),
            ));
        }
        let prop = prop.map(|p| super::schema::resolve(self.doc, p));
        let (types, nullable) = prop.map(json_types).unwrap_or_default();
        let data_type = cell.and_then(|c| c.data_type.clone());
        let dt = data_type.as_deref();
        let format = prop.and_then(|p| p.get("format")).and_then(Value::as_str);
        let has = |t: &str| types.iter().any(|x| x == t);
        let is_table = has("array") || cell.is_some_and(|c| c.is_table);

        // An object on the wire (swagger `object`, or a schema `solves`/`reports` block) is
        // not a scalar whatever the cell's Excel format says.
        let is_object = has("object") || cell.is_some_and(|c| c.is_block);
        let kind = if is_table {
            self.table(path, prop, cell, side)?
        } else if is_object {
            self.record(path, prop, side)?
        } else if dt == Some("DATE") || matches!(format, Some("date" | "date-time")) {
            Kind::Date
        } else if dt == Some("BOOLEAN") || has("boolean") {
            Kind::Boolean
        } else if dt == Some("NUMBER") || has("integer") || has("number") {
            Kind::Number
        } else if dt == Some("TEXT") || has("string") {
            Kind::Text
        } else if self.allow_untyped {
            Kind::Json
        } else {
            return Err(Error::schema(
                self.label,
                Some(path),
                format!(
                    "cannot determine a type (swagger type {}, schema dataType {})",
                    if types.is_empty() {
                        "absent".to_string()
                    } else {
                        types.join("|")
                    },
                    dt.unwrap_or("absent"),
                ),
            ));
        };

        let kind = match kind {
            Kind::Text if side == Side::Inputs => choice(prop, cell).unwrap_or(Kind::Text),
            k => k,
        };
        let describe_short = kind.describe_short();

        let swagger_kind = types.first().map(String::as_str);
        let note = match (dt, swagger_kind) {
            (Some(d), Some(s)) if !agrees(d, s, format) => Some(format!(
                "The schema says `{d}` and the swagger says `{s}`; typed as {describe_short}."
            )),
            _ => None,
        };
        let location = cell.and_then(|c| match (&c.sheet, &c.address) {
            (Some(s), Some(a)) => Some(format!("{s}!{a}")),
            (None, Some(a)) => Some(a.clone()),
            _ => None,
        });
        let description = cell
            .and_then(|c| c.description.clone())
            .or_else(|| {
                prop.and_then(|p| p.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .filter(|d| !d.trim().is_empty());
        let allowed = match kind {
            Kind::Choice(_) => None,
            _ => cell
                .and_then(|c| c.options.clone())
                .filter(|_| side == Side::Inputs),
        };
        let workbook_value = cell
            .and_then(|c| c.value.clone())
            .or_else(|| self.examples?.get(path).filter(|v| !v.is_null()).cloned())
            .filter(|_| side == Side::Inputs);
        let rules = match side {
            Side::Inputs => rules::input_rules(
                &kind,
                cell.and_then(|c| c.validation.as_ref()),
                prop,
                allowed.as_deref(),
            ),
            Side::Outputs => Vec::new(),
        };
        Ok(Resolved {
            kind,
            nullable,
            description,
            location,
            data_type,
            note,
            workbook_value,
            allowed,
            rules,
        })
    }

    /// An object field: a struct of its `properties`, else untyped JSON (see rule 6).
    fn record(&self, path: &str, prop: Option<&Value>, side: Side) -> Result<Kind> {
        let Some(props) = prop
            .and_then(|p| p.get("properties"))
            .and_then(Value::as_object)
            .filter(|p| !p.is_empty())
        else {
            return Ok(Kind::Json);
        };
        let mut members = BTreeMap::new();
        for (name, member) in props {
            let member_path = format!("{path}.{name}");
            members.insert(
                name.clone(),
                self.field(&member_path, Some(member), None, side)?,
            );
        }
        Ok(Kind::Record(members))
    }

    /// A table (or list) field: columns from swagger `items` plus schema `headerSpecs`.
    fn table(
        &self,
        path: &str,
        prop: Option<&Value>,
        cell: Option<&Cell>,
        side: Side,
    ) -> Result<Kind> {
        let items = prop
            .and_then(|p| p.get("items"))
            .map(|i| super::schema::resolve(self.doc, i));
        let mut cols = BTreeMap::new();
        if let Some(props) = items
            .and_then(|i| i.get("properties"))
            .and_then(Value::as_object)
        {
            for (name, col) in props {
                let header_dt = cell
                    .and_then(|c| c.headers.iter().find(|(h, _)| h == name))
                    .and_then(|(_, dt)| dt.clone());
                let header_cell = Cell {
                    data_type: header_dt,
                    ..Cell::default()
                };
                let col_path = format!("{path}.{name}");
                cols.insert(
                    name.clone(),
                    self.field(&col_path, Some(col), Some(&header_cell), side)?,
                );
            }
        }
        for (name, dt) in cell.map(|c| c.headers.as_slice()).unwrap_or_default() {
            if !cols.contains_key(name) {
                let header_cell = Cell {
                    data_type: dt.clone(),
                    ..Cell::default()
                };
                let col_path = format!("{path}.{name}");
                cols.insert(
                    name.clone(),
                    self.field(&col_path, None, Some(&header_cell), side)?,
                );
            }
        }
        if !cols.is_empty() {
            return Ok(Kind::Table(cols));
        }
        if let Some(items) = items.filter(|i| i.get("type").is_some()) {
            let inner = self.field(&format!("{path}[]"), Some(items), None, side)?;
            return Ok(Kind::List(Box::new(inner.kind)));
        }
        if self.allow_untyped {
            return Ok(Kind::List(Box::new(Kind::Json)));
        }
        Err(Error::schema(
            self.label,
            Some(path),
            "table without column information (swagger `items.properties` and schema `headerSpecs` are both empty)",
        ))
    }
}

impl Kind {
    /// The Rust-ish name of the kind, for notes in doc comments.
    fn describe_short(&self) -> &'static str {
        match self {
            Kind::Number => "a number (`f64`)",
            Kind::Text => "text",
            Kind::Boolean => "a boolean",
            Kind::Date => "a date",
            Kind::Choice(_) => "a list of choices",
            Kind::Table(_) => "a table",
            Kind::Record(_) => "a record",
            Kind::List(_) => "a list",
            Kind::Json => "untyped JSON",
        }
    }
}

/// True when the Excel data type and the swagger type say the same thing.
fn agrees(data_type: &str, swagger: &str, format: Option<&str>) -> bool {
    match data_type {
        "NUMBER" => matches!(swagger, "number" | "integer"),
        "TEXT" => swagger == "string" && format.is_none(),
        "BOOLEAN" => swagger == "boolean",
        "DATE" => swagger == "string",
        _ => true,
    }
}

/// The string choices of an input: schema List validation first, else swagger `enum`.
/// Only lists made entirely of non-empty-after-dedupe strings qualify.
fn choice(prop: Option<&Value>, cell: Option<&Cell>) -> Option<Kind> {
    let list = cell.and_then(|c| c.options.clone()).or_else(|| {
        prop.and_then(|p| p.get("enum"))
            .and_then(Value::as_array)
            .cloned()
    })?;
    let mut out: Vec<String> = Vec::new();
    for v in list {
        let s = v.as_str()?.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    (!out.is_empty()).then_some(Kind::Choice(out))
}
