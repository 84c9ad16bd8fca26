//! Every golden file in `tests/golden/` is compiled here (not only compared as text by
//! `tests/golden.rs`), and each is exercised: a Spark answer decodes into its `Outputs`, its
//! `Inputs::workbook_defaults` and `validate` run. `standalone_platform.rs` (a platform client,
//! not service bindings) is compiled and run against the emulator by `tests/standalone.rs`;
//! [`every_golden_file_is_compiled_by_a_test`] keeps the list complete. Only `dead_code` is
//! allowed on the included files, so `cargo clippy --all-targets -- -D warnings` holds the
//! generated code to the workspace's lints.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cspark::TypedService;
use cspark::bindings::decode_outputs;
use serde_json::{Value, json};

macro_rules! golden {
    ($($module:ident => $file:literal),* $(,)?) => {
        $(
            #[allow(dead_code)]
            #[rustfmt::skip]
            #[path = $file]
            mod $module;
        )*
        /// The golden files included above.
        const INCLUDED: &[&str] = &[$($file),*];
    };
}

golden! {
    emulator_demo => "golden/emulator_demo.rs",
    enums => "golden/enums.rs",
    nasty_names => "golden/nasty_names.rs",
    objects => "golden/objects.rs",
    real_documents => "golden/real_documents.rs",
    reference => "golden/reference.rs",
    scalars => "golden/scalars.rs",
    tables => "golden/tables.rs",
    two_services => "golden/two_services.rs",
    volume_cylinder => "golden/volume_cylinder.rs",
    wide => "golden/wide.rs",
}

fn map(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Decodes `outputs` as `S::Outputs` the way the typed calls do, requiring no mismatch, and
/// checks that writing the typed value back gives the same JSON (nulls aside, numbers as
/// `f64`, scalars in text outputs as text).
fn decode<S: TypedService>(outputs: Value) -> S::Outputs {
    let (typed, mismatches) = decode_outputs::<S::Outputs>(map(outputs.clone())).unwrap();
    assert!(mismatches.is_empty(), "{}: {mismatches:?}", S::SERVICE);
    let back = serde_json::to_value(&typed).unwrap();
    for (k, v) in map(outputs) {
        let got = back.get(&k).map(normalise);
        match (&got, &v) {
            (_, Value::Null) => {}
            // A `TEXT` output reads any scalar as its text.
            (Some(Value::String(text)), Value::Number(_) | Value::Bool(_)) => {
                assert_eq!(*text, v.to_string(), "{}: {k}", S::SERVICE)
            }
            _ => assert_eq!(got, Some(normalise(&v)), "{}: {k}", S::SERVICE),
        }
    }
    typed
}

/// Numbers compared as `f64` (the bindings type every number as `f64`).
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Inputs survive a JSON round trip, and the marker's `validate` is the struct's.
fn inputs_round_trip<S: TypedService>(inputs: &S::Inputs) -> Value
where
    S::Inputs: PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(inputs).unwrap();
    let back: S::Inputs = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, inputs);
    json
}

#[test]
fn emulator_demo_bindings() {
    use emulator_demo::{demo_insurance_quote as quote, demo_loan_calc as loan};
    let out = decode::<quote::InsuranceQuote>(json!({
        "DriverCount": 2, "Eligible": true, "ExpiryDate": "2027-02-28", "RiskBand": "Low",
        "TotalPremium": 1234.5,
        "DriverPremiums": [{"Driver": "Ada", "Premium": 600.25, "Risk Factor": 1.0}],
    }));
    assert_eq!(out.driver_premiums.unwrap()[0].premium, Some(600.25));
    let defaults = quote::Inputs::workbook_defaults();
    assert_eq!(defaults.vehicle_value, 25000.0);
    assert_eq!(defaults.drivers[1].name, "Bob");
    assert!(quote::InsuranceQuote::validate(&defaults).is_ok());
    inputs_round_trip::<quote::InsuranceQuote>(&defaults);
    let out = decode::<loan::LoanCalc>(json!({"MonthlyPayment": 1266.71, "Author": 42}));
    // A TEXT output holding a number reads as its text.
    assert_eq!(out.author.as_deref(), Some("42"));
}

#[test]
fn enums_bindings() {
    use enums::pricing_rule_engine as m;
    let out = decode::<m::RuleEngine>(json!({"Result": "ok"}));
    assert_eq!(out.result.as_deref(), Some("ok"));
    let inputs = m::Inputs::workbook_defaults(m::RequiredInputs {
        tier: m::Tier::Gold2,
    });
    assert_eq!(inputs.count, 1.0);
    let json = inputs_round_trip::<m::RuleEngine>(&inputs);
    assert_eq!(
        (&json["Operator"], &json["Tier"]),
        (&json!(">="), &json!("gold"))
    );
    // `Count` has a numeric list rule {1, 2, 3}.
    let bad = m::Inputs {
        count: 4.0,
        ..inputs
    };
    let err = bad.validate().unwrap_err();
    assert_eq!(err.violations()[0].field, "Count");
}

