//! `Debug`, `PartialEq`, `Serialize` and `Deserialize` for very wide structs, as flat code.
//!
//! The derives do not scale to a service with thousands of inputs: serde's `Serialize`
//! derive sums the field count as one `1 + 1 + …` expression (rustc overflows its stack on
//! 10,000 terms), the `Deserialize` derive's visitor keeps one local per field across one
//! early return per field (drop elaboration grows with their product: minutes and gigabytes
//! of rustc memory), and `PartialEq` chains `&&`. (The choice enums of a wide struct derive
//! `Default`, its first value, so that a checked required field is taken without a branch.) Past [`FLAT_ABOVE`] fields the emitter
//! writes these impls here instead: one statement per field, one local (the map, or a
//! struct of `Option`s), so rustc's work grows linearly. The wire format is the derive's:
//! the same keys, `null` for an empty output, optional inputs omitted when `None`, unknown
//! keys ignored, a missing required input reported by name.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Structs with more fields than this get the flat impls instead of the derives.
pub const FLAT_ABOVE: usize = 64;

/// One field of a wide struct.
pub struct FlatField {
    /// Wire name.
    pub wire: String,
    /// Rust identifier.
    pub ident: Ident,
    /// Declared type (`Option<T>` for optional fields).
    pub ty: TokenStream,
    /// Declared as `Option<T>`.
    pub optional: bool,
    /// Left out of the serialised map when `None` (optional inputs).
    pub skip_none: bool,
    /// Read with `cspark::bindings::lenient_text` (text outputs).
    pub lenient_text: bool,
}

/// The four impls for the struct `name`; `what` names it in decode errors.
pub fn impls(name: &str, what: &str, fields: &[FlatField]) -> TokenStream {
    let id = Ident::new(name, Span::call_site());
    let idents: Vec<&Ident> = fields.iter().map(|f| &f.ident).collect();
    let names: Vec<String> = fields.iter().map(|f| f.ident.to_string()).collect();

    let serialize = fields.iter().map(|f| {
        let (wire, fid) = (&f.wire, &f.ident);
        if f.skip_none {
            quote!(if let Some(value) = &self.#fid { map.serialize_entry(#wire, value)?; })
        } else {
            quote!(map.serialize_entry(#wire, &self.#fid)?;)
        }
    });
    let partial_fields = fields.iter().map(|f| {
        let (fid, ty) = (&f.ident, &f.ty);
        quote!(#fid: Option<#ty>)
    });
    let arms = fields.iter().map(|f| {
        let (wire, fid) = (&f.wire, &f.ident);
        if f.lenient_text {
            quote!(#wire => partial.#fid = Some(map.next_value::<LenientText>()?.0),)
        } else {
            quote!(#wire => partial.#fid = Some(map.next_value()?),)
        }
    });
    let required_checks = fields.iter().filter(|f| !f.optional).map(|f| {
        let (wire, fid) = (&f.wire, &f.ident);
        quote! {
            if partial.#fid.is_none() {
                return Err(<D::Error as ::serde::de::Error>::missing_field(#wire));
            }
        }
    });
    // After the checks every required field is `Some`; `unwrap_or_default` takes it
    // without an early return (one early return per field, with the fields not yet moved
    // to drop, is what makes the derive's code grow with the square of the width).
    let values = fields.iter().map(|f| {
        let fid = &f.ident;
        if f.optional {
            quote!(#fid: #fid.flatten())
        } else {
            quote!(#fid: match #fid { Some(value) => value, None => Default::default() })
        }
    });
    let lenient = fields.iter().any(|f| f.lenient_text).then(|| {
        quote! {
            struct LenientText(Option<String>);
            impl<'de> ::serde::Deserialize<'de> for LenientText {
                fn deserialize<D2: ::serde::Deserializer<'de>>(
                    deserializer: D2,
                ) -> Result<Self, D2::Error> {
                    ::cspark::bindings::lenient_text(deserializer).map(LenientText)
                }
            }
        }
    });
    quote! {
        impl ::std::fmt::Debug for #id {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut d = f.debug_struct(#name);
                #(d.field(#names, &self.#idents);)*
                d.finish()
            }
        }

        impl PartialEq for #id {
            fn eq(&self, other: &Self) -> bool {
                #(if self.#idents != other.#idents { return false; })*
                true
            }
        }

        impl Serialize for #id {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                #(#serialize)*
                map.end()
            }
        }

        // The `match` on each required field is deliberate (see above); clippy would have
        // it written as `unwrap_or_default`.
        #[allow(clippy::manual_unwrap_or_default)]
        impl<'de> Deserialize<'de> for #id {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(Default)]
                struct Partial {
                    #(#partial_fields,)*
                }
                #lenient
                struct Fields;
                impl<'de> ::serde::de::Visitor<'de> for Fields {
                    type Value = Partial;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#what)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Partial, A::Error> {
                        let mut partial = Partial::default();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                #(#arms)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(partial)
                    }
                }
                let partial = deserializer.deserialize_map(Fields)?;
                #(#required_checks)*
                // One move of the whole struct into locals: moving its fields out one by
                // one would leave a partly moved value to drop at every unwind point.
                let Partial { #(#idents,)* } = partial;
                Ok(#id { #(#values,)* })
            }
        }
    }
}
