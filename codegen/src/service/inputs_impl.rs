//! `Inputs::workbook_defaults` and `Inputs::validate`: what the workbook already says about
//! the inputs, as Rust.
//!
//! # `workbook_defaults`
//!
//! Spark keeps the workbook's value for an input left out of a call. `workbook_defaults`
//! builds the same record in Rust, so a caller changes only what differs:
//! `Inputs { radius: 2.0, ..Inputs::workbook_defaults() }`. The values come from the schema
//! document's cell `value` (else the swagger's body `example`) and are checked against the
//! field's type at generation time: the generated code never parses anything at run time and
//! cannot fail.
//!
//! An input whose value is unknown (no document gives one, or it does not fit the type: an
//! empty cell in a `NUMBER` input, a value outside a list) has no default that Rust could
//! honestly invent. Such inputs stay required: they are the fields of a generated
//! `RequiredInputs` struct that `workbook_defaults(required)` takes, so the compiler asks for
//! exactly them, by name. A nullable input without a value defaults to `None` (left out, so
//! Spark uses the workbook's value). When no input has a value (and none is nullable), there
//! is nothing to default and neither `workbook_defaults` nor `RequiredInputs` is generated.
//!
//! # `validate`
//!
//! Checks each input against its Excel data-validation rule ([`super::model::rules`]) through
//! `cspark::bindings::InputChecks`; every broken rule is reported with the field's Spark
//! name, the value and the rule.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::doc::doc_attrs;
use super::model::Resolved;
use super::model::rules::Rule;

/// The Rust shape of one generated field, as far as literals and checks need it.
#[derive(Debug, Clone)]
pub enum Shape {
    /// `f64`.
    Number,
    /// `String`.
    Text,
    /// `bool`.
    Boolean,
    /// `chrono::NaiveDate`.
    Date,
    /// `serde_json::Value`.
    Json,
    /// A choice enum: its type and `(wire value, variant)` pairs.
    Choice {
        /// The enum's identifier.
        ty: String,
        /// Wire value and variant identifier of each option.
        variants: Vec<(String, String)>,
    },
    /// `Vec<Row>`.
    Table {
        /// The row struct's identifier.
        row: String,
        /// The row's columns.
        columns: Vec<FieldInfo>,
    },
    /// A struct of an object's members.
    Record {
        /// The struct's identifier.
        ty: String,
        /// Its members.
        members: Vec<FieldInfo>,
    },
    /// `Vec<T>`.
    List(Box<Shape>),
}

/// One field of a generated struct.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// Spark name.
    pub wire: String,
    /// The Spark name as a doc-comment code span.
    pub wire_doc: String,
    /// Rust identifier.
    pub ident: String,
    /// The full Rust type (with `Option` when optional).
    pub ty: TokenStream,
    /// The field is an `Option`.
    pub optional: bool,
    /// Its shape.
    pub shape: Shape,
    /// What the documents say about it.
    pub resolved: Resolved,
}

fn ident(s: &str) -> proc_macro2::Ident {
    proc_macro2::Ident::new(s, proc_macro2::Span::call_site())
}

