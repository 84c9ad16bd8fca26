//! Excel errors as a caller sees them: the engine's own error strings mapped to Excel's set,
//! an `errors` entry naming each output cell that holds an error (the value stays in
//! `outputs`), a warning at upload naming each cell that calls a function the engine does not
//! implement, and schema types that do not come from an error value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{KEY, client, decode, execute_url, get, post};
use cspark_emulator::workbook::{DataType, Workbook};
use rust_xlsxwriter::{Format, Workbook as XlsxBook};
use serde_json::{Value, json};

/// Inputs: Divisor (B2, 4), Code (B3, "B"), Years (B4, 0). Codes table D2:E4 (A/B/C → labels).
/// Outputs on `Out`:
/// A1 Ratio = 100 / Divisor; A2 Label = VLOOKUP(Code, codes, 2, FALSE);
/// A3 Fallback = IFERROR(FOOBARBAZ(1), -1) (a function nobody implements);
/// A4 Forecast = FORECAST.ETS (a function the engine knows but does not implement);
/// A5 Circ = a cell that refers to itself;
/// A6 PerYear = 1000 / Years with format 0.00 (an error at upload, a number otherwise);
/// A7 Initial = LEFT(Code, 1 / Years) (an error at upload, text otherwise).
fn errors_book() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let inputs = book.add_worksheet().set_name("Inputs").unwrap();
    inputs.write_number(1, 1, 4).unwrap();
    inputs.write_string(2, 1, "B").unwrap();
    inputs.write_number(3, 1, 0).unwrap();
    for (i, (code, label)) in [("A", "Alpha"), ("B", "Beta"), ("C", "Gamma")]
        .iter()
        .enumerate()
    {
        inputs.write_string(i as u32 + 1, 3, *code).unwrap();
        inputs.write_string(i as u32 + 1, 4, *label).unwrap();
    }
    let out = book.add_worksheet().set_name("Out").unwrap();
    out.write_formula(0, 0, "=100/Inputs!B2").unwrap();
    out.write_formula(1, 0, "=VLOOKUP(Inputs!B3,Inputs!D2:E4,2,FALSE)")
        .unwrap();
    out.write_formula(2, 0, "=IFERROR(FOOBARBAZ(1),-1)")
        .unwrap();
    out.write_formula(3, 0, "=FORECAST.ETS(4,Inputs!B2:B4,Inputs!B2:B4)")
        .unwrap();
    out.write_formula(4, 0, "=A5+1").unwrap();
    let two_places = Format::new().set_num_format("0.00");
    out.write_formula_with_format(5, 0, "=1000/Inputs!B4", &two_places)
        .unwrap();
    out.write_formula(6, 0, "=LEFT(Inputs!B3,1/Inputs!B4)")
        .unwrap();
    book.define_name("Xinput_Divisor", "=Inputs!$B$2").unwrap();
    book.define_name("Xinput_Code", "=Inputs!$B$3").unwrap();
    book.define_name("Xinput_Years", "=Inputs!$B$4").unwrap();
    for (i, name) in [
        "Ratio", "Label", "Fallback", "Forecast", "Circ", "PerYear", "Initial",
    ]
    .iter()
    .enumerate()
    {
        book.define_name(format!("Xoutput_{name}"), &format!("=Out!$A${}", i + 1))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn schema_types_come_from_format_and_formula_not_from_an_error() {
    let wb = Workbook::from_xlsx(&errors_book(), "errors.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let ty = |name: &str| {
        wb.outputs()
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.data_type)
            .unwrap()
    };
    // 1000 / 0 is #DIV/0! at upload, but the cell is formatted 0.00: a number.
    assert_eq!(ty("PerYear"), DataType::Number);
    // LEFT(...) is #DIV/0! at upload: its outermost function returns text.
    assert_eq!(ty("Initial"), DataType::Text);
    // 100 / 4 at upload.
    assert_eq!(ty("Ratio"), DataType::Number);
}

fn errors_of(body: &Value) -> Vec<Value> {
    body.as_array().cloned().unwrap_or_default()
}

fn entry_for<'a>(errors: &'a [Value], output: &str) -> Option<&'a Value> {
    errors
        .iter()
        .find(|e| e["source_path"] == json!(output) && e["error_category"] == "calculation_error")
}

