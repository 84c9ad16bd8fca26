//! µs per `Workbook::evaluate` for each demo workbook (`cargo bench -p cspark-emulator --bench evaluate`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use cspark_emulator::workbook::Workbook;
use serde_json::{Map, Value, json};

fn load(name: &str) -> Option<Workbook> {
    let path = format!("{}/workbooks/demo/{name}.xlsx", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).ok()?;
    Workbook::from_xlsx(&bytes, &format!("{name}.xlsx")).ok()
}

fn inputs(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn evaluate(c: &mut Criterion) {
    let cases = [
        (
            "volume-cylinder",
            inputs(json!({"Radius": 3.5, "Height": 10})),
        ),
        (
            "insurance-quote",
            inputs(json!({
                "PolicyStart": "2026-06-15", "HasClaims": true, "CoverLevel": "Premium",
                "Region": "City", "VehicleValue": 42000,
                "Drivers": [
                    {"Name": "Ann", "Age": 45, "Years Licensed": 20},
                    {"Name": "Ben", "Age": 19, "Years Licensed": 1},
                    {"Name": "Cy", "Age": 72, "Years Licensed": 50}
                ]
            })),
        ),
        (
            "loan-calc",
            inputs(json!({"Principal": 180000, "Rate": 0.039, "Years": 25})),
        ),
    ];
    for (name, given) in cases {
        let Some(book) = load(name) else {
            eprintln!("skipping {name}: workbook not found or not loadable");
            continue;
        };
        c.bench_function(&format!("evaluate/{name}"), |b| {
            b.iter(|| black_box(book.evaluate(black_box(&given), None)))
        });
    }
    if let Some(book) = load("volume-cylinder") {
        let empty = Map::new();
        c.bench_function("evaluate/volume-cylinder (defaults)", |b| {
            b.iter(|| black_box(book.evaluate(black_box(&empty), None)))
        });
    }
    let path = format!(
        "{}/workbooks/demo/insurance-quote.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    if let Ok(bytes) = std::fs::read(path) {
        c.bench_function("from_xlsx/insurance-quote", |b| {
            b.iter(|| {
                black_box(Workbook::from_xlsx(black_box(&bytes), "insurance-quote.xlsx").is_ok())
            })
        });
    }
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
