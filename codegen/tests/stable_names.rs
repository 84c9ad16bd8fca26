//! Names that never move: the identifiers chosen for a service are recorded in `cspark.lock`
//! and kept when fields are added, so old code never reads a new column by mistake.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use cspark_codegen::fetch::{ServiceRef, store};
use cspark_codegen::{Builder, Lockfile};

/// A swagger document whose execute operation takes `inputs` (all numbers) and returns
/// `Total`.
fn swagger(inputs: &[&str]) -> Vec<u8> {
    let props: serde_json::Map<String, serde_json::Value> = inputs
        .iter()
        .map(|n| (n.to_string(), serde_json::json!({"type": "number"})))
        .collect();
    let obj = |key: &str, inner: serde_json::Value| serde_json::json!({"type": "object", "properties": {key: inner}});
    serde_json::json!({"swagger": "2.0", "paths": {"/{tenant}/api/v3/folders/{product}/services/{engine}/execute": {"post": {
        "parameters": [{"name": "request", "in": "body", "schema":
            obj("request_data", obj("inputs", serde_json::json!({"type": "object", "properties": props})))}],
        "responses": {"200": {"schema":
            obj("response_data", obj("outputs", serde_json::json!({"type": "object", "properties": {"Total": {"type": "number"}}})))}}
    }}}})
    .to_string()
    .into_bytes()
}

fn schema(inputs: &[&str]) -> Vec<u8> {
    let cells: Vec<serde_json::Value> = inputs
        .iter()
        .map(|n| serde_json::json!({"name": n, "dataType": "NUMBER"}))
        .collect();
    serde_json::json!({"xlInputs": cells, "xOutput": [{"name": "Total", "dataType": "NUMBER"}]})
        .to_string()
        .into_bytes()
}

fn fetch(dir: &Path, inputs: &[&str]) {
    store(
        dir,
        &ServiceRef::parse("loans/quote").unwrap(),
        Some("1.0.0"),
        None,
        &swagger(inputs),
        &schema(inputs),
    )
    .unwrap();
}

fn render(dir: &Path) -> String {
    Builder::new().services_dir(dir).render().unwrap()
}

/// The identifier of the field whose wire name is `wire`, read from the generated code.
fn field_for(code: &str, wire: &str) -> String {
    let attr = format!("#[serde(rename = \"{wire}\")]");
    let at = code
        .find(&attr)
        .unwrap_or_else(|| panic!("{wire} not in {code}"));
    let rest = &code[at + attr.len()..];
    let decl = rest.trim_start().strip_prefix("pub ").unwrap();
    decl.split(':').next().unwrap().to_string()
}

#[test]
fn a_case_colliding_new_field_never_takes_an_existing_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fetch(dir, &["Loan Amount"]);
    assert_eq!(field_for(&render(dir), "Loan Amount"), "loan_amount");
    let lock = Lockfile::read_dir(dir).unwrap().unwrap();
    assert_eq!(
        lock.services[0].names["inputs"]["Loan Amount"],
        "loan_amount"
    );

    // The new version adds `LOAN AMOUNT`, which sorts first and snake-cases the same.
    fetch(dir, &["LOAN AMOUNT", "Loan Amount"]);
    let code = render(dir);
    assert_eq!(field_for(&code, "Loan Amount"), "loan_amount");
    assert_eq!(field_for(&code, "LOAN AMOUNT"), "loan_amount_2");
    let lock = Lockfile::read_dir(dir).unwrap().unwrap();
    assert_eq!(
        lock.services[0].names["inputs"]["LOAN AMOUNT"],
        "loan_amount_2"
    );
}

#[test]
fn a_lock_written_before_names_were_recorded_keeps_the_names_of_the_documents_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fetch(dir, &["Loan Amount"]);
    // An older lock: no `names`.
    let mut lock = Lockfile::read_dir(dir).unwrap().unwrap();
    lock.services[0].names.clear();
    std::fs::write(dir.join("cspark.lock"), lock.to_json()).unwrap();

    fetch(dir, &["LOAN AMOUNT", "Loan Amount"]);
    let code = render(dir);
    assert_eq!(field_for(&code, "Loan Amount"), "loan_amount");
    assert_eq!(field_for(&code, "LOAN AMOUNT"), "loan_amount_2");
}

#[test]
fn relock_records_names_and_keeps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fetch(dir, &["Loan Amount", "loan-amount"]);
    // A hand-edited record (still an identifier the generator could produce) is kept by
    // `lock` and by generation; one that is not an identifier is ignored.
    let mut lock = Lockfile::read_dir(dir).unwrap().unwrap();
    let inputs = lock.services[0].names.get_mut("inputs").unwrap();
    inputs.insert("loan-amount".into(), "amount_of_loan".into());
    inputs.insert("Loan Amount".into(), "x; fn evil() {}".into());
    std::fs::write(dir.join("cspark.lock"), lock.to_json()).unwrap();
    let relocked = cspark_codegen::relock(dir).unwrap();
    assert_eq!(
        relocked.services[0].names["inputs"]["loan-amount"],
        "amount_of_loan"
    );
    assert_eq!(
        relocked.services[0].names["inputs"]["Loan Amount"],
        "loan_amount"
    );
    let code = render(dir);
    assert_eq!(field_for(&code, "loan-amount"), "amount_of_loan");
    assert!(!code.contains("evil"));
}
