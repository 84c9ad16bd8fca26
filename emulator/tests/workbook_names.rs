//! Workbooks as actuaries write them: assumptions in defined names that are constants or
//! formulas, and lookups over bare table names. Expected values are derived by hand below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{execute_url, post, publish};
use cspark_emulator::workbook::Workbook;
use rust_xlsxwriter::{Table, TableColumn, TableFunction, Workbook as XlsxBook};
use serde_json::{Map, Value, json};

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Inputs!B2 annual rate, B3 age, B4 base premium; a mortality table `RatesTbl` on sheet
/// `Rates` (ages 20/30/40/50, male and female rates) and a three-row table `Tbl` with a
/// totals row; outputs on `Out`.
fn names_book() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let inputs = book.add_worksheet().set_name("Inputs").unwrap();
    inputs.write_number(1, 1, 0.06).unwrap(); // B2
    inputs.write_number(2, 1, 42).unwrap(); // B3
    inputs.write_number(3, 1, 1000).unwrap(); // B4

    let rates = book.add_worksheet().set_name("Rates").unwrap();
    let rows = [
        (20.0, 0.001, 0.0008),
        (30.0, 0.002, 0.0015),
        (40.0, 0.004, 0.003),
        (50.0, 0.008, 0.006),
    ];
    for (i, (age, male, female)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        rates.write_number(r, 0, *age).unwrap();
        rates.write_number(r, 1, *male).unwrap();
        rates.write_number(r, 2, *female).unwrap();
    }
    let columns = ["Age", "Male", "Female"].map(|h| TableColumn::new().set_header(h));
    rates
        .add_table(
            0,
            0,
            4,
            2,
            &Table::new().set_name("RatesTbl").set_columns(&columns),
        )
        .unwrap();
    // Tbl in E1:E5: heading, 1, 2, 3, totals row (SUM = 6, which SUM(Tbl) must not count).
    for (i, v) in [1.0, 2.0, 3.0].iter().enumerate() {
        rates.write_number(i as u32 + 1, 4, *v).unwrap();
    }
    let total = [TableColumn::new()
        .set_header("Amount")
        .set_total_function(TableFunction::Sum)];
    rates
        .add_table(
            0,
            4,
            4,
            4,
            &Table::new()
                .set_name("Tbl")
                .set_total_row(true)
                .set_columns(&total),
        )
        .unwrap();

    let out = book.add_worksheet().set_name("Out").unwrap();
    out.write_formula(0, 0, "=TaxRate*Inputs!B4").unwrap();
    out.write_formula(1, 0, "=MonthlyRate").unwrap();
    out.write_formula(2, 0, "=Currency").unwrap();
    out.write_formula(3, 0, "=Loaded").unwrap();
    out.write_formula(4, 0, "=VLOOKUP(Inputs!B3, RatesTbl, 3, TRUE)")
        .unwrap();
    out.write_formula(5, 0, "=SUM(Tbl)").unwrap();
    out.write_formula(6, 0, "=SUM(RatesTbl[Male])").unwrap();
    out.write_formula(7, 0, "=ROWS(RatesTbl)*10+COLUMNS(RatesTbl)")
        .unwrap();
    out.write_formula(8, 0, "=LocalFactor*2").unwrap();

    book.define_name("TaxRate", "=0.21").unwrap();
    book.define_name("MonthlyRate", "=Inputs!$B$2/12").unwrap();
    book.define_name("Currency", "=\"GBP\"").unwrap();
    book.define_name("Loaded", "=TaxRate*2+MonthlyRate")
        .unwrap();
    book.define_name("Out!LocalFactor", "=Inputs!$B$4/100")
        .unwrap();
    book.define_name("Xinput_AnnualRate", "=Inputs!$B$2")
        .unwrap();
    book.define_name("Xinput_Age", "=Inputs!$B$3").unwrap();
    book.define_name("Xinput_Base", "=Inputs!$B$4").unwrap();
    for (i, name) in [
        "Tax", "Monthly", "Currency", "Loaded", "QxFemale", "SumTbl", "SumMale", "Shape", "Local",
    ]
    .iter()
    .enumerate()
    {
        book.define_name(format!("Xoutput_{name}"), &format!("=Out!$A${}", i + 1))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn constant_and_formula_names_and_bare_table_names_evaluate() {
    let wb = Workbook::from_xlsx(&names_book(), "names.xlsx").unwrap_or_else(|e| panic!("{e}"));
    // The hidden sheet holding the names is not a sheet of the service.
    assert!(wb.inputs().iter().all(|f| f.sheet != "_CSparkNames"));

    let ev = wb.evaluate(&Map::new(), None);
    let o = &ev.outputs;
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    // TaxRate × base = 0.21 × 1000.
    assert!(close(&o["Tax"], 210.0), "{o:?}");
    // 0.06 / 12.
    assert!(close(&o["Monthly"], 0.005), "{o:?}");
    assert_eq!(o["Currency"], json!("GBP"));
    // 0.21 × 2 + 0.005: a name built from other names.
    assert!(close(&o["Loaded"], 0.425), "{o:?}");
    // Age 42: approximate match lands on the 40 row, third column (female) = 0.003.
    assert!(close(&o["QxFemale"], 0.003), "{o:?}");
    // 1 + 2 + 3; the totals row (another 6) is not part of the bare table name.
    assert!(close(&o["SumTbl"], 6.0), "{o:?}");
    // Structured references still go to the engine: 0.001 + 0.002 + 0.004 + 0.008.
    assert!(close(&o["SumMale"], 0.015), "{o:?}");
    // The data body is 4 rows × 3 columns.
    assert!(close(&o["Shape"], 43.0), "{o:?}");
    // A sheet-scoped formula name: 1000 / 100 × 2.
    assert!(close(&o["Local"], 20.0), "{o:?}");

    // Names follow the inputs.
    let ev = wb.evaluate(
        &obj(json!({"AnnualRate": 0.12, "Age": 25, "Base": 500})),
        None,
    );
    let o = &ev.outputs;
    assert!(close(&o["Tax"], 105.0), "{o:?}"); // 0.21 × 500
    assert!(close(&o["Monthly"], 0.01), "{o:?}"); // 0.12 / 12
    assert!(close(&o["Loaded"], 0.43), "{o:?}"); // 0.42 + 0.01
    assert!(close(&o["QxFemale"], 0.0008), "{o:?}"); // age 25 → the 20 row
    assert!(close(&o["Local"], 10.0), "{o:?}"); // 500 / 100 × 2

    // The rehydrated file (written by the engine, hidden sheet included) loads again and
    // answers the same.
    let file = wb
        .with_inputs_xlsx(&obj(json!({"AnnualRate": 0.12, "Base": 500})))
        .unwrap();
    let again = Workbook::from_xlsx(&file, "again.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let o = again.evaluate(&Map::new(), None).outputs;
    assert!(close(&o["Tax"], 105.0), "{o:?}");
    assert!(close(&o["Monthly"], 0.01), "{o:?}");
    assert!(close(&o["SumTbl"], 6.0), "{o:?}");
}

/// Codes in A2:A6 of `Data` (three filled, one formula answering "", one blank), amounts in
/// B2:B4; the threshold input in `Data!D1`.
fn joins_book() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let s = book.add_worksheet().set_name("Data").unwrap();
    for (i, code) in ["AA", "BB", "CC"].iter().enumerate() {
        s.write_string(i as u32 + 1, 0, *code).unwrap();
    }
    s.write_formula(4, 0, "=\"\"").unwrap(); // A5: an empty string
    for (i, amount) in [10.0, 25.0, 40.0].iter().enumerate() {
        s.write_number(i as u32 + 1, 1, *amount).unwrap();
    }
    s.write_number(0, 3, 20).unwrap(); // D1: threshold
    let formulas = [
        // The usual way to join a filtered list: an IF over a range gives an array.
        "=TEXTJOIN(\",\",TRUE,IF(B2:B4>D1,A2:A4,\"\"))",
        "=CONCAT(IF(B2:B4>D1,A2:A4,\"\"))",
        // ignore_empty TRUE over a range: the blank and the "" are both skipped.
        "=TEXTJOIN(\"-\",TRUE,A2:A6)",
        // ignore_empty FALSE keeps them.
        "=TEXTJOIN(\"-\",FALSE,A2:A6)",
        "=TEXTJOIN(\"; \",TRUE,{\"x\",\"y\"},A2,B2)",
        "=CONCAT(A2:A3,\"/\",B2)",
    ];
    // Excel 365 stores these as dynamic-array formulas (legacy Excel as array formulas):
    // written as plain formulas, the IF would be implicitly intersected.
    for (i, f) in formulas.iter().enumerate() {
        s.write_dynamic_formula(i as u32, 5, *f).unwrap();
    }
    book.define_name("Xinput_Threshold", "=Data!$D$1").unwrap();
    for i in 0..formulas.len() {
        book.define_name(format!("Xoutput_J{i}"), &format!("=Data!$F${}", i + 1))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn text_joins_take_arrays_and_skip_empty_strings() {
    let wb = Workbook::from_xlsx(&joins_book(), "joins.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let ev = wb.evaluate(&Map::new(), None);
    let o = &ev.outputs;
    // Amounts over 20: 25 (BB) and 40 (CC).
    assert_eq!(o["J0"], json!("BB,CC"), "{o:?}");
    assert_eq!(o["J1"], json!("BBCC"), "{o:?}");
    assert_eq!(o["J2"], json!("AA-BB-CC"), "{o:?}");
    assert_eq!(o["J3"], json!("AA-BB-CC--"), "{o:?}");
    assert_eq!(o["J4"], json!("x; y; AA; 10"), "{o:?}");
    assert_eq!(o["J5"], json!("AABB/10"), "{o:?}");
    assert!(wb.load_warnings().is_empty(), "{:?}", wb.load_warnings());
    // The joins follow the inputs: over 5, all three; over 100, none.
    let ev = wb.evaluate(&obj(json!({"Threshold": 5})), None);
    assert_eq!(ev.outputs["J0"], json!("AA,BB,CC"));
    let ev = wb.evaluate(&obj(json!({"Threshold": 100})), None);
    assert_eq!(ev.outputs["J0"], json!(""));
    assert_eq!(ev.outputs["J1"], json!(""));

    // The rehydrated file holds the rewritten joins; it loads again and answers the same.
    let file = wb.with_inputs_xlsx(&obj(json!({"Threshold": 30}))).unwrap();
    let again = Workbook::from_xlsx(&file, "again.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let o = again.evaluate(&Map::new(), None).outputs;
    assert_eq!(o["J0"], json!("CC"), "{o:?}");
    assert_eq!(o["J2"], json!("AA-BB-CC"), "{o:?}");
}

/// The same workbooks published and called over HTTP, as a caller of Spark would.
#[tokio::test]
async fn names_tables_and_joins_over_http() {
    let h = common::start().await;
    publish(&h, "actuarial", "names", names_book(), json!({})).await;
    publish(&h, "actuarial", "joins", joins_book(), json!({})).await;

    let (status, body) = post(
        &execute_url(&h, "actuarial", "names"),
        json!({"request_data": {"inputs": {"AnnualRate": 0.09, "Age": 55, "Base": 2000}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let out = &body["response_data"]["outputs"];
    // 0.21 × 2000; 0.09 / 12; 0.42 + 0.0075; age 55 → the 50 row, female 0.006.
    assert!(close(&out["Tax"], 420.0), "{body}");
    assert!(close(&out["Monthly"], 0.0075), "{body}");
    assert!(close(&out["Loaded"], 0.4275), "{body}");
    assert!(close(&out["QxFemale"], 0.006), "{body}");
    assert!(close(&out["SumTbl"], 6.0), "{body}");
    assert_eq!(body["response_data"]["errors"], Value::Null, "{body}");

    let (status, body) = post(
        &execute_url(&h, "actuarial", "joins"),
        json!({"request_data": {"inputs": {"Threshold": 15}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Amounts over 15: 25 (BB) and 40 (CC).
    assert_eq!(body["response_data"]["outputs"]["J0"], "BB,CC", "{body}");
    assert_eq!(body["response_data"]["outputs"]["J2"], "AA-BB-CC", "{body}");
}
