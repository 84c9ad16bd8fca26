//! `spark_download_api_history`: the emulator's call history for one service, filtered as
//! the tool's arguments say, as JSON records and as CSV (one column per input and output).

use serde_json::{Map, Value, json};

use super::{Args, McpState, ToolFailure};
use crate::state::CallRecord;
use crate::wire;

/// One record: call metadata plus (optionally) inputs and outputs.
fn record_json(
    r: &CallRecord,
    response: &Value,
    with_inputs: bool,
    with_outputs: bool,
    only: Option<&[String]>,
) -> Value {
    let meta = &r.request_meta;
    let field = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    let count = |k: &str| {
        response
            .pointer(&format!("/response_data/{k}"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let mut out = json!({
        "call_id": r.call_id,
        "api": r.api,
        "at": wire::timestamp(r.at),
        "version": r.version.info.version.to_string(),
        "version_id": r.version.info.id,
        "call_purpose": field("call_purpose"),
        "source_system": field("source_system"),
        "correlation_id": field("correlation_id"),
        "calc_time_ms": r.calc_ms,
        "warnings": count("warnings"),
        "errors": count("errors"),
    });
    if let Some(obj) = out.as_object_mut() {
        if with_inputs {
            obj.insert("inputs".into(), r.inputs.clone());
        }
        if with_outputs {
            let mut outputs = response
                .pointer("/response_data/outputs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(only) = only {
                outputs.retain(|k, _| only.iter().any(|o| o.eq_ignore_ascii_case(k)));
            }
            obj.insert("outputs".into(), Value::Object(outputs));
        }
    }
    out
}

/// A CSV cell: text as is, other JSON as JSON, quoted when needed.
pub(crate) fn csv_cell(v: Option<&Value>) -> String {
    let text = match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// CSV of records: call id, time, version, then inputs and outputs (in `heading_order`).
fn csv(records: &[Value], outputs_first: bool) -> String {
    let names = |key: &str| {
        let mut names: Vec<String> = Vec::new();
        for r in records {
            if let Some(obj) = r.get(key).and_then(Value::as_object) {
                for k in obj.keys() {
                    if !names.contains(k) {
                        names.push(k.clone());
                    }
                }
            }
        }
        names
    };
    let (inputs, outputs) = (names("inputs"), names("outputs"));
    let mut groups = vec![("inputs", inputs), ("outputs", outputs)];
    if outputs_first {
        groups.reverse();
    }
    let mut header = vec!["call_id".to_string(), "at".into(), "version".into()];
    for (key, names) in &groups {
        header.extend(names.iter().map(|n| format!("{key}.{n}")));
    }
    let mut out = header.join(",");
    out.push('\n');
    for r in records {
        let mut row = vec![
            csv_cell(r.get("call_id")),
            csv_cell(r.get("at")),
            csv_cell(r.get("version")),
        ];
        for (key, names) in &groups {
            row.extend(
                names
                    .iter()
                    .map(|n| csv_cell(r.get(*key).and_then(|o| o.get(n)))),
            );
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// `spark_download_api_history`.
pub(super) fn download(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    if let Some(job) = args.str("job_id") {
        return state
            .job(job)
            .ok_or_else(|| ToolFailure(format!("no download job {job}")));
    }
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    if state.app.store().versions(folder, service).is_none() {
        return Err(ToolFailure(format!("service {folder}/{service} not found")));
    }
    let bound = |name: &str| -> Result<_, ToolFailure> {
        args.str(name)
            .map(|s| {
                wire::parse_instant(s).ok_or_else(|| {
                    ToolFailure(format!("{name} {s:?} is not a date or an ISO 8601 instant"))
                })
            })
            .transpose()
    };
    let (from, to) = (bound("start_date")?, bound("end_date")?);
    let ids = args.list("call_ids").unwrap_or_default();
    let version = args.str("version");
    let purpose = args.str("call_purpose");
    let only = args.list("requested_outputs");
    let calls = state.app.inner.history.matching(|r| {
        let info = &r.version.info;
        info.folder.eq_ignore_ascii_case(folder)
            && info.service.eq_ignore_ascii_case(service)
            && version
                .is_none_or(|v| info.version.to_string() == v || info.id.eq_ignore_ascii_case(v))
            && from.is_none_or(|f| r.at >= f)
            && to.is_none_or(|t| r.at <= t)
            && (ids.is_empty() || ids.iter().any(|id| r.call_id.eq_ignore_ascii_case(id)))
            && purpose.is_none_or(|p| {
                r.request_meta.get("call_purpose").and_then(Value::as_str) == Some(p)
            })
    });
    let with_inputs = args.bool("include_inputs").unwrap_or(true);
    let with_outputs = args.bool("include_outputs").unwrap_or(true);
    let records: Vec<Value> = calls
        .iter()
        .filter_map(|r| {
            let response: Value = serde_json::from_slice(&r.response).unwrap_or(Value::Null);
            let record = record_json(r, &response, with_inputs, with_outputs, only.as_deref());
            let has = |k: &str| record[k].as_u64().unwrap_or(0) > 0;
            let keep = args.bool("has_warnings").is_none_or(|w| has("warnings") == w)
                && args.bool("has_errors").is_none_or(|e| has("errors") == e)
                // The emulator records no user names: a username filter matches nothing.
                && args.str("username").is_none();
            keep.then_some(record)
        })
        .collect();
    let outputs_first = args
        .str("heading_order")
        .is_some_and(|h| h.eq_ignore_ascii_case("outputs_first"));
    let mut result: Map<String, Value> = Map::new();
    result.insert("status".into(), Value::from("Completed"));
    result.insert("folder".into(), Value::from(folder));
    result.insert("service".into(), Value::from(service));
    result.insert("count".into(), Value::from(records.len()));
    result.insert(
        "file_name".into(),
        Value::from(format!("{service}_api_history.csv")),
    );
    result.insert("csv".into(), Value::from(csv(&records, outputs_first)));
    result.insert("records".into(), Value::Array(records));
    let mut result = Value::Object(result);
    let job = state.remember_job(&result);
    if let Some(obj) = result.as_object_mut() {
        obj.insert("job_id".into(), Value::from(job));
    }
    Ok(result)
}
