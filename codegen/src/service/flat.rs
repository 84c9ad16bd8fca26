//! `Debug`, `PartialEq`, `Serialize` and `Deserialize` for very wide structs, as flat code.
//!
//! The derives do not scale to a service with thousands of inputs: serde's `Serialize`
//! derive sums the field count as one `1 + 1 + …` expression (rustc overflows its stack on
//! 10,000 terms), the `Deserialize` derive's visitor keeps one local per field across one
//! early return per field (drop elaboration grows with their product: minutes and gigabytes
//! of rustc memory), and `PartialEq` chains `&&`. Past [`FLAT_ABOVE`] fields the emitter
//! writes these impls here instead, so that rustc's work grows linearly with the width:
//!
//! - `Debug`, `PartialEq` and `Serialize` call one function per [`CHUNK`] fields, one
//!   statement per field (one generic function of 10,000 `?`s was most of the memory left);
//! - `Deserialize` has generic code per value type, not per field: a static table sorted by
//!   wire name gives each key's type and slot (`cspark::bindings::find_field`), the values
//!   wait in one `Vec` per type (read by one generic function per [`KINDS_PER_READER`]
//!   types), and one non-generic function moves them into the struct.
//!   (The choice enums of a wide struct derive `Default`, their first value, so that a
//!   slot always has a value.)
//!
//! The wire format is the derive's: the same keys in the same order, `null` for an empty
//! output, optional inputs omitted when `None`, unknown keys ignored, `null` for an optional
//! field is `None`, a missing required input reported by name (the first in wire-name
//! order). Two differences from the derive: a duplicate key keeps its last value (the derive
//! refuses it; the flat impls always did this), and a value that does not decode names its
//! field (`invalid type: string "x", expected f64 (field `In 0`)`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Structs with more fields than this get the flat impls instead of the derives.
pub const FLAT_ABOVE: usize = 64;

/// Value types per generated reader function in the flat `Deserialize`: few enough that the
/// `wide` fixture (a dozen types) needs two; at 10,000 inputs of which 1,000 are choices,
/// 8 and 64 measured the same.
const KINDS_PER_READER: usize = 8;

/// Fields per generated function in the flat impls. The same as [`FLAT_ABOVE`], so every
/// flat struct has at least two chunks (and the `wide` fixture tests the joins); 256 measured
/// the same at 10,000 fields.
const CHUNK: usize = FLAT_ABOVE;

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

    let deserialize = deserialize(name, what, fields);
    // The per-field statements go into functions of at most `CHUNK` fields each: rustc's
    // and LLVM's work on one function grows faster than its length.
    let chunks: Vec<Ident> = (0..fields.len().div_ceil(CHUNK))
        .map(|i| Ident::new(&format!("chunk_{i}"), Span::call_site()))
        .collect();
    let debug_chunks = chunks
        .iter()
        .zip(fields.chunks(CHUNK))
        .map(|(chunk, part)| {
            let names = part.iter().map(|f| f.ident.to_string());
            let idents = part.iter().map(|f| &f.ident);
            quote! {
                fn #chunk(s: &#id, d: &mut ::std::fmt::DebugStruct<'_, '_>) {
                    #(d.field(#names, &s.#idents);)*
                }
            }
        });
    let eq_chunks = chunks
        .iter()
        .zip(fields.chunks(CHUNK))
        .map(|(chunk, part)| {
            let idents = part.iter().map(|f| &f.ident);
            quote! {
                fn #chunk(a: &#id, b: &#id) -> bool {
                    #(if a.#idents != b.#idents { return false; })*
                    true
                }
            }
        });
    let serialize_chunks = chunks.iter().zip(fields.chunks(CHUNK)).map(|(chunk, part)| {
        let entries = part.iter().map(|f| {
            let (wire, fid) = (&f.wire, &f.ident);
            if f.skip_none {
                quote!(if let Some(value) = &s.#fid { map.serialize_entry(#wire, value)?; })
            } else {
                quote!(map.serialize_entry(#wire, &s.#fid)?;)
            }
        });
        quote! {
            fn #chunk<__M: ::serde::ser::SerializeMap>(s: &#id, map: &mut __M) -> Result<(), __M::Error> {
                #(#entries)*
                Ok(())
            }
        }
    });
    quote! {
        impl ::std::fmt::Debug for #id {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #(#debug_chunks)*
                let mut d = f.debug_struct(#name);
                #(#chunks(self, &mut d);)*
                d.finish()
            }
        }

        impl PartialEq for #id {
            fn eq(&self, other: &Self) -> bool {
                #(#eq_chunks)*
                #(#chunks(self, other))&&*
            }
        }

        impl Serialize for #id {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap;
                #(#serialize_chunks)*
                let mut map = serializer.serialize_map(None)?;
                #(#chunks(self, &mut map)?;)*
                map.end()
            }
        }

        #deserialize
    }
}