fn date_tokens((y, m, d): (i32, u32, u32)) -> TokenStream {
    let (y, m, d) = (
        Literal::i32_unsuffixed(y),
        Literal::u32_unsuffixed(m),
        Literal::u32_unsuffixed(d),
    );
    // Checked to be a real date at generation time; the fallback is never taken.
    quote!(::chrono::NaiveDate::from_ymd_opt(#y, #m, #d).unwrap_or_default())
}

/// A Rust expression for `value` as a field of `shape`, or `None` when it does not fit.
fn literal(shape: &Shape, optional: bool, value: Option<&Value>) -> Option<TokenStream> {
    if optional {
        return match value {
            None | Some(Value::Null) => Some(quote!(None)),
            Some(v) => literal(shape, false, Some(v)).map(|t| quote!(Some(#t))),
        };
    }
    let value = value?;
    Some(match (shape, value) {
        (Shape::Number, Value::Number(n)) => {
            let x = n.as_f64().filter(|x| x.is_finite())?;
            let lit = Literal::f64_unsuffixed(x);
            quote!(#lit)
        }
        (Shape::Text, Value::String(s)) => quote!(#s.to_owned()),
        (Shape::Text, Value::Number(_) | Value::Bool(_)) => {
            let s = value.to_string();
            quote!(#s.to_owned())
        }
        (Shape::Boolean, Value::Bool(b)) => quote!(#b),
        (Shape::Date, v) => date_tokens(super::model::rules::date(v)?),
        (Shape::Json, Value::Null) => quote!(::serde_json::Value::Null),
        (Shape::Json, Value::Bool(b)) => quote!(::serde_json::Value::Bool(#b)),
        (Shape::Json, Value::String(s)) => quote!(::serde_json::Value::String(#s.to_owned())),
        (Shape::Json, Value::Number(n)) => {
            let lit = Literal::f64_unsuffixed(n.as_f64().filter(|x| x.is_finite())?);
            quote!(::serde_json::Value::from(#lit))
        }
        (Shape::Choice { ty, variants }, Value::String(s)) => {
            let (_, variant) = variants.iter().find(|(wire, _)| wire == s)?;
            let (ty, variant) = (ident(ty), ident(variant));
            quote!(#ty::#variant)
        }
        (Shape::List(inner), Value::Array(items)) => {
            let items = items
                .iter()
                .map(|v| literal(inner, false, Some(v)))
                .collect::<Option<Vec<_>>>()?;
            quote!(Vec::from([#(#items),*]))
        }
        (Shape::Record { ty, members }, Value::Object(object)) => {
            let ty = ident(ty);
            let fields = members
                .iter()
                .map(|m| {
                    let v = literal(&m.shape, m.optional, object.get(&m.wire))?;
                    let id = ident(&m.ident);
                    Some(quote!(#id: #v))
                })
                .collect::<Option<Vec<_>>>()?;
            quote!(#ty { #(#fields),* })
        }
        (Shape::Table { row, columns }, Value::Array(rows)) => {
            let row_ty = ident(row);
            let rows = rows
                .iter()
                .map(|r| {
                    let r = r.as_object()?;
                    let fields = columns
                        .iter()
                        .map(|c| {
                            let v = literal(&c.shape, c.optional, r.get(&c.wire))?;
                            let id = ident(&c.ident);
                            Some(quote!(#id: #v))
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(quote!(#row_ty { #(#fields),* }))
                })
                .collect::<Option<Vec<_>>>()?;
            quote!(Vec::from([#(#rows),*]))
        }
        _ => return None,
    })
}

/// `impl Inputs { workbook_defaults, validate }`, plus `RequiredInputs` when some input has
/// no usable workbook value. `flat` is true for structs past the derive threshold (the
/// `RequiredInputs` then only derives `Clone`, like `Inputs`).
pub fn inputs_impl(fields: &[FieldInfo], sdk: &syn::Path, flat: bool) -> TokenStream {
    let mut inits = Vec::with_capacity(fields.len());
    let mut required = Vec::new();
    for f in fields {
        let id = ident(&f.ident);
        match literal(&f.shape, f.optional, f.resolved.workbook_value.as_ref()) {
            Some(lit) => inits.push(quote!(#id: #lit)),
            None => {
                inits.push(quote!(#id: required.#id));
                let ty = &f.ty;
                let doc = format!(
                    " The input {}: the documents give no workbook value that fits its type.",
                    f.wire_doc
                );
                required.push(quote!(#[doc = #doc] pub #id: #ty));
            }
        }
    }
    // With no value at all, `workbook_defaults(RequiredInputs)` would only repeat `Inputs`
    // (and, for a very wide service, double the code to compile): it is left out.
    let no_defaults = !fields.is_empty() && required.len() == fields.len();
    if no_defaults {
        required.clear();
    }
    let defaults = if no_defaults {
        quote!()
    } else if required.is_empty() {
        let doc = doc_attrs(&[
            "The inputs as the uploaded workbook holds them: what Spark uses for any input",
            "left out of a call. Change what differs with",
            "`Inputs { field: value, ..Inputs::workbook_defaults() }`.",
        ]);
        quote! {
            #doc
            #[must_use]
            pub fn workbook_defaults() -> Self {
                Self { #(#inits,)* }
            }
        }
    } else {
        let doc = doc_attrs(&[
            "The inputs as the uploaded workbook holds them (what Spark uses for any input",
            "left out of a call), with the inputs whose workbook value is unknown taken from",
            "`required`: the documents give none that fits their type, so no value is invented.",
        ]);
        quote! {
            #doc
            #[must_use]
            pub fn workbook_defaults(required: RequiredInputs) -> Self {
                Self { #(#inits,)* }
            }
        }
    };
    let required_struct = (!required.is_empty()).then(|| {
        let derives = if flat {
            quote!(#[derive(Clone)])
        } else {
            quote!(#[derive(Debug, Clone, PartialEq)])
        };
        let doc = doc_attrs(&[
            "The inputs that [`Inputs::workbook_defaults`] cannot fill: the documents give no",
            "workbook value for them that fits their type.",
        ]);
        quote! {
            #doc
            #derives
            pub struct RequiredInputs {
                #(#required,)*
            }
        }
    });
    let checks: Vec<TokenStream> = fields.iter().flat_map(field_checks).collect();
    let validate_doc = doc_attrs(&[
        "Checks the inputs against the workbook's Excel data-validation rules (whole-number,",
        "decimal, text-length and date bounds, non-text lists) as the documents gave them,",
        "naming every input that breaks its rule. The typed calls run it before sending.",
    ]);
    let body = if checks.is_empty() {
        quote!(#sdk::bindings::InputChecks::new().finish())
    } else {
        quote! {
            let mut checks = #sdk::bindings::InputChecks::new();
            #(#checks)*
            checks.finish()
        }
    };
    quote! {
        impl Inputs {
            #defaults

            #validate_doc
            pub fn validate(&self) -> Result<(), #sdk::bindings::InvalidInputs> {
                #body
            }
        }
        #required_struct
    }
}

fn opt_f64(x: Option<f64>) -> TokenStream {
    match x {
        Some(x) => {
            let lit = Literal::f64_unsuffixed(x);
            quote!(Some(#lit))
        }
        None => quote!(None),
    }
}

fn opt_u64(x: Option<u64>) -> TokenStream {
    match x {
        Some(x) => {
            let lit = Literal::u64_unsuffixed(x);
            quote!(Some(#lit))
        }
        None => quote!(None),
    }
}

fn opt_date(x: Option<(i32, u32, u32)>) -> TokenStream {
    match x {
        Some(d) => {
            let (y, m, d) = (
                Literal::i32_unsuffixed(d.0),
                Literal::u32_unsuffixed(d.1),
                Literal::u32_unsuffixed(d.2),
            );
            quote!(::chrono::NaiveDate::from_ymd_opt(#y, #m, #d))
        }
        None => quote!(None),
    }
}

/// The `checks.*` calls of one field's rules; for a table, of its columns' rules on every
/// row, each named `Table[row].Column`.
fn field_checks(f: &FieldInfo) -> Vec<TokenStream> {
    let id = ident(&f.ident);
    let mut checks = rule_checks(f, &quote!(self.#id), &{
        let wire = &f.wire;
        quote!(#wire)
    });
    if let Shape::Table { columns, .. } = &f.shape {
        let wire = &f.wire;
        let per_row: Vec<TokenStream> = columns
            .iter()
            .flat_map(|c| {
                let col_id = ident(&c.ident);
                let col_wire = &c.wire;
                let escape = |s: &str| s.replace('{', "{{").replace('}', "}}");
                let pattern = format!("{}[{{index}}].{}", escape(wire), escape(col_wire));
                let name = quote!(&format!(#pattern));
                rule_checks(c, &quote!(row.#col_id), &name)
            })
            .collect();
        if !per_row.is_empty() {
            let rows = if f.optional {
                quote!(self.#id.iter().flatten())
            } else {
                quote!(self.#id.iter())
            };
            checks.push(quote! {
                for (index, row) in #rows.enumerate() {
                    #(#per_row)*
                }
            });
        }
    }
    checks
}

/// The `checks.*` calls of `f`'s own rules, on the value at `place`, reported as `name`.
fn rule_checks(f: &FieldInfo, place: &TokenStream, name: &TokenStream) -> Vec<TokenStream> {
    // Numbers and dates are `Copy` and passed by value, text by reference.
    let by_ref = matches!(f.shape, Shape::Text);
    let value = match (f.optional, by_ref) {
        (true, _) => quote!(value),
        (false, true) => quote!(&#place),
        (false, false) => quote!(#place),
    };
    f.resolved
        .rules
        .iter()
        .map(|rule| {
            let check = match rule {
                Rule::Whole(a, b) => {
                    let (a, b) = (opt_f64(*a), opt_f64(*b));
                    quote!(checks.whole_number(#name, #value, #a, #b);)
                }
                Rule::Decimal(a, b) => {
                    let (a, b) = (opt_f64(*a), opt_f64(*b));
                    quote!(checks.decimal(#name, #value, #a, #b);)
                }
                Rule::TextLength(a, b) => {
                    let (a, b) = (opt_u64(*a), opt_u64(*b));
                    quote!(checks.text_length(#name, #value, #a, #b);)
                }
                Rule::Date(a, b) => {
                    let (a, b) = (opt_date(*a), opt_date(*b));
                    quote!(checks.date_range(#name, #value, #a, #b);)
                }
                Rule::NumberList(values) => {
                    let values = values.iter().map(|x| Literal::f64_unsuffixed(*x));
                    quote!(checks.one_of_numbers(#name, #value, &[#(#values),*]);)
                }
                Rule::TextList(values) => {
                    quote!(checks.one_of_texts(#name, #value, &[#(#values),*]);)
                }
            };
            match (f.optional, by_ref) {
                (true, true) => quote!(if let Some(value) = &#place { #check }),
                (true, false) => quote!(if let Some(value) = #place { #check }),
                (false, _) => check,
            }
        })
        .collect()
}
