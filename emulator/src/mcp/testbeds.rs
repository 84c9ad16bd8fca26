//! Testbeds, as Spark's Testing Center keeps them: a testbed is a stored table of cases
//! (inputs plus expected outputs) for one service; running it against a version evaluates
//! every case and records a result (per case: actual outputs and the outputs that differ
//! from the expected ones); two results can be compared case by case.
//!
//! The emulator runs a testbed to completion inside `spark_run_testbed`, so
//! `spark_run_status_testbed` always finds it `Completed`. Testbeds live in memory only.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::history::csv_cell;
use super::services::{resolve, type_name};
use super::{Args, McpState, ToolFailure};
use crate::exec::{self, Selection};
use crate::wire;

/// Relative tolerance when comparing numbers with expected values.
const TOLERANCE: f64 = 1e-9;

struct Testbed {
    name: String,
    description: Option<String>,
    /// `(inputs, expected)` per case.
    cases: Vec<(Map<String, Value>, Map<String, Value>)>,
    created_at: String,
    results: Vec<Value>,
}

/// Every testbed, by (folder, service, testbed), names lower-cased.
#[derive(Default)]
pub(crate) struct Testbeds {
    all: Mutex<HashMap<(String, String, String), Testbed>>,
}

fn key(folder: &str, service: &str, testbed: &str) -> (String, String, String) {
    (
        folder.to_lowercase(),
        service.to_lowercase(),
        testbed.to_lowercase(),
    )
}

impl Testbeds {
    fn with<T>(
        &self,
        folder: &str,
        service: &str,
        testbed: &str,
        f: impl FnOnce(&mut Testbed) -> Result<T, ToolFailure>,
    ) -> Result<T, ToolFailure> {
        let mut all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        let tb = all.get_mut(&key(folder, service, testbed)).ok_or_else(|| {
            ToolFailure(format!(
                "testbed {testbed:?} not found for {folder}/{service}"
            ))
        })?;
        f(tb)
    }
}

fn summary_of(tb: &Testbed) -> Value {
    json!({
        "name": tb.name,
        "description": tb.description,
        "cases": tb.cases.len(),
        "created_at": tb.created_at,
        "results": tb.results.len(),
    })
}

/// `emulator_upload_testbed`.
pub(super) fn upload(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let name = args.required("testbed")?;
    resolve(state, folder, service, None, None)?;
    let rows = args
        .value("cases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if rows.is_empty() {
        return Err(ToolFailure("a testbed needs at least one case".into()));
    }
    let mut cases = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let part = |k: &str| match row.get(k) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(o)) => Ok(o.clone()),
            Some(_) => Err(ToolFailure(format!("case {i}: {k} must be an object"))),
        };
        cases.push((part("inputs")?, part("expected")?));
    }
    let tb = Testbed {
        name: name.to_string(),
        description: args.str("description").map(str::to_string),
        cases,
        created_at: wire::now_ts(),
        results: Vec::new(),
    };
    let summary = summary_of(&tb);
    state
        .testbeds
        .all
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key(folder, service, name), tb);
    Ok(json!({"folder": folder, "service": service, "testbed": summary}))
}

/// `spark_download_testbed_template`: one column per input (`inputs.{name}`) and per output
/// (`expected.{name}`), with one row of the workbook's values.
pub(super) fn template(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let version = resolve(state, folder, service, None, None)?;
    let engine = &version.engine;
    let columns: Vec<Value> = engine
        .inputs()
        .iter()
        .map(|f| json!({"name": format!("inputs.{}", f.name), "type": type_name(f.data_type)}))
        .chain(engine.outputs().iter().map(
            |f| json!({"name": format!("expected.{}", f.name), "type": type_name(f.data_type)}),
        ))
        .collect();
    let header: Vec<String> = columns.iter().map(|c| csv_cell(c.get("name"))).collect();
    let row: Vec<String> = engine
        .inputs()
        .iter()
        .map(|f| csv_cell(Some(&f.default)))
        .chain(engine.outputs().iter().map(|f| csv_cell(Some(&f.default))))
        .collect();
    let example_case = json!({
        "inputs": engine.inputs().iter().map(|f| (f.name.clone(), f.default.clone())).collect::<Map<_, _>>(),
        "expected": engine.outputs().iter().map(|f| (f.name.clone(), f.default.clone())).collect::<Map<_, _>>(),
    });
    Ok(json!({
        "folder": version.info.folder,
        "service": version.info.service,
        "version": version.info.version.to_string(),
        "file_name": format!("{}_testbed_template.csv", version.info.service),
        "columns": columns,
        "csv": format!("{}\n{}\n", header.join(","), row.join(",")),
        "example_case": example_case,
    }))
}

