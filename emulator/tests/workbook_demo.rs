//! The committed demo workbooks: fields, types, defaults, validations, subservices, and
//! evaluation results checked against values computed independently here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::f64::consts::PI;
use std::sync::Arc;

use cspark_emulator::workbook::{DataType, Evaluation, Field, Shape, Validation, Workbook};
use serde_json::{Map, Value, json};

fn demo(name: &str) -> Workbook {
    let path = format!("{}/workbooks/demo/{name}.xlsx", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Workbook::from_xlsx(&bytes, &format!("{name}.xlsx")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn num(ev: &Evaluation, name: &str) -> f64 {
    ev.outputs[name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} = {} is not a number", ev.outputs[name]))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Excel's ROUND(x, 2) for positive x: ties on the decimal value round up, even when the
/// binary value sits just below the tie (1089.475 is stored as 1089.47499999…).
fn round2(x: f64) -> f64 {
    (x * 100.0 * (1.0 + 1e-13)).round() / 100.0
}

fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

// ---------------------------------------------------------------- volume-cylinder

#[test]
fn volume_fields() {
    let book = demo("volume-cylinder");
    assert_eq!(book.file_name(), "volume-cylinder.xlsx");
    assert_eq!(names(book.inputs()), ["Height", "Radius"]);
    assert_eq!(names(book.outputs()), ["BaseArea", "SurfaceArea", "Volume"]);
    let radius = field(book.inputs(), "Radius");
    assert_eq!(radius.sheet, "Cylinder");
    assert_eq!(radius.sheet_index, 0);
    assert_eq!(radius.address, "B2");
    assert_eq!((radius.row, radius.column), (2, 2));
    assert_eq!(radius.shape, Shape::Scalar);
    assert_eq!(radius.data_type, DataType::Number);
    assert_eq!(radius.number_format, "General");
    assert_eq!(radius.default, json!(7));
    assert_eq!(radius.subservice, None);
    assert_eq!(
        radius.validation,
        Some(Validation::Number {
            min: Some(0.0),
            max: None,
            whole: false
        })
    );
    assert_eq!(field(book.inputs(), "Height").default, json!(4));
    let volume = field(book.outputs(), "Volume");
    assert_eq!(volume.address, "B5");
    assert_eq!(volume.data_type, DataType::Number);
    assert!(close(volume.default.as_f64().unwrap(), PI * 49.0 * 4.0));
}

#[test]
fn volume_evaluates_independently_checked_values() {
    let book = demo("volume-cylinder");
    for (r, h) in [(1.5, 10.0), (0.0, 3.0), (12.25, 0.5), (3.0, 3.0)] {
        let ev = book.evaluate(&obj(json!({"Radius": r, "Height": h})), None);
        assert!(ev.errors.is_empty(), "{:?}", ev.errors);
        assert!(ev.warnings.is_empty(), "{:?}", ev.warnings);
        assert!(close(num(&ev, "Volume"), PI * r * r * h), "r={r} h={h}");
        assert!(close(num(&ev, "BaseArea"), PI * r * r));
        assert!(close(num(&ev, "SurfaceArea"), 2.0 * PI * r * (r + h)));
        assert_eq!(ev.inputs["Radius"], json!(r));
    }
}

#[test]
fn volume_missing_input_keeps_default_with_warning() {
    let book = demo("volume-cylinder");
    let ev = book.evaluate(&obj(json!({"Radius": 2})), None);
    assert!(close(num(&ev, "Volume"), PI * 4.0 * 4.0));
    assert_eq!(ev.inputs["Height"], json!(4));
    assert_eq!(ev.warnings.len(), 1);
    assert_eq!(ev.warnings[0].field.as_deref(), Some("Height"));
    // A later call with the input given is not affected by earlier calls, and vice versa.
    let ev = book.evaluate(&obj(json!({"Height": 10})), None);
    assert!(close(num(&ev, "Volume"), PI * 49.0 * 10.0));
    let ev = book.evaluate(&Map::new(), None);
    assert!(close(num(&ev, "Volume"), PI * 49.0 * 4.0));
    assert_eq!(ev.warnings.len(), 2);
}

#[test]
fn volume_coercion_and_type_errors() {
    let book = demo("volume-cylinder");
    // Numeric strings are coerced, like Spark does.
    let ev = book.evaluate(&obj(json!({"Radius": "2", "Height": " 5.5 "})), None);
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert!(close(num(&ev, "Volume"), PI * 4.0 * 5.5));
    assert_eq!(ev.inputs["Radius"], json!(2));
    // Not a number: InputError naming the value; the default is used, outputs computed.
    let ev = book.evaluate(&obj(json!({"Radius": "abc", "Height": 1})), None);
    assert_eq!(ev.errors.len(), 1);
    assert_eq!(ev.errors[0].field, "Radius");
    assert!(
        ev.errors[0].message.contains("abc"),
        "{}",
        ev.errors[0].message
    );
    assert!(close(num(&ev, "Volume"), PI * 49.0));
    for bad in [json!(true), json!([1]), json!({"a": 1})] {
        let ev = book.evaluate(&obj(json!({"Radius": bad, "Height": 1})), None);
        assert_eq!(ev.errors.len(), 1, "{bad}");
    }
}

#[test]
fn volume_validation_violation_still_computes() {
    let book = demo("volume-cylinder");
    let ev = book.evaluate(&obj(json!({"Radius": -2, "Height": 3})), None);
    assert_eq!(ev.errors.len(), 1);
    assert_eq!(ev.errors[0].field, "Radius");
    let message = &ev.errors[0].message;
    assert!(message.contains("-2"), "{message}");
    assert!(
        message.contains("Dimensions cannot be negative"),
        "{message}"
    );
    assert!(close(num(&ev, "Volume"), PI * 4.0 * 3.0));
}

#[test]
fn volume_unknown_inputs_case_and_requested_outputs() {
    let book = demo("volume-cylinder");
    let ev = book.evaluate(
        &obj(json!({"radius": 1, "HEIGHT": 2, "Colour": "red"})),
        Some(&["volume".to_string(), "Nope".to_string()]),
    );
    assert_eq!(ev.outputs.len(), 1);
    assert!(close(num(&ev, "Volume"), PI * 2.0));
    assert_eq!(ev.warnings.len(), 2, "{:?}", ev.warnings);
    assert!(ev.warnings.iter().any(|w| w.message.contains("Colour")));
    assert!(ev.warnings.iter().any(|w| w.message.contains("Nope")));
}

#[test]
fn volume_concurrent_evaluation_from_eight_threads() {
    let book = Arc::new(demo("volume-cylinder"));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let book = Arc::clone(&book);
            std::thread::spawn(move || {
                for i in 0..300 {
                    let r = 1.0 + t as f64 + i as f64 / 100.0;
                    let h = 2.0 + (i % 7) as f64;
                    let ev = book.evaluate(&obj(json!({"Radius": r, "Height": h})), None);
                    assert!(
                        close(num(&ev, "Volume"), PI * r * r * h),
                        "thread {t} call {i}"
                    );
                    if i % 50 == 0 {
                        // Defaults come back after other threads changed the pooled models.
                        let ev = book.evaluate(&Map::new(), None);
                        assert!(close(num(&ev, "Volume"), PI * 49.0 * 4.0));
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread panicked");
    }
}

// ---------------------------------------------------------------- insurance-quote

#[derive(Clone, Copy)]
struct Driver<'a> {
    name: &'a str,
    age: f64,
    years: f64,
}

struct Quote<'a> {
    start: (i32, u32, u32),
    claims: bool,
    cover: &'a str,
    region: &'a str,
    value: f64,
    drivers: Vec<Driver<'a>>,
}

/// What the workbook should compute for a quote.
struct Expected {
    /// (driver, risk factor, premium) per driver.
    rows: Vec<(String, f64, f64)>,
    total: f64,
    band: &'static str,
    eligible: bool,
    expiry: String,
}

/// The quote formulas of the workbook, re-implemented.
fn expected(q: &Quote<'_>) -> Expected {
    let cover_base = match q.cover {
        "Basic" => 300.0,
        "Standard" => 450.0,
        "Premium" => 700.0,
        other => panic!("{other}"),
    };
    let region = match q.region {
        "North" => 1.0,
        "South" => 1.1,
        "City" => 1.3,
        other => panic!("{other}"),
    };
    let loading = if q.claims { 1.25 } else { 1.0 };
    let base = cover_base * loading * region + q.value * 0.005;
    let mut rows = Vec::new();
    for d in &q.drivers {
        let factor = 1.0
            + if d.age < 25.0 { 0.5 } else { 0.0 }
            + if d.years < 2.0 { 0.3 } else { 0.0 }
            + if d.age > 70.0 { 0.25 } else { 0.0 };
        let premium = round2(base * factor);
        rows.push((d.name.to_string(), factor, premium));
    }
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let band = if total > 2000.0 {
        "High"
    } else if total > 1000.0 {
        "Medium"
    } else {
        "Low"
    };
    let eligible = !q.drivers.is_empty() && q.drivers.iter().all(|d| d.age >= 18.0);
    let (y, m, d) = q.start;
    let expiry = chrono::NaiveDate::from_ymd_opt(y + 1, m, d)
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(y + 1, m + 1, 1).unwrap())
        - chrono::Duration::days(1);
    Expected {
        rows,
        total,
        band,
        eligible,
        expiry: expiry.format("%Y-%m-%d").to_string(),
    }
}

fn quote_inputs(q: &Quote<'_>) -> Map<String, Value> {
    let drivers: Vec<Value> = q
        .drivers
        .iter()
        .map(|d| json!({"Name": d.name, "Age": d.age, "Years Licensed": d.years}))
        .collect();
    obj(json!({
        "PolicyStart": format!("{:04}-{:02}-{:02}", q.start.0, q.start.1, q.start.2),
        "HasClaims": q.claims,
        "CoverLevel": q.cover,
        "Region": q.region,
        "VehicleValue": q.value,
        "Drivers": drivers,
    }))
}

fn check_quote(book: &Workbook, q: &Quote<'_>) {
    let ev = book.evaluate(&quote_inputs(q), None);
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert!(ev.warnings.is_empty(), "{:?}", ev.warnings);
    let Expected {
        rows,
        total,
        band,
        eligible,
        expiry,
    } = expected(q);
    let table = ev.outputs["DriverPremiums"]
        .as_array()
        .expect("table output");
    assert_eq!(table.len(), rows.len(), "{table:?}");
    for (got, (name, factor, premium)) in table.iter().zip(&rows) {
        assert_eq!(got["Driver"], json!(name));
        assert!(
            close(got["Risk Factor"].as_f64().unwrap(), *factor),
            "{got}"
        );
        assert!(
            close(got["Premium"].as_f64().unwrap(), *premium),
            "{got} vs {premium}"
        );
    }
    assert!(close(num(&ev, "TotalPremium"), total));
    assert_eq!(ev.outputs["RiskBand"], json!(band));
    assert_eq!(ev.outputs["Eligible"], json!(eligible));
    assert_eq!(ev.outputs["ExpiryDate"], json!(expiry));
    assert_eq!(ev.outputs["DriverCount"], json!(rows.len()));
}

#[test]
fn insurance_fields() {
    let book = demo("insurance-quote");
    assert_eq!(
        names(book.inputs()),
        [
            "CoverLevel",
            "Drivers",
            "HasClaims",
            "PolicyStart",
            "Region",
            "VehicleValue"
        ]
    );
    assert_eq!(
        names(book.outputs()),
        [
            "DriverCount",
            "DriverPremiums",
            "Eligible",
            "ExpiryDate",
            "RiskBand",
            "TotalPremium"
        ]
    );
    let start = field(book.inputs(), "PolicyStart");
    assert_eq!(
        (start.data_type, start.number_format.as_str()),
        (DataType::Date, "yyyy-mm-dd")
    );
    assert_eq!(start.default, json!("2026-03-01"));
    assert_eq!(start.sheet, "Quote");
    assert_eq!(start.sheet_index, 1);
    let claims = field(book.inputs(), "HasClaims");
    assert_eq!(
        (claims.data_type, &claims.default),
        (DataType::Boolean, &json!(false))
    );
    let cover = field(book.inputs(), "CoverLevel");
    assert_eq!(cover.data_type, DataType::Text);
    assert_eq!(
        cover.validation,
        Some(Validation::List(vec![
            json!("Basic"),
            json!("Standard"),
            json!("Premium")
        ]))
    );
    let region = field(book.inputs(), "Region");
    assert_eq!(
        region.validation,
        Some(Validation::List(vec![
            json!("North"),
            json!("South"),
            json!("City")
        ]))
    );
    let value = field(book.inputs(), "VehicleValue");
    assert_eq!(
        value.validation,
        Some(Validation::Number {
            min: Some(1000.0),
            max: Some(200_000.0),
            whole: true
        })
    );
    let drivers = field(book.inputs(), "Drivers");
    assert_eq!(drivers.address, "A10:C15");
    assert_eq!(
        drivers.shape,
        Shape::Table {
            columns: vec![
                ("Name".into(), DataType::Text),
                ("Age".into(), DataType::Number),
                ("Years Licensed".into(), DataType::Number)
            ],
            rows: 5
        }
    );
    assert_eq!(
        drivers.default,
        json!([
            {"Name": "Alice", "Age": 34, "Years Licensed": 12},
            {"Name": "Bob", "Age": 22, "Years Licensed": 3}
        ])
    );
    let premiums = field(book.outputs(), "DriverPremiums");
    assert!(matches!(&premiums.shape, Shape::Table { rows: 5, columns } if columns.len() == 3));
    let expiry = field(book.outputs(), "ExpiryDate");
    assert_eq!(
        (expiry.data_type, &expiry.default),
        (DataType::Date, &json!("2027-02-28"))
    );
    assert_eq!(
        field(book.outputs(), "Eligible").data_type,
        DataType::Boolean
    );
    assert_eq!(field(book.outputs(), "RiskBand").data_type, DataType::Text);
    assert_eq!(
        field(book.outputs(), "TotalPremium").number_format,
        "#,##0.00"
    );
}

#[test]
fn insurance_defaults_match_the_reimplementation() {
    let book = demo("insurance-quote");
    let ev = book.evaluate(&Map::new(), None);
    assert_eq!(ev.warnings.len(), 6);
    let q = Quote {
        start: (2026, 3, 1),
        claims: false,
        cover: "Standard",
        region: "North",
        value: 25000.0,
        drivers: vec![
            Driver {
                name: "Alice",
                age: 34.0,
                years: 12.0,
            },
            Driver {
                name: "Bob",
                age: 22.0,
                years: 3.0,
            },
        ],
    };
    let Expected { total, band, .. } = expected(&q);
    assert!(close(num(&ev, "TotalPremium"), total));
    assert_eq!(ev.outputs["RiskBand"], json!(band));
}

#[test]
fn insurance_quotes_match_the_reimplementation() {
    let book = demo("insurance-quote");
    let quotes = [
        Quote {
            start: (2026, 6, 15),
            claims: true,
            cover: "Premium",
            region: "City",
            value: 42000.0,
            drivers: vec![
                Driver {
                    name: "Ann",
                    age: 45.0,
                    years: 20.0,
                },
                Driver {
                    name: "Ben",
                    age: 19.0,
                    years: 1.0,
                },
                Driver {
                    name: "Cy",
                    age: 72.0,
                    years: 50.0,
                },
            ],
        },
        Quote {
            start: (2028, 2, 29),
            claims: false,
            cover: "Basic",
            region: "South",
            value: 1000.0,
            drivers: vec![Driver {
                name: "Dee",
                age: 30.0,
                years: 10.0,
            }],
        },
        Quote {
            start: (2026, 12, 31),
            claims: false,
            cover: "Standard",
            region: "North",
            value: 200_000.0,
            drivers: (0..5)
                .map(|i| Driver {
                    name: ["E", "F", "G", "H", "I"][i],
                    age: 17.0 + i as f64 * 10.0,
                    years: i as f64,
                })
                .collect(),
        },
    ];
    for q in &quotes {
        check_quote(&book, q);
    }
    // Fewer drivers after more drivers: the unused rows are cleared.
    check_quote(&book, &quotes[1]);
}

#[test]
fn insurance_table_input_forms_and_errors() {
    let book = demo("insurance-quote");
    // Heading keys match case-insensitively; a missing column is blank; unknown keys warn.
    let ev = book.evaluate(
        &obj(json!({"Drivers": [{"name": "Zed", "AGE": 40, "Colour": "blue"}]})),
        Some(&["DriverPremiums".to_string()]),
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert!(
        ev.warnings.iter().any(|w| w.message.contains("Colour")),
        "{:?}",
        ev.warnings
    );
    let table = ev.outputs["DriverPremiums"].as_array().unwrap();
    assert_eq!(table.len(), 1);
    // Years Licensed blank → counts as 0 (< 2): factor 1.3.
    assert!(close(table[0]["Risk Factor"].as_f64().unwrap(), 1.3));
    // Array-of-arrays form.
    let ev = book.evaluate(
        &obj(
            json!({"Drivers": [["Name", "Age", "Years Licensed"], ["Ann", 30, 5], ["Bo", 40, 9]]}),
        ),
        None,
    );
    assert_eq!(ev.outputs["DriverCount"], json!(2));
    // Too many rows: an error, the first five are used.
    let six: Vec<Value> = (0..6)
        .map(|i| json!({"Name": format!("D{i}"), "Age": 30, "Years Licensed": 5}))
        .collect();
    let ev = book.evaluate(&obj(json!({"Drivers": six})), None);
    assert_eq!(ev.errors.len(), 1);
    assert_eq!(ev.errors[0].field, "Drivers");
    assert_eq!(ev.outputs["DriverCount"], json!(5));
    // A wrong cell type names the value.
    let ev = book.evaluate(
        &obj(json!({"Drivers": [{"Name": "X", "Age": "old"}]})),
        None,
    );
    assert_eq!(ev.errors.len(), 1);
    assert!(
        ev.errors[0].message.contains("old"),
        "{}",
        ev.errors[0].message
    );
    // Not a table at all.
    let ev = book.evaluate(&obj(json!({"Drivers": 5})), None);
    assert_eq!(ev.errors.len(), 1);
    assert_eq!(ev.outputs["DriverCount"], json!(2), "default drivers kept");
    // An empty table empties the range.
    let ev = book.evaluate(&obj(json!({"Drivers": []})), None);
    assert_eq!(ev.outputs["DriverPremiums"], json!([]));
    assert_eq!(ev.outputs["Eligible"], json!(false));
}

#[test]
fn insurance_scalar_types_and_validations() {
    let book = demo("insurance-quote");
    // Strings for booleans, date-time strings for dates.
    let ev = book.evaluate(
        &obj(json!({"HasClaims": "TRUE", "PolicyStart": "2027-01-10T00:00:00Z"})),
        Some(&["ExpiryDate".to_string(), "TotalPremium".to_string()]),
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert_eq!(ev.outputs["ExpiryDate"], json!("2028-01-09"));
    assert_eq!(ev.inputs["HasClaims"], json!(true));
    // Dates that are not dates, booleans that are not booleans.
    let ev = book.evaluate(
        &obj(json!({"PolicyStart": "next week", "HasClaims": "maybe"})),
        None,
    );
    assert_eq!(ev.errors.len(), 2, "{:?}", ev.errors);
    assert!(
        ev.errors
            .iter()
            .any(|e| e.field == "PolicyStart" && e.message.contains("next week"))
    );
    assert!(
        ev.errors
            .iter()
            .any(|e| e.field == "HasClaims" && e.message.contains("maybe"))
    );
    // List validation: literal list (with the workbook's custom message) and range list.
    let ev = book.evaluate(&obj(json!({"CoverLevel": "Gold", "Region": "Mars"})), None);
    assert_eq!(ev.errors.len(), 2, "{:?}", ev.errors);
    let cover = ev.errors.iter().find(|e| e.field == "CoverLevel").unwrap();
    assert!(
        cover.message.contains("Gold") && cover.message.contains("Choose Basic"),
        "{}",
        cover.message
    );
    assert!(
        ev.errors
            .iter()
            .any(|e| e.field == "Region" && e.message.contains("Mars"))
    );
    // Outputs are still computed.
    assert!(ev.outputs.contains_key("TotalPremium"));
    // Whole number between 1000 and 200000.
    for (bad, why) in [
        (json!(999), "999"),
        (json!(1500.5), "1500.5"),
        (json!(300000), "300000"),
    ] {
        let ev = book.evaluate(&obj(json!({"VehicleValue": bad})), None);
        assert_eq!(ev.errors.len(), 1, "{why}");
        assert!(
            ev.errors[0].message.contains(why),
            "{}",
            ev.errors[0].message
        );
    }
    // Valid values pass, list matching ignores case like Excel.
    let ev = book.evaluate(
        &obj(json!({"CoverLevel": "premium", "Region": "City", "VehicleValue": "5000"})),
        None,
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
}

// ---------------------------------------------------------------- loan-calc

fn monthly_payment(principal: f64, annual_rate: f64, years: f64) -> f64 {
    let r = annual_rate / 12.0;
    let n = years * 12.0;
    let exact = if r == 0.0 {
        principal / n
    } else {
        principal * r / (1.0 - (1.0 + r).powf(-n))
    };
    round2(exact)
}

#[test]
fn loan_subservices() {
    let book = demo("loan-calc");
    for f in book.inputs() {
        assert_eq!(f.subservice.as_deref(), Some("payment"), "{}", f.name);
    }
    assert_eq!(names(book.inputs()), ["Principal", "Rate", "Years"]);
    let subs: Vec<(&str, Option<&str>)> = book
        .outputs()
        .iter()
        .map(|f| (f.name.as_str(), f.subservice.as_deref()))
        .collect();
    assert_eq!(
        subs,
        [
            ("Author", Some("metadata")),
            ("MonthlyPayment", Some("payment")),
            ("TotalInterest", Some("summary")),
            ("TotalPaid", Some("summary"))
        ]
    );
    assert_eq!(field(book.inputs(), "Rate").number_format, "0.00%");
    assert_eq!(field(book.inputs(), "Rate").default, json!(0.045));
    assert_eq!(
        field(book.outputs(), "Author").default,
        json!("cspark-rs demo")
    );
    assert_eq!(
        field(book.inputs(), "Years").validation,
        Some(Validation::Number {
            min: Some(1.0),
            max: Some(40.0),
            whole: true
        })
    );
}

#[test]
fn loan_payments_match_the_formula() {
    let book = demo("loan-calc");
    for (p, rate, years) in [
        (250_000.0, 0.045, 30.0),
        (180_000.0, 0.039, 25.0),
        (10_000.0, 0.0, 5.0),
        (5_000.0, 0.2, 1.0),
    ] {
        let ev = book.evaluate(
            &obj(json!({"Principal": p, "Rate": rate, "Years": years})),
            None,
        );
        assert!(ev.errors.is_empty(), "{:?}", ev.errors);
        let payment = monthly_payment(p, rate, years);
        assert!(
            close(num(&ev, "MonthlyPayment"), payment),
            "{p} {rate} {years}: {}",
            ev.outputs["MonthlyPayment"]
        );
        let paid = payment * years * 12.0;
        assert!((num(&ev, "TotalPaid") - paid).abs() < 1e-6);
        assert!((num(&ev, "TotalInterest") - (paid - p)).abs() < 1e-6);
        assert_eq!(ev.outputs["Author"], json!("cspark-rs demo"));
    }
    let ev = book.evaluate(
        &obj(json!({"Years": 50})),
        Some(&["MonthlyPayment".to_string()]),
    );
    assert_eq!(ev.errors.len(), 1);
    assert!(ev.errors[0].message.contains("50"));
    assert_eq!(ev.outputs.len(), 1);
}

#[test]
fn insurance_concurrent_tables_and_defaults() {
    const NAMES: [&str; 5] = ["Ann", "Ben", "Cy", "Dee", "Eve"];
    const COVERS: [&str; 3] = ["Basic", "Standard", "Premium"];
    const REGIONS: [&str; 3] = ["North", "South", "City"];
    let book = Arc::new(demo("insurance-quote"));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let book = Arc::clone(&book);
            std::thread::spawn(move || {
                for i in 0..60usize {
                    let k = t * 7 + i;
                    let q = Quote {
                        start: (2026, 1 + (k % 12) as u32, 1 + (k % 28) as u32),
                        claims: k % 3 == 0,
                        cover: COVERS[k % 3],
                        region: REGIONS[(k / 3) % 3],
                        value: 1000.0 + (k * 997 % 150_000) as f64,
                        drivers: (0..(k % 6))
                            .map(|d| Driver {
                                name: NAMES[d],
                                age: 18.0 + ((k + d * 13) % 60) as f64,
                                years: ((k + d) % 10) as f64,
                            })
                            .collect(),
                    };
                    check_quote(&book, &q);
                    if i % 10 == 0 {
                        let ev = book.evaluate(&Map::new(), None);
                        assert!(
                            close(num(&ev, "TotalPremium"), 1437.5),
                            "thread {t} call {i}"
                        );
                        assert_eq!(ev.outputs["DriverCount"], json!(2));
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread panicked");
    }
}