#[tokio::test]
async fn output_errors_are_named_and_unsupported_functions_warned_at_upload() {
    let h = common::start().await;
    let base = format!("{}/api/v3/folders/f/services/errs", h.base_url());
    let entity = json!({"request_data": {}}).to_string();
    let form = reqwest::multipart::Form::new()
        .text("engineUploadRequestEntity", entity)
        .part(
            "serviceFile",
            reqwest::multipart::Part::bytes(errors_book()).file_name("errs.xlsx"),
        );
    let res = client()
        .post(format!("{base}/upload"))
        .header("x-synthetic-key", KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, upload) = decode(res).await;
    assert_eq!(status, 200, "{upload}");
    let rd = &upload["response_data"];
    let warnings = rd["warnings"].as_array().cloned().unwrap_or_default();
    // The unknown function, named with its cell, even behind IFERROR.
    assert!(
        warnings.iter().any(|w| w["source_path"] == "Out!A3"
            && w["message"].as_str().unwrap_or("").contains("FOOBARBAZ")),
        "{warnings:?}"
    );
    // A known function the engine does not implement (FORECAST.ETS).
    assert!(
        warnings.iter().any(|w| w["source_path"] == "Out!A4"),
        "{warnings:?}"
    );
    // Cells that compute fine are not named.
    assert!(
        !warnings.iter().any(|w| w["source_path"] == "Out!A1"),
        "{warnings:?}"
    );

    // Publish the draft.
    let job = rd["nodegen_compilation_jobid"].as_str().unwrap();
    let (status, _) = get(&format!("{base}/getcompilationprogess/{job}")).await;
    assert_eq!(status, 200);
    let publish = json!({"request_data": {
        "original_file_documentid": rd["original_file_documentid"],
        "engine_file_documentid": rd["engine_file_documentid"],
        "draft_service_name": "errs"}});
    let (status, published) = post(&format!("{base}/publish"), publish).await;
    assert_eq!(status, 200, "{published}");

    let url = execute_url(&h, "f", "errs");
    // Divisor 5, code C: Ratio 100/5 = 20, Label Gamma; Years 1: PerYear 1000 / 1 = 1000,
    // Initial LEFT("C", 1 / 1) = "C".
    let (status, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Divisor": 5, "Code": "C", "Years": 1}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let out = &body["response_data"]["outputs"];
    assert_eq!(out["Ratio"], 20, "{body}");
    assert_eq!(out["Label"], "Gamma", "{body}");
    assert_eq!(out["PerYear"], 1000, "{body}");
    assert_eq!(out["Initial"], "C", "{body}");
    // IFERROR around the unknown function answers its fallback.
    assert_eq!(out["Fallback"], -1, "{body}");
    // The engine's own #N/IMPL! and #CIRC! reach the caller as Excel's #CALC!.
    assert_eq!(out["Forecast"], "#CALC!", "{body}");
    assert_eq!(out["Circ"], "#CALC!", "{body}");
    let errors = errors_of(&body["response_data"]["errors"]);
    let joined = entry_for(&errors, "Forecast").unwrap_or_else(|| panic!("{body}"));
    assert_eq!(joined["additional_details"]["cell"], "Out!A4");
    assert_eq!(joined["additional_details"]["value"], "#CALC!");
    assert!(joined["message"].as_str().unwrap().contains("Out!A4"));
    let circ = entry_for(&errors, "Circ").unwrap_or_else(|| panic!("{body}"));
    assert!(
        circ["message"].as_str().unwrap().contains("circular"),
        "{circ}"
    );
    assert!(entry_for(&errors, "Ratio").is_none(), "{body}");
    assert_eq!(body["status"], "Success");

    // Divisor 0, code Z: #DIV/0! and #N/A stay in outputs, and each is named in errors.
    let (status, body) = post(
        &url,
        json!({"request_data": {"inputs": {"Divisor": 0, "Code": "Z", "Years": 2}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let out = &body["response_data"]["outputs"];
    assert_eq!(out["Ratio"], "#DIV/0!", "{body}");
    assert_eq!(out["Label"], "#N/A", "{body}");
    let errors = errors_of(&body["response_data"]["errors"]);
    let ratio = entry_for(&errors, "Ratio").unwrap_or_else(|| panic!("{body}"));
    assert_eq!(ratio["additional_details"]["cell"], "Out!A1");
    assert_eq!(ratio["additional_details"]["value"], "#DIV/0!");
    let label = entry_for(&errors, "Label").unwrap_or_else(|| panic!("{body}"));
    assert_eq!(label["additional_details"]["cell"], "Out!A2");
    assert_eq!(label["additional_details"]["value"], "#N/A");

    // v4: errors are per record, parallel to outputs.
    let (status, body) = post(
        &format!("{}/api/v4/execute", h.base_url()),
        json!({"service": "f/errs", "inputs": [
            {"Divisor": 0, "Code": "A", "Years": 1},
            {"Divisor": 2, "Code": "A", "Years": 1}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outputs"][0]["Ratio"], "#DIV/0!", "{body}");
    assert_eq!(body["outputs"][1]["Ratio"], 50, "{body}");
    let first = errors_of(&body["errors"][0]);
    assert!(entry_for(&first, "Ratio").is_some(), "{body}");
    let second = errors_of(&body["errors"][1]);
    assert!(entry_for(&second, "Ratio").is_none(), "{body}");
}