#[test]
fn nasty_names_bindings() {
    use nasty_names::x3d_models_type as m;
    let out = decode::<m::Type>(json!({"%": 0.5, "Outputs": true, "Self": 1, "self": 2}));
    assert_eq!(
        (out.pct, out.self_, out.self_2),
        (Some(0.5), Some(1.0), Some(2.0))
    );
    // No input has a workbook value: there is no `workbook_defaults`, only `Inputs`.
    let inputs = m::Inputs {
        empty: "e".into(),
        x1st_payment_date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        gt_eq: ">=".into(),
        inputs: "i".into(),
        is_smoker_2: "y".into(),
        option: vec![m::OptionRow {
            empty: String::new(),
            type_: 1.0,
            type_2: 2.0,
        }],
        rate: "r".into(),
        rate_2: "r2".into(),
        self_: "S".into(),
        string: m::String2::B,
        a_b: "ab".into(),
        async_: "a".into(),
        is_smoker_3: "n".into(),
        is_smoker: "n".into(),
        line_break: "l".into(),
        self_2: "s".into(),
        type_: "t".into(),
        u5e74_u9f62: "42".into(),
    };
    let json = inputs_round_trip::<m::Type>(&inputs);
    assert_eq!(
        (&json["String"], &json["年齢"]),
        (&json!("b"), &json!("42"))
    );
    assert!(m::Type::validate(&inputs).is_ok());
}

#[test]
fn objects_bindings() {
    use objects::solver_goal_seek as m;
    let out = decode::<m::GoalSeek>(json!({
        "Premium": 99.5,
        "SolveResult": {"Converged": true, "Iterations": 7, "Value": 0.0425, "Method": "SECANT"},
        "Report": {"pages": [{"title": "Summary"}], "pdf": null},
        "Schedule": [{"Month": 1, "Payment": 88.0}, {"Month": 2, "Payment": 88.0}],
    }));
    let solve = out.solve_result.unwrap();
    assert_eq!(solve.converged, Some(true));
    assert_eq!(solve.iterations, Some(7.0));
    assert_eq!(solve.method.as_deref(), Some("SECANT"));
    // A report without described members stays JSON.
    assert_eq!(out.report.unwrap()["pages"][0]["title"], "Summary");

    // `Term` has no workbook value: it is the one field of `RequiredInputs`.
    let inputs = m::Inputs::workbook_defaults(m::RequiredInputs { term: 10.0 });
    assert_eq!(inputs.name, "Ada");
    assert_eq!(inputs.start.to_string(), "2024-01-15");
    assert_eq!(inputs.notes, None);
    assert_eq!(m::GoalSeek::validate(&inputs), Ok(()));
    let json = inputs_round_trip::<m::GoalSeek>(&inputs);
    assert!(json.get("Notes").is_none(), "None is left out: {json}");

    let bad = m::Inputs {
        name: "Bartholomew Jr.".into(),
        start: chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
        amount: -1.0,
        term: 30.5,
        notes: Some(String::new()),
    };
    let err = bad.validate().unwrap_err();
    let fields: Vec<&str> = err.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["Amount", "Name", "Start", "Term"]);
    let text = err.to_string();
    assert!(
        text.contains("\"Start\" = 2023-12-31 must be a date between 2024-01-01 and 2030-12-31"),
        "{text}"
    );
    assert!(
        text.contains(
            "\"Name\" = \"Bartholomew Jr.\" must be a text with a length between 1 and 12"
        ),
        "{text}"
    );
}

/// A real answer whose `NUMBER` outputs hold Excel errors: the other outputs (and the other
/// cells of the table) still decode, and each bad value is reported by name.
#[test]
fn excel_errors_in_outputs_are_reported_per_field() {
    use objects::solver_goal_seek as m;
    let answer: Value =
        serde_json::from_str(include_str!("fixtures/answers/goal-seek-excel-errors.json")).unwrap();
    let outputs = map(answer["response_data"]["outputs"].clone());
    // The whole record does not decode strictly...
    assert!(serde_json::from_value::<m::Outputs>(Value::Object(outputs.clone())).is_err());
    // ...but field by field it does.
    let (out, mismatches) = decode_outputs::<m::Outputs>(outputs).unwrap();
    assert_eq!(out.premium, None);
    let schedule = out.schedule.unwrap();
    assert_eq!(schedule.len(), 3);
    assert_eq!(schedule[1].payment, None);
    assert_eq!(schedule[2].payment, Some(88.0));
    assert_eq!(out.solve_result.unwrap().iterations, Some(12.0));
    let found: Vec<(&str, Option<&str>)> = mismatches
        .iter()
        .map(|m| (m.field.as_str(), m.excel_error()))
        .collect();
    assert_eq!(
        found,
        [
            ("Premium", Some("#VALUE!")),
            ("Schedule[1].Payment", Some("#DIV/0!")),
        ]
    );
}

