//! Rust items for one service: `Inputs`, `Outputs`, table rows, choice enums and the marker.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::doc::doc_attrs;
use super::inputs_impl::{FieldInfo, Shape};
use super::model::{Kind, Resolved, ResolvedService};
use super::schema::Side;
use crate::names::{Namer, pascal_ident, snake_ident};

/// Names a generated type must never take: they would shadow the prelude (the generated code
/// writes `Option`, `String`, `Vec`) or the items every module imports.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Serialize",
    "Deserialize",
    "ToString",
    "From",
    "Into",
    "Iterator",
    "Drop",
    "Fn",
];

/// Identity of one service as written into its marker type.
#[derive(Debug, Clone)]
pub struct Identity<'a> {
    /// Spark folder.
    pub folder: &'a str,
    /// Spark service.
    pub service: &'a str,
    /// Semantic version (`""` when unknown).
    pub version: &'a str,
    /// Version id, when known.
    pub version_id: Option<&'a str>,
}

/// Options that change the emitted code.
#[derive(Clone)]
pub struct EmitOptions {
    /// Path of the SDK crate whose `TypedService` the markers implement (default `::cspark`).
    pub sdk_path: syn::Path,
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Text safe to put in a doc comment: no leading indentation (which would make a doctest),
/// no code fences, links or HTML tags, no control characters.
pub fn doc_text(s: &str) -> Vec<String> {
    s.lines()
        .map(|line| {
            let line = line.trim();
            let mut out = String::with_capacity(line.len() + 1);
            // A leading list marker (`- `, `+ `, `1. `) would start a Markdown list, and the
            // following lines would trip clippy's `doc_lazy_continuation`.
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            let mut line = line;
            if line.starts_with(['-', '+']) {
                out.push('\\');
            } else if rest.len() < line.len() && rest.starts_with(['.', ')']) {
                out.push_str(&line[..line.len() - rest.len()]);
                out.push('\\');
                line = rest;
            }
            for c in line.chars() {
                match c {
                    '`' | '[' | ']' | '<' | '>' | '\\' | '*' | '_' | '#' | '|' => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if c.is_control() => out.push(' '),
                    c => out.push(c),
                }
            }
            out
        })
        .collect()
}

/// An inline code span for a wire name (falls back to escaped text if it holds a backtick).
pub fn code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.contains('`') || clean.trim().is_empty() {
        format!("\"{}\"", doc_text(&clean).join(" "))
    } else {
        format!("`{clean}`")
    }
}

/// Field identifiers of one service by scope (`inputs`, `outputs`, `inputs/<table>`, …)
/// then wire name: what [`service_module_with_names`] chose, and what it is asked to keep.
pub type FieldNames = BTreeMap<String, BTreeMap<String, String>>;

/// Collects the type definitions of one service module.
struct Module {
    /// Identifiers recorded by an earlier generation (`cspark.lock`), kept where possible.
    preferred: FieldNames,
    /// Identifiers chosen in this generation.
    chosen: FieldNames,
    types: Namer,
    defs: Vec<TokenStream>,
    /// Choice enums emitted now derive `Default` (fields of a wide struct, see `flat`).
    default_choices: bool,
}

