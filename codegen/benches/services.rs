//! Generation time for one synthetic service with 10,000 inputs and 1,000 outputs
//! (target: well under one second).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use cspark_codegen::ServiceDocs;
use cspark_codegen::service::{RenderOptions, render};
use serde_json::{Map, Value, json};

/// A swagger + schema pair in the Spark format with `n_in` inputs and `n_out` outputs, mixing
/// numbers, text, booleans, dates, choices and a table every 100 fields.
fn synthetic(n_in: usize, n_out: usize) -> ServiceDocs {
    let kinds = ["NUMBER", "TEXT", "BOOLEAN", "DATE"];
    let mut in_props = Map::new();
    let mut cells = Vec::new();
    for i in 0..n_in {
        let name = format!("Input {i} ({})", kinds[i % 4]);
        let dt = kinds[i % 4];
        let mut cell = json!({"name": name, "dataType": dt, "address": format!("B{}", i + 2), "sheetName": "Inputs", "description": format!("Input number {i}")});
        if i % 100 == 99 {
            in_props.insert(name.clone(), json!({"type": "array", "items": {"type": "object", "properties": {"A": {"type": "number"}, "B": {"type": "string"}}}}));
        } else if dt == "TEXT" && i % 10 == 1 {
            cell["validation"] = json!(["Low", "Medium", "High", ">="]);
            in_props.insert(name.clone(), json!({"type": "string"}));
        } else {
            in_props.insert(name.clone(), json!({"type": if dt == "NUMBER" { "integer" } else if dt == "BOOLEAN" { "boolean" } else { "string" }}));
        }
        cells.push(cell);
    }
    let mut out_props = Map::new();
    let mut out_cells = Vec::new();
    for i in 0..n_out {
        let name = format!("output-{i}");
        out_props.insert(name.clone(), json!({"type": "number"}));
        out_cells.push(json!({"name": name, "dataType": "NUMBER"}));
    }
    let swagger = json!({"swagger": "2.0", "paths": {"/{tenant}/api/v3/folders/{product}/services/{engine}/execute": {"post": {
        "parameters": [{"name": "request", "in": "body", "schema": {"type": "object", "properties": {"request_data": {"type": "object", "properties": {"inputs": {"type": "object", "properties": Value::Object(in_props)}}}}}}],
        "responses": {"200": {"schema": {"type": "object", "properties": {"response_data": {"type": "object", "properties": {"outputs": {"type": "object", "properties": Value::Object(out_props)}}}}}}}
    }}}});
    let schema =
        json!({"xlInputs": cells, "xOutput": out_cells, "bookSummary": {"bookRevision": "1.0.0"}});
    ServiceDocs::from_bytes(
        "bench",
        "big-service",
        Some(&serde_json::to_vec(&swagger).unwrap()),
        Some(&serde_json::to_vec(&schema).unwrap()),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let docs = [synthetic(10_000, 1_000)];
    let opts = RenderOptions::default();
    let text = render(&docs, None, &opts).unwrap();
    eprintln!("generated {} lines", text.lines().count());
    let mut group = c.benchmark_group("services");
    group.sample_size(10);
    group.bench_function("render 10k inputs / 1k outputs", |b| {
        b.iter(|| render(&docs, None, &opts).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
