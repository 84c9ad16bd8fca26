//! Per-service bindings from documents in the shapes Spark really serves: the wrapped schema
//! form, a `TEXT` output that holds a number at run time, and documents that describe
//! nothing (an empty `{}`, an error envelope, a swagger without an execute operation).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use cspark_codegen::Builder;

/// The committed bindings of `tests/fixtures/real_documents` (checked by `tests/golden.rs`),
/// compiled here.
#[allow(dead_code, clippy::all)]
#[rustfmt::skip]
#[path = "golden/real_documents.rs"]
mod bindings;

use bindings::calc_multiply::{Inputs, Outputs};

#[test]
fn a_number_in_a_text_output_decodes() {
    // `AxB` is `dataType: TEXT` and `type: string` in the documents; Spark returns the
    // product as a number.
    let outputs: Outputs =
        serde_json::from_value(serde_json::json!({"AxB": 42, "Note": true})).unwrap();
    assert_eq!(outputs.ax_b.as_deref(), Some("42"));
    assert_eq!(outputs.note.as_deref(), Some("true"));
    let outputs: Outputs =
        serde_json::from_value(serde_json::json!({"AxB": 2.5, "Note": null})).unwrap();
    assert_eq!(outputs.ax_b.as_deref(), Some("2.5"));
    assert_eq!(outputs.note, None);
    let outputs: Outputs = serde_json::from_value(serde_json::json!({"AxB": "#VALUE!"})).unwrap();
    assert_eq!(outputs.ax_b.as_deref(), Some("#VALUE!"));
    // Inputs come from the wrapped schema's `data`.
    let inputs = Inputs { a: 6.0, b: 7.0 };
    assert_eq!(
        serde_json::to_value(&inputs).unwrap(),
        serde_json::json!({"A": 6.0, "B": 7.0})
    );
}

fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("f")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("f").join(name), text).unwrap();
    }
    dir
}

fn render_error(dir: &Path) -> String {
    Builder::new()
        .services_dir(dir)
        .render()
        .map(|_| "generated".to_string())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn documents_that_describe_nothing_are_refused_with_the_file_named() {
    let cases = [
        (
            vec![("s.schema.json", "{}")],
            "f/s.schema.json: no `xlInputs`/`xOutput` cell lists",
        ),
        (
            vec![(
                "s.schema.json",
                r#"{"status": "Error", "errorCode": "ENGINE_NOT_FOUND", "message": "no such service", "data": null}"#,
            )],
            "f/s.schema.json: an error response, not a schema",
        ),
        (
            vec![("s.swagger.json", "{}")],
            "f/s.swagger.json: no execute operation",
        ),
        (
            vec![(
                "s.swagger.json",
                r#"{"error": {"status": 404, "message": "not found"}}"#,
            )],
            "f/s.swagger.json: no execute operation",
        ),
        (
            vec![(
                "s.swagger.json",
                r#"{"paths": {"/x/execute": {"post": {"responses": {}}}}}"#,
            )],
            "neither `request_data.inputs` nor `response_data.outputs`",
        ),
        (
            vec![("s.schema.json", r#"{"xlInputs": [], "xOutput": []}"#)],
            "f/s.schema.json describe(s) no input and no output",
        ),
    ];
    for (files, expected) in cases {
        let dir = scratch(&files);
        let err = render_error(dir.path());
        assert!(
            err.contains(expected),
            "{files:?}: {expected:?} not in {err}"
        );
        assert!(err.starts_with("service f/s: "), "{err}");
    }
}

#[test]
fn the_wrapped_schema_form_gives_the_same_types_as_the_plain_one() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_documents/calc");
    let wrapped = std::fs::read_to_string(fixture.join("multiply.schema.json")).unwrap();
    let swagger = std::fs::read_to_string(fixture.join("multiply.swagger.json")).unwrap();
    let mut plain: serde_json::Value = serde_json::from_str(&wrapped).unwrap();
    let plain = plain["data"].take().to_string();
    let render = |schema: &str| {
        let dir = scratch(&[("s.schema.json", schema), ("s.swagger.json", &swagger)]);
        let text = Builder::new().services_dir(dir.path()).render().unwrap();
        // Drop the header (document hashes differ).
        text.split_once("\n\n").unwrap().1.to_string()
    };
    let from_wrapped = render(&wrapped);
    assert_eq!(from_wrapped, render(&plain));
    assert!(from_wrapped.contains("pub a: f64"));
    assert!(from_wrapped.contains("const VERSION: &'static str = \"1.0.0\""));
}