impl Module {
    fn field_type(
        &mut self,
        scope: &str,
        wire: &str,
        kind: &Kind,
        side: Side,
    ) -> (TokenStream, Shape) {
        match kind {
            Kind::Number => (quote!(f64), Shape::Number),
            Kind::Text => (quote!(String), Shape::Text),
            Kind::Boolean => (quote!(bool), Shape::Boolean),
            Kind::Date => (quote!(::chrono::NaiveDate), Shape::Date),
            Kind::Json => (quote!(::serde_json::Value), Shape::Json),
            Kind::List(inner) => {
                let (inner, shape) = self.field_type(scope, wire, inner, side);
                (quote!(Vec<#inner>), Shape::List(Box::new(shape)))
            }
            Kind::Choice(options) => {
                let name = self.types.unique(pascal_ident(wire));
                let default = self.default_choices;
                let variants = self.emit_enum(&name, wire, options, default);
                let id = ident(&name);
                (quote!(#id), Shape::Choice { ty: name, variants })
            }
            Kind::Record(members) => {
                let base = pascal_ident(wire);
                let name = self
                    .types
                    .unique(format!("{}Record", base.trim_end_matches('_')));
                let what = match side {
                    Side::Inputs => "input",
                    Side::Outputs => "output",
                };
                let docs = vec![format!(
                    "The members of the {} {} (a JSON object).",
                    what,
                    code(wire)
                )];
                let members_scope = format!("{scope}/{wire}");
                let (def, infos) =
                    self.emit_struct(&members_scope, &name, &docs, members, side, "member");
                self.defs.push(def);
                let id = ident(&name);
                let shape = Shape::Record {
                    ty: name,
                    members: infos,
                };
                (quote!(#id), shape)
            }
            Kind::Table(columns) => {
                // A table called `Self` gives `SelfRow`, not `Self_Row` (non-camel-case).
                let base = pascal_ident(wire);
                let name = self
                    .types
                    .unique(format!("{}Row", base.trim_end_matches('_')));
                let what = match side {
                    Side::Inputs => "input",
                    Side::Outputs => "output",
                };
                let docs = vec![format!("One row of the {} table {}.", what, code(wire))];
                let columns_scope = format!("{scope}/{wire}");
                let (def, infos) =
                    self.emit_struct(&columns_scope, &name, &docs, columns, side, "column");
                self.defs.push(def);
                let id = ident(&name);
                let shape = Shape::Table {
                    row: name,
                    columns: infos,
                };
                (quote!(Vec<#id>), shape)
            }
        }
    }

    /// Emits a choice enum; returns `(wire value, variant)` of each option.
    fn emit_enum(
        &mut self,
        name: &str,
        wire: &str,
        options: &[String],
        default: bool,
    ) -> Vec<(String, String)> {
        let names = unique_names(options.iter(), Namer::pascal(), pascal_ident, None);
        let pairs: Vec<(String, String)> = options.iter().cloned().zip(names.clone()).collect();
        let variants = options.iter().zip(names).enumerate().map(|(i, (opt, v))| {
            let v = ident(&v);
            let doc = doc_attrs(&[format!("The value {}.", code(opt))]);
            let default_attr = (default && i == 0).then(|| quote!(#[default]));
            quote! {
                #doc
                #[serde(rename = #opt)]
                #default_attr
                #v
            }
        });
        let default_derive = default.then(|| quote!(Default,));
        let doc = doc_attrs(&[format!(
            "The allowed values of the input {} (an Excel List validation).",
            code(wire)
        )]);
        let id = ident(name);
        self.defs.push(quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, #default_derive Serialize, Deserialize)]
            // Variant names come from Excel list values, which often share a word
            // ("Fixed Rate", "Floating Rate"); renaming them would hide the wire values.
            #[allow(clippy::enum_variant_names)]
            pub enum #id {
                #(#variants,)*
            }
        });
        pairs
    }

    fn emit_struct(
        &mut self,
        scope: &str,
        name: &str,
        docs: &[String],
        fields: &BTreeMap<String, Resolved>,
        side: Side,
        what: &str,
    ) -> (TokenStream, Vec<FieldInfo>) {
        let idents = unique_names(
            fields.keys(),
            Namer::snake(),
            snake_ident,
            self.preferred.get(scope),
        );
        self.chosen.insert(
            scope.to_string(),
            fields.keys().cloned().zip(idents.iter().cloned()).collect(),
        );
        let flat = fields.len() > super::flat::FLAT_ABOVE;
        let outer_default_choices = std::mem::replace(&mut self.default_choices, flat);
        let mut flat_fields = Vec::new();
        let mut out = Vec::with_capacity(fields.len());
        let mut infos = Vec::with_capacity(fields.len());
        for ((wire, r), fid) in fields.iter().zip(idents) {
            let (ty, shape) = self.field_type(scope, wire, &r.kind, side);
            let optional = side == Side::Outputs || r.nullable;
            let ty = if optional { quote!(Option<#ty>) } else { ty };
            if side == Side::Inputs {
                infos.push(FieldInfo {
                    wire: wire.clone(),
                    wire_doc: code(wire),
                    ident: fid.clone(),
                    ty: ty.clone(),
                    optional,
                    shape,
                    resolved: r.clone(),
                });
            }
            let mut serde_args = Vec::new();
            if fid != *wire {
                serde_args.push(quote!(rename = #wire));
            }
            match (side, optional) {
                // A `TEXT` cell holds whatever its formula gives at run time (a number, a
                // boolean): read any scalar, so one cell never fails the whole `Outputs`.
                (Side::Outputs, _) if r.kind == Kind::Text => {
                    serde_args.push(quote!(
                        default,
                        deserialize_with = "::cspark::bindings::lenient_text"
                    ));
                }
                (Side::Outputs, _) => serde_args.push(quote!(default)),
                (Side::Inputs, true) => {
                    serde_args.push(quote!(default, skip_serializing_if = "Option::is_none"))
                }
                (Side::Inputs, false) => {}
            }
            let serde_attr = if serde_args.is_empty() || flat {
                quote!()
            } else {
                quote!(#[serde(#(#serde_args),*)])
            };
            let doc = doc_attrs(&field_docs(wire, r, side, what));
            let fid = ident(&fid);
            if flat {
                flat_fields.push(super::flat::FlatField {
                    wire: wire.clone(),
                    ident: fid.clone(),
                    ty: ty.clone(),
                    optional,
                    skip_none: side == Side::Inputs && optional,
                    lenient_text: side == Side::Outputs && r.kind == Kind::Text,
                });
            }
            out.push(quote! {
                #doc
                #serde_attr
                pub #fid: #ty
            });
        }
        self.default_choices = outer_default_choices;
        let derives = match (side, flat) {
            (Side::Inputs, false) => {
                quote!(#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)])
            }
            (Side::Outputs, false) => {
                quote!(#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)])
            }
            (Side::Inputs, true) => quote!(#[derive(Clone)]),
            (Side::Outputs, true) => quote!(#[derive(Clone, Default)]),
        };
        let doc = doc_attrs(docs);
        let id = ident(name);
        let flat_impls = flat.then(|| {
            let what = format!("an object with the fields of {name}");
            super::flat::impls(name, &what, &flat_fields)
        });
        let tokens = quote! {
            #doc
            #derives
            pub struct #id {
                #(#out,)*
            }
            #flat_impls
        };
        (tokens, infos)
    }
}

/// Unique identifiers for `raws`, in the same order. Identifiers recorded by an earlier
/// generation (`preferred`, by wire name) are served first, so a regeneration renames
/// nothing that existed: a new `LOAN AMOUNT` beside a recorded `Loan Amount` gets
/// `loan_amount_2`, whatever the sort order. Then names that are already valid identifiers as
/// written (`is_smoker`) are served, so they keep their spelling and a look-alike
/// (`is-smoker`) gets the `_2` suffix.
fn unique_names<'a>(
    raws: impl Iterator<Item = &'a String> + Clone,
    mut namer: Namer,
    make: fn(&str) -> String,
    preferred: Option<&BTreeMap<String, String>>,
) -> Vec<String> {
    let mut out = vec![String::new(); raws.clone().count()];
    if let Some(preferred) = preferred {
        for (i, raw) in raws.clone().enumerate() {
            // A recorded name is kept only if it is still an identifier the generator could
            // have produced (a hand-edited lock cannot inject code) and is still free.
            if let Some(name) = preferred.get(raw)
                && make(name) == *name
                && namer.take(name)
            {
                out[i] = name.clone();
            }
        }
    }
    let bases: Vec<(String, bool)> = raws
        .map(|r| {
            let base = make(r);
            let exact = base == *r;
            (base, exact)
        })
        .collect();
    for first_pass in [true, false] {
        for (i, (base, exact)) in bases.iter().enumerate() {
            if *exact == first_pass && out[i].is_empty() {
                out[i] = namer.unique(base.clone());
            }
        }
    }
    out
}

/// Doc lines of one field.
fn field_docs(wire: &str, r: &Resolved, side: Side, what: &str) -> Vec<String> {
    let mut lines = match &r.description {
        Some(d) => doc_text(d),
        None => {
            let side = match (side, what) {
                (_, "column") => "column",
                (_, "member") => "member",
                (Side::Inputs, _) => "input",
                (Side::Outputs, _) => "output",
            };
            vec![format!("The {side} {}.", code(wire))]
        }
    };
    let mut meta = Vec::new();
    if r.description.is_some() {
        meta.push(format!("Spark name: {}.", code(wire)));
    }
    match (&r.location, &r.data_type) {
        (Some(loc), Some(dt)) => meta.push(format!("Excel: {} ({}).", code(loc), code(dt))),
        (Some(loc), None) => meta.push(format!("Excel: {}.", code(loc))),
        (None, Some(dt)) => meta.push(format!("Excel type: {}.", code(dt))),
        (None, None) => {}
    }
    if let Some(v) = &r.workbook_value {
        let mut text = v.to_string();
        if text.chars().count() > 60 {
            text = text.chars().take(57).collect::<String>() + "...";
        }
        meta.push(format!("Workbook value: {}.", code(&text)));
    }
    if let Some(list) = &r.allowed {
        let items: Vec<String> = list.iter().take(20).map(|v| code(&v.to_string())).collect();
        let more = if list.len() > 20 { ", …" } else { "" };
        meta.push(format!("Allowed values: {}{more}.", items.join(", ")));
    }
    for rule in &r.rules {
        meta.push(format!("Rule: {}.", doc_text(&rule.describe()).join(" ")));
    }
    if let Some(note) = &r.note {
        meta.push(note.clone());
    }
    if !meta.is_empty() {
        lines.push(String::new());
        lines.push(meta.join(" "));
    }
    lines
}

/// The `pub mod` for one service.
pub fn service_module(
    module: &str,
    id: &Identity<'_>,
    resolved: &ResolvedService,
    opts: &EmitOptions,
) -> TokenStream {
    service_module_with_names(module, id, resolved, opts, &FieldNames::new()).0
}

/// The `pub mod` for one service, keeping the field identifiers in `preferred` (recorded by
/// an earlier generation) where they still apply, and the identifiers chosen.
pub fn service_module_with_names(
    module: &str,
    id: &Identity<'_>,
    resolved: &ResolvedService,
    opts: &EmitOptions,
    preferred: &FieldNames,
) -> (TokenStream, FieldNames) {
    let mut m = Module {
        preferred: preferred.clone(),
        chosen: FieldNames::new(),
        default_choices: false,
        types: Namer::pascal(),
        defs: Vec::new(),
    };
    for r in RESERVED_TYPES {
        m.types.reserve(r);
    }
    m.types.reserve("Inputs");
    m.types.reserve("Outputs");
    m.types.reserve("RequiredInputs");
    let marker = m.types.unique(pascal_ident(id.service));
    let label = format!("{}/{}", id.folder, id.service);

    let (inputs, input_fields) = m.emit_struct(
        "inputs",
        "Inputs",
        &[
            format!("The inputs of {}.", code(&label)),
            String::new(),
            "Serialised as `request_data.inputs` of an execute call.".to_string(),
        ],
        &resolved.inputs,
        Side::Inputs,
        "field",
    );
    let (outputs, _) = m.emit_struct(
        "outputs",
        "Outputs",
        &[
            format!("The outputs of {}.", code(&label)),
            String::new(),
            "Every field is optional: Spark returns `null` for empty cells. Through the typed"
                .to_string(),
            "calls, a value that does not fit its field (an Excel error such as `#VALUE!` in a"
                .to_string(),
            "number) also reads as `None` and is listed in `cspark::Typed::mismatches`."
                .to_string(),
        ],
        &resolved.outputs,
        Side::Outputs,
        "field",
    );
    let defs = &m.defs;
    let uses_serde = quote!(
        use ::serde::{Deserialize, Serialize};
    );

    let folder = id.folder;
    let service = id.service;
    let version = id.version;
    let version_id = match id.version_id {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let version_text = if version.is_empty() {
        "unknown".to_string()
    } else {
        version.to_string()
    };
    let marker_doc = doc_attrs(&[
        format!(
            "The Spark service {} (version {}).",
            code(&label),
            code(&version_text)
        ),
        String::new(),
        "A marker type naming this service: the client's typed calls infer it from [`Inputs`]"
            .to_string(),
        "(`client.execute_typed(&Inputs { .. })`) and return [`Outputs`].".to_string(),
    ]);
    let mod_doc = doc_attrs(&[format!(
        "Typed bindings for the Spark service {}.",
        code(&label)
    )]);
    let sdk = &opts.sdk_path;
    let flat_inputs = resolved.inputs.len() > super::flat::FLAT_ABOVE;
    let inputs_impl = super::inputs_impl::inputs_impl(&input_fields, sdk, flat_inputs);
    let marker = ident(&marker);
    let module = ident(module);
    let inputs_link = service_inputs_impl(sdk, &marker);
    let tokens = quote! {
        #mod_doc
        pub mod #module {
            #uses_serde

            #marker_doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #marker;

            impl #sdk::TypedService for #marker {
                type Inputs = Inputs;
                type Outputs = Outputs;
                const FOLDER: &'static str = #folder;
                const SERVICE: &'static str = #service;
                const VERSION: &'static str = #version;
                const VERSION_ID: Option<&'static str> = #version_id;

                fn validate(inputs: &Inputs) -> Result<(), #sdk::bindings::InvalidInputs> {
                    inputs.validate()
                }
            }
            #inputs_link

            #inputs
            #inputs_impl
            #outputs
            #(#defs)*
        }
    };
    (tokens, m.chosen)
}

/// `impl ServiceInputs for Inputs`: the link from a service's inputs back to its marker, so
/// typed calls infer the service (and its outputs) from the inputs alone.
fn service_inputs_impl(sdk: &syn::Path, marker: &Ident) -> TokenStream {
    quote! {
        impl #sdk::ServiceInputs for Inputs {
            type Service = #marker;
        }
    }
}
