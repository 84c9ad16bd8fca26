//! Edge cases on workbooks built inside the test: prefix casing, table headings with spaces,
//! empty trailing rows, formula defaults, sheet names with spaces, and files that are not
//! services (always a `WorkbookError`, never a panic).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Read, Write};

use cspark_emulator::workbook::{DataType, Shape, Workbook, WorkbookError};
use rust_xlsxwriter::{Format, Workbook as XlsxBook};
use serde_json::{Map, Value, json};

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn load(bytes: &[u8]) -> Workbook {
    Workbook::from_xlsx(bytes, "edge.xlsx").unwrap_or_else(|e| panic!("{e}"))
}

/// Rewrites one part of an xlsx package (for what rust_xlsxwriter cannot write).
fn patch_part(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if name == part {
            content = edit(String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A workbook exercising the conventions at their edges.
fn edge_book() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet().set_name("My Inputs").unwrap();
    sheet.write_number(1, 1, 3).unwrap(); // B2: XINPUT_count
    sheet.write_formula(2, 1, "=B2*10").unwrap(); // B3: xinput_Scaled, formula default
    sheet.write_string(3, 1, "hello").unwrap(); // B4: Xinput_Greeting
    sheet.write_blank(4, 1, &text).unwrap(); // B5: Xinput_Note, blank text cell
    sheet.write_number_with_format(5, 1, 45292, &date).unwrap(); // B6: Xinput_When
    // Table D2:E6 with spaces in headings, two rows filled.
    sheet.write_string(1, 3, "Item Name").unwrap();
    sheet.write_string(1, 4, "Unit Price ($)").unwrap();
    sheet.write_string(2, 3, "pen").unwrap();
    sheet.write_number(2, 4, 1.5).unwrap();
    sheet.write_string(3, 3, "book").unwrap();
    sheet.write_number(3, 4, 12).unwrap();

    let out = book.add_worksheet().set_name("Out").unwrap();
    out.write_formula(0, 0, "='My Inputs'!B2+'My Inputs'!B3")
        .unwrap(); // A1: xOutPut_Sum
    out.write_formula(1, 0, "=ISBLANK('My Inputs'!B4)").unwrap(); // A2: Xoutput_GreetingBlank
    out.write_formula(2, 0, "='My Inputs'!B4").unwrap(); // A3: Xoutput_Echo
    out.write_formula_with_format(3, 0, "='My Inputs'!B6+1", &date)
        .unwrap(); // A4: Xoutput_NextDay
    // Output table C1:D6: a copy of the input table, "" for empty rows.
    out.write_string(0, 2, "Item Name").unwrap();
    out.write_string(0, 3, "Price incl. tax").unwrap();
    for r in 0..5u32 {
        let src = r + 3;
        out.write_formula(
            r + 1,
            2,
            format!("=IF('My Inputs'!D{src}=\"\",\"\",'My Inputs'!D{src})").as_str(),
        )
        .unwrap();
        out.write_formula(
            r + 1,
            3,
            format!("=IF('My Inputs'!D{src}=\"\",\"\",'My Inputs'!E{src}*1.2)").as_str(),
        )
        .unwrap();
    }
    out.write_formula(6, 0, "=COUNTA('My Inputs'!D3:D6)")
        .unwrap(); // A7: Xoutput_Items

    book.define_name("XINPUT_count", "='My Inputs'!$B$2")
        .unwrap();
    book.define_name("xinput_Scaled", "='My Inputs'!$B$3")
        .unwrap();
    book.define_name("Xinput_Greeting", "='My Inputs'!$B$4")
        .unwrap();
    book.define_name("Xinput_Note", "='My Inputs'!$B$5")
        .unwrap();
    book.define_name("Xinput_When", "='My Inputs'!$B$6")
        .unwrap();
    book.define_name("Xinput_Basket", "='My Inputs'!$D$2:$E$6")
        .unwrap();
    book.define_name("xOutPut_Sum", "=Out!$A$1").unwrap();
    book.define_name("Xoutput_GreetingBlank", "=Out!$A$2")
        .unwrap();
    book.define_name("Xoutput_Echo", "=Out!$A$3").unwrap();
    book.define_name("Xoutput_NextDay", "=Out!$A$4").unwrap();
    book.define_name("Xoutput_Priced", "=Out!$C$1:$D$6")
        .unwrap();
    book.define_name("Xoutput_Items", "=Out!$A$7").unwrap();
    book.define_name("Helper", "=Out!$A$1").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn prefixes_match_case_insensitively_and_names_keep_their_case() {
    let book = load(&edge_book());
    let inputs: Vec<(&str, u32)> = book
        .inputs()
        .iter()
        .map(|f| (f.name.as_str(), f.sheet_index))
        .collect();
    assert_eq!(
        inputs,
        [
            ("Basket", 0),
            ("count", 0),
            ("Greeting", 0),
            ("Note", 0),
            ("Scaled", 0),
            ("When", 0)
        ]
    );
    let outputs: Vec<&str> = book.outputs().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        outputs,
        ["Echo", "GreetingBlank", "Items", "NextDay", "Priced", "Sum"]
    );
    assert!(
        book.outputs()
            .iter()
            .all(|f| f.sheet == "Out" && f.sheet_index == 1)
    );
    let count = &book.inputs()[1];
    assert_eq!(
        (count.sheet.as_str(), count.address.as_str()),
        ("My Inputs", "B2")
    );
}

#[test]
fn types_formats_and_formula_defaults() {
    let book = load(&edge_book());
    let get = |name: &str| book.inputs().iter().find(|f| f.name == name).unwrap();
    // A formula in an input is evaluated once at load; the result is the default.
    assert_eq!(get("Scaled").default, json!(30));
    assert_eq!(get("Scaled").data_type, DataType::Number);
    assert_eq!(get("Note").data_type, DataType::Text);
    assert_eq!(get("Note").default, Value::Null);
    assert_eq!(get("Note").number_format, "@");
    assert_eq!(get("When").data_type, DataType::Date);
    assert_eq!(get("When").default, json!("2024-01-01"));
    assert_eq!(get("When").number_format, "dd/mm/yyyy");
    let basket = get("Basket");
    assert_eq!(basket.address, "D2:E6");
    assert_eq!(
        basket.shape,
        Shape::Table {
            columns: vec![
                ("Item Name".into(), DataType::Text),
                ("Unit Price ($)".into(), DataType::Number)
            ],
            rows: 4
        }
    );
    assert_eq!(
        basket.default,
        json!([{"Item Name": "pen", "Unit Price ($)": 1.5}, {"Item Name": "book", "Unit Price ($)": 12}])
    );
    // The frozen formula no longer follows its precedent: changing count leaves Scaled at 30.
    let ev = book.evaluate(&obj(json!({"count": 5})), Some(&["Sum".into()]));
    assert_eq!(ev.outputs["Sum"], json!(35));
}

#[test]
fn output_tables_drop_empty_trailing_rows_only() {
    let book = load(&edge_book());
    let ev = book.evaluate(&Map::new(), Some(&["Priced".into()]));
    assert_eq!(
        ev.outputs["Priced"],
        json!([{"Item Name": "pen", "Price incl. tax": 1.8}, {"Item Name": "book", "Price incl. tax": 14.4}])
    );
    // A gap in the middle is kept, trailing empty rows are not.
    let basket = json!([
        {"Item Name": "a", "Unit Price ($)": 1},
        {},
        {"Item Name": "c", "Unit Price ($)": "2.5"}
    ]);
    let ev = book.evaluate(
        &obj(json!({"Basket": basket})),
        Some(&["Priced".into(), "Items".into()]),
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert_eq!(
        ev.outputs["Priced"],
        json!([
            {"Item Name": "a", "Price incl. tax": 1.2},
            {"Item Name": "", "Price incl. tax": ""},
            {"Item Name": "c", "Price incl. tax": 3}
        ])
    );
    assert_eq!(ev.outputs["Items"], json!(2));
    assert_eq!(
        ev.inputs["Basket"][2],
        json!({"Item Name": "c", "Unit Price ($)": 2.5})
    );
}

#[test]
fn text_null_and_date_inputs() {
    let book = load(&edge_book());
    // Text that looks like a formula stays text.
    let ev = book.evaluate(&obj(json!({"Greeting": "=1+1"})), None);
    assert_eq!(ev.outputs["Echo"], json!("=1+1"));
    // null clears the cell.
    let ev = book.evaluate(&obj(json!({"Greeting": null})), None);
    assert_eq!(ev.outputs["GreetingBlank"], json!(true));
    // and the default comes back on the next call.
    let ev = book.evaluate(&Map::new(), None);
    assert_eq!(ev.outputs["Echo"], json!("hello"));
    assert_eq!(ev.outputs["GreetingBlank"], json!(false));
    // Dates in and out as YYYY-MM-DD; serials accepted.
    let ev = book.evaluate(&obj(json!({"When": "2024-02-28"})), None);
    assert_eq!(ev.outputs["NextDay"], json!("2024-02-29"));
    let ev = book.evaluate(&obj(json!({"When": 45351})), None);
    assert_eq!(ev.outputs["NextDay"], json!("2024-03-01"));
    assert_eq!(ev.inputs["When"], json!("2024-02-29"));
    // A TEXT input takes numbers as they are.
    let ev = book.evaluate(&obj(json!({"Greeting": 42})), None);
    assert_eq!(ev.outputs["Echo"], json!(42));
}

#[test]
fn defined_name_comments_become_descriptions() {
    let bytes = patch_part(&edge_book(), "xl/workbook.xml", |xml| {
        xml.replace(
            "<definedName name=\"XINPUT_count\">",
            "<definedName name=\"XINPUT_count\" comment=\"How many &amp; why\">",
        )
    });
    let book = load(&bytes);
    let count = book.inputs().iter().find(|f| f.name == "count").unwrap();
    assert_eq!(count.description.as_deref(), Some("How many & why"));
    assert!(
        book.inputs()
            .iter()
            .filter(|f| f.name != "count")
            .all(|f| f.description.is_none())
    );
}

fn simple_book(names: &[(&str, &str)], setup: impl Fn(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = XlsxBook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 0, 1).unwrap();
    sheet.write_formula(0, 1, "=A1*2").unwrap();
    setup(sheet);
    for (name, formula) in names {
        book.define_name(*name, formula).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn not_a_service(bytes: &[u8]) -> String {
    match Workbook::from_xlsx(bytes, "bad.xlsx") {
        Err(WorkbookError::NotAService { file, reason }) => {
            assert_eq!(file, "bad.xlsx");
            reason
        }
        Err(other) => panic!("expected NotAService, got {other}"),
        Ok(_) => panic!("expected NotAService, got a service"),
    }
}

fn unreadable(bytes: &[u8]) {
    match Workbook::from_xlsx(bytes, "bad.xlsx") {
        Err(WorkbookError::Unreadable { file, .. }) => assert_eq!(file, "bad.xlsx"),
        Err(other) => panic!("expected Unreadable, got {other}"),
        Ok(_) => panic!("expected Unreadable, got a service"),
    }
}

#[test]
fn a_service_without_inputs_is_a_service() {
    let none = |_: &mut rust_xlsxwriter::Worksheet| {};
    let book = Workbook::from_xlsx(
        &simple_book(&[("Xoutput_Doubled", "=Sheet1!$B$1")], none),
        "constant.xlsx",
    )
    .unwrap();
    assert!(book.inputs().is_empty());
    let ev = book.evaluate(&serde_json::Map::new(), None);
    assert_eq!(ev.outputs["Doubled"], serde_json::json!(2));
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
}

#[test]
fn files_that_are_not_services() {
    let none = |_: &mut rust_xlsxwriter::Worksheet| {};
    // No names at all, or only other names: nothing to call.
    assert!(not_a_service(&simple_book(&[], none)).contains("Xoutput"));
    assert!(not_a_service(&simple_book(&[("Rate", "=Sheet1!$A$1")], none)).contains("Xoutput"));
    // Inputs but no outputs.
    assert!(not_a_service(&simple_book(&[("Xinput_a", "=Sheet1!$A$1")], none)).contains("Xoutput"));
    // A name on a missing sheet or not a range.
    let reason = not_a_service(&simple_book(
        &[("Xinput_a", "=Nope!$A$1"), ("Xoutput_b", "=Sheet1!$B$1")],
        none,
    ));
    assert!(reason.contains("Xinput_a"), "{reason}");
    let reason = not_a_service(&simple_book(
        &[("Xinput_a", "=42"), ("Xoutput_b", "=Sheet1!$B$1")],
        none,
    ));
    assert!(reason.contains("Xinput_a"), "{reason}");
    // Tables need a unique, non-empty heading per column.
    let reason = not_a_service(&simple_book(
        &[
            ("Xinput_t", "=Sheet1!$D$1:$E$3"),
            ("Xoutput_b", "=Sheet1!$B$1"),
        ],
        |s| {
            s.write_string(0, 3, "Same").unwrap();
            s.write_string(0, 4, "Same").unwrap();
        },
    ));
    assert!(reason.contains("Same"), "{reason}");
    let reason = not_a_service(&simple_book(
        &[
            ("Xinput_t", "=Sheet1!$D$1:$E$3"),
            ("Xoutput_b", "=Sheet1!$B$1"),
        ],
        |s| {
            s.write_string(0, 3, "Only").unwrap();
        },
    ));
    assert!(reason.contains("empty heading"), "{reason}");
    // A well-formed minimal service loads.
    let ok = simple_book(
        &[("Xinput_a", "=Sheet1!$A$1"), ("Xoutput_b", "=Sheet1!$B$1")],
        none,
    );
    let book = load(&ok);
    let ev = book.evaluate(&obj(json!({"a": 21})), None);
    assert_eq!(ev.outputs["b"], json!(42));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    unreadable(b"");
    unreadable(b"definitely not a zip file");
    unreadable(&[0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
    // A zip without a workbook.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hi").unwrap();
    unreadable(&zip.finish().unwrap().into_inner());
    // Truncated and corrupted copies of a real service.
    let good = edge_book();
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 10] {
        assert!(
            Workbook::from_xlsx(&good[..cut], "cut.xlsx").is_err(),
            "cut at {cut}"
        );
    }
    // Broken XML inside a valid zip.
    let broken = patch_part(&good, "xl/workbook.xml", |xml| {
        xml.replace("</definedNames>", "<definedNames>")
    });
    assert!(Workbook::from_xlsx(&broken, "broken.xlsx").is_err());
    let broken = patch_part(&good, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("<sheetData>", "<sheetData><row")
    });
    assert!(Workbook::from_xlsx(&broken, "broken.xlsx").is_err());
}

#[test]
fn sheet_scoped_names_and_subservices() {
    let bytes = simple_book(
        &[
            ("Sheet1!Xinput_calc.a", "=Sheet1!$A$1"),
            ("Xoutput_calc.b", "=Sheet1!$B$1"),
            ("Xoutput_metadata.Version", "=Sheet1!$C$1"),
        ],
        |s| {
            s.write_string(0, 2, "1.2.3").unwrap();
        },
    );
    let book = load(&bytes);
    assert_eq!(book.inputs()[0].name, "a");
    assert_eq!(book.inputs()[0].subservice.as_deref(), Some("calc"));
    let subs: Vec<_> = book
        .outputs()
        .iter()
        .map(|f| (f.name.as_str(), f.subservice.as_deref()))
        .collect();
    assert_eq!(subs, [("b", Some("calc")), ("Version", Some("metadata"))]);
    let ev = book.evaluate(&obj(json!({"a": 4})), None);
    assert_eq!(ev.outputs["b"], json!(8));
    assert_eq!(ev.outputs["Version"], json!("1.2.3"));
}

#[test]
fn date_text_length_strict_and_range_list_validations() {
    use rust_xlsxwriter::{DataValidation, DataValidationRule, ExcelDateTime};
    let mut book = XlsxBook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.write_number_with_format(0, 0, 45300, &date).unwrap(); // A1 date
    sheet.write_string(1, 0, "abc").unwrap(); // A2 code
    sheet.write_number(2, 0, 5).unwrap(); // A3 count
    sheet.write_number(3, 0, 2).unwrap(); // A4 size, list from C1:C3 (numbers)
    for (i, n) in [1, 2, 4].iter().enumerate() {
        sheet.write_number(i as u32, 2, *n).unwrap();
    }
    sheet.write_formula(0, 1, "=A1+A3+LEN(A2)+A4").unwrap();
    let from = ExcelDateTime::from_ymd(2024, 1, 1).unwrap();
    let to = ExcelDateTime::from_ymd(2024, 12, 31).unwrap();
    let dates = DataValidation::new().allow_date(DataValidationRule::Between(from, to));
    sheet.add_data_validation(0, 0, 0, 0, &dates).unwrap();
    let length = DataValidation::new().allow_text_length(DataValidationRule::LessThanOrEqualTo(5));
    sheet.add_data_validation(1, 0, 1, 0, &length).unwrap();
    let positive = DataValidation::new().allow_whole_number(DataValidationRule::GreaterThan(0));
    sheet.add_data_validation(2, 0, 2, 0, &positive).unwrap();
    let sizes = DataValidation::new().allow_list_formula("=$C$1:$C$3".into());
    sheet.add_data_validation(3, 0, 3, 0, &sizes).unwrap();
    for (name, cell) in [
        ("When", "A1"),
        ("Code", "A2"),
        ("Count", "A3"),
        ("Size", "A4"),
    ] {
        book.define_name(
            format!("Xinput_{name}"),
            &format!("=Sheet1!${}${}", &cell[..1], &cell[1..]),
        )
        .unwrap();
    }
    book.define_name("Xoutput_Out", "=Sheet1!$B$1").unwrap();
    let book = load(&book.save_to_buffer().unwrap());

    let get = |name: &str| book.inputs().iter().find(|f| f.name == name).unwrap();
    // Date and text-length rules are enforced but not reported as a `Validation`.
    assert_eq!(get("When").validation, None);
    assert_eq!(get("Code").validation, None);
    assert_eq!(
        get("Count").validation,
        Some(cspark_emulator::workbook::Validation::Number {
            min: Some(0.0),
            max: None,
            whole: true
        })
    );
    assert_eq!(
        get("Size").validation,
        Some(cspark_emulator::workbook::Validation::List(vec![
            json!(1),
            json!(2),
            json!(4)
        ]))
    );

    let ok = book.evaluate(
        &obj(json!({"When": "2024-06-01", "Code": "abcde", "Count": 1, "Size": 4})),
        None,
    );
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    let bad = book.evaluate(
        &obj(json!({"When": "2025-01-01", "Code": "abcdef", "Count": 0, "Size": 3})),
        None,
    );
    let message = |field: &str| {
        bad.errors
            .iter()
            .find(|e| e.field == field)
            .unwrap_or_else(|| panic!("no error for {field}: {:?}", bad.errors))
            .message
            .clone()
    };
    assert!(
        message("When").contains("2025-01-01") && message("When").contains("2024-12-31"),
        "{}",
        message("When")
    );
    assert!(message("Code").contains("abcdef"), "{}", message("Code"));
    assert!(message("Count").contains("above 0"), "{}", message("Count"));
    assert!(message("Size").contains('3'), "{}", message("Size"));
    assert_eq!(bad.errors.len(), 4);
    // Outputs are still computed with the given values.
    // 2025-01-01 is serial 45658; Count 0; LEN("abcdef") 6; Size 3.
    assert_eq!(bad.outputs["Out"], json!(45658 + 6 + 3));
}

/// Deterministic pseudo-random corruptions: loading must return (never panic), and whatever
/// loads must evaluate without panicking.
#[test]
fn corrupted_files_never_panic() {
    let good = edge_book();
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let try_load = |bytes: &[u8]| {
        if let Ok(book) = Workbook::from_xlsx(bytes, "fuzz.xlsx") {
            let _ = book.evaluate(
                &obj(json!({"count": 2, "Basket": [{"Item Name": "x"}]})),
                None,
            );
        }
    };
    for _ in 0..150 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 4 {
            let at = next() % bytes.len();
            bytes[at] = next() as u8;
        }
        try_load(&bytes);
    }
    for part in [
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/styles.xml",
    ] {
        for _ in 0..40 {
            let (cut, at, byte) = (next(), next(), next() as u8);
            let corrupted = patch_part(&good, part, |xml| {
                let mut bytes = xml.into_bytes();
                if cut % 2 == 0 {
                    bytes.truncate(cut % bytes.len());
                } else {
                    let at = at % bytes.len();
                    bytes[at] = if byte.is_ascii() { byte } else { b'<' };
                }
                String::from_utf8_lossy(&bytes).into_owned()
            });
            try_load(&corrupted);
        }
    }
}

/// Every distinct text input grows the engine's string table; pooled models are replaced
/// from the template once it grows too much, without changing results.
#[test]
fn many_distinct_text_inputs() {
    let book = load(&edge_book());
    for i in 0..4500 {
        let greeting = format!("hello #{i}");
        let ev = book.evaluate(&obj(json!({"Greeting": greeting})), Some(&["Echo".into()]));
        assert_eq!(ev.outputs["Echo"], json!(greeting));
    }
    let ev = book.evaluate(&Map::new(), None);
    assert_eq!(ev.outputs["Echo"], json!("hello"));
    assert_eq!(ev.outputs["Sum"], json!(33));
}