#[test]
fn real_documents_bindings() {
    use real_documents::calc_multiply as m;
    let out = decode::<m::Multiply>(json!({"AxB": 42, "Note": "fine"}));
    assert_eq!(out.ax_b.as_deref(), Some("42"));
    let inputs = m::Inputs::workbook_defaults();
    assert!(m::Multiply::validate(&inputs).is_ok());
    inputs_round_trip::<m::Multiply>(&inputs);
}

#[test]
fn reference_bindings() {
    use reference::{
        my_folder_my_service as a, my_folder_swagger_only as b, other_schema_only as c,
    };
    assert_eq!(
        decode::<a::MyService>(json!({"my_output": 42})).my_output,
        Some(42.0)
    );
    assert_eq!(a::Inputs::workbook_defaults().my_input, 13.0);
    assert_eq!(
        decode::<b::SwaggerOnly>(json!({"y": "v"})).y.as_deref(),
        Some("v")
    );
    // No workbook value for its only input: no `workbook_defaults`.
    inputs_round_trip::<b::SwaggerOnly>(&b::Inputs { x: 1.5 });
    let when = decode::<c::SchemaOnly>(json!({"when": "2024-02-29"})).when;
    assert_eq!(when.unwrap().to_string(), "2024-02-29");
    inputs_round_trip::<c::SchemaOnly>(&c::Inputs { x: true });
}

#[test]
fn scalars_bindings() {
    use scalars::insurance_quote_calc as m;
    let out = decode::<m::QuoteCalc>(json!({
        "Approved": false, "Expiry Date": "2025-01-01", "Label": 3, "Premium": 12.5,
        "Schema Only": "x",
    }));
    assert_eq!((out.approved, out.premium), (Some(false), Some(12.5)));
}

#[test]
fn tables_bindings() {
    use tables::finance_loan_schedule as m;
    let out = decode::<m::LoanSchedule>(json!({
        "Rates": [0.01, 0.02],
        "Cash Flows": [{"Date": "2024-01-31", "Period": 1, "Post Shock": -3.5, "Breakdown": []}],
    }));
    assert_eq!(out.rates, Some(vec![0.01, 0.02]));
    assert_eq!(out.cash_flows.unwrap()[0].post_shock, Some(-3.5));

    // A table column's rule (`Amount (m$)` at least 0) is checked on every row, each broken
    // one named by its row.
    let row = |amount_m: f64| m::ScheduleRow {
        amount_m,
        paid: false,
        year: 2024.0,
    };
    let mut inputs = m::Inputs {
        principal: 1.0,
        riders: Vec::new(),
        schedule: vec![row(1.0), row(-2.0), row(0.0), row(-0.5)],
    };
    let invalid = inputs.validate().unwrap_err();
    let named: Vec<(&str, &str)> = invalid
        .violations()
        .iter()
        .map(|v| (v.field.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            ("Schedule[1].Amount (m$)", "-2"),
            ("Schedule[3].Amount (m$)", "-0.5")
        ]
    );
    inputs.schedule.retain(|r| r.amount_m >= 0.0);
    assert!(inputs.validate().is_ok());
}

#[test]
fn two_services_bindings() {
    use two_services::{a_b_c as one, a_b_c_2 as two};
    assert_eq!(decode::<one::BC>(json!({"Total": 1})).total, Some(1.0));
    assert_eq!(decode::<two::C>(json!({"Total": 2})).total, Some(2.0));
    assert_ne!(one::BC::FOLDER, two::C::FOLDER);
}

#[test]
fn volume_cylinder_bindings() {
    use volume_cylinder::my_folder_volume_cylinder as m;
    assert_eq!(
        decode::<m::VolumeCylinder>(json!({"volume": 615.75})).volume,
        Some(615.75)
    );
    let inputs = m::Inputs::workbook_defaults();
    inputs_round_trip::<m::VolumeCylinder>(&inputs);
}

#[test]
fn wide_bindings() {
    use wide::big_wide as m;
    let out = decode::<m::Wide>(json!({"Out 0": "zero", "Out 1": 1.5}));
    assert_eq!((out.out_0.as_deref(), out.out_1), (Some("zero"), Some(1.5)));
}

/// A file added to `tests/golden/` must be compiled by some test (here, or by `#[path]` in
/// another test crate).
#[test]
fn every_golden_file_is_compiled_by_a_test() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let sources: Vec<String> = std::fs::read_dir(&tests)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for entry in std::fs::read_dir(tests.join("golden")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let path = format!("golden/{name}");
        let included = INCLUDED.contains(&path.as_str())
            || sources
                .iter()
                .any(|s| s.contains(&format!("#[path = \"{path}\"]")));
        assert!(included, "{path} is not compiled by any test");
    }
}
