//! Doc comments of generated items.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes, one per line (an empty line stays empty, so the rendered
/// comment has no trailing space).
pub(super) fn doc_attrs<S: AsRef<str>>(lines: &[S]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let l = l.as_ref();
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}