/// The `Deserialize` impl. Each key is looked up in a static table sorted by wire name
/// (`cspark::bindings::find_field`, a binary search), which gives the field's kind (its
/// type, or `lenient_text`) and its slot in one `Vec` per kind. The generic code has one
/// arm per kind, not per field: `serde`'s derive writes one arm, one local and one early
/// return per field, which is what made rustc's time and memory grow much faster than the
/// width. The fields are moved into the struct by one non-generic function at the end.
fn deserialize(name: &str, what: &str, fields: &[FlatField]) -> TokenStream {
    let id = Ident::new(name, Span::call_site());
    // Kinds in order of first use; each field gets the next slot of its kind.
    let mut kinds: Vec<(String, &TokenStream, bool)> = Vec::new();
    let mut placed = Vec::with_capacity(fields.len());
    let mut counts: Vec<usize> = Vec::new();
    for f in fields {
        let key = format!("{}{}", f.ty, if f.lenient_text { " lenient" } else { "" });
        let kind = match kinds.iter().position(|(k, _, _)| *k == key) {
            Some(kind) => kind,
            None => {
                kinds.push((key, &f.ty, f.lenient_text));
                counts.push(0);
                kinds.len() - 1
            }
        };
        placed.push((kind, counts[kind]));
        counts[kind] += 1;
    }
    let kind_ident = |kind: usize| Ident::new(&format!("k{kind}"), Span::call_site());
    let mut table: Vec<(&FlatField, usize, usize)> = fields
        .iter()
        .zip(&placed)
        .map(|(f, &(kind, slot))| (f, kind, slot))
        .collect();
    table.sort_by(|a, b| a.0.wire.cmp(&b.0.wire));
    let count = fields.len();
    let entries = table.iter().map(|(f, kind, slot)| {
        let (wire, required) = (&f.wire, !f.optional);
        let (kind, slot) = (*kind as u16, *slot as u32);
        quote!(__Field { wire: #wire, kind: #kind, slot: #slot, required: #required })
    });
    let slot_fields = kinds.iter().enumerate().map(|(k, (_, ty, _))| {
        let kid = kind_ident(k);
        quote!(#kid: Vec<#ty>)
    });
    let slot_inits = counts.iter().enumerate().map(|(k, n)| {
        let kid = kind_ident(k);
        quote!(#kid: vec![Default::default(); #n])
    });
    // One generic function per `KINDS_PER_READER` kinds reads a value of one of them (a
    // service with hundreds of choice inputs has hundreds of kinds).
    let readers: Vec<Ident> = (0..kinds.len().div_ceil(KINDS_PER_READER))
        .map(|i| Ident::new(&format!("read_{i}"), Span::call_site()))
        .collect();
    let reader_fns = readers.iter().enumerate().map(|(r, reader)| {
        let arms = kinds
            .iter()
            .enumerate()
            .skip(r * KINDS_PER_READER)
            .take(KINDS_PER_READER)
            .map(|(k, (_, _, lenient))| {
                let kid = kind_ident(k);
                let kind = k as u16;
                let read = if *lenient {
                    quote!(map.next_value::<__LenientText>().map(|text| text.0))
                } else {
                    quote!(map.next_value())
                };
                quote! {
                    #kind => match #read {
                        Ok(value) => {
                            if let Some(slot) = slots.#kid.get_mut(field.slot as usize) {
                                *slot = value;
                            }
                        }
                        Err(e) => return Err(::cspark::bindings::in_field(e, field.wire)),
                    },
                }
            });
        quote! {
            fn #reader<'de, __A: ::serde::de::MapAccess<'de>>(
                map: &mut __A,
                slots: &mut __Slots,
                field: __Field,
            ) -> Result<(), __A::Error> {
                match field.kind {
                    #(#arms)*
                    _ => {
                        map.next_value::<::serde::de::IgnoredAny>()?;
                    }
                }
                Ok(())
            }
        }
    });
    let reader_arms = readers.iter().enumerate().map(|(r, reader)| {
        let r = r as u16;
        quote!(#r => #reader(&mut map, &mut slots, field)?,)
    });
    let per_reader = KINDS_PER_READER as u16;
    let iters = (0..kinds.len()).map(|k| {
        let kid = kind_ident(k);
        quote!(let mut #kid = slots.#kid.into_iter();)
    });
    let values = fields.iter().zip(&placed).map(|(f, &(kind, _))| {
        let (fid, kid) = (&f.ident, kind_ident(kind));
        quote!(#fid: #kid.next().unwrap_or_default())
    });
    let lenient = fields.iter().any(|f| f.lenient_text).then(|| {
        quote! {
            struct __LenientText(Option<String>);
            impl<'de> ::serde::Deserialize<'de> for __LenientText {
                fn deserialize<__D2: ::serde::Deserializer<'de>>(
                    deserializer: __D2,
                ) -> Result<Self, __D2::Error> {
                    ::cspark::bindings::lenient_text(deserializer).map(__LenientText)
                }
            }
        }
    });
    quote! {
        impl<'de> Deserialize<'de> for #id {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                // Local names start with `__`, which no generated type's name does (a
                // choice input called `A` or `Slots` has a type of that name).
                use ::cspark::bindings::WideField as __Field;
                static FIELDS: [__Field; #count] = [#(#entries,)*];
                /// The values read so far, one `Vec` per kind, and which fields were seen.
                struct __Slots {
                    seen: Vec<bool>,
                    #(#slot_fields,)*
                }
                #lenient
                #(#reader_fns)*
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = __Slots;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#what)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: __A,
                    ) -> Result<__Slots, __A::Error> {
                        let mut slots = __Slots { seen: vec![false; #count], #(#slot_inits,)* };
                        while let Some(key) = map.next_key::<String>()? {
                            let Some((at, field)) = ::cspark::bindings::find_field(&FIELDS, &key) else {
                                map.next_value::<::serde::de::IgnoredAny>()?;
                                continue;
                            };
                            match field.kind / #per_reader {
                                #(#reader_arms)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                            if let Some(seen) = slots.seen.get_mut(at) {
                                *seen = true;
                            }
                        }
                        Ok(slots)
                    }
                }
                /// Moves the values into the struct (fields in declaration order, which is
                /// the order their slots were numbered in).
                fn build(slots: __Slots) -> #id {
                    #(#iters)*
                    #id { #(#values,)* }
                }
                let slots = deserializer.deserialize_map(__Visitor)?;
                if let Some(wire) = ::cspark::bindings::first_missing(&FIELDS, &slots.seen) {
                    return Err(<__D::Error as ::serde::de::Error>::missing_field(wire));
                }
                Ok(build(slots))
            }
        }
    }
}
