//! `cspark_codegen::names::{snake_ident, pascal_ident}` on arbitrary strings: the result is
//! always a valid, non-raw Rust identifier (checked with `syn`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for ident in [
        cspark_codegen::names::snake_ident(&text),
        cspark_codegen::names::pascal_ident(&text),
    ] {
        assert!(
            syn::parse_str::<syn::Ident>(&ident).is_ok(),
            "{text:?} -> {ident:?} is not an identifier"
        );
    }
});
