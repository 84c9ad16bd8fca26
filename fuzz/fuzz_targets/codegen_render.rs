//! Schema → code on arbitrary JSON: `cspark_codegen::service::render` over a service whose
//! swagger and schema documents come from the input (split at the first NUL byte). It may
//! refuse a document with an error, but must never panic, and whatever it renders must
//! parse as a Rust file.
#![no_main]

use cspark_codegen::service::{RenderOptions, ServiceDocs, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (swagger, schema) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(docs) = ServiceDocs::from_bytes("fuzz", "service", Some(swagger), schema) else {
        return;
    };
    for allow_untyped in [false, true] {
        let opts = RenderOptions {
            allow_untyped,
            ..RenderOptions::default()
        };
        if let Ok(code) = render(std::slice::from_ref(&docs), None, &opts) {
            assert!(
                syn::parse_file(&code).is_ok(),
                "rendered code does not parse:\n{code}"
            );
        }
    }
});
