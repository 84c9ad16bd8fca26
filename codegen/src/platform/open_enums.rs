//! Open string enums: a schema in `components.schemas` marked `x-cspark-open-enum: true`
//! (a `type: string` with an `enum` list) becomes a Rust enum with one variant per listed
//! value **plus `Other(String)`**, so a value Spark adds later still decodes (typify's own
//! enums reject it).
//!
//! typify is told to use the type instead of generating one
//! ([`progenitor::GenerationSettings::with_replacement`]), and [`items`] writes it into the
//! generated `types` module, where the references resolve by its bare name.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::{Error, Result};

/// Extension that marks a string-enum schema as open.
pub const OPEN_ENUM: &str = "x-cspark-open-enum";

/// One open enum: its schema name, documentation and listed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// Schema name (already a Rust type name, e.g. `ImpexJobStatus`).
    pub name: String,
    /// The schema's `description`, if any.
    pub description: Option<String>,
    /// The listed wire values, in order.
    pub values: Vec<String>,
}

/// The open enums declared in a parsed document (JSON value of the YAML).
pub fn collect(doc: &Value) -> Result<Vec<OpenEnum>> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, schema) in schemas {
        if schema.get(OPEN_ENUM).and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let bad = |reason: &str| Error::Generate(format!("open enum {name}: {reason}"));
        let values: Vec<String> = schema
            .get("enum")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("needs an `enum` list"))?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| bad("every `enum` value must be a string"))?;
        out.push(OpenEnum {
            name: name.clone(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            values,
        });
    }
    Ok(out)
}

/// `in_progress` → `InProgress`; a value that makes no identifier (or `Other`) is an error.
fn variant(e: &OpenEnum, value: &str) -> Result<syn::Ident> {
    use heck::ToUpperCamelCase;
    let name = value.to_upper_camel_case();
    let ok = name.chars().next().is_some_and(char::is_alphabetic) && name != "Other";
    if !ok {
        return Err(Error::Generate(format!(
            "open enum {}: value {value:?} gives no variant name",
            e.name
        )));
    }
    syn::parse_str(&name)
        .map_err(|err| Error::Generate(format!("open enum {}: {value:?}: {err}", e.name)))
}

/// The Rust items of the open enums (to be placed in the generated `types` module).
pub fn items(enums: &[OpenEnum]) -> Result<Vec<syn::Item>> {
    let mut out = Vec::new();
    for e in enums {
        let name = format_ident!("{}", e.name);
        let variants = e
            .values
            .iter()
            .map(|v| variant(e, v))
            .collect::<Result<Vec<_>>>()?;
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = variants.iter().find(|v| !seen.insert(v.to_string())) {
            return Err(Error::Generate(format!(
                "open enum {}: two values map to variant {dup}",
                e.name
            )));
        }
        let values = &e.values;
        let docs = values.iter().map(|v| format!("`{v}`"));
        let summary = e
            .description
            .clone()
            .unwrap_or_else(|| format!("`{}`", e.name));
        let tokens: TokenStream = quote! {
            #[doc = #summary]
            ///
            /// Open: a value this version does not list decodes as `Other` and is written back
            /// unchanged. Build values with `From<&str>`, which maps listed values to their
            /// variant.
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum #name {
                #(#[doc = #docs] #variants,)*
                /// A value this version does not list, as sent.
                Other(::std::string::String),
            }
            impl #name {
                /// The wire value.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Other(value) => value.as_str(),
                    }
                }
            }
            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        other => Self::Other(other.to_owned()),
                    }
                }
            }
            impl ::std::str::FromStr for #name {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                    Ok(Self::from(value))
                }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let value = <::std::string::String as ::serde::Deserialize>::deserialize(
                        deserializer,
                    )?;
                    Ok(Self::from(value.as_str()))
                }
            }
        };
        let file: syn::File = syn::parse2(tokens)
            .map_err(|err| Error::Generate(format!("open enum {}: {err}", e.name)))?;
        out.extend(file.items);
    }
    Ok(out)
}

/// Appends `items` to the `types` module of a generated file.
pub fn place(file: &mut syn::File, items: Vec<syn::Item>) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let types = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    });
    match types {
        Some((_, content)) => {
            content.extend(items);
            Ok(())
        }
        None => Err(Error::Generate(
            "open enums: the generated code has no `types` module".into(),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(schema: Value) -> Value {
        json!({"components": {"schemas": {"JobState": schema, "Plain": {"type": "string", "enum": ["a"]}}}})
    }

    #[test]
    fn collects_marked_schemas_and_renders_an_other_variant() {
        let d = doc(json!({"type": "string", "enum": ["in_progress", "closed"],
            "x-cspark-open-enum": true, "description": "State."}));
        let enums = collect(&d).unwrap();
        assert_eq!(enums.len(), 1, "unmarked enums stay typify's");
        assert_eq!(enums[0].values, ["in_progress", "closed"]);
        let mut file: syn::File = syn::parse_quote! { mod types {} };
        place(&mut file, items(&enums).unwrap()).unwrap();
        let text = prettyplease::unparse(&file);
        assert!(text.contains("InProgress,"), "{text}");
        assert!(text.contains("Other(::std::string::String)"), "{text}");
        assert!(
            text.contains("\"in_progress\" => Self::InProgress"),
            "{text}"
        );
    }

    #[test]
    fn rejects_values_without_a_variant_name_or_clashing() {
        for values in [
            json!(["1st"]),
            json!(["Other"]),
            json!(["a-b", "a_b"]),
            json!([1]),
        ] {
            let d = doc(json!({"type": "string", "enum": values, "x-cspark-open-enum": true}));
            let rendered = collect(&d).and_then(|e| items(&e));
            assert!(rendered.is_err(), "{values}");
        }
    }
}