/// `spark_list_testbeds`.
pub(super) fn list(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    resolve(state, folder, service, None, None)?;
    let only = args.str("testbed").map(str::to_lowercase);
    let all = state.testbeds.all.lock().unwrap_or_else(|e| e.into_inner());
    let mut testbeds: Vec<(&String, Value)> = all
        .iter()
        .filter(|((f, s, t), _)| {
            f == &folder.to_lowercase()
                && s == &service.to_lowercase()
                && only.as_ref().is_none_or(|o| o == t)
        })
        .map(|((_, _, t), tb)| (t, summary_of(tb)))
        .collect();
    testbeds.sort_by(|a, b| a.0.cmp(b.0));
    let testbeds: Vec<Value> = testbeds.into_iter().map(|(_, v)| v).collect();
    Ok(json!({"folder": folder, "service": service, "count": testbeds.len(), "testbeds": testbeds}))
}

fn result_summary(result: &Value) -> Value {
    let mut out = Map::new();
    for k in [
        "run_id",
        "testbed_result",
        "description",
        "testbed",
        "status",
        "version",
        "version_id",
        "created_at",
        "summary",
    ] {
        out.insert(k.into(), result.get(k).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// `spark_list_testbed_results`.
pub(super) fn list_results(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let testbed = args.required("testbed")?;
    let only = args.str("testbed_result_name");
    state.testbeds.with(folder, service, testbed, |tb| {
        let results: Vec<Value> = tb
            .results
            .iter()
            .filter(|r| only.is_none_or(|n| r["testbed_result"].as_str() == Some(n)))
            .map(result_summary)
            .collect();
        Ok(json!({"testbed": tb.name, "count": results.len(), "results": results}))
    })
}

/// Same value, numbers within a relative tolerance.
fn same(expected: &Value, actual: &Value) -> bool {
    match (expected.as_f64(), actual.as_f64()) {
        (Some(e), Some(a)) => (e - a).abs() <= TOLERANCE * e.abs().max(a.abs()).max(1.0),
        _ => expected == actual,
    }
}

/// `spark_run_testbed`: evaluates every case on the chosen version and stores the result.
pub(super) fn run(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let testbed = args.required("testbed")?;
    let version = resolve(
        state,
        folder,
        service,
        args.str("revision"),
        args.str("version_id"),
    )?;
    let selection = Selection {
        outputs: None,
        categories: args.list("service_category"),
        pattern: None,
    };
    let requested = selection.requested(version.engine.outputs());
    let run_id = uuid::Uuid::new_v4().to_string();
    state.testbeds.with(folder, service, testbed, |tb| {
        let mut cases = Vec::with_capacity(tb.cases.len());
        let mut passed = 0usize;
        for (index, (inputs, expected)) in tb.cases.iter().enumerate() {
            let (eval, ms) = exec::evaluate(&version, inputs, requested.as_deref());
            let mismatches: Vec<Value> = expected
                .iter()
                .filter_map(|(name, want)| {
                    let got = eval.outputs.get(name).unwrap_or(&Value::Null);
                    (!same(want, got))
                        .then(|| json!({"output": name, "expected": want, "actual": got}))
                })
                .collect();
            let ok = mismatches.is_empty() && eval.errors.is_empty();
            passed += usize::from(ok);
            cases.push(json!({
                "case": index,
                "inputs": inputs,
                "expected": expected,
                "actual": eval.outputs,
                "passed": ok,
                "mismatches": mismatches,
                "errors": exec::errors_json(&eval),
                "calc_time_ms": ms,
            }));
        }
        let name = args
            .str("testbed_result")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}-{}", tb.name, Utc::now().format("%Y%m%dT%H%M%S%.3f")));
        let result = json!({
            "run_id": run_id,
            "testbed_result": name,
            "description": args.str("testbed_result_description"),
            "testbed": tb.name,
            "status": "Completed",
            "version": version.info.version.to_string(),
            "version_id": version.info.id,
            "created_at": wire::now_ts(),
            "summary": {"cases": cases.len(), "passed": passed, "failed": cases.len() - passed},
            "cases": cases,
        });
        let summary = result_summary(&result);
        tb.results.push(result);
        Ok(summary)
    })
}

/// A stored result by name or run id.
fn find_result(tb: &Testbed, which: &str) -> Result<Value, ToolFailure> {
    tb.results
        .iter()
        .rev()
        .find(|r| {
            r["run_id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(which))
                || r["testbed_result"].as_str() == Some(which)
        })
        .cloned()
        .ok_or_else(|| ToolFailure(format!("testbed {:?} has no result {which:?}", tb.name)))
}

/// `spark_run_status_testbed`.
pub(super) fn status(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let run_id = args.required("run_id")?;
    let testbed = args.required("testbed")?;
    let all = state.testbeds.all.lock().unwrap_or_else(|e| e.into_inner());
    let folder = args.str("folder").map(str::to_lowercase);
    let service = args.str("service").map(str::to_lowercase);
    all.iter()
        .filter(|((f, s, t), _)| {
            t == &testbed.to_lowercase()
                && folder.as_ref().is_none_or(|x| x == f)
                && service.as_ref().is_none_or(|x| x == s)
        })
        .flat_map(|(_, tb)| tb.results.iter())
        .find(|r| {
            r["run_id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(run_id))
        })
        .map(result_summary)
        .ok_or_else(|| ToolFailure(format!("no run {run_id:?} of testbed {testbed:?}")))
}

/// `spark_download_testbed_result`: the whole result, plus a CSV with one row per case.
pub(super) fn download_result(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let testbed = args.required("testbed")?;
    let which = args.required("testbed_result")?;
    let mut result = state
        .testbeds
        .with(folder, service, testbed, |tb| find_result(tb, which))?;
    let cases = result["cases"].as_array().cloned().unwrap_or_default();
    let names = |key: &str| {
        let mut names: Vec<String> = Vec::new();
        for c in &cases {
            for k in c[key].as_object().into_iter().flat_map(|o| o.keys()) {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        names
    };
    let groups = [
        ("inputs", names("inputs")),
        ("expected", names("expected")),
        ("actual", names("actual")),
    ];
    let mut header = vec!["case".to_string(), "passed".into()];
    for (key, names) in &groups {
        header.extend(names.iter().map(|n| format!("{key}.{n}")));
    }
    let mut csv = header.join(",");
    csv.push('\n');
    for c in &cases {
        let mut row = vec![csv_cell(c.get("case")), csv_cell(c.get("passed"))];
        for (key, names) in &groups {
            row.extend(names.iter().map(|n| csv_cell(c[*key].get(n))));
        }
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    let file_name = format!(
        "{}_{}.csv",
        testbed,
        result["testbed_result"].as_str().unwrap_or("result")
    );
    if let Some(obj) = result.as_object_mut() {
        obj.insert("file_name".into(), Value::from(file_name));
        obj.insert("csv".into(), Value::from(csv));
    }
    Ok(result)
}

/// `spark_compare_testbed_results`: per case, the outputs whose values differ.
pub(super) fn compare(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let testbed = args.required("testbed")?;
    let (first, second) = state.testbeds.with(folder, service, testbed, |tb| {
        Ok((
            find_result(tb, args.required("testbed_result_1")?)?,
            find_result(tb, args.required("testbed_result_2")?)?,
        ))
    })?;
    let empty = Vec::new();
    let cases_1 = first["cases"].as_array().unwrap_or(&empty);
    let cases_2 = second["cases"].as_array().unwrap_or(&empty);
    let mut changed = Vec::new();
    for (i, (a, b)) in cases_1.iter().zip(cases_2).enumerate() {
        let mut names: Vec<&String> = a["actual"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .collect();
        for k in b["actual"].as_object().into_iter().flat_map(|o| o.keys()) {
            if !names.contains(&k) {
                names.push(k);
            }
        }
        let differences: Vec<Value> = names
            .into_iter()
            .filter_map(|n| {
                let (x, y) = (&a["actual"][n], &b["actual"][n]);
                (!same(x, y)).then(|| {
                    let delta = match (x.as_f64(), y.as_f64()) {
                        (Some(x), Some(y)) => json!(y - x),
                        _ => Value::Null,
                    };
                    json!({"output": n, "result_1": x, "result_2": y, "difference": delta})
                })
            })
            .collect();
        if !differences.is_empty() {
            changed.push(json!({"case": i, "inputs": a["inputs"], "differences": differences}));
        }
    }
    let compared = cases_1.len().min(cases_2.len());
    Ok(json!({
        "testbed": testbed,
        "testbed_result_1": result_summary(&first),
        "testbed_result_2": result_summary(&second),
        "cases_compared": compared,
        "cases_changed": changed.len(),
        "cases_unchanged": compared - changed.len(),
        "changes": changed,
    }))
}
